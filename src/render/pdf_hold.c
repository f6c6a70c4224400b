/* Page contents held deflated while the report is laid out: see pdf_hold.h for why and
 * for the guarantee (libharu writes the same bytes).
 *
 * A page's record holds one or more complete zlib streams back to back, one per park:
 * a page is revisited after the layout (its footer, the contents page), and appending a
 * separate stream for what was drawn later keeps every park independent of the others.
 * Level 1 and memLevel 6: this is a holding format, read back once; speed matters more
 * than size, and deflateReset clears a 16 KB hash table per page instead of 64 KB.
 *
 * Each park is its own zlib stream, so what pages have in common (the running header,
 * the table heads, the same operators and fonts row after row) would be deflated again
 * on every page. The first page parked with at least DICT_MIN bytes of operators lends
 * its last 32 KB as a preset dictionary (zlib's FDICT) to every later park. On a sample
 * of 100 Exceptions pages that held 42 % fewer bytes and deflated about three times
 * faster, the matches being long; over a whole report of 100,000 items the held bytes fell
 * by 15 % (heap 23.3 -> 19.8 MB), its other pages being less alike. Parks made before the
 * dictionary was chosen have none; inflate says which (Z_NEED_DICT). */
#include <hpdf_error.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/vec.h"
#include "render/pdf_hold.h"

#define DICT_MIN 8192u
#define DICT_MAX 32768u /* zlib's window: a longer dictionary's head is never used */

/* What makes a page's final stream at save time: its own inflate (of what is held) and
 * deflate (as libharu's, zlib's default level), one per thread that makes pages. */
typedef struct {
    z_stream inf, def;
    int inf_ready, def_ready;
} maker;

typedef struct page_hold page_hold;

struct vpr_pdf_hold {
    z_stream def, inf;
    unsigned char dict[DICT_MAX]; /* the preset dictionary; dict_len 0 until chosen */
    size_t dict_len, primed;
    int def_ready, inf_ready;
    unsigned char *scratch; /* deflate output, then copied to the page's record */
    size_t scratch_cap;
    size_t deflated, plain;
    VP_VEC(page_hold *) pages; /* in the order attached: the order libharu creates and writes them */
    /* the save (vpr_pdf_hold_save_begin): the pages' final streams are made by a second
     * thread ahead of libharu, which then copies them; the mutex guards the pages' state,
     * next, ahead and stop */
    maker writer, ahead_maker;
    pthread_mutex_t mu;
    pthread_cond_t made, room;
    pthread_t tid;
    int saving, thread_started;
    size_t next;  /* the next page the thread looks at */
    size_t ahead; /* pages it made that libharu has not written yet */
    size_t made_ahead; /* pages it made in all */
    vp_error ahead_err; /* why the first page the thread could not make failed */
    int ahead_failed;
    int stop;
    vp_status status; /* the first error met during the save */
    vp_error err;
};

enum { HELD, MAKING, MADE };

struct page_hold {
    vpr_pdf_hold *h;
    HPDF_Dict contents;
    unsigned char *z; /* zlib streams, one per park */
    size_t zlen;
    size_t plain; /* bytes those streams inflate to */
    int written;  /* libharu has written the page: nothing is held any more */
    int state;    /* HELD, MAKING, MADE: the page's final stream (h->mu) */
    int by_thread;
    unsigned char *final; /* MADE: the stream libharu would write, zlib format */
    size_t final_len;
    vp_status st; /* MADE: how making it went (why: the holder's ahead_err) */
};

vp_status vpr_pdf_hold_new(vpr_pdf_hold **out, vp_error *err)
{
    *out = NULL;
    vpr_pdf_hold *h = calloc(1, sizeof *h);
    if (!h)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->made, NULL);
    pthread_cond_init(&h->room, NULL);
    int zd = deflateInit2(&h->def, 1, Z_DEFLATED, 15, 6, Z_DEFAULT_STRATEGY);
    h->def_ready = zd == Z_OK;
    int zi = h->def_ready ? inflateInit(&h->inf) : Z_OK;
    h->inf_ready = h->def_ready && zi == Z_OK;
    if (!h->inf_ready) {
        int mem = zd == Z_MEM_ERROR || zi == Z_MEM_ERROR;
        vpr_pdf_hold_free(h);
        return mem ? vp_error_set(err, VP_ERR_NOMEM, "out of memory")
                   : vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib would not start (%d, %d)", zd, zi);
    }
    *out = h;
    return VP_OK;
}

