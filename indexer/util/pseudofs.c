/*
 * pseudofs.c: see pseudofs.h. A deny list of filesystem types, by the
 * magic number statfs(2) reports (their names as in <linux/magic.h>, which
 * is not included: older headers lack some, and a few are not in it).
 * tmpfs, ramfs and the like hold real files and are not on it; devtmpfs
 * reports tmpfs, and its devices are refused by their mode (walk.c).
 */
#include "indexer/util/pseudofs.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __linux__
#include <sys/statfs.h>

static const struct {
    uint32_t magic;
    const char *name;
} pseudo_fs[] = {
    {0x9fa0, "proc"},             /* PROC_SUPER_MAGIC */
    {0x62656572, "sysfs"},        /* SYSFS_MAGIC */
    {0x1cd1, "devpts"},           /* DEVPTS_SUPER_MAGIC */
    {0x64626720, "debugfs"},      /* DEBUGFS_MAGIC */
    {0x74726163, "tracefs"},      /* TRACEFS_MAGIC */
    {0x73636673, "securityfs"},   /* SECURITYFS_MAGIC */
    {0xf97cff8c, "selinuxfs"},    /* SELINUX_MAGIC */
    {0x43415d53, "smackfs"},      /* SMACK_MAGIC */
    {0x5a3c69f0, "apparmorfs"},   /* AAFS_MAGIC */
    {0x27e0eb, "cgroup"},         /* CGROUP_SUPER_MAGIC */
    {0x63677270, "cgroup2"},      /* CGROUP2_SUPER_MAGIC */
    {0x7655821, "resctrl"},       /* RDTGROUP_SUPER_MAGIC */
    {0xcafe4a11, "bpf"},          /* BPF_FS_MAGIC */
    {0x6165676c, "pstore"},       /* PSTOREFS_MAGIC */
    {0xde5e81e4, "efivarfs"},     /* EFIVARFS_MAGIC */
    {0x42494e4d, "binfmt_misc"},  /* BINFMTFS_MAGIC */
    {0x9fa2, "usbdevfs"},         /* USBDEVICE_SUPER_MAGIC */
    {0x9fa1, "openpromfs"},       /* OPENPROM_SUPER_MAGIC */
    {0xabba1974, "xenfs"},        /* XENFS_SUPER_MAGIC */
    {0x6c6f6f70, "binder"},       /* BINDERFS_SUPER_MAGIC */
    {0x6e736673, "nsfs"},         /* NSFS_MAGIC */
    {0x50495045, "pipefs"},       /* PIPEFS_MAGIC */
    {0x534f434b, "sockfs"},       /* SOCKFS_MAGIC */
    {0x09041934, "anon_inodefs"}, /* ANON_INODE_FS_MAGIC */
    {0x62646576, "bdev"},         /* BDEVFS_MAGIC */
    {0x62656570, "configfs"},     /* not in <linux/magic.h> */
    {0x65735543, "fusectl"},      /* not in <linux/magic.h> */
    {0x19800202, "mqueue"},       /* not in <linux/magic.h> */
};

static bool
is_pseudo(const struct statfs *sf, char *why, size_t len)
{
    uint32_t magic = (uint32_t)sf->f_type;
    for (size_t i = 0; i < sizeof(pseudo_fs) / sizeof(pseudo_fs[0]); i++) {
        if (pseudo_fs[i].magic == magic) {
            snprintf(why, len, "on a special filesystem (%s), never read",
                     pseudo_fs[i].name);
            return true;
        }
    }
    return false;
}

bool
pseudofs_fd(int fd, char *why, size_t len)
{
    struct statfs sf;
    return fstatfs(fd, &sf) == 0 && is_pseudo(&sf, why, len);
}

bool
pseudofs_path(const char *path, char *why, size_t len)
{
    struct statfs sf;
    return statfs(path, &sf) == 0 && is_pseudo(&sf, why, len);
}

#else /* no pseudo filesystems known elsewhere */

bool
pseudofs_fd(int fd, char *why, size_t len)
{
    (void)fd;
    (void)why;
    (void)len;
    return false;
}

bool
pseudofs_path(const char *path, char *why, size_t len)
{
    (void)path;
    (void)why;
    (void)len;
    return false;
}

#endif
