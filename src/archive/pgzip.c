/*
 * Parallel gzip, one member, deterministic (the technique pigz uses).
 *
 * A 100k-item bundle is ~1.7 GB of tar that one core deflates in ~10 s. The stream is
 * cut into fixed 1 MiB blocks; each block is deflated on its own (raw deflate, primed
 * with the previous block's last 32 KiB as dictionary so the ratio barely changes) and
 * ends byte-aligned with a sync flush, the last one with the final block. Concatenated
 * in order they are one ordinary deflate stream, so any gunzip reads the result. The
 * bytes depend only on the input, the block size, the level and zlib - never on how
 * many threads ran or how they were scheduled.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "archive/pgzip.h"

/* deflate, no flags, mtime 0, no extra flags, OS 3 (Unix) */
const unsigned char vpa_gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

#define BLOCK_SIZE (1u << 20)
#define DICT_SIZE 32768u
#define MAX_THREADS 8
#define BATCH_PER_THREAD 2

typedef struct {
    unsigned char *in;  /* BLOCK_SIZE */
    size_t in_len;
    unsigned char *dict; /* previous block's tail, or NULL for the first block */
    size_t dict_len;
    unsigned char *out;
    size_t out_len, out_cap;
    int last;
    int failed;
} pgz_block;

struct vpa_pgz {
    vpa_pgz_sink sink;
    void *sink_ctx;
    int level;
    int threads;
    pgz_block *blocks; /* batch */
    size_t batch, filled;
    unsigned char tail[DICT_SIZE]; /* last DICT_SIZE input bytes before the batch */
    size_t tail_len;
    uLong crc;
    unsigned long long total;
    int header_written;
};

struct worker {
    vpa_pgz *z;
    size_t first, step, count;
};

static int deflate_block(pgz_block *b, int level)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    if (b->dict_len && deflateSetDictionary(&zs, b->dict, (uInt)b->dict_len) != Z_OK) {
        deflateEnd(&zs);
        return -1;
    }
    size_t need = deflateBound(&zs, (uLong)b->in_len) + 16;
    if (need > b->out_cap) {
        unsigned char *o = realloc(b->out, need);
        if (!o) {
            deflateEnd(&zs);
            return -1;
        }
        b->out = o;
        b->out_cap = need;
    }
    zs.next_in = b->in;
    zs.avail_in = (uInt)b->in_len;
    zs.next_out = b->out;
    zs.avail_out = (uInt)b->out_cap;
    int zr = deflate(&zs, b->last ? Z_FINISH : Z_SYNC_FLUSH);
    int ok = b->last ? zr == Z_STREAM_END : (zr == Z_OK && zs.avail_in == 0 && zs.avail_out > 0);
    b->out_len = b->out_cap - zs.avail_out;
    deflateEnd(&zs);
    return ok ? 0 : -1;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    for (size_t i = w->first; i < w->count; i += w->step)
        w->z->blocks[i].failed = deflate_block(&w->z->blocks[i], w->z->level) != 0;
    return NULL;
}

static vp_status put(vpa_pgz *z, const void *p, size_t n, vp_error *err)
{
    return n ? z->sink(z->sink_ctx, p, n, err) : VP_OK;
}

static vp_status file_sink(void *ctx, const void *p, size_t n, vp_error *err)
{
    if (fwrite(p, 1, n, (FILE *)ctx) != n)
        return vp_error_set(err, VP_ERR_IO, "archive: writing the archive failed: %s", strerror(errno));
    return VP_OK;
}