static void maker_end(maker *m)
{
    if (m->def_ready)
        deflateEnd(&m->def);
    if (m->inf_ready)
        inflateEnd(&m->inf);
    m->def_ready = m->inf_ready = 0;
}

void vpr_pdf_hold_free(vpr_pdf_hold *h)
{
    if (!h)
        return;
    vpr_pdf_hold_save_end(h); /* normally done already, before the document was freed */
    if (h->def_ready)
        deflateEnd(&h->def);
    if (h->inf_ready)
        inflateEnd(&h->inf);
    maker_end(&h->writer);
    maker_end(&h->ahead_maker);
    free(h->pages.v); /* the pages' records are freed with the document, before h */
    pthread_cond_destroy(&h->room);
    pthread_cond_destroy(&h->made);
    pthread_mutex_destroy(&h->mu);
    free(h->scratch);
    free(h);
}

static HPDF_Dict contents_of(HPDF_Page page)
{
    HPDF_PageAttr attr = page ? (HPDF_PageAttr)page->attr : NULL;
    return attr ? attr->contents : NULL;
}

static void page_free(HPDF_Dict contents)
{
    page_hold *p = contents->attr;
    if (p) {
        free(p->z);
        free(p->final);
    }
    free(p);
    contents->attr = NULL;
}

/* Deflates the plain bytes contents' stream holds into one more zlib stream of p. */
static vp_status park(vpr_pdf_hold *h, HPDF_Dict contents, page_hold *p, vp_error *err)
{
    HPDF_Stream s = contents->stream;
    HPDF_UINT32 size = HPDF_Stream_Size(s);
    if (size == 0)
        return VP_OK;
    if (deflateReset(&h->def) != Z_OK ||
        (h->dict_len && deflateSetDictionary(&h->def, h->dict, (uInt)h->dict_len) != Z_OK))
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib could not restart");
    h->primed += h->dict_len != 0;
    size_t bound = deflateBound(&h->def, size); /* counts the dictionary's id when one is set */
    if (bound > h->scratch_cap) {
        unsigned char *n = realloc(h->scratch, bound);
        if (!n)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        h->scratch = n;
        h->scratch_cap = bound;
    }
    /* deflateBound's room lets every call finish its input: no output loop needed */
    h->def.next_out = h->scratch;
    h->def.avail_out = (uInt)bound;
    HPDF_UINT bufs = HPDF_MemStream_GetBufCount(s);
    size_t fed = 0, keep = !h->dict_len && size >= DICT_MIN ? (size < DICT_MAX ? size : DICT_MAX) : 0;
    for (HPDF_UINT i = 0; i < bufs; i++) {
        HPDF_UINT len = 0;
        HPDF_BYTE *ptr = HPDF_MemStream_GetBufPtr(s, i, &len);
        if (!ptr)
            return vp_error_set(err, VP_ERR_INTERNAL, "report pages: libharu's page buffer %u of %u is missing", i, bufs);
        h->def.next_in = ptr;
        h->def.avail_in = len;
        if (deflate(&h->def, Z_NO_FLUSH) != Z_OK || h->def.avail_in != 0)
            return vp_error_set(err, VP_ERR_INTERNAL, "report pages: deflate stopped");
        size_t from = size - keep; /* this page's last keep bytes become the dictionary */
        if (keep && fed + len > from) {
            size_t skip = fed < from ? from - fed : 0;
            memcpy(h->dict + h->dict_len, ptr + skip, len - skip);
            h->dict_len += len - skip;
        }
        fed += len;
    }
    if (fed != size || deflate(&h->def, Z_FINISH) != Z_STREAM_END)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: deflate of %zu of %u bytes did not finish", fed,
                            (unsigned)size);
    size_t n = bound - h->def.avail_out;
    unsigned char *z = realloc(p->z, p->zlen + n);
    if (!z)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    memcpy(z + p->zlen, h->scratch, n);
    p->z = z;
    p->zlen += n;
    p->plain += size;
    h->deflated += n;
    h->plain += size;
    HPDF_MemStream_FreeData(s);
    return VP_OK;
}

