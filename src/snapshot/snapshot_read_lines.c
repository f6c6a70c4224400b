/* The canonical layout, read line by line.
 *
 * Every element of the big arrays is one line: a walker thread splits the file into
 * lines and parses each element line on its own into the pool of a batch; the calling
 * thread converts the batches in order into the model and hands their pools back.
 * Parsing is about half of the work, so on two cores this halves the wall time while
 * memory stays bounded by RD_BATCHES batches in flight.
 *
 * Every other line goes into the "skeleton", in which element lines are left empty:
 * a small JSON document with the file's line numbers, parsed afterwards for the
 * header. A file without such arrays (jq -c, say) needs no skeleton: it is its own. The walker stops at the first element that is not on one line: the file is
 * in another layout and is then read whole (snapshot_read.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "core/buf.h"
#include "core/vec.h"
#include "snapshot/snapshot_read_internal.h"

#define RD_BATCHES 4                /* batches in flight between the two threads */
#define RD_BATCH_BYTES (512u << 10) /* element text per batch */
#define RD_RELEASE_STEP (4u << 20)  /* walked bytes released from the mapping at a time */

typedef struct {
    const cJSON *tree;
    size_t line;
    rd_kind kind;
} rd_parsed;

typedef struct {
    vp_json_pool *pool;
    rd_parsed *v;
    size_t n, cap, bytes;
} rd_batch;

typedef struct {
    /* the walker's own state */
    const char *file;
    rd_input *in;
    vpc_buf skel;
    int lazy;               /* no region yet: the skeleton would be the text itself */
    int region;             /* kind whose elements the current lines are, or -1 */
    size_t elements;        /* elements seen in the current region */
    size_t count[RD_KINDS]; /* elements seen of each kind, for the pointers of parse errors */
    int comma;              /* the previous element line ended with ',' */
    size_t comma_line, comma_col;
    int other_layout;
    int skipping;           /* the converter's `skip`, as last seen */
    unsigned unparsed;      /* kinds (bit 1 << kind) whose elements are counted, not parsed */
    vp_status status;
    vp_error err;
    /* shared with the converting thread, under mu */
    pthread_mutex_t mu;
    pthread_cond_t ready, emptied;
    rd_batch batch[RD_BATCHES];
    size_t produced, consumed; /* batch k lives in batch[k % RD_BATCHES] */
    int done;                  /* the walker published its last batch */
    int skip;                  /* conversion failed: parse no more elements */
} rd_walk;

/* ---- the walker ---- */

static void release_upto(rd_input *in, const char *pos)
{
    size_t upto = (size_t)(pos - in->text) / in->page * in->page;
    if (upto - in->released < RD_RELEASE_STEP)
        return;
    madvise((char *)in->text + in->released, upto - in->released, MADV_DONTNEED);
    in->released = upto;
}

static vp_status walk_nomem(rd_walk *w)
{
    return w->status = vp_error_set(&w->err, VP_ERR_NOMEM, "%s: out of memory reading the snapshot", w->file);
}

static vp_status skel_add(rd_walk *w, const char *s, size_t n)
{
    if (!w->skel.cap && vpc_buf_reserve(&w->skel, 64 * 1024)) /* a skeleton is never small */
        return walk_nomem(w);
    return vpc_buf_add(&w->skel, s, n) ? walk_nomem(w) : VP_OK;
}

/* `"<array>": [` alone on a line opens a region of one-line elements. */
static int region_opener(const char *t, size_t n)
{
    if (n < 6 || t[0] != '"' || memcmp(t + n - 4, "\": [", 4) != 0)
        return -1;
    for (int k = 0; k < RD_KINDS; k++) {
        size_t l = strlen(vpn_rd_kind_names[k]);
        if (n == l + 5 && memcmp(t + 1, vpn_rd_kind_names[k], l) == 0)
            return k;
    }
    return -1;
}

/* The JSON layer numbers lines within the text it is given, the element line alone:
 * its message is moved to the line in the file and the element's pointer. */
static void relocate_error(rd_walk *w, size_t line, const vp_error *e)
{
    char head[512], ptr[256];
    size_t fl = strlen(w->file);
    rd_path arr, at;
    vpn_rd_element_path((rd_kind)w->region, w->count[w->region], &arr, &at);
    vpn_rd_pointer(&at, NULL, ptr, sizeof ptr);
    snprintf(head, sizeof head, "%s:1:", w->file);
    if (strncmp(e->message, head, strlen(head)) == 0)
        vp_error_set(&w->err, e->status, "%s:%zu:%s", w->file, line, e->message + strlen(head));
    else if (strncmp(e->message, w->file, fl) == 0 && strncmp(e->message + fl, ": /", 3) == 0)
        vp_error_set(&w->err, e->status, "%s:%zu: %s%s", w->file, line, ptr, e->message + fl + 2);
    else
        vp_error_set(&w->err, e->status, "%s:%zu: %s", w->file, line, e->message);
    w->status = e->status;
}

