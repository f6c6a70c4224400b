/* Replay: response bodies (and their capture sidecars) read from a directory tree.
 *
 * Hashing and parsing dominate a large replay, so reader threads map, hash and parse
 * the files ahead of the normalizer, which consumes them strictly in sorted order: the
 * snapshot, and the first error reported, do not depend on timing. The bytes in
 * flight are bounded so a few huge VM lists cannot pile up in memory. Each reader
 * also frees the trees it built once the normalizer is done with them: freeing on the
 * allocating thread keeps glibc's per-thread heaps from contending.
 *
 * Stopping: the normalizer stops at the first failing body (or after the last one) and
 * sets `stop` under the lock with a broadcast. Every wait below re-checks `stop` (and
 * the consumer checks that the body's reader is still running), so no thread waits for
 * a peer that will never act again; a body finished after the stop is never offered,
 * and run_pipeline() joins the readers and frees whatever they left. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect/internal.h"
#include "vaultproof/fileio.h"

#define READERS 2
#define READ_AHEAD_FILES 16 /* a multiple of READERS: each slot belongs to one reader */
#define READ_AHEAD_BYTES (24u << 20)

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

/* One body on its way from a reader to the normalizer. */
typedef enum { SLOT_EMPTY = 0, SLOT_READY, SLOT_DONE } slot_state;

typedef struct {
    char side_rel[4096];
    vp_mapped_file body, side;
    vp_prepared_body prepared;
    vp_json_pool *pool; /* the slot's parse trees; kept across uses of the slot */
    slot_state state;
    size_t index;
} job;

typedef struct {
    const char *dir;
    char **bodies; /* relative paths, sorted */
    size_t count;
    const path_vec *all;
    job *ring;     /* body i lives in ring[i % READ_AHEAD_FILES] */
    size_t consumed;
    size_t bytes_in_flight;
    int stop;                 /* the normalizer takes no more bodies; readers finish */
    int reader_done[READERS]; /* reader r has left its loop and publishes nothing more */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} pipeline;

typedef struct {
    pipeline *p;
    size_t first; /* this reader prepares bodies first, first + READERS, ... */
} reader_arg;

/* Maps, hashes and parses body i into its slot. Runs on a reader thread. */
static void prepare(pipeline *p, size_t i, job *j)
{
    char body_path[8192], side_path[8192];
    const char *rel = p->bodies[i];
    vp_json_pool *pool = j->pool;
    memset(j, 0, sizeof *j);
    j->pool = pool ? pool : vp_json_pool_new();
    j->index = i;
    snprintf(body_path, sizeof body_path, "%s/%s", p->dir, rel);
    snprintf(j->side_rel, sizeof j->side_rel, "%.*s.meta.json", (int)(strlen(rel) - 5), rel);
    snprintf(side_path, sizeof side_path, "%s/%s", p->dir, j->side_rel);
    vp_prepared_body *b = &j->prepared;
    b->path = rel;
    b->pool = j->pool;
    if (!j->pool) {
        b->status = vp_error_set(&b->error, VP_ERR_NOMEM, "out of memory");
        return;
    }
    if ((b->status = vp_map_file(body_path, VP_INPUT_UNTRUSTED, &j->body, &b->error)))
        return;
    const char *side_rel = j->side_rel;
    int has_side = vp_search(&side_rel, p->all->v, p->all->n, sizeof *p->all->v, cmp_path) != NULL;
    if (has_side && (b->status = vp_map_file(side_path, VP_INPUT_UNTRUSTED, &j->side, &b->error)))
        return;
    b->body = j->body.data ? j->body.data : "";
    b->len = j->body.len;
    if (has_side) {
        b->sidecar_path = j->side_rel;
        b->sidecar = j->side.data ? j->side.data : "";
        b->sidecar_len = j->side.len;
    }
    vpo_prepare_body(b);
}

static void release(job *j)
{
    if (j->pool)
        vp_json_pool_reset(j->pool);
    j->prepared.root = NULL;
    vp_unmap_file(&j->body);
    vp_unmap_file(&j->side);
}

/* Frees this reader's slots the normalizer is done with. Called with the lock held. */
static void release_done(pipeline *p, size_t first)
{
    for (size_t s = first; s < READ_AHEAD_FILES; s += READERS) {
        job *j = &p->ring[s];
        if (j->state != SLOT_DONE)
            continue;
        size_t len = j->body.len;
        pthread_mutex_unlock(&p->lock);
        release(j);
        pthread_mutex_lock(&p->lock);
        j->state = SLOT_EMPTY;
        p->bytes_in_flight -= len;
    }
}

