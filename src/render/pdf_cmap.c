/* Valid ToUnicode CMaps in the report (see pdf_cmap.h for what libharu writes and why
 * poppler rejects it).
 *
 * Why the stream is rewritten inside libharu, before HPDF_SaveToStream, and not in the
 * saved bytes: the ToUnicode CMap is an ordinary stream object that libharu keeps in memory
 * until it saves (HPDF_Dict.stream, declared in the installed hpdf_objects.h and reachable
 * with HPDF_Dict_GetItem). Replacing its contents there leaves libharu to compress it,
 * number it and write the xref, so no PDF parser, no inflate/deflate of the font streams
 * and no xref rebuild is needed; the work is a few kilobytes per font whatever the size of
 * the report, and the output stays byte-reproducible. Rewriting the saved bytes instead
 * (or appending an incremental update) would mean parsing and re-offsetting the whole file,
 * and an update section would leave the invalid CMap in the file. libharu itself is not
 * patched: only its exported object API is used.
 *
 * The translation keeps libharu's mapping exactly (code -> CID, and CID = Unicode for the
 * UTF-8 encoder, whose CIDToGIDMap is indexed by Unicode) and changes its form; it leaves
 * out the codes that draw no glyph (CIDToGIDMap 0: nothing the renderer draws, since it
 * replaces characters the font lacks). A reader builds its ToUnicode table code by code,
 * per font and often per page: mapping the 3,300-5,400 codes a DejaVu font has a glyph
 * for instead of all 63,000 keeps poppler's cost at what the rejected CMap cost it. */
#include <hpdf_conf.h> /* HPDF_STREAM_BUF_SIZ */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "render/pdf_cmap.h"

/* ---- a tokenizer for the PostScript subset a CMap is written in ---- */

enum { TK_END, TK_HEX, TK_WORD, TK_OTHER };

typedef struct {
    const char *s;
    size_t len, pos;
    /* the token just read */
    int type;
    size_t start;      /* its offset, for errors */
    const char *word;  /* TK_WORD: its text (not NUL-terminated) */
    size_t word_len;
    unsigned long hex; /* TK_HEX: its value, and how many hex digits it had */
    size_t digits;
    int bad_hex;       /* TK_HEX: a non-hex character or more than 8 digits */
} cmap_lex;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0';
}