/* Hands the filled batch to the converting thread and waits for a free one. */
static void publish(rd_walk *w, int last)
{
    pthread_mutex_lock(&w->mu);
    w->produced++;
    w->done = last;
    pthread_cond_signal(&w->ready);
    while (!last && w->produced - w->consumed >= RD_BATCHES)
        pthread_cond_wait(&w->emptied, &w->mu);
    w->skipping = w->skip;
    pthread_mutex_unlock(&w->mu);
}

static vp_status walk_element(rd_walk *w, const char *s, size_t n, size_t line)
{
    rd_batch *b = &w->batch[w->produced % RD_BATCHES];
    cJSON *tree;
    vp_error e = {0};
    if (w->skipping)
        return VP_OK; /* a conversion error is pending: only the layout is still checked */
    if (w->unparsed & (1u << w->region)) {
        w->count[w->region]++; /* a lazy or streaming read does not need this element */
        return VP_OK;
    }
    if (vp_json_parse_pooled(w->file, s, n, b->pool, &tree, &e)) {
        relocate_error(w, line, &e);
        return w->status;
    }
    rd_parsed *slot = vpc_vec_grow((void **)&b->v, &b->n, &b->cap, sizeof *b->v);
    if (!slot)
        return walk_nomem(w);
    *slot = (rd_parsed){tree, line, (rd_kind)w->region};
    w->count[w->region]++;
    if ((b->bytes += n) >= RD_BATCH_BYTES)
        publish(w, 0);
    return VP_OK;
}

static vp_status comma_error(rd_walk *w, size_t line, size_t col, const char *what)
{
    return w->status = vp_error_set(&w->err, VP_ERR_INPUT, "%s:%zu:%zu: %s; expected valid JSON", w->file, line, col,
                                    what);
}

/* One line inside a region; t..te is the line without surrounding blanks. Returns 1
 * when the line is not an element on one line (the file is in another layout). */
static int walk_region_line(rd_walk *w, const char *start, const char *t, const char *te, int last, size_t line)
{
    size_t n = (size_t)(te - t);
    if ((n == 1 && *t == ']') || (n == 2 && t[0] == ']' && t[1] == ',')) {
        if (w->elements && w->comma)
            comma_error(w, w->comma_line, w->comma_col, "',' after the last array element");
        w->region = -1;
        return 0;
    }
    if (n == 0)
        return 0; /* blank: stays in the skeleton as whitespace */
    int comma = te[-1] == ',';
    if (*t != '{' || (!last && te[-1 - comma] != '}'))
        return 1; /* an element over several lines (a cut last line is parsed, to say so) */
    if (w->elements && !w->comma) {
        comma_error(w, line, (size_t)(t - start) + 1, "missing ',' between array elements");
        return 0;
    }
    w->comma = comma;
    w->comma_line = line;
    w->comma_col = (size_t)(te - start);
    w->elements++;
    walk_element(w, start, (size_t)(te - comma - start), line);
    return 0;
}

static void walk_line(rd_walk *w, const char *p, const char *nl, const char *next, size_t line)
{
    const char *t = p, *te = nl ? nl : next;
    while (t < te && (*t == ' ' || *t == '\t'))
        t++;
    while (te > t && (te[-1] == ' ' || te[-1] == '\t' || te[-1] == '\r'))
        te--;
    if (w->region < 0) {
        int k = region_opener(t, (size_t)(te - t));
        if (w->lazy && k < 0)
            return;
        /* the first region: the skeleton starts as a copy of everything before it */
        if (skel_add(w, w->lazy ? w->in->text : p, (size_t)(next - (w->lazy ? w->in->text : p))))
            return;
        w->lazy = 0;
        w->region = k;
        w->elements = 0;
        w->comma = 0;
        return;
    }
    int region = w->region;
    if (walk_region_line(w, p, t, te, !nl, line)) {
        w->other_layout = 1;
        return;
    }
    /* an element line leaves an empty line, keeping the skeleton's line numbers */
    int element = w->region == region && te > t;
    if (!w->status)
        skel_add(w, element ? "\n" : p, element ? (nl ? 1 : 0) : (size_t)(next - p));
}

static void *walk(void *arg)
{
    rd_walk *w = arg;
    const char *p = w->in->text, *end = p + w->in->len;
    for (size_t line = 1; p < end && !w->status && !w->other_layout; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *next = nl ? nl + 1 : end;
        walk_line(w, p, nl, next, line);
        p = next;
        release_upto(w->in, p); /* parsed trees do not point into the file */
    }
    publish(w, 1);
    return NULL;
}

/* ---- the converting side ---- */

/* Streaming: one element converted, checked to follow the previous one in the writer's
 * order (by id, ignoring case; no id twice), and handed to the caller. */
