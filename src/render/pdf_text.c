/* Text for the PDF: the embedded DejaVu fonts, glyph coverage, measuring, wrapping and
 * drawing one line.
 *
 * Every string is sanitized against the font it will be drawn in before it is measured:
 * invalid UTF-8, control characters and code points the font has no glyph for become the
 * font's replacement glyph (U+FFFD), visibly, and are counted for the warning. Coverage
 * and advances come from libharu's own parse of the font's cmap and hmtx tables
 * (hpdf_fontdef.h), so what we measure is what libharu maps, and are cached per BMP
 * code point. libharu's UTF-8 encoder is limited to the BMP; anything beyond is
 * replaced too.
 *
 * A line of printable ASCII is drawn with the WinAnsi instance of the font (one byte
 * per character in the content stream instead of four hex digits): for a large estate
 * the exceptions are tens of thousands of rows that libharu holds in memory. */
#include <hpdf_fontdef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/pdf_internal.h"

#define BAD_CP 0xFFFFFFFFu
#define ELLIPSIS "\xE2\x80\xA6"
#define BREAK_AFTER "/;,-_.#=&:|"

static const char *const font_files[PF_COUNT] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"};

/* ---- fonts ---- */

static int has_file(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    return access(path, R_OK) == 0;
}

/* The directory to load from: an explicit one is authoritative (a typo must not fall
 * back silently to other fonts); otherwise Debian's fonts-dejavu-core location, then
 * the other usual ones. */
static const char *font_dir(pdf_ctx *c, char *tried, size_t size)
{
    static const char *const defaults[] = {"/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
                                           "/usr/share/fonts/TTF", "/usr/local/share/fonts/dejavu"};
    const char *env = getenv("VAULTPROOF_FONT_DIR");
    const char *dirs[4];
    size_t n = 0;
    char path[4096];
    if (c->in->font_dir && *c->in->font_dir)
        dirs[n++] = c->in->font_dir;
    else if (env && *env)
        dirs[n++] = env;
    else
        for (; n < sizeof defaults / sizeof *defaults; n++)
            dirs[n] = defaults[n];
    tried[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (has_file(dirs[i], font_files[PF_SANS], path, sizeof path) &&
            has_file(dirs[i], font_files[PF_MONO], path, sizeof path))
            return dirs[i];
        size_t used = strlen(tried);
        snprintf(tried + used, size - used, "%s%s", used ? ", " : "", dirs[i]);
    }
    return NULL;
}

static vp_status load_font(pdf_ctx *c, pdf_font *f, const char *path)
{
    const char *name = HPDF_LoadTTFontFromFile(c->doc, path, HPDF_TRUE);
    if (name) {
        f->def = HPDF_GetFontDef(c->doc, name);
        f->uni = HPDF_GetFont(c->doc, name, "UTF-8");
        f->ansi = HPDF_GetFont(c->doc, name, "WinAnsiEncoding");
    }
    if (!name || !f->def || !f->uni || !f->ansi)
        return vpr_pdf_fail(c, VP_ERR_INPUT, "font %s could not be loaded (libharu error 0x%04X): expected a TrueType font",
                        path, (unsigned)c->hpdf_status);
    f->adv = malloc(0x10000 * sizeof *f->adv);
    if (!f->adv) {
        vpr_pdf_nomem(c);
        return c->status;
    }
    memset(f->adv, 0xff, 0x10000 * sizeof *f->adv); /* every entry -1: not looked up yet */
    f->replacement = HPDF_TTFontDef_GetGlyphid(f->def, 0xFFFD) ? 0xFFFD : '?';
    return VP_OK;
}

