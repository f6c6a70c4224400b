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
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "render/pdf_hold.h"

#define DICT_MIN 8192u
#define DICT_MAX 32768u /* zlib's window: a longer dictionary's head is never used */

struct vpr_pdf_hold {
    z_stream def, inf;
    unsigned char dict[DICT_MAX]; /* the preset dictionary; dict_len 0 until chosen */
    size_t dict_len, primed;
    int def_ready, inf_ready;
    unsigned char *scratch; /* deflate output, then copied to the page's record */
    size_t scratch_cap;
    size_t deflated, plain;
    vp_status status; /* the first error met during the save */
    vp_error err;
};

typedef struct {
    vpr_pdf_hold *h;
    unsigned char *z; /* zlib streams, one per park */
    size_t zlen;
    size_t plain; /* bytes those streams inflate to */
    int written;  /* libharu has written the page: nothing is held any more */
} page_hold;

vp_status vpr_pdf_hold_new(vpr_pdf_hold **out, vp_error *err)
{
    *out = NULL;
    vpr_pdf_hold *h = calloc(1, sizeof *h);
    if (!h)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
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

void vpr_pdf_hold_free(vpr_pdf_hold *h)
{
    if (!h)
        return;
    if (h->def_ready)
        deflateEnd(&h->def);
    if (h->inf_ready)
        inflateEnd(&h->inf);
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
    if (p)
        free(p->z);
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

/* Inflates p's zlib streams, in order, into contents' (empty) stream. */
static vp_status restore(vpr_pdf_hold *h, HPDF_Dict contents, page_hold *p, vp_error *err)
{
    unsigned char out[1 << 15];
    size_t made = 0;
    h->inf.next_in = p->z;
    h->inf.avail_in = (uInt)p->zlen;
    if (inflateReset(&h->inf) != Z_OK)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib could not restart");
    while (p->zlen > 0) {
        h->inf.next_out = out;
        h->inf.avail_out = sizeof out;
        int z = inflate(&h->inf, Z_NO_FLUSH);
        if (z == Z_NEED_DICT && h->dict_len) /* a park made after the dictionary was chosen */
            z = inflateSetDictionary(&h->inf, h->dict, (uInt)h->dict_len) == Z_OK ? Z_OK : Z_DATA_ERROR;
        size_t got = sizeof out - h->inf.avail_out;
        if (z != Z_OK && z != Z_STREAM_END) /* Z_BUF_ERROR: the input ended inside a stream */
            return vp_error_set(err, z == Z_MEM_ERROR ? VP_ERR_NOMEM : VP_ERR_INTERNAL,
                                "report pages: a held page does not inflate (zlib %d at byte %zu of %zu)", z,
                                p->zlen - h->inf.avail_in, p->zlen);
        if (got && HPDF_Stream_Write(contents->stream, out, (HPDF_UINT)got) != HPDF_OK)
            return vp_error_set(err, VP_ERR_NOMEM, "report pages: libharu could not take a page back");
        made += got;
        if (z == Z_STREAM_END) {
            if (h->inf.avail_in == 0)
                break;
            if (inflateReset(&h->inf) != Z_OK) /* the next park's stream */
                return vp_error_set(err, VP_ERR_INTERNAL, "report pages: zlib could not restart");
        }
    }
    if (made != p->plain)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: a held page inflated to %zu bytes, %zu were parked",
                            made, p->plain);
    return VP_OK;
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

static HPDF_STATUS before_write(HPDF_Dict contents)
{
    page_hold *p = contents->attr;
    vp_error why = {0};
    vp_status st;
    if (p->written)
        st = vp_error_set(&why, VP_ERR_INTERNAL, "report pages: a page was saved twice (its contents were released)");
    else if ((st = park(p->h, contents, p, &why)) == VP_OK) /* anything drawn after the last park, in order */
        st = restore(p->h, contents, p, &why);
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
    return HPDF_OK;
}

vp_status vpr_pdf_hold_attach(vpr_pdf_hold *h, HPDF_Page page, vp_error *err)
{
    HPDF_Dict contents = contents_of(page);
    if (!contents || !contents->stream || contents->stream->type != HPDF_STREAM_MEMORY || contents->attr ||
        contents->before_write_fn || contents->after_write_fn || contents->free_fn)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: a page's content stream is not what libharu 2.3 makes");
    page_hold *p = calloc(1, sizeof *p);
    if (!p)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    p->h = h;
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
    if (p->written)
        return vp_error_set(err, VP_ERR_INTERNAL, "report pages: drawing on a page already saved");
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