static void stream_element(rd_ctx *c, rd_kind k, const cJSON *tree)
{
    size_t elem = vpn_rd_kind_size(k);
    if (vpn_rd_element(c, k, tree))
        return;
    const void *e = (const char *)c->vec[k].v + (c->vec[k].n - 1) * elem;
    const char *id = *(const char *const *)e; /* every entity struct starts with its id */
    if (c->stream_prev_id && strcasecmp(c->stream_prev_id, id) >= 0) {
        rd_path arr, at;
        vpn_rd_element_path(k, c->index_base[k] + c->vec[k].n - 1, &arr, &at);
        /* the expectation first: the ids are long and the message may be cut */
        vpn_rd_fail(c, &at, "id", "expected the writer's order (by id, ignoring case; each id once), found '%s' after "
                "'%s'", id, c->stream_prev_id);
        return;
    }
    free(c->stream_prev_id);
    if (!(c->stream_prev_id = strdup(id))) {
        vpn_rd_nomem(c);
        return;
    }
    vp_status st = c->on_element(c->on_element_ctx, e);
    if (st && !c->status)
        c->status = st; /* the callback filled its own error */
}

/* Streaming: what a batch's elements hold is dropped once they were handed over. */
static void stream_drop(rd_ctx *c)
{
    for (int k = 0; k < RD_KINDS; k++) {
        c->index_base[k] += c->vec[k].n;
        c->vec[k].n = 0;
    }
    vpn_rd_strings_free(&c->strings);
    vpc_arena_reset(c->arena);
}

/* Converts batches until the walker is done. After a conversion error the batches
 * are still taken (the walker must not wait forever) but no longer converted. */
static void convert(rd_walk *w, rd_ctx *c)
{
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (w->consumed == w->produced && !w->done)
            pthread_cond_wait(&w->ready, &w->mu);
        if (w->consumed == w->produced) {
            pthread_mutex_unlock(&w->mu);
            return;
        }
        rd_batch *b = &w->batch[w->consumed % RD_BATCHES];
        pthread_mutex_unlock(&w->mu);
        for (size_t i = 0; i < b->n && !c->status; i++) {
            c->line = b->v[i].line;
            if (c->stream_kind < 0)
                vpn_rd_element(c, b->v[i].kind, b->v[i].tree);
            else
                stream_element(c, b->v[i].kind, b->v[i].tree);
        }
        c->line = 0;
        if (c->stream_kind >= 0)
            stream_drop(c);
        vp_json_pool_reset(b->pool);
        b->n = b->bytes = 0;
        pthread_mutex_lock(&w->mu);
        w->skip = c->status != VP_OK;
        w->consumed++;
        pthread_cond_signal(&w->emptied);
        pthread_mutex_unlock(&w->mu);
    }
}

static void walk_free(rd_walk *w)
{
    for (int i = 0; i < RD_BATCHES; i++) {
        vp_json_pool_free(w->batch[i].pool);
        free(w->batch[i].v);
    }
    vpc_buf_free(&w->skel);
    pthread_cond_destroy(&w->ready);
    pthread_cond_destroy(&w->emptied);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static vp_status walk_new(rd_ctx *c, rd_input *in, rd_walk **out)
{
    rd_walk *w = calloc(1, sizeof *w);
    *out = w;
    if (!w)
        return vpn_rd_nomem(c);
    w->file = c->file;
    w->in = in;
    w->lazy = 1;
    w->region = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->ready, NULL);
    pthread_cond_init(&w->emptied, NULL);
    for (int i = 0; i < RD_BATCHES; i++)
        if (!(w->batch[i].pool = vp_json_pool_new()))
            return vpn_rd_nomem(c);
    return VP_OK;
}

vp_status vpn_rd_read_lines(rd_ctx *c, rd_input *in, vp_error *pending_err, char **skel, size_t *skel_len,
                        int *other_layout)
{
    rd_walk *w;
    pthread_t thread;
    vp_error *err = c->err;
    *skel = NULL;
    *skel_len = 0;
    *other_layout = 0;
    if (!walk_new(c, in, &w)) {
        w->unparsed = c->lazy_kinds;
        if (c->stream_kind >= 0)
            w->unparsed = ~(1u << c->stream_kind);
    }
    if (!w || c->status || pthread_create(&thread, NULL, walk, w) != 0) {
        if (w)
            walk_free(w);
        return c->status ? c->status : vp_error_set(err, VP_ERR_NOMEM, "%s: cannot start a thread", c->file);
    }
    c->err = pending_err; /* conversion errors wait until the format has been checked */
    convert(w, c);
    pthread_join(thread, NULL);
    c->err = err;
    vp_status st = w->status;
    if (st && err)
        *err = w->err;
    *other_layout = w->other_layout;
    for (int k = 0; k < RD_KINDS; k++)
        if (c->lazy_kinds & (1u << k))
            c->lazy_count[k] = w->count[k];
    if (!w->lazy) {
        *skel = vpc_buf_detach(&w->skel, skel_len);
    }
    walk_free(w);
    return st;
}