vp_status vpr_pdf_fonts_load(pdf_ctx *c)
{
    char tried[2048], path[4096];
    const char *dir = font_dir(c, tried, sizeof tried);
    if (!dir)
        return vpr_pdf_fail(c, VP_ERR_INPUT,
                        "fonts not found: expected %s and %s (Debian package fonts-dejavu-core) in %s; "
                        "give --font-dir or set VAULTPROOF_FONT_DIR",
                        font_files[PF_SANS], font_files[PF_MONO], tried);
    if (HPDF_UseUTFEncodings(c->doc) != HPDF_OK || HPDF_SetCurrentEncoder(c->doc, "UTF-8") != HPDF_OK)
        return vpr_pdf_fail(c, VP_ERR_INTERNAL, "libharu has no UTF-8 encoder (error 0x%04X)", (unsigned)c->hpdf_status);
    c->utf8 = HPDF_GetEncoder(c->doc, "UTF-8");
    for (int i = 0; i < PF_COUNT; i++) {
        if (i == PF_BOLD && !has_file(dir, font_files[i], path, sizeof path)) {
            c->font[i] = c->font[PF_SANS]; /* bold is a nicety; the adv cache is shared */
            continue;
        }
        has_file(dir, font_files[i], path, sizeof path);
        if (load_font(c, &c->font[i], path) != VP_OK)
            return c->status;
    }
    return VP_OK;
}

/* ---- code points ---- */

/* Decodes the UTF-8 sequence at s (NUL-terminated); *n is the bytes consumed. */
static unsigned decode(const unsigned char *s, size_t *n)
{
    unsigned c0 = s[0], cp, min;
    int need;
    if (c0 < 0x80) {
        *n = 1;
        return c0;
    }
    if ((c0 & 0xE0) == 0xC0)
        need = 1, cp = c0 & 0x1F, min = 0x80;
    else if ((c0 & 0xF0) == 0xE0)
        need = 2, cp = c0 & 0x0F, min = 0x800;
    else if ((c0 & 0xF8) == 0xF0)
        need = 3, cp = c0 & 0x07, min = 0x10000;
    else {
        *n = 1;
        return BAD_CP;
    }
    for (int i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
            *n = (size_t)i;
            return BAD_CP;
        }
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    *n = (size_t)need + 1;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return BAD_CP;
    return cp;
}

/* Advance of cp in 1/1000 em, or -2 when the font has no glyph for it. */
static int advance(pdf_ctx *c, int f, unsigned cp)
{
    pdf_font *font = &c->font[f];
    if (cp > 0xFFFF)
        return -2;
    short a = font->adv[cp];
    if (a == -1) {
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(font->def, (HPDF_UINT16)cp);
        a = gid ? (short)HPDF_TTFontDef_GetCharWidth(font->def, (HPDF_UINT16)cp) : -2;
        if (a < 0 && a != -2)
            a = 0;
        font->adv[cp] = a;
    }
    return a;
}

static void note_missing(pdf_ctx *c, unsigned cp)
{
    c->replaced++;
    if (cp == BAD_CP)
        return;
    for (size_t i = 0; i < c->missing_count; i++)
        if (c->missing[i] == cp)
            return;
    if (c->missing_count < sizeof c->missing / sizeof *c->missing)
        c->missing[c->missing_count++] = cp;
}

static void add_cp(pdf_ctx *c, pdf_buf *b, unsigned cp)
{
    char u[3];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    vpr_pdf_buf_add(c, b, u, n);
}

size_t vpr_pdf_sanitize(pdf_ctx *c, int f, const char *text, pdf_buf *out, int keep_newlines)
{
    size_t start = out->len;
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        size_t n, run = 0;
        while (p[run] >= 0x20 && p[run] < 0x7F) /* printable ASCII: DejaVu covers it all */
            run++;
        if (run) {
            vpr_pdf_buf_add(c, out, (const char *)p, run);
            p += run;
            continue;
        }
        unsigned cp = decode(p, &n);
        if (cp == '\n' && keep_newlines)
            vpr_pdf_buf_add(c, out, "\n", 1);
        else if (cp == '\t' || cp == '\n' || cp == '\r')
            vpr_pdf_buf_add(c, out, " ", 1);
        else if (cp == BAD_CP || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || advance(c, f, cp) < 0) {
            note_missing(c, cp);
            add_cp(c, out, c->font[f].replacement);
        } else
            vpr_pdf_buf_add(c, out, (const char *)p, n);
        p += n;
    }
    if (vpr_pdf_buf_reserve(c, out, 1) == 0)
        out->s[out->len] = 0;
    return start;
}