static void *reader(void *arg)
{
    pipeline *p = ((reader_arg *)arg)->p;
    size_t first = ((reader_arg *)arg)->first;
    pthread_mutex_lock(&p->lock);
    for (size_t i = first; i < p->count && !p->stop; i += READERS) {
        job *j = &p->ring[i % READ_AHEAD_FILES];
        for (;;) {
            release_done(p, first);
            int room = j->state == SLOT_EMPTY && i < p->consumed + READ_AHEAD_FILES &&
                       (i == p->consumed || p->bytes_in_flight < READ_AHEAD_BYTES);
            if (room || p->stop)
                break;
            pthread_cond_wait(&p->changed, &p->lock);
        }
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->lock);
        prepare(p, i, j);
        pthread_mutex_lock(&p->lock);
        /* the normalizer may have stopped while this body was prepared: it will never
         * take it, so it is not offered (offering it is what used to hang) */
        j->state = p->stop ? SLOT_DONE : SLOT_READY;
        p->bytes_in_flight += j->body.len;
        pthread_cond_broadcast(&p->changed);
    }
    /* wait until the normalizer is done with everything this reader made (or has
     * stopped and takes nothing more), then free it */
    for (;;) {
        release_done(p, first);
        int mine = 0;
        for (size_t s = first; s < READ_AHEAD_FILES; s += READERS)
            mine |= p->ring[s].state == SLOT_READY;
        if (!mine || p->stop)
            break;
        pthread_cond_wait(&p->changed, &p->lock);
    }
    /* after a stop, slots still READY are the normalizer's no more: run_pipeline()
     * frees them after the join */
    p->reader_done[first] = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static vp_status consume(pipeline *p, vp_normalizer *n, const vp_collect_options *opt, vp_error *err)
{
    vp_status st = VP_OK;
    for (size_t i = 0; i < p->count && !st; i++) {
        job *j = &p->ring[i % READ_AHEAD_FILES];
        pthread_mutex_lock(&p->lock);
        while (!(j->state == SLOT_READY && j->index == i) && !p->reader_done[i % READERS])
            pthread_cond_wait(&p->changed, &p->lock);
        if (!(j->state == SLOT_READY && j->index == i)) { /* its reader left without it */
            pthread_mutex_unlock(&p->lock);
            st = vp_error_set(err, VP_ERR_INTERNAL, "%s/%s: the reader thread stopped before reading it",
                              p->dir, p->bodies[i]);
            break;
        }
        pthread_mutex_unlock(&p->lock);
        st = vpo_normalizer_add_prepared(n, &j->prepared, err);
        pthread_mutex_lock(&p->lock);
        j->state = SLOT_DONE;
        p->consumed = i + 1;
        if (st)
            p->stop = 1;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        if (opt->progress)
            opt->progress(opt->progress_ctx, i + 1, p->count);
    }
    pthread_mutex_lock(&p->lock);
    p->stop = 1; /* readers: nothing more will be consumed */
    for (size_t s = 0; s < READ_AHEAD_FILES; s++)
        if (p->ring[s].state == SLOT_READY)
            p->ring[s].state = SLOT_DONE;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return st;
}

static vp_status run_pipeline(pipeline *p, vp_normalizer *n, const vp_collect_options *opt, vp_error *err)
{
    pthread_t threads[READERS];
    reader_arg args[READERS];
    size_t started = 0;
    vp_status st = VP_OK;
    p->ring = calloc(READ_AHEAD_FILES, sizeof *p->ring);
    if (!p->ring)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    for (; started < READERS; started++) {
        args[started] = (reader_arg){p, started};
        if (pthread_create(&threads[started], NULL, reader, &args[started]) != 0)
            break;
    }
    if (started < READERS) {
        st = vp_error_set(err, VP_ERR_IO, "cannot start reader threads");
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    } else {
        st = consume(p, n, opt, err);
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    for (size_t s = 0; s < READ_AHEAD_FILES; s++) { /* a reader that never started leaves its slots */
        if (p->ring[s].state != SLOT_EMPTY)
            release(&p->ring[s]);
        vp_json_pool_free(p->ring[s].pool);
    }
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p->ring);
    return st;
}

vp_status vp_collect_replay_dir_check(const char *dir, vp_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "%s: not a directory; expected a replay directory of ARM responses", dir);
    return VP_OK;
}

vp_status vp_collect_replay(const char *dir, const vp_collect_options *opt, vp_snapshot **out, vp_error *err)
{
    path_vec paths = {0};
    vp_normalizer *n = NULL;
    pipeline p = {0};

    *out = NULL;
    vp_status st = vp_collect_replay_dir_check(dir, err);
    if (!st)
        st = walk(dir, "", &paths, 0, err);
    if (!st)
        st = vp_normalizer_new(opt, &n, err);
    if (!st) {
        vp_sort(paths.v, paths.n, sizeof *paths.v, cmp_path);
        p.bodies = malloc((paths.n + 1) * sizeof *p.bodies);
        if (!p.bodies)
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; !st && i < paths.n; i++)
            if (!ends_with(paths.v[i], ".meta.json"))
                p.bodies[p.count++] = paths.v[i];
        if (!st && p.count == 0)
            st = vp_error_set(err, VP_ERR_INPUT, "%s: no *.json response bodies found; expected ARM responses "
                              "(docs/replay-format.md)", dir);
    }
    if (!st) {
        p.dir = dir;
        p.all = &paths;
        st = run_pipeline(&p, n, opt, err);
    }
    for (size_t i = 0; i < paths.n; i++)
        free(paths.v[i]);
    free(paths.v);
    free(p.bodies);
    if (st) {
        vp_normalizer_free(n);
        return st;
    }
    return vp_normalizer_finish(n, out, err);
}
