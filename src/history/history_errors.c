/* history_errors.c — what went wrong opening a history, in words that name the file and
 * the real cause. SQLite reports a read-only file system, a missing permission and a folder
 * in the way alike ("unable to open database file"), and a file that is not a database as a
 * parse error; the file system is asked instead. */
#include "history/history.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* The nearest existing folder at or above the file's own folder. */
static void nearest_dir(const char *path, char *out, size_t len)
{
    snprintf(out, len, "%s", path);
    for (;;) {
        char *slash = strrchr(out, '/');
        if (!slash) {
            snprintf(out, len, ".");
            return;
        }
        if (slash == out) {
            out[1] = '\0';
            return;
        }
        *slash = '\0';
        struct stat st;
        if (stat(out, &st) == 0)
            return;
    }
}

static bool read_only_fs(const char *where)
{
    struct statvfs vfs;
    return statvfs(where, &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
}

static void describe_write_failure(const char *path, char *out, size_t len)
{
    struct stat st;
    bool exists = stat(path, &st) == 0;
    char dir[PATH_MAX];
    nearest_dir(path, dir, sizeof dir);
    if (read_only_fs(exists ? path : dir)) {
        if (exists)
            snprintf(out, len, "%s is on a read-only file system", path);
        else
            snprintf(out, len, "%s cannot be created: %s is on a read-only file system", path,
                     dir);
        return;
    }
    if (exists && access(path, R_OK | W_OK) != 0) {
        snprintf(out, len, "%s: no permission to read and write it (owner uid %u, mode %03o; "
                 "pitwall runs as uid %u)",
                 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777), (unsigned)geteuid());
        return;
    }
    if (!exists && access(dir, W_OK | X_OK) != 0) {
        snprintf(out, len, "%s: no permission to create files in %s (pitwall runs as uid %u)",
                 path, dir, (unsigned)geteuid());
        return;
    }
    snprintf(out, len, "%s: cannot be opened for writing (see the log above)", path);
}

void history_describe_error(const char *path, int rc, char *out, size_t len)
{
    struct stat st;
    if (!path || !*path) {
        snprintf(out, len, "no history file given (history.path or --history is empty)");
        return;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(out, len, "%s is a directory, not a history database file", path);
        return;
    }
    switch (rc) {
    case PW_EPARSE: {
        /* Every SQLite database starts with these 16 bytes. */
        static const char magic[16] = "SQLite format 3";
        char head[16] = {0};
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        ssize_t n = fd >= 0 ? read(fd, head, sizeof head) : -1;
        if (fd >= 0)
            close(fd);
        if (n != (ssize_t)sizeof head || memcmp(head, magic, sizeof magic) != 0)
            snprintf(out, len, "%s is not a SQLite database (it does not start as one); move "
                     "it away to start a new history", path);
        else
            snprintf(out, len, "%s is a SQLite database but not a pitwall history this "
                     "version can use (foreign tables, damage, or a newer pitwall); move it "
                     "away to start a new history", path);
        return;
    }
    case -EROFS:
    case -EACCES:
    case -EPERM:
        describe_write_failure(path, out, len);
        return;
    case -ENOTDIR:
        snprintf(out, len, "%s: a part of the path is a file, not a directory", path);
        return;
    case -ENOSPC:
        snprintf(out, len, "%s: the file system is full", path);
        return;
    case -EBUSY:
        snprintf(out, len, "%s is locked by another process (waited 5 s)", path);
        return;
    default:
        snprintf(out, len, "%s: %s", path, pw_strerror(rc));
    }
}
