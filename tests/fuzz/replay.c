/*
 * replay.c: runs a fuzz target over saved inputs, without libFuzzer, as a
 * cmocka program in make check: every file in tests/fuzz/regressions/
 * TARGET (crashes found and fixed, and inputs written by hand), plus the
 * real specs the target should also take in its stride. Built once per
 * target with -DFUZZ_TARGET='"spec"' and linked with fuzz_TARGET.c. Paths
 * given as arguments replace the default list (a file or a directory).
 *
 * A failing input aborts inside the target with the property it broke.
 */
#include "fuzz.h"

#include "testutil.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET='\"name\"'"
#endif

static void
replay_one(void **state)
{
    const char *path = *state;
    size_t len = 0;
    char *data = tu_read(path, &len);
    assert_non_null(data);
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    free(data);
}

struct list {
    struct CMUnitTest *v;
    size_t n, cap;
};

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_path(struct list *l, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return;
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            names = realloc(names, (n + 1) * sizeof(*names));
            names[n++] = strdup(e->d_name);
        }
        closedir(d);
        if (n > 1)
            qsort(names, n, sizeof(*names), cmp_name);
        for (size_t i = 0; i < n; i++) {
            char child[4096];
            snprintf(child, sizeof(child), "%s/%s", path, names[i]);
            add_path(l, child);
            free(names[i]);
        }
        free(names);
        return;
    }
    if (!S_ISREG(sb.st_mode) || strstr(path, "README"))
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
    }
    char *p = strdup(path);
    l->v[l->n++] = (struct CMUnitTest){p, replay_one, NULL, NULL, p};
}

int
main(int argc, char **argv)
{
    struct list l = {NULL, 0, 0};
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            add_path(&l, argv[i]);
    } else {
        add_path(&l, "tests/fuzz/regressions/" FUZZ_TARGET);
        /* Real inputs: every property the target checks holds on them. */
        if (strcmp(FUZZ_TARGET, "spec") == 0 ||
            strcmp(FUZZ_TARGET, "analyze") == 0) {
            add_path(&l, "corpus");
            add_path(&l, "tests/fixtures/specs");
            add_path(&l, "tests/fixtures/resumes");
        }
    }
    int argc0 = 1;
    LLVMFuzzerInitialize(&argc0, &argv);
    if (l.n == 0) {
        fprintf(stderr,
                "replay_%s: no inputs found (run from the top of the "
                "tree)\n",
                FUZZ_TARGET);
        return 1;
    }
    int rc =
        _cmocka_run_group_tests("replay_" FUZZ_TARGET, l.v, l.n, NULL, NULL);
    for (size_t i = 0; i < l.n; i++)
        free((void *)l.v[i].name);
    free(l.v);
    return rc;
}