static vp_status maker_start(maker *m, vp_error *err)
{
    int zi = Z_OK, zd = Z_OK;
    if (!m->inf_ready && (zi = inflateInit(&m->inf)) == Z_OK)
        m->inf_ready = 1;
    if (!m->def_ready && (zd = deflateInit(&m->def, Z_DEFAULT_COMPRESSION)) == Z_OK)
        m->def_ready = 1;
    else if (m->def_ready && deflateReset(&m->def) != Z_OK)
        zd = Z_STREAM_ERROR;
    if (zi == Z_OK && zd == Z_OK)
        return VP_OK;
    return zi == Z_MEM_ERROR || zd == Z_MEM_ERROR ? vp_error_set(err, VP_ERR_NOMEM, "out of memory")
                                                  : vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib would not start");
}

/* The stream libharu writes for p: what p holds inflated, in order, and deflated as
 * libharu deflates a stream (deflateInit at zlib's default level, no flush until the end,
 * which zlib's output does not depend on how the input is cut into calls). Into p->final;
 * what p held is freed. Reads h->dict only, so runs on any thread once parking is over. */
static vp_status make_final(maker *m, const vpr_pdf_hold *h, page_hold *p, vp_error *err)
{
    unsigned char plain[1 << 15];
    size_t made = 0;
    vp_status st = maker_start(m, err);
    if (st || p->plain == 0)
        return st;
    size_t bound = deflateBound(&m->def, (uLong)p->plain);
    unsigned char *out = malloc(bound);
    if (!out)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    m->def.next_out = out;
    m->def.avail_out = (uInt)bound;
    m->inf.next_in = p->z;
    m->inf.avail_in = (uInt)p->zlen;
    if (inflateReset(&m->inf) != Z_OK)
        st = vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib could not restart");
    while (!st) {
        m->inf.next_out = plain;
        m->inf.avail_out = sizeof plain;
        int z = inflate(&m->inf, Z_NO_FLUSH);
        if (z == Z_NEED_DICT && h->dict_len) /* a park made after the dictionary was chosen */
            z = inflateSetDictionary(&m->inf, h->dict, (uInt)h->dict_len) == Z_OK ? Z_OK : Z_DATA_ERROR;
        size_t got = sizeof plain - m->inf.avail_out;
        if (z != Z_OK && z != Z_STREAM_END) { /* Z_BUF_ERROR: the input ended inside a stream */
            st = vp_error_set(err, z == Z_MEM_ERROR ? VP_ERR_NOMEM : VP_ERR_INTERNAL,
                              "report pages: a held page does not inflate (zlib %d at byte %zu of %zu)", z,
                              p->zlen - m->inf.avail_in, p->zlen);
            break;
        }
        m->def.next_in = plain;
        m->def.avail_in = (uInt)got;
        if (got && (deflate(&m->def, Z_NO_FLUSH) != Z_OK || m->def.avail_in != 0)) /* bound: room for all */
            st = vp_error_set(err, VP_ERR_INTERNAL, "report pages: deflate stopped");
        made += got;
        if (z == Z_STREAM_END) {
            if (m->inf.avail_in == 0)
                break;
            if (inflateReset(&m->inf) != Z_OK) /* the next park's stream */
                st = vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib could not restart");
        }
    }
    if (!st && made != p->plain)
        st = vp_error_set(err, VP_ERR_INTERNAL, "report pages: a held page inflated to %zu bytes, %zu were parked",
                          made, p->plain);
    if (!st && deflate(&m->def, Z_FINISH) != Z_STREAM_END)
        st = vp_error_set(err, VP_ERR_INTERNAL, "report pages: deflate did not finish");
    if (st) {
        free(out);
        return st;
    }
    p->final = out;
    p->final_len = bound - m->def.avail_out;
    free(p->z);
    p->z = NULL;
    p->zlen = 0;
    return VP_OK;
}

