/*
 * pseudofs.h: telling the kernel's pseudo filesystems (proc, sysfs,
 * cgroup, ...) from the ones that hold files. Their entries are the state
 * of the machine and of its processes (/proc/self/environ, /sys/...),
 * never class specs, and reading some of them blocks, fails or has side
 * effects: jobdex never reads them, whatever path or link leads there.
 */
#ifndef JD_PSEUDOFS_H
#define JD_PSEUDOFS_H

#include <stdbool.h>
#include <stddef.h>

/* True when the file open as FD is on a pseudo filesystem; WHY (of LEN
 * bytes) then says so: "on a special filesystem (proc), never read".
 * False when it holds ordinary files, or when the kernel will not say
 * (the read that follows reports that). */
bool pseudofs_fd(int fd, char *why, size_t len);

/* The same for PATH, its symbolic links followed. */
bool pseudofs_path(const char *path, char *why, size_t len);

#endif
