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
 *
 * The workers live as long as the stream and take blocks as they are filled, so the
 * caller's thread keeps reading input while they deflate (it used to fill a batch, then
 * wait for the batch to be deflated, leaving the cores idle in turn). Each block's CRC
 * is computed by its worker and combined in order (crc32_combine).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "archive/pgzip.h"

/* deflate, no flags, mtime 0, no extra flags, OS 3 (Unix) */
const unsigned char vpa_gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

#define BLOCK_SIZE (1u << 20)
#define DICT_SIZE 32768u
#define MAX_THREADS 8
/* blocks in flight per worker; two more: the one being filled and the one before it,
 * whose tail is the next one's dictionary */
#define RING_PER_THREAD 2

typedef struct {
    unsigned char *in; /* BLOCK_SIZE */
    size_t in_len;
    const unsigned char *dict; /* the previous block's last DICT_SIZE bytes; NULL for the first */
    unsigned char *out;
    size_t out_len, out_cap;
    uLong crc;
    int last;
    int failed;
    int done; /* guarded by the mutex */
} pgz_block;

struct vpa_pgz {
    vpa_pgz_sink sink;
    void *sink_ctx;
    int level;
    pgz_block *ring;
    size_t ring_n;
    /* block sequence numbers: filling = the block being filled (not yet handed out),
     * queued = how many were handed out, taken = how many a worker took, written = how
     * many were written to the sink (in order) */
    unsigned long long filling, queued, taken, written;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    pthread_t tid[MAX_THREADS];
    int workers; /* started; 0: blocks are deflated on the caller's thread */
    int stop;
    uLong crc;
    unsigned long long total;
    int header_written;
};

static pgz_block *slot(vpa_pgz *z, unsigned long long seq)
{
    return &z->ring[seq % z->ring_n];
}

static int deflate_block(pgz_block *b, int level)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    b->crc = crc32(0L, b->in, (uInt)b->in_len);
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    if (b->dict && deflateSetDictionary(&zs, b->dict, DICT_SIZE) != Z_OK) {
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
    vpa_pgz *z = arg;
    pthread_mutex_lock(&z->mu);
    for (;;) {
        while (!z->stop && z->taken == z->queued)
            pthread_cond_wait(&z->work, &z->mu);
        if (z->stop)
            break;
        pgz_block *b = slot(z, z->taken++);
        pthread_mutex_unlock(&z->mu);
        int failed = deflate_block(b, z->level) != 0;
        pthread_mutex_lock(&z->mu);
        b->failed = failed;
        b->done = 1;
        pthread_cond_broadcast(&z->done);
    }
    pthread_mutex_unlock(&z->mu);
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

/* Writes, in order, the deflated blocks; waits for them until `until` blocks are written. */
static vp_status drain(vpa_pgz *z, unsigned long long until, vp_error *err)
{
    while (z->written < z->queued) {
        pgz_block *b = slot(z, z->written);
        pthread_mutex_lock(&z->mu);
        while (!b->done && z->written < until)
            pthread_cond_wait(&z->done, &z->mu);
        int ready = b->done;
        pthread_mutex_unlock(&z->mu);
        if (!ready)
            break;
        if (b->failed)
            return vp_error_set(err, VP_ERR_INTERNAL, "archive: deflate failed");
        vp_status st = put(z, b->out, b->out_len, err);
        if (st)
            return st;
        z->crc = crc32_combine(z->crc, b->crc, (z_off_t)b->in_len);
        z->total += b->in_len;
        z->written++;
    }
    return VP_OK;
}

/* Hands the block being filled to the workers (last: it ends the stream). */
static vp_status queue_filled(vpa_pgz *z, int last, vp_error *err)
{
    pgz_block *b = slot(z, z->filling);
    b->dict = z->filling ? slot(z, z->filling - 1)->in + BLOCK_SIZE - DICT_SIZE : NULL;
    b->last = last;
    b->done = 0;
    if (!z->workers) {
        b->failed = deflate_block(b, z->level) != 0;
        b->done = 1;
    }
    pthread_mutex_lock(&z->mu);
    z->queued++;
    pthread_cond_signal(&z->work);
    pthread_mutex_unlock(&z->mu);
    z->filling++;
    return drain(z, 0, err); /* what is ready, without waiting */
}

/* The next block to fill: its slot is free once the block it last held and the one
 * after (whose dictionary it was) are written. */
static vp_status next_slot(vpa_pgz *z, vp_error *err)
{
    unsigned long long need = z->filling + 2 > z->ring_n ? z->filling + 2 - z->ring_n : 0;
    vp_status st = z->written < need ? drain(z, need, err) : VP_OK;
    slot(z, z->filling)->in_len = 0;
    return st;
}

static void stop_workers(vpa_pgz *z)
{
    if (!z->workers)
        return;
    pthread_mutex_lock(&z->mu);
    z->stop = 1;
    pthread_cond_broadcast(&z->work);
    pthread_mutex_unlock(&z->mu);
    for (int t = 0; t < z->workers; t++)
        pthread_join(z->tid[t], NULL);
    z->workers = 0;
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
    int threads = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : cpus;
    z->sink = sink;
    z->sink_ctx = ctx;
    z->level = level;
    z->ring_n = (size_t)threads * RING_PER_THREAD + 2;
    z->crc = crc32(0L, Z_NULL, 0);
    pthread_mutex_init(&z->mu, NULL);
    pthread_cond_init(&z->work, NULL);
    pthread_cond_init(&z->done, NULL);
    z->ring = calloc(z->ring_n, sizeof *z->ring);
    for (size_t i = 0; z->ring && i < z->ring_n; i++)
        if (!(z->ring[i].in = malloc(BLOCK_SIZE))) {
            vpa_pgz_free(z);
            return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
        }
    if (!z->ring) {
        vpa_pgz_free(z);
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    }
    /* with one thread the caller's deflates: a worker would only take turns with it */
    for (int t = 0; threads > 1 && t < threads; t++) {
        if (pthread_create(&z->tid[t], NULL, work, z) != 0)
            break; /* fewer workers, same bytes */
        z->workers++;
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
        pgz_block *b = slot(z, z->filling);
        if (b->in_len == BLOCK_SIZE) { /* more follows: the full block is not the last */
            vp_status st = queue_filled(z, 0, err);
            if (st || (st = next_slot(z, err)))
                return st;
            b = slot(z, z->filling);
        }
        size_t n = BLOCK_SIZE - b->in_len < len ? BLOCK_SIZE - b->in_len : len;
        memcpy(b->in + b->in_len, p, n);
        b->in_len += n;
        p += n;
        len -= n;
    }
    return VP_OK;
}

vp_status vpa_pgz_finish(vpa_pgz *z, vp_error *err)
{
    vp_status st = z->header_written ? VP_OK : vpa_pgz_write(z, "", 0, err);
    /* the block being filled (for empty input, an empty one) is the last */
    if (!st)
        st = queue_filled(z, 1, err);
    if (!st)
        st = drain(z, z->queued, err);
    stop_workers(z);
    if (st)
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
    stop_workers(z);
    for (size_t i = 0; z->ring && i < z->ring_n; i++) {
        free(z->ring[i].in);
        free(z->ring[i].out);
    }
    free(z->ring);
    pthread_cond_destroy(&z->done);
    pthread_cond_destroy(&z->work);
    pthread_mutex_destroy(&z->mu);
    free(z);
}