/* The final stream of p: taken when the second thread made it (waiting while it does),
 * else made here. */
static vp_status take_final(vpr_pdf_hold *h, page_hold *p, vp_error *err)
{
    pthread_mutex_lock(&h->mu);
    if (p->state == HELD) {
        p->state = MAKING;
        pthread_mutex_unlock(&h->mu);
        vp_status st = make_final(&h->writer, h, p, err);
        pthread_mutex_lock(&h->mu);
        p->state = MADE;
        pthread_mutex_unlock(&h->mu);
        return st;
    }
    while (p->state == MAKING)
        pthread_cond_wait(&h->made, &h->mu);
    if (p->by_thread) {
        p->by_thread = 0;
        h->ahead--;
        pthread_cond_signal(&h->room);
    }
    vp_status st = p->st;
    if (st)
        *err = h->ahead_err;
    pthread_mutex_unlock(&h->mu);
    return st;
}

/* At most this many pages made ahead of libharu: a few hundred KB */
#define AHEAD_MAX 64

static void *make_ahead(void *arg)
{
    vpr_pdf_hold *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->stop && h->ahead >= AHEAD_MAX)
            pthread_cond_wait(&h->room, &h->mu);
        while (h->next < h->pages.n && h->pages.v[h->next]->state != HELD)
            h->next++;
        if (h->stop || h->next >= h->pages.n)
            break;
        page_hold *p = h->pages.v[h->next++];
        p->state = MAKING;
        p->by_thread = 1;
        h->ahead++;
        pthread_mutex_unlock(&h->mu);
        vp_error e = {0};
        vp_status st = make_final(&h->ahead_maker, h, p, &e);
        pthread_mutex_lock(&h->mu);
        p->st = st;
        if (st && !h->ahead_failed) {
            h->ahead_failed = 1;
            h->ahead_err = e;
        }
        p->state = MADE;
        h->made_ahead++;
        pthread_cond_broadcast(&h->made);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

vp_status vpr_pdf_hold_save_begin(vpr_pdf_hold *h, vp_error *err)
{
    for (size_t i = 0; h && i < h->pages.n; i++) { /* what was drawn since each page's last park */
        page_hold *p = h->pages.v[i];
        vp_status st = p->written ? VP_OK : park(h, p->contents, p, err);
        if (st)
            return st;
    }
    if (!h)
        return VP_OK;
    h->saving = 1;
    h->next = h->ahead = 0;
    h->stop = 0;
    if (sysconf(_SC_NPROCESSORS_ONLN) > 1) /* else, or with no thread: libharu's save makes each page */
        h->thread_started = pthread_create(&h->tid, NULL, make_ahead, h) == 0;
    return VP_OK;
}

void vpr_pdf_hold_save_end(vpr_pdf_hold *h)
{
    if (!h)
        return;
    if (h->thread_started) {
        pthread_mutex_lock(&h->mu);
        h->stop = 1;
        pthread_cond_broadcast(&h->room);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->tid, NULL);
        h->thread_started = 0;
    }
    h->saving = 0;
}

/* libharu's hooks on a page's content stream, run while it saves the document. */
static HPDF_STATUS fail_save(HPDF_Dict contents, vp_status st, const vp_error *why)
{
    page_hold *p = contents->attr;
    if (!p->h->status) {
        p->h->status = st;
        p->h->err = *why;
    }
    return HPDF_SetError(contents->error, st == VP_ERR_NOMEM ? HPDF_FAILD_TO_ALLOC_MEM : HPDF_INVALID_OBJECT, 0);
}

