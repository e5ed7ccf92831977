#!/bin/sh
# valgrind.sh: `make valgrind`. An index-and-query session, every command
# run under valgrind (memcheck): it fails on any memory error and on any
# leak (definite, indirect or possible; memory still reachable at exit,
# such as Xapian's and libstemmer's static tables, is not a leak). The
# session covers both programs' main paths and their rejection paths.
set -eu
BUILD=${BUILD:-build}
VG="valgrind -q --error-exitcode=99 --leak-check=full \
  --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"
dir=$(mktemp -d "${TMPDIR:-/tmp}/jobdex-valgrind-XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
db=$dir/vg.db
n=0
fails=0

# run WANTED-STATUS PROGRAM ARGS...: one command under valgrind.
run() {
    want=$1
    shift
    n=$((n + 1))
    set +e
    $VG "$BUILD/$@" > "$dir/out" 2> "$dir/err" < /dev/null
    rc=$?
    set -e
    if [ "$rc" -ne "$want" ] || grep -q '^==[0-9]*==' "$dir/err"; then
        echo "valgrind: FAILED (exit $rc, wanted $want): $*"
        cat "$dir/err"
        fails=$((fails + 1))
    else
        echo "valgrind: ok: $*"
    fi
}

# Inputs that are rejected, one of each kind.
mkdir -p "$dir/bad"
: > "$dir/bad/empty.txt"
printf 'TITLE: X\000Y\n' > "$dir/bad/nul.txt"
printf 'TITLE: Caf\351 Manager\n' > "$dir/bad/latin1.txt"
printf '%s\n' '{"title": "Clerk", "code": "1", "jurisdiction": "Town of V"}' \
    '{"title": ' '{"code": "2", "summary": "no title"}' > "$dir/bad/lines.jsonl"
printf '%s\n' '{"id": 1, "text": "web content and analytics"}' \
    '{"id": 2}' '{"id": 3, "text": "grant programs"}' \
    '{"id": 4, "text": "Maintain the city web site and coordinate its content with department staff"}' \
    > "$dir/batch.jsonl"

run 0 jobdex-index --no-progress -d "$db" corpus tests/fixtures/specs
run 1 jobdex-index --no-progress -d "$db" "$dir/bad" "$dir/missing.txt"
run 0 jobdex-index --dump corpus/st-louis
# A parallel run: workers report through a pipe and exit with _exit.
run 0 jobdex-index --no-progress -j 2 -d "$dir/parallel.db" corpus \
    tests/fixtures/specs
run 0 jobdex-query -d "$db" search '"public relations"' --jurisdiction milwaukie
run 0 jobdex-query -d "$db" --format json search 'title:coordinator AND website'
run 0 jobdex-query -d "$db" --format csv search 'manag* OR (budget NOT director)'
run 2 jobdex-query -d "$db" search 'the of and'
run 0 jobdex-query -d "$db" match --explain tests/fixtures/resumes/web-content-manager.txt
run 0 jobdex-query -d "$db" --format json match --explain tests/fixtures/resumes/web-content-manager.txt
run 0 jobdex-query -d "$db" match --keywords 'grant programs, neighborhood associations'
run 1 jobdex-query -d "$db" --format json match --batch "$dir/batch.jsonl"
run 1 jobdex-query -d "$db" --format csv match --batch "$dir/batch.jsonl" -j 2
run 0 jobdex-query -d "$db" similar milwaukie/web-services-coordinator
run 0 jobdex-query -d "$db" --format json show st-louis/1368
run 1 jobdex-query -d "$db" show no/such-class
run 0 jobdex-query -d "$db" stats
run 0 jobdex-query -d "$db" overlap --across jurisdiction --min-similarity 0.3
run 3 jobdex-query -d "$dir/no-such.db" stats
echo "valgrind: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