/* Sanitized text only: every code point is valid and has a glyph. */
static unsigned next_cp(const char *s, size_t *n)
{
    if ((unsigned char)*s < 0x80) {
        *n = 1;
        return (unsigned char)*s;
    }
    return decode((const unsigned char *)s, n);
}

float vpr_pdf_width(pdf_ctx *c, int f, float size, const char *s, size_t len)
{
    long units = 0;
    for (size_t i = 0, n; i < len; i += n) {
        int a = advance(c, f, next_cp(s + i, &n));
        units += a > 0 ? a : 0;
    }
    return (float)units * size / 1000.0f;
}

/* ---- wrapping ---- */

static void push_line(pdf_ctx *c, pdf_lines *out, size_t off, size_t len, int ellipsis)
{
    pdf_line *l = VP_VEC_PUSH(*out);
    if (!l) {
        vpr_pdf_nomem(c);
        return;
    }
    l->off = off;
    l->len = len;
    l->ellipsis = (unsigned char)ellipsis;
}

/* Cuts the line so that it and "…" fit in limit. */
static void ellipsize(pdf_ctx *c, int f, const char *base, pdf_line *l, float limit)
{
    float w = 0, room = limit - (float)advance(c, f, 0x2026);
    size_t i = 0, n;
    while (i < l->len) {
        int a = advance(c, f, next_cp(base + l->off + i, &n));
        if (w + (float)a > room)
            break;
        w += (float)a;
        i += n;
    }
    while (i > 0 && base[l->off + i - 1] == ' ')
        i--;
    l->len = i;
    l->ellipsis = 1;
}

/* One line from s[pos]: returns its end; *next is where the following line starts. Breaks
 * after a space or a BREAK_AFTER character when it can (ids have no spaces), else
 * anywhere. Each character is looked at at most twice, so wrapping is linear. */
static size_t line_end(pdf_ctx *c, int f, const char *s, size_t pos, size_t len, float limit, size_t *next)
{
    size_t i = pos, n, brk_end = 0, brk_next = 0;
    int have_brk = 0;
    float w = 0;
    while (i < len) {
        if (s[i] == '\n') {
            *next = i + 1;
            return i;
        }
        float a = (float)advance(c, f, next_cp(s + i, &n));
        if (w + a > limit && i > pos) {
            *next = have_brk ? brk_next : i;
            return have_brk ? brk_end : i;
        }
        w += a;
        if (s[i] == ' ')
            have_brk = 1, brk_end = i, brk_next = i + 1;
        else if (strchr(BREAK_AFTER, s[i]))
            have_brk = 1, brk_end = brk_next = i + n;
        i += n;
    }
    *next = len;
    return len;
}

size_t vpr_pdf_wrap(pdf_ctx *c, int f, float size, const pdf_buf *b, size_t off, size_t len, float width,
                size_t max_lines, pdf_lines *out)
{
    const char *s = b->s + off;
    float limit = width * 1000.0f / size;
    size_t pos = 0, count = 0, max = max_lines ? max_lines : (size_t)-1, first = out->n;
    while (pos < len && count < max && !c->status) {
        if (count > 0 && s[pos - 1] != '\n')
            while (pos < len && s[pos] == ' ')
                pos++;
        if (pos >= len)
            break;
        size_t next, end = line_end(c, f, s, pos, len, limit, &next);
        while (end > pos && s[end - 1] == ' ')
            end--;
        push_line(c, out, off + pos, end - pos, 0);
        count++;
        pos = next;
    }
    while (pos < len && (s[pos] == ' ' || s[pos] == '\n'))
        pos++;
    if (pos < len && count > 0 && !c->status)
        ellipsize(c, f, b->s, &out->v[first + count - 1], limit);
    return count;
}

/* ---- drawing ---- */

static void set_font(pdf_ctx *c, HPDF_Font font, float size)
{
    if (font != c->cur_font || size != c->cur_size) {
        HPDF_Page_SetFontAndSize(c->page, font, size);
        c->cur_font = font;
        c->cur_size = size;
    }
}

/* Positions on an 1/8 pt grid: invisible, and libharu writes "232.625", not "232.60001". */
static float grid(float v)
{
    return roundf(v * 8.0f) / 8.0f;
}

