/* Directories: removing one the program made (staging, a private recording), making a
 * change in one durable, and the directory of a path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- listing a tree (pack's bundle and staging trees, a recording's seal) ---- */

typedef struct {
    char **v;
    size_t n, cap;
    unsigned flags;
    int (*keep)(const char *rel);
} listing;

static vp_status list_push(listing *l, const char *rel, vp_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(rel)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    l->n++;
    return VP_OK;
}

static vp_status list_walk(const char *root, const char *rel, listing *l, int depth, vp_error *err)
{
    char dir[8192];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    if (depth > VP_LIST_MAX_DEPTH)
        return vp_error_set(err, VP_ERR_INPUT, "%s: directories nested more than %d deep", dir, VP_LIST_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (!d)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    vp_status st = VP_OK;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        char child[4096], full[8192];
        struct stat sb;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if ((l->flags & VP_LIST_SKIP_HIDDEN) && e->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= sizeof child)
            st = vp_error_set(err, VP_ERR_INPUT, "%s/%s: path too long", dir, e->d_name);
        else if (snprintf(full, sizeof full, "%s/%s", root, child), lstat(full, &sb) != 0)
            st = vp_error_set(err, VP_ERR_IO, "%s: %s", full, strerror(errno));
        else if (S_ISDIR(sb.st_mode))
            st = list_walk(root, child, l, depth + 1, err);
        else if (l->keep && !l->keep(child))
            continue;
        else if (!S_ISREG(sb.st_mode)) /* a link could lead a copy or a hash outside root */
            st = vp_error_set(err, VP_ERR_INPUT, "%s: not a regular file or directory (symlinks are refused)", full);
        else
            st = list_push(l, child, err);
    }
    closedir(d);
    return st;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void vp_list_sort(char **paths, size_t count)
{
    if (count)
        qsort(paths, count, sizeof *paths, by_bytes);
}

vp_status vp_list_files(const char *root, unsigned flags, int (*keep)(const char *rel), char ***paths,
                        size_t *count, vp_error *err)
{
    listing l = {NULL, 0, 0, flags, keep};
    *paths = NULL;
    *count = 0;
    vp_status st = list_walk(root, "", &l, 0, err);
    if (st) {
        vp_list_free(l.v, l.n);
        return st;
    }
    vp_list_sort(l.v, l.n);
    *paths = l.v;
    *count = l.n;
    return VP_OK;
}

void vp_list_free(char **paths, size_t count)
{
    for (size_t i = 0; paths && i < count; i++)
        free(paths[i]);
    free(paths);
}