static int is_delim(char c)
{
    return strchr("()<>[]{}/%", c) != NULL;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Skips a literal string "(...)": balanced parentheses, backslash escapes. */
static void skip_string(cmap_lex *x)
{
    int depth = 0;
    while (x->pos < x->len) {
        char c = x->s[x->pos++];
        if (c == '\\')
            x->pos++;
        else if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return;
    }
}

static void next_token(cmap_lex *x)
{
    for (;;) {
        while (x->pos < x->len && is_space(x->s[x->pos]))
            x->pos++;
        if (x->pos < x->len && x->s[x->pos] == '%') {
            while (x->pos < x->len && x->s[x->pos] != '\n' && x->s[x->pos] != '\r')
                x->pos++;
            continue;
        }
        break;
    }
    x->start = x->pos;
    if (x->pos >= x->len) {
        x->type = TK_END;
        return;
    }
    char c = x->s[x->pos];
    if (c == '<' && x->pos + 1 < x->len && x->s[x->pos + 1] != '<') {
        x->type = TK_HEX;
        x->hex = 0;
        x->digits = 0;
        x->bad_hex = 0;
        for (x->pos++; x->pos < x->len && x->s[x->pos] != '>'; x->pos++) {
            int v = hex_value(x->s[x->pos]);
            if (is_space(x->s[x->pos]))
                continue;
            if (v < 0 || x->digits >= 8)
                x->bad_hex = 1;
            else
                x->hex = x->hex << 4 | (unsigned long)v;
            x->digits++;
        }
        if (x->pos >= x->len)
            x->bad_hex = 1; /* unterminated */
        else
            x->pos++;
        return;
    }
    if (c == '(') {
        skip_string(x);
        x->type = TK_OTHER;
        return;
    }
    if ((c == '<' || c == '>') && x->pos + 1 < x->len && x->s[x->pos + 1] == c) {
        x->pos += 2;
        x->type = TK_OTHER;
        return;
    }
    if (is_delim(c) && c != '/') {
        x->pos++;
        x->type = TK_OTHER;
        return;
    }
    /* a word: an operator, a number or a /name (with its slash) */
    x->pos++;
    while (x->pos < x->len && !is_space(x->s[x->pos]) && !is_delim(x->s[x->pos]))
        x->pos++;
    x->type = TK_WORD;
    x->word = x->s + x->start;
    x->word_len = x->pos - x->start;
}

static int word_is(const cmap_lex *x, const char *w)
{
    return x->type == TK_WORD && x->word_len == strlen(w) && !memcmp(x->word, w, x->word_len);
}

/* A non-negative decimal integer word (a CID). */
static int word_number(const cmap_lex *x, unsigned long *v)
{
    if (x->type != TK_WORD || x->word_len == 0 || x->word_len > 9)
        return 0;
    *v = 0;
    for (size_t i = 0; i < x->word_len; i++) {
        if (x->word[i] < '0' || x->word[i] > '9')
            return 0;
        *v = *v * 10 + (unsigned long)(x->word[i] - '0');
    }
    return 1;
}

/* ---- the translation ---- */

typedef struct {
    unsigned lo, hi, dst; /* codes lo..hi map to the UTF-16 units dst..dst+(hi-lo) */
} bf_entry;

typedef struct {
    unsigned lo, hi;
    size_t width; /* bytes */
} code_range;

typedef struct {
    VP_VEC(bf_entry) bf;
    VP_VEC(code_range) space;
    size_t width; /* bytes per code, as the codespace says */
    const unsigned char *drawn; /* NULL, or drawn[code] for code < drawn_len: keep it */
    size_t drawn_len;
    const char *label;
    vp_error *err;
} translation;

static vp_status bad(translation *t, const cmap_lex *x, const char *expected)
{
    return vp_error_set(t->err, VP_ERR_INTERNAL, "%s: CMap byte %zu: expected %s", t->label, x->start, expected);
}

static vp_status nomem(translation *t)
{
    return vp_error_set(t->err, VP_ERR_NOMEM, "out of memory translating the CMap of %s", t->label);
}

static int drawn(const translation *t, unsigned long code)
{
    return !t->drawn || (code < t->drawn_len && t->drawn[code]);
}

/* One piece of a range that already keeps to one last-byte run: as entries for the runs
 * of codes that draw a glyph. */
static vp_status add_drawn(translation *t, unsigned long lo, unsigned long n, unsigned long cid)
{
    for (unsigned long k = 0; k < n;) {
        if (!drawn(t, lo + k)) {
            k++;
            continue;
        }
        unsigned long run = k;
        while (run < n && drawn(t, lo + run))
            run++;
        bf_entry *e = VP_VEC_PUSH(t->bf);
        if (!e)
            return nomem(t);
        *e = (bf_entry){(unsigned)(lo + k), (unsigned)(lo + run - 1), (unsigned)(cid + k)};
        k = run;
    }
    return VP_OK;
}

/* Codes lo..hi to CIDs cid.. as bfrange entries: a new entry wherever the last byte of the
 * code or of the destination would pass FF; destinations that are surrogates are dropped
 * (each piece's destinations share their high byte, so a piece is all or none), and so
 * are codes that draw no glyph. */
static vp_status add_mapping(translation *t, const cmap_lex *x, unsigned long lo, unsigned long hi, unsigned long cid)
{
    unsigned long max_code = t->width == 1 ? 0xFFu : 0xFFFFu;
    if (hi < lo || hi > max_code)
        return bad(t, x, t->width == 1 ? "a code range within 00-FF, low <= high"
                                       : "a code range within 0000-FFFF, low <= high");
    if (cid > 0xFFFFu || hi - lo > 0xFFFFu - cid)
        return bad(t, x, "CIDs within 0-65535");
    while (lo <= hi) {
        unsigned long n = hi - lo + 1;
        if (n > 256 - (lo & 0xFFu))
            n = 256 - (lo & 0xFFu);
        if (n > 256 - (cid & 0xFFu))
            n = 256 - (cid & 0xFFu);
        if (cid < 0xD800u || cid > 0xDFFFu) {
            vp_status st = add_drawn(t, lo, n, cid);
            if (st)
                return st;
        }
        lo += n;
        cid += n;
    }
    return VP_OK;
}

/* The operands of one begin...end block, up to its end operator. arity: tokens per entry
 * (codespacerange 2, cidrange 3, cidchar 2); 0 skips the block (notdef ranges). */
static vp_status read_block(translation *t, cmap_lex *x, const char *end, int arity)
{
    for (;;) {
        next_token(x);
        if (word_is(x, end))
            return VP_OK;
        if (x->type == TK_END)
            return bad(t, x, end);
        if (!arity)
            continue;
        unsigned long v[3];
        size_t digits[2] = {0, 0};
        for (int i = 0; i < arity; i++) {
            if (i)
                next_token(x);
            int hex_operand = arity == 2 && !strcmp(end, "endcidchar") ? i == 0 : i < 2;
            if (hex_operand) {
                if (x->type != TK_HEX || x->bad_hex || x->digits == 0 || x->digits % 2 || x->digits > 4)
                    return bad(t, x, "a code of one or two bytes in hex, <XX> or <XXXX>");
                v[i] = x->hex;
                digits[i] = x->digits;
            } else if (!word_number(x, &v[i])) {
                return bad(t, x, "a CID (a decimal number)");
            }
        }
        if (!strcmp(end, "endcodespacerange")) {
            code_range *r = VP_VEC_PUSH(t->space);
            if (!r)
                return nomem(t);
            if (v[1] < v[0])
                return bad(t, x, "a codespace range with low <= high");
            *r = (code_range){(unsigned)v[0], (unsigned)v[1], (digits[0] > digits[1] ? digits[0] : digits[1]) / 2};
            /* mixed widths would make a code's width depend on its value; libharu's
             * Identity-H CMaps (the only ones it writes as ToUnicode) have <0000> <FFFF> */
            if (t->width && r->width != t->width)
                return bad(t, x, "codespace ranges all of one width");
            t->width = r->width;
        } else {
            if (!t->width)
                return bad(t, x, "begincodespacerange before the first mapping");
            vp_status st = arity == 3 ? add_mapping(t, x, v[0], v[1], v[2]) : add_mapping(t, x, v[0], v[0], v[1]);
            if (st)
                return st;
        }
    }
}

static void put_code(vpc_buf *b, unsigned code, size_t width)
{
    vpc_buf_printf(b, "<%0*X>", (int)(2 * width), code);
}

/* One kind of entries (ranges: lo < hi; chars: lo == hi) in blocks of at most
 * VPR_CMAP_BLOCK_MAX. */
static void put_entries(vpc_buf *b, const translation *t, int ranges)
{
    size_t total = 0, done = 0;
    for (size_t i = 0; i < t->bf.n; i++)
        total += (t->bf.v[i].lo < t->bf.v[i].hi) == ranges;
    const char *kind = ranges ? "bfrange" : "bfchar";
    for (size_t i = 0; i < t->bf.n; i++) {
        const bf_entry *e = &t->bf.v[i];
        if ((e->lo < e->hi) != ranges)
            continue;
        if (done % VPR_CMAP_BLOCK_MAX == 0) {
            size_t left = total - done;
            vpc_buf_printf(b, "%zu begin%s\n", left < VPR_CMAP_BLOCK_MAX ? left : (size_t)VPR_CMAP_BLOCK_MAX, kind);
        }
        put_code(b, e->lo, t->width);
        if (ranges) {
            vpc_buf_adds(b, " ");
            put_code(b, e->hi, t->width);
        }
        vpc_buf_printf(b, " <%04X>\n", e->dst);
        if (++done % VPR_CMAP_BLOCK_MAX == 0 || done == total)
            vpc_buf_printf(b, "end%s\n", kind);
    }
}

static void put_cmap(vpc_buf *b, const translation *t)
{
    vpc_buf_adds(b, "/CIDInit /ProcSet findresource begin\n"
                    "12 dict begin\n"
                    "begincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n"
                    "/CMapType 2 def\n");
    vpc_buf_printf(b, "%zu begincodespacerange\n", t->space.n);
    for (size_t i = 0; i < t->space.n; i++) {
        /* libharu writes a range up to FF with one byte even in a two-byte codespace; a
         * codespace range is written at its own width, which the reader uses to split codes */
        put_code(b, t->space.v[i].lo, t->space.v[i].width);
        vpc_buf_adds(b, " ");
        put_code(b, t->space.v[i].hi, t->space.v[i].width);
        vpc_buf_adds(b, "\n");
    }
    vpc_buf_adds(b, "endcodespacerange\n");
    put_entries(b, t, 1);
    put_entries(b, t, 0);
    vpc_buf_adds(b, "endcmap\n"
                    "CMapName currentdict /CMap defineresource pop\n"
                    "end\n"
                    "end\n");
}

vp_status vpr_cmap_to_unicode(const char *src, size_t len, const unsigned char *drawn, size_t drawn_len, vpc_buf *out,
                              size_t *entries, const char *label, vp_error *err)
{
    translation t = {.drawn = drawn, .drawn_len = drawn_len, .label = label ? label : "a ToUnicode CMap", .err = err};
    cmap_lex x = {.s = src, .len = src ? len : 0};
    vp_status st = VP_OK;
    *entries = 0;
    for (next_token(&x); x.type != TK_END && !st; next_token(&x)) {
        if (word_is(&x, "begincodespacerange"))
            st = read_block(&t, &x, "endcodespacerange", 2);
        else if (word_is(&x, "begincidrange"))
            st = read_block(&t, &x, "endcidrange", 3);
        else if (word_is(&x, "begincidchar"))
            st = read_block(&t, &x, "endcidchar", 2);
        else if (word_is(&x, "beginnotdefrange"))
            st = read_block(&t, &x, "endnotdefrange", 0);
        else if (word_is(&x, "beginnotdefchar"))
            st = read_block(&t, &x, "endnotdefchar", 0);
    }
    if (!st && t.bf.n) {
        put_cmap(out, &t);
        if (out->nomem)
            st = nomem(&t);
        else
            *entries = t.bf.n;
    }
    free(t.bf.v);
    free(t.space.v);
    return st;
}

/* ---- the libharu side ---- */

/* The contents of a libharu stream object, malloc'd (*size bytes); NULL when it cannot
 * be read back. Reads exactly the stream's size: asking a libharu memory stream for more
 * is an error. */
static unsigned char *read_stream(HPDF_Dict obj, HPDF_UINT32 *size)
{
    *size = HPDF_Stream_Size(obj->stream);
    unsigned char *data = malloc(*size ? *size : 1);
    HPDF_UINT n = *size;
    if (data && *size &&
        (HPDF_Stream_Seek(obj->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
         HPDF_Stream_Read(obj->stream, data, &n) != HPDF_OK || n != *size)) {
        free(data);
        return NULL;
    }
    return data;
}

/* Which codes draw a glyph, from the descendant font's /CIDToGIDMap (two bytes, the glyph
 * id, per CID; CID = code under Identity-H): nonzero and within the map. *len = 0 when the
 * font has no map (not embedded): then every code is kept. */
static unsigned char *drawn_codes(HPDF_Font font, size_t *len)
{
    *len = 0;
    HPDF_Array fonts = HPDF_Dict_GetItem(font, "DescendantFonts", HPDF_OCLASS_ARRAY);
    HPDF_Dict cidfont = fonts && HPDF_Array_Items(fonts) ? HPDF_Array_GetItem(fonts, 0, HPDF_OCLASS_DICT) : NULL;
    HPDF_Dict map = cidfont ? HPDF_Dict_GetItem(cidfont, "CIDToGIDMap", HPDF_OCLASS_DICT) : NULL;
    if (!map || !map->stream)
        return NULL;
    HPDF_UINT32 size;
    unsigned char *gids = read_stream(map, &size);
    if (!gids)
        return NULL;
    for (size_t c = 0; c < size / 2; c++)
        gids[c] = gids[2 * c] || gids[2 * c + 1]; /* in place: byte c is read before written */
    *len = size / 2;
    return gids;
}

vp_status vpr_pdf_cmap_fix(HPDF_Font font, const char *label, vp_error *err)
{
    HPDF_Dict cmap = font ? HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT) : NULL;
    if (!cmap || !cmap->stream)
        return VP_OK;
    HPDF_UINT32 size;
    char *src = (char *)read_stream(cmap, &size);
    if (!src)
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: libharu could not read back a font's ToUnicode CMap (or memory ran out)",
                            label);
    /* without the map (or the memory to read it) every code is kept: a larger CMap, as exact */
    size_t drawn_len;
    unsigned char *drawn = drawn_codes(font, &drawn_len);
    vpc_buf out = VPC_BUF_INIT;
    size_t entries = 0;
    vp_status st = vpr_cmap_to_unicode(src, size, drawn_len ? drawn : NULL, drawn_len, &out, &entries, label, err);
    free(src);
    free(drawn);
    if (st || !entries) {
        vpc_buf_free(&out);
        return st;
    }
    HPDF_Stream fresh = HPDF_MemStream_New(cmap->mmgr, HPDF_STREAM_BUF_SIZ);
    HPDF_Dict sysinfo = HPDF_Dict_GetItem(cmap, "CIDSystemInfo", HPDF_OCLASS_DICT);
    HPDF_STATUS hs = fresh ? HPDF_Stream_Write(fresh, (const HPDF_BYTE *)out.s, (HPDF_UINT)out.len) : HPDF_FAILD_TO_ALLOC_MEM;
    vpc_buf_free(&out);
    if (hs != HPDF_OK) {
        if (fresh)
            HPDF_Stream_Free(fresh);
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: libharu could not hold the ToUnicode CMap (error 0x%04X)", label,
                            (unsigned)hs);
    }
    HPDF_Stream_Free(cmap->stream);
    cmap->stream = fresh;
    /* the stream dictionary names the CMap as its contents do; /WMode is for Encoding
     * CMaps (a ToUnicode CMap has no writing mode) */
    hs = HPDF_Dict_AddName(cmap, "CMapName", "Adobe-Identity-UCS");
    if (hs == HPDF_OK && sysinfo)
        hs = HPDF_Dict_Add(sysinfo, "Ordering", HPDF_String_New(cmap->mmgr, "UCS", NULL));
    if (hs == HPDF_OK && HPDF_Dict_GetItem(cmap, "WMode", HPDF_OCLASS_NUMBER))
        hs = HPDF_Dict_RemoveElement(cmap, "WMode");
    if (hs != HPDF_OK)
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: libharu could not rename the ToUnicode CMap (error 0x%04X)", label,
                            (unsigned)hs);
    return VP_OK;
}