static int is_ascii(char ch)
{
    return (unsigned char)ch < 0x80;
}

/* The run of s starting at i that one font instance draws: a span of ASCII long enough
 * to pay for switching fonts goes to the WinAnsi instance (*ascii set), anything else,
 * with the short ASCII spans between, to the UTF-8 one. Each byte is looked at at most
 * twice. */
static size_t run_end(const char *s, size_t i, size_t len, int *ascii)
{
    enum { MIN_ASCII_RUN = 12 };
    size_t j = i;
    while (j < len && is_ascii(s[j]))
        j++;
    *ascii = j > i && (j - i >= MIN_ASCII_RUN || (i == 0 && j == len));
    if (*ascii)
        return j;
    size_t k = i;
    while (k < len) {
        if (!is_ascii(s[k])) {
            k++;
            continue;
        }
        size_t m = k;
        while (m < len && is_ascii(s[m]))
            m++;
        if (m - k >= MIN_ASCII_RUN)
            break;
        k = m;
    }
    return k;
}

static void show_run(pdf_ctx *c, HPDF_Font font, float size, float x, float y, const char *s, size_t len)
{
    c->draw.len = 0;
    vpr_pdf_buf_add(c, &c->draw, s, len);
    if (c->status)
        return;
    set_font(c, font, size);
    HPDF_Page_TextOut(c->page, grid(x), grid(y), c->draw.s);
}

void vpr_pdf_draw(pdf_ctx *c, int f, float size, float x, float y, const char *s, size_t len, int ellipsis)
{
    float dx = 0;
    if ((!len && !ellipsis) || c->status)
        return;
    HPDF_Page_BeginText(c->page);
    for (size_t i = 0, end; i < len; i = end) {
        int ascii;
        end = run_end(s, i, len, &ascii);
        show_run(c, ascii ? c->font[f].ansi : c->font[f].uni, size, x + dx, y, s + i, end - i);
        dx += vpr_pdf_width(c, f, size, s + i, end - i);
    }
    if (ellipsis)
        show_run(c, c->font[f].uni, size, x + dx, y, ELLIPSIS, sizeof ELLIPSIS - 1);
    HPDF_Page_EndText(c->page);
}

void vpr_pdf_text(pdf_ctx *c, int f, float size, float x, float y, const char *text, const pdf_rgb *color)
{
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, f, text, &c->tmp, 0);
    if (color)
        vpr_pdf_fill(c, color);
    vpr_pdf_draw(c, f, size, x, y, c->tmp.s + off, c->tmp.len - off, 0);
}

/* text wrapped to width in at most max_lines lines, the first baseline at y. */
void vpr_pdf_text_wrap(pdf_ctx *c, int f, float size, float x, float y, float width, size_t max_lines, const char *text)
{
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, f, text, &c->tmp, 1), first = c->lines.n;
    size_t n = vpr_pdf_wrap(c, f, size, &c->tmp, off, c->tmp.len - off, width, max_lines, &c->lines);
    for (size_t i = 0; i < n; i++) {
        pdf_line l = c->lines.v[first + i];
        vpr_pdf_draw(c, f, size, x, y - (float)i * size * 1.3f, c->tmp.s + l.off, l.len, l.ellipsis);
    }
    c->lines.n = first;
}

void vpr_pdf_text_fit(pdf_ctx *c, int f, float size, float x, float y, float width, int align, const char *text)
{
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, f, text, &c->tmp, 0);
    size_t first = c->lines.n;
    if (!vpr_pdf_wrap(c, f, size, &c->tmp, off, c->tmp.len - off, width, 1, &c->lines))
        return;
    pdf_line l = c->lines.v[first];
    c->lines.n = first;
    float w = vpr_pdf_width(c, f, size, c->tmp.s + l.off, l.len);
    if (l.ellipsis)
        w += (float)advance(c, f, 0x2026) * size / 1000.0f;
    float dx = align == PA_RIGHT ? width - w : align == PA_CENTER ? (width - w) / 2 : 0;
    vpr_pdf_draw(c, f, size, x + dx, y, c->tmp.s + l.off, l.len, l.ellipsis);
}