/* Deflates the filled blocks of the batch on the worker threads and writes them in order. */
static vp_status flush_batch(vpa_pgz *z, int final, vp_error *err)
{
    pthread_t tid[MAX_THREADS];
    struct worker ws[MAX_THREADS];
    size_t n = z->filled;
    if (n == 0)
        return VP_OK;
    for (size_t i = 0; i < n; i++) {
        pgz_block *b = &z->blocks[i];
        if (i == 0) {
            b->dict = z->tail_len ? z->tail : NULL;
            b->dict_len = z->tail_len;
        } else { /* every block but the final one is full */
            b->dict = z->blocks[i - 1].in + BLOCK_SIZE - DICT_SIZE;
            b->dict_len = DICT_SIZE;
        }
        b->last = final && i == n - 1;
        z->crc = crc32(z->crc, b->in, (uInt)b->in_len);
        z->total += b->in_len;
    }
    size_t nthreads = (size_t)z->threads < n ? (size_t)z->threads : n;
    size_t started = 0;
    for (size_t t = 1; t < nthreads; t++) {
        ws[t] = (struct worker){z, t, nthreads, n};
        if (pthread_create(&tid[t], NULL, work, &ws[t]) != 0)
            break;
        started = t;
    }
    /* this thread takes block 0, 0+step, ...; blocks no thread started are done here too */
    ws[0] = (struct worker){z, 0, started + 1, n};
    work(&ws[0]);
    for (size_t t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    vp_status st = VP_OK;
    for (size_t i = 0; i < n && !st; i++) {
        if (z->blocks[i].failed)
            st = vp_error_set(err, VP_ERR_INTERNAL, "archive: deflate failed");
        else
            st = put(z, z->blocks[i].out, z->blocks[i].out_len, err);
    }
    /* the next batch's first block is primed with this batch's last 32 KiB */
    pgz_block *lastb = &z->blocks[n - 1];
    if (lastb->in_len >= DICT_SIZE) {
        memcpy(z->tail, lastb->in + lastb->in_len - DICT_SIZE, DICT_SIZE);
        z->tail_len = DICT_SIZE;
    } else {
        size_t keep = DICT_SIZE - lastb->in_len < z->tail_len ? DICT_SIZE - lastb->in_len : z->tail_len;
        memmove(z->tail, z->tail + z->tail_len - keep, keep);
        memcpy(z->tail + keep, lastb->in, lastb->in_len);
        z->tail_len = keep + lastb->in_len;
    }
    for (size_t i = 0; i < n; i++)
        z->blocks[i].in_len = 0;
    z->filled = 0;
    return st;
}

vp_status vpa_pgz_new(FILE *fp, int level, vpa_pgz **out, vp_error *err)
{
    return vpa_pgz_new_threads(fp, level, (int)sysconf(_SC_NPROCESSORS_ONLN), out, err);
}

vp_status vpa_pgz_new_threads(FILE *fp, int level, int cpus, vpa_pgz **out, vp_error *err)
{
    return vpa_pgz_new_sink(file_sink, fp, level, cpus, out, err);
}

vp_status vpa_pgz_new_sink(vpa_pgz_sink sink, void *ctx, int level, int cpus, vpa_pgz **out, vp_error *err)
{
    vpa_pgz *z = calloc(1, sizeof *z);
    *out = NULL;
    if (!z)
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    z->sink = sink;
    z->sink_ctx = ctx;
    z->level = level;
    z->threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
    z->batch = (size_t)z->threads * BATCH_PER_THREAD;
    z->crc = crc32(0L, Z_NULL, 0);
    z->blocks = calloc(z->batch, sizeof *z->blocks);
    for (size_t i = 0; z->blocks && i < z->batch; i++)
        if (!(z->blocks[i].in = malloc(BLOCK_SIZE))) {
            vpa_pgz_free(z);
            return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
        }
    if (!z->blocks) {
        vpa_pgz_free(z);
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    }
    *out = z;
    return VP_OK;
}

vp_status vpa_pgz_write(vpa_pgz *z, const void *data, size_t len, vp_error *err)
{
    const unsigned char *p = data;
    if (!z->header_written) {
        vp_status st = put(z, vpa_gzip_header, sizeof vpa_gzip_header, err);
        if (st)
            return st;
        z->header_written = 1;
    }
    while (len) {
        if (z->filled == z->batch) {
            vp_status st = flush_batch(z, 0, err);
            if (st)
                return st;
        }
        pgz_block *b = &z->blocks[z->filled];
        size_t n = BLOCK_SIZE - b->in_len < len ? BLOCK_SIZE - b->in_len : len;
        memcpy(b->in + b->in_len, p, n);
        b->in_len += n;
        p += n;
        len -= n;
        if (b->in_len == BLOCK_SIZE)
            z->filled++;
    }
    return VP_OK;
}

vp_status vpa_pgz_finish(vpa_pgz *z, vp_error *err)
{
    vp_status st = z->header_written ? VP_OK : vpa_pgz_write(z, "", 0, err);
    if (st)
        return st;
    /* a partly filled block (or, for empty input, an empty one) is the last */
    if (z->filled < z->batch && (z->blocks[z->filled].in_len || z->filled == 0))
        z->filled++;
    if ((st = flush_batch(z, 1, err)))
        return st;
    unsigned char trailer[8];
    for (int i = 0; i < 4; i++) {
        trailer[i] = (unsigned char)(z->crc >> (8 * i));
        trailer[4 + i] = (unsigned char)((z->total & 0xffffffffu) >> (8 * i));
    }
    return put(z, trailer, sizeof trailer, err);
}

void vpa_pgz_free(vpa_pgz *z)
{
    if (!z)
        return;
    for (size_t i = 0; z->blocks && i < z->batch; i++) {
        free(z->blocks[i].in);
        free(z->blocks[i].out);
    }
    free(z->blocks);
    free(z);
}
