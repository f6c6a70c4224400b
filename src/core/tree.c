/* Directories: removing one the program made (staging, a private recording), making a
 * change in one durable, and the directory of a path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/fileio.h"

vp_status vp_remove_tree(const char *dir, vp_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? VP_OK : vp_error_set(err, VP_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    struct dirent *e;
    vp_status st = VP_OK;
    while (!st && (e = readdir(d)) != NULL) {
        char full[8192];
        struct stat sb;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        if (lstat(full, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) /* lstat: a link to a directory is removed, never followed */
            st = vp_remove_tree(full, err);
        else if (unlink(full) != 0)
            st = vp_error_set(err, VP_ERR_IO, "%s: cannot remove: %s", full, strerror(errno));
    }
    closedir(d);
    if (!st && rmdir(dir) != 0)
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot remove: %s", dir, strerror(errno));
    return st;
}

vp_status vp_sync_dir(const char *dir, vp_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    int bad = fsync(fd) != 0;
    int e = errno;
    close(fd);
    return bad ? vp_error_set(err, VP_ERR_IO, "%s: cannot sync: %s", dir, strerror(e)) : VP_OK;
}

void vp_path_dir(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}
