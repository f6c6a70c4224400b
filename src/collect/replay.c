/* Replay: response bodies (and their capture sidecars) read from a directory tree. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect/internal.h"
#include "vaultproof/fileio.h"

typedef VP_VEC(char *) path_vec;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Collects regular *.json files below root/rel (rel "" at the top), not following
 * links and skipping hidden entries. */
static vp_status walk(const char *root, const char *rel, path_vec *out, int depth, vp_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    if (depth > 32)
        return vp_error_set(err, VP_ERR_INPUT, "%s: directories nested more than 32 deep", dir);
    DIR *d = opendir(dir);
    if (!d)
        return vp_error_set(err, errno == ENOENT || errno == ENOTDIR ? VP_ERR_INPUT : VP_ERR_IO,
                            "%s: cannot read replay directory: %s", dir, strerror(errno));
    vp_status st = VP_OK;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        char child[4096], full[8192];
        struct stat sb;
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, child);
        if (lstat(full, &sb) != 0) {
            st = vp_error_set(err, VP_ERR_IO, "%s: %s", full, strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            st = walk(root, child, out, depth + 1, err);
        } else if (S_ISREG(sb.st_mode) && ends_with(e->d_name, ".json")) {
            char **slot = VP_VEC_PUSH(*out);
            if (!slot || !(*slot = strdup(child)))
                st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
    }
    closedir(d);
    return st;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int contains(const path_vec *v, const char *path)
{
    return bsearch(&path, v->v, v->n, sizeof *v->v, cmp_path) != NULL;
}

static vp_status feed(vp_normalizer *n, const char *dir, const char *body_rel, const path_vec *all, vp_error *err)
{
    char body_path[8192], side_rel[4096], side_path[8192];
    char *body = NULL, *side = NULL;
    size_t body_len = 0, side_len = 0;
    vp_status st;

    snprintf(body_path, sizeof body_path, "%s/%s", dir, body_rel);
    snprintf(side_rel, sizeof side_rel, "%.*s.meta.json", (int)(strlen(body_rel) - 5), body_rel);
    snprintf(side_path, sizeof side_path, "%s/%s", dir, side_rel);
    if ((st = vp_read_file(body_path, &body, &body_len, err)))
        return st;
    if (contains(all, side_rel) && (st = vp_read_file(side_path, &side, &side_len, err))) {
        free(body);
        return st;
    }
    st = vp_normalizer_add(n, body_rel, body, body_len, side ? side_rel : NULL, side, side_len, err);
    free(body);
    free(side);
    return st;
}

vp_status vp_collect_replay(const char *dir, const vp_collect_options *opt, vp_snapshot **out, vp_error *err)
{
    path_vec paths = {0};
    vp_normalizer *n = NULL;
    size_t bodies = 0, done = 0;
    struct stat sb;

    *out = NULL;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "%s: not a directory; expected a replay directory of ARM responses", dir);
    vp_status st = walk(dir, "", &paths, 0, err);
    if (!st)
        st = vp_normalizer_new(opt, &n, err);
    if (!st) {
        qsort(paths.v, paths.n, sizeof *paths.v, cmp_path);
        for (size_t i = 0; i < paths.n; i++)
            bodies += !ends_with(paths.v[i], ".meta.json");
        if (bodies == 0)
            st = vp_error_set(err, VP_ERR_INPUT, "%s: no *.json response bodies found; expected ARM responses "
                              "(docs/replay-format.md)", dir);
    }
    for (size_t i = 0; !st && i < paths.n; i++) {
        if (ends_with(paths.v[i], ".meta.json"))
            continue;
        st = feed(n, dir, paths.v[i], &paths, err);
        if (opt->progress)
            opt->progress(opt->progress_ctx, ++done, bodies);
    }
    for (size_t i = 0; i < paths.n; i++)
        free(paths.v[i]);
    free(paths.v);
    if (st) {
        vp_normalizer_free(n);
        return st;
    }
    return vp_normalizer_finish(n, out, err);
}