/* libharu writes a deflated stream's filter as the dictionary's last entry. The page's
 * stream is deflated already, so libharu is told it is plain (no filter: it drops its
 * Filter entry and copies the bytes) and the entry is written here, where it stood. */
static HPDF_STATUS write_filter(HPDF_Dict contents, HPDF_Stream stream)
{
    (void)contents;
    return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

static HPDF_STATUS before_write(HPDF_Dict contents)
{
    page_hold *p = contents->attr;
    vp_error why = {0};
    vp_status st = VP_OK;
    if (p->written)
        st = vp_error_set(&why, VP_ERR_INTERNAL, "report pages: a page was saved twice (its contents were released)");
    else if (HPDF_Stream_Size(contents->stream) != 0) /* drawn after the last park */
        st = p->h->saving ? vp_error_set(&why, VP_ERR_INTERNAL, "report pages: a page was drawn on during the save")
                          : park(p->h, contents, p, &why);
    if (!st)
        st = take_final(p->h, p, &why);
    if (!st && p->final_len) {
        if (HPDF_Stream_Write(contents->stream, p->final, (HPDF_UINT)p->final_len) != HPDF_OK)
            st = vp_error_set(&why, VP_ERR_NOMEM, "report pages: libharu could not take a page back");
        contents->filter = HPDF_STREAM_FILTER_NONE;
        contents->write_fn = write_filter;
    }
    free(p->final);
    p->final = NULL;
    p->final_len = 0;
    return st ? fail_save(contents, st, &why) : HPDF_OK;
}

static HPDF_STATUS after_write(HPDF_Dict contents)
{
    page_hold *p = contents->attr;
    HPDF_MemStream_FreeData(contents->stream);
    free(p->z);
    p->z = NULL;
    p->zlen = 0;
    p->written = 1;
    contents->filter = HPDF_STREAM_FILTER_FLATE_DECODE; /* as libharu made it */
    contents->write_fn = NULL;
    return HPDF_OK;
}

vp_status vpr_pdf_hold_attach(vpr_pdf_hold *h, HPDF_Page page, vp_error *err)
{
    HPDF_Dict contents = contents_of(page);
    if (!contents || !contents->stream || contents->stream->type != HPDF_STREAM_MEMORY || contents->attr ||
        contents->before_write_fn || contents->after_write_fn || contents->free_fn || contents->write_fn ||
        contents->filter != HPDF_STREAM_FILTER_FLATE_DECODE)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: a page's content stream is not what libharu 2.3 makes");
    if (h->saving)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: a page made during the save");
    page_hold **slot = VP_VEC_PUSH(h->pages), *p = slot ? calloc(1, sizeof *p) : NULL;
    if (!p) {
        h->pages.n -= slot != NULL;
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    p->h = h;
    p->contents = contents;
    *slot = p;
    contents->attr = p;
    contents->before_write_fn = before_write;
    contents->after_write_fn = after_write;
    contents->free_fn = page_free;
    return VP_OK;
}

vp_status vpr_pdf_hold_park(vpr_pdf_hold *h, HPDF_Page page, vp_error *err)
{
    HPDF_Dict contents = contents_of(page);
    page_hold *p = contents && contents->free_fn == page_free ? contents->attr : NULL;
    if (!p || p->h != h)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: parking a page that was not attached");
    if (p->written || h->saving)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: drawing on a page %s",
                            p->written ? "already saved" : "during the save");
    return park(h, contents, p, err);
}

vp_status vpr_pdf_hold_status(const vpr_pdf_hold *h, vp_error *err)
{
    if (h && h->status && err)
        *err = h->err;
    return h ? h->status : VP_OK;
}

void vpr_pdf_hold_totals(const vpr_pdf_hold *h, size_t *deflated, size_t *plain, size_t *primed)
{
    *deflated = h->deflated;
    *plain = h->plain;
    *primed = h->primed;
}

size_t vpr_pdf_hold_made_ahead(vpr_pdf_hold *h)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->made_ahead;
    pthread_mutex_unlock(&h->mu);
    return n;
}
