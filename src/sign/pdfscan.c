/* The PDF scanner of pdf_internal.h: tokens (ISO 32000-1 7.2-7.3) and classic xref tables
 * (7.5.4), bounds-checked everywhere since verify reads PDFs from untrusted bundles. */
#include <stdlib.h>
#include <string.h>

#include "sign/pdfscan_internal.h"

#define MAX_DEPTH 64
#define MAX_OBJECTS 8000000u /* far beyond any report; bounds the tables we allocate */
#define MAX_SECTIONS 256     /* incremental updates followed through /Prev */

static int is_ws(unsigned char c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int is_delim(unsigned char c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' ||
           c == '/' || c == '%';
}

static int is_regular(unsigned char c)
{
    return !is_ws(c) && !is_delim(c);
}

const unsigned char *vps_pdf_skip_ws(const unsigned char *p, const unsigned char *e)
{
    while (p < e) {
        if (is_ws(*p))
            p++;
        else if (*p == '%')
            while (p < e && *p != '\n' && *p != '\r')
                p++;
        else
            break;
    }
    return p;
}

static const unsigned char *skip_literal(const unsigned char *p, const unsigned char *e)
{
    int nest = 0;
    for (p++; p < e; p++) {
        if (*p == '\\')
            p++; /* the escaped byte, whatever it is */
        else if (*p == '(')
            nest++;
        else if (*p == ')' && nest-- == 0)
            return p + 1;
    }
    return NULL;
}

static const unsigned char *skip_in(const unsigned char *p, const unsigned char *e, int depth);

/* Items up to the closing delimiter (">>" or "]"). */
static const unsigned char *skip_items(const unsigned char *p, const unsigned char *e, const char *close, int depth)
{
    size_t cl = strlen(close);
    for (;;) {
        p = vps_pdf_skip_ws(p, e);
        if (p >= e)
            return NULL;
        if ((size_t)(e - p) >= cl && !memcmp(p, close, cl))
            return p + cl;
        if (!(p = skip_in(p, e, depth + 1)))
            return NULL;
    }
}

static const unsigned char *skip_in(const unsigned char *p, const unsigned char *e, int depth)
{
    if (p >= e || depth > MAX_DEPTH)
        return NULL;
    if (*p == '<' && p + 1 < e && p[1] == '<')
        return skip_items(p + 2, e, ">>", depth);
    if (*p == '<') {
        const unsigned char *q = memchr(p, '>', (size_t)(e - p));
        return q ? q + 1 : NULL;
    }
    if (*p == '(')
        return skip_literal(p, e);
    if (*p == '[')
        return skip_items(p + 1, e, "]", depth);
    if (*p == '/') {
        for (p++; p < e && is_regular(*p); p++)
            ;
        return p;
    }
    if (!is_regular(*p))
        return NULL;
    while (p < e && is_regular(*p))
        p++;
    return p;
}

const unsigned char *vps_pdf_skip_token(const unsigned char *p, const unsigned char *e)
{
    return skip_in(p, e, 0);
}

static int all_digits(const unsigned char *b, const unsigned char *e)
{
    if (b >= e)
        return 0;
    for (; b < e; b++)
        if (*b < '0' || *b > '9')
            return 0;
    return 1;
}

const unsigned char *vps_pdf_skip_value(const unsigned char *p, const unsigned char *e)
{
    const unsigned char *q = vps_pdf_skip_token(p, e);
    if (!q || !all_digits(p, q))
        return q;
    const unsigned char *g = vps_pdf_skip_ws(q, e), *ge = g < e && is_regular(*g) ? vps_pdf_skip_token(g, e) : NULL;
    if (!ge || !all_digits(g, ge))
        return q;
    const unsigned char *r = vps_pdf_skip_ws(ge, e);
    if (r < e && *r == 'R' && (r + 1 == e || !is_regular(r[1])))
        return r + 1;
    return q;
}

int vps_pdf_dict_get(vpdf_span body, const char *key, vpdf_span *val)
{
    size_t kl = strlen(key);
    const unsigned char *p = body.b;
    for (;;) {
        p = vps_pdf_skip_ws(p, body.e);
        if (p >= body.e || *p != '/')
            return 0;
        const unsigned char *k = p, *ke = vps_pdf_skip_token(p, body.e);
        const unsigned char *v = ke ? vps_pdf_skip_ws(ke, body.e) : NULL;
        const unsigned char *ve = v ? vps_pdf_skip_value(v, body.e) : NULL;
        if (!ve)
            return 0;
        if ((size_t)(ke - k) == kl && !memcmp(k, key, kl)) {
            *val = (vpdf_span){v, ve};
            return 1;
        }
        p = ve;
    }
}

int vps_pdf_inner(vpdf_span v, const char *open, vpdf_span *inner)
{
    size_t ol = strlen(open);
    const char *close = ol == 2 ? ">>" : "]";
    size_t cl = strlen(close);
    if ((size_t)(v.e - v.b) < ol + cl || memcmp(v.b, open, ol) || memcmp(v.e - cl, close, cl))
        return 0;
    *inner = (vpdf_span){v.b + ol, v.e - cl};
    return 1;
}

static int parse_ull(const unsigned char *b, const unsigned char *e, long long *out)
{
    long long n = 0;
    if (!all_digits(b, e) || e - b > 15)
        return 0;
    for (; b < e; b++)
        n = n * 10 + (*b - '0');
    *out = n;
    return 1;
}

int vps_pdf_uint(vpdf_span v, long long *out)
{
    return parse_ull(v.b, v.e, out);
}

int vps_pdf_ref(vpdf_span v, long *num, long *gen)
{
    const unsigned char *q = vps_pdf_skip_token(v.b, v.e);
    const unsigned char *g = q ? vps_pdf_skip_ws(q, v.e) : NULL;
    const unsigned char *ge = g && g < v.e ? vps_pdf_skip_token(g, v.e) : NULL;
    const unsigned char *r = ge ? vps_pdf_skip_ws(ge, v.e) : NULL;
    long long n, gn;
    if (!r || r + 1 != v.e || *r != 'R' || !parse_ull(v.b, q, &n) || !parse_ull(g, ge, &gn) || gn > 65535)
        return 0;
    *num = (long)n;
    *gen = (long)gn;
    return 1;
}

int vps_pdf_is_name(vpdf_span v, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(v.e - v.b) == n && !memcmp(v.b, name, n);
}

const unsigned char *vps_pdf_rfind(const unsigned char *b, const unsigned char *e, const char *needle)
{
    size_t n = strlen(needle);
    if ((size_t)(e - b) < n)
        return NULL;
    for (const unsigned char *p = e - n;; p--) {
        if (!memcmp(p, needle, n))
            return p;
        if (p == b)
            return NULL;
    }
}

void vps_pdf_xref_free(vpdf_xref *x)
{
    free(x->off);
    free(x->gen);
    free(x->state);
    memset(x, 0, sizeof *x);
}

static vp_status grow(vpdf_xref *x, size_t need, vp_error *err)
{
    if (need <= x->count)
        return VP_OK;
    if (need > MAX_OBJECTS)
        return vp_error_set(err, VP_ERR_INPUT, "PDF: xref lists object %zu; expected fewer than %u objects", need - 1,
                            MAX_OBJECTS);
    size_t *off = realloc(x->off, need * sizeof *off);
    if (off)
        x->off = off;
    long *gen = realloc(x->gen, need * sizeof *gen);
    if (gen)
        x->gen = gen;
    unsigned char *state = realloc(x->state, need);
    if (state)
        x->state = state;
    if (!off || !gen || !state)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    memset(x->state + x->count, 0, need - x->count);
    x->count = need;
    return VP_OK;
}

/* Reads the next unsigned integer token at p (after whitespace); NULL when none. */
static const unsigned char *next_uint(const unsigned char *p, const unsigned char *e, long long *v)
{
    p = vps_pdf_skip_ws(p, e);
    const unsigned char *q = p;
    while (q < e && *q >= '0' && *q <= '9')
        q++;
    return parse_ull(p, q, v) ? q : NULL;
}

/* One "xref ... trailer << >>" section at off; fills entries not set by a newer one. */
static vp_status read_section(const unsigned char *pdf, size_t len, size_t off, vpdf_xref *x, vpdf_span *trailer,
                              vp_error *err)
{
    const unsigned char *e = pdf + len, *p = pdf + off;
    long long a, b;
    if (off >= len || (size_t)(e - p) < 4 || memcmp(p, "xref", 4)) {
        const unsigned char *q = off < len ? next_uint(p, e, &a) : NULL;
        q = q ? next_uint(q, e, &b) : NULL;
        q = q ? vps_pdf_skip_ws(q, e) : NULL;
        if (q && e - q >= 3 && !memcmp(q, "obj", 3))
            return vp_error_set(err, VP_ERR_INPUT, "PDF: the cross-reference at offset %zu is a stream (PDF 1.5 "
                                "xref stream); only classic xref tables are supported", off);
        return vp_error_set(err, VP_ERR_INPUT, "PDF: no xref table at offset %zu (startxref or /Prev is wrong)", off);
    }
    for (p += 4;;) {
        p = vps_pdf_skip_ws(p, e);
        if ((size_t)(e - p) >= 7 && !memcmp(p, "trailer", 7))
            break;
        long long start, count;
        if (!(p = next_uint(p, e, &start)) || !(p = next_uint(p, e, &count)) || start + count > MAX_OBJECTS)
            return vp_error_set(err, VP_ERR_INPUT, "PDF: xref at offset %zu: malformed subsection header", off);
        vp_status st = grow(x, (size_t)(start + count), err);
        if (st)
            return st;
        for (long long i = 0; i < count; i++) {
            long long o, g;
            if (!(p = next_uint(p, e, &o)) || !(p = next_uint(p, e, &g)) || (p = vps_pdf_skip_ws(p, e)) >= e ||
                (*p != 'n' && *p != 'f'))
                return vp_error_set(err, VP_ERR_INPUT, "PDF: xref at offset %zu: malformed entry for object %lld",
                                    off, start + i);
            size_t n = (size_t)(start + i);
            if (!x->state[n]) { /* a newer section already said where it is */
                x->state[n] = *p == 'n' ? 1 : 2;
                x->off[n] = (size_t)o;
                x->gen[n] = (long)g;
            }
            p++;
        }
    }
    p = vps_pdf_skip_ws(p + 7, e);
    const unsigned char *te = vps_pdf_skip_token(p, e);
    if (!te || !vps_pdf_inner((vpdf_span){p, te}, "<<", trailer))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: xref at offset %zu: no trailer dictionary", off);
    return VP_OK;
}

vp_status vps_pdf_read_xref(const unsigned char *pdf, size_t len, vpdf_xref *x, vp_error *err)
{
    memset(x, 0, sizeof *x);
    const unsigned char *e = pdf + len, *tail = len > 1024 ? e - 1024 : pdf;
    const unsigned char *sx = vps_pdf_rfind(tail, e, "startxref");
    long long off;
    if (len < 8 || (memcmp(pdf, "%PDF-1.", 7) && memcmp(pdf, "%PDF-2.", 7)))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: no %%PDF-1.x header; expected a PDF file");
    if (!sx || !next_uint(sx + 9, e, &off) || (size_t)off >= len)
        return vp_error_set(err, VP_ERR_INPUT, "PDF: no valid startxref in the last 1024 bytes");
    x->startxref = (size_t)off;
    for (int n = 0; n < MAX_SECTIONS; n++) {
        vpdf_span tr, v;
        vp_status st = read_section(pdf, len, (size_t)off, x, &tr, err);
        if (st) {
            vps_pdf_xref_free(x);
            return st;
        }
        if (n == 0)
            x->trailer = tr;
        if (vps_pdf_dict_get(tr, "/Encrypt", &v) || vps_pdf_dict_get(tr, "/XRefStm", &v)) {
            vps_pdf_xref_free(x);
            return vp_error_set(err, VP_ERR_INPUT, "PDF: the trailer at offset %lld has %s; encrypted and hybrid-xref "
                                "files are not supported", off, vps_pdf_dict_get(tr, "/Encrypt", &v) ? "/Encrypt" : "/XRefStm");
        }
        long long prev;
        if (!vps_pdf_dict_get(tr, "/Prev", &v))
            return VP_OK;
        if (!vps_pdf_uint(v, &prev) || prev >= off) { /* sections go back in the file: no loops */
            vps_pdf_xref_free(x);
            return vp_error_set(err, VP_ERR_INPUT, "PDF: trailer at offset %lld: /Prev must point before it", off);
        }
        off = prev;
    }
    vps_pdf_xref_free(x);
    return vp_error_set(err, VP_ERR_INPUT, "PDF: more than %d incremental updates", MAX_SECTIONS);
}

vp_status vps_pdf_object_dict(const unsigned char *pdf, size_t len, const vpdf_xref *x, long num, vpdf_span *dict,
                           vp_error *err)
{
    const unsigned char *e = pdf + len, *p;
    long long n, g;
    if (num < 0 || (size_t)num >= x->count || x->state[num] != 1)
        return vp_error_set(err, VP_ERR_INPUT, "PDF: object %ld is not in the xref table", num);
    size_t off = x->off[num];
    if (off >= len || !(p = next_uint(pdf + off, e, &n)) || n != num || !(p = next_uint(p, e, &g)) ||
        (p = vps_pdf_skip_ws(p, e)) + 3 > e || memcmp(p, "obj", 3))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: object %ld is not at offset %zu where the xref says", num, off);
    p = vps_pdf_skip_ws(p + 3, e);
    const unsigned char *q = vps_pdf_skip_token(p, e);
    if (!q || q - p < 4 || memcmp(p, "<<", 2))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: object %ld (offset %zu): expected a dictionary", num, off);
    *dict = (vpdf_span){p, q};
    return VP_OK;
}
