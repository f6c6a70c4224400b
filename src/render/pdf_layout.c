/* Pages and the flow of text on them: the running header, section headings (each one a
 * bookmark), paragraphs, status markers, and the last step that numbers the pages
 * ("page N of M") and builds the outline once the document order is known.
 *
 * Status is never shown by colour alone: each status has its own marker shape (pass a
 * ring, warn a triangle, fail a solid square, exempt a diamond, incomplete an open
 * square, not-applicable a dash) next to its name, so the report reads in greyscale. */
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"
#include "vaultproof/version.h"

const pdf_rgb vpr_pdf_ink = {0.10f, 0.11f, 0.13f};
const pdf_rgb vpr_pdf_muted = {0.38f, 0.40f, 0.43f};
const pdf_rgb vpr_pdf_accent = {0.11f, 0.22f, 0.36f};
const pdf_rgb vpr_pdf_rule = {0.74f, 0.76f, 0.79f};
const pdf_rgb vpr_pdf_head_fill = {0.88f, 0.90f, 0.93f};
const pdf_rgb vpr_pdf_zebra = {0.962f, 0.968f, 0.976f};
const pdf_rgb vpr_pdf_white = {1.0f, 1.0f, 1.0f};

static const pdf_rgb status_colors[VP_STATUS_COUNT] = {
    {0.16f, 0.45f, 0.20f}, /* pass */
    {0.66f, 0.40f, 0.00f}, /* warn */
    {0.66f, 0.13f, 0.11f}, /* fail */
    {0.50f, 0.50f, 0.50f}, /* not-applicable */
    {0.27f, 0.33f, 0.55f}, /* exempt */
    {0.33f, 0.33f, 0.33f}, /* incomplete */
};

const pdf_rgb *vpr_pdf_status_color(int status)
{
    return status >= 0 && status < VP_STATUS_COUNT ? &status_colors[status] : &vpr_pdf_ink;
}

/* ---- colours and shapes ---- */

void vpr_pdf_fill(pdf_ctx *c, const pdf_rgb *rgb)
{
    if (c->fill_set && !memcmp(&c->fill, rgb, sizeof *rgb))
        return;
    HPDF_Page_SetRGBFill(c->page, rgb->r, rgb->g, rgb->b);
    c->fill = *rgb;
    c->fill_set = 1;
}

void vpr_pdf_stroke(pdf_ctx *c, const pdf_rgb *rgb, float width)
{
    HPDF_Page_SetRGBStroke(c->page, rgb->r, rgb->g, rgb->b);
    HPDF_Page_SetLineWidth(c->page, width);
}

void vpr_pdf_rect(pdf_ctx *c, float x, float y, float w, float h, const pdf_rgb *fill)
{
    vpr_pdf_fill(c, fill);
    HPDF_Page_Rectangle(c->page, x, y, w, h);
    HPDF_Page_Fill(c->page);
}

void vpr_pdf_hline(pdf_ctx *c, float x0, float x1, float y, const pdf_rgb *rgb, float width)
{
    vpr_pdf_stroke(c, rgb, width);
    HPDF_Page_MoveTo(c->page, x0, y);
    HPDF_Page_LineTo(c->page, x1, y);
    HPDF_Page_Stroke(c->page);
}

/* The marker of a status, size points wide, its left edge at x, aligned with text whose
 * baseline is y. */
void vpr_pdf_marker(pdf_ctx *c, int status, float x, float y, float size)
{
    HPDF_Page p = c->page;
    float s = size * 0.72f, cx = x + s / 2, cy = y + size * 0.33f, h = s / 2;
    const pdf_rgb *col = vpr_pdf_status_color(status);
    vpr_pdf_fill(c, col);
    vpr_pdf_stroke(c, col, 0.8f);
    switch (status) {
    case VP_PASS:
        HPDF_Page_Circle(p, cx, cy, h - 0.4f);
        HPDF_Page_Stroke(p);
        break;
    case VP_WARN:
        HPDF_Page_MoveTo(p, cx - h, cy - h);
        HPDF_Page_LineTo(p, cx + h, cy - h);
        HPDF_Page_LineTo(p, cx, cy + h);
        HPDF_Page_ClosePathFillStroke(p);
        break;
    case VP_FAIL:
        HPDF_Page_Rectangle(p, cx - h, cy - h, s, s);
        HPDF_Page_Fill(p);
        break;
    case VP_EXEMPT:
        HPDF_Page_MoveTo(p, cx, cy - h);
        HPDF_Page_LineTo(p, cx + h, cy);
        HPDF_Page_LineTo(p, cx, cy + h);
        HPDF_Page_LineTo(p, cx - h, cy);
        HPDF_Page_ClosePathStroke(p);
        break;
    case VP_INCOMPLETE:
        HPDF_Page_Rectangle(p, cx - h + 0.4f, cy - h + 0.4f, s - 0.8f, s - 0.8f);
        HPDF_Page_Stroke(p);
        break;
    default:
        HPDF_Page_MoveTo(p, cx - h, cy);
        HPDF_Page_LineTo(p, cx + h, cy);
        HPDF_Page_Stroke(p);
    }
}

/* ---- pages ---- */

void vpr_pdf_use_page(pdf_ctx *c, HPDF_Page page)
{
    if (page == c->page)
        return;
    vp_status st = c->page && !c->status ? vpr_pdf_hold_park(c->hold, c->page, c->err) : VP_OK;
    if (st)
        c->status = st;
    c->page = page;
    c->cur_font = NULL;
    c->cur_size = 0;
    c->fill_set = 0;
}

static void running_header(pdf_ctx *c)
{
    float y = PDF_PAGE_H - 36, right = c->period_width + 12;
    if (right > PDF_WIDTH * 0.5f)
        right = PDF_WIDTH * 0.5f;
    vpr_pdf_fill(c, &vpr_pdf_muted);
    vpr_pdf_text_fit(c, PF_BOLD, 7.5f, PDF_LEFT, y, PDF_WIDTH - right, PA_LEFT, c->header_left);
    vpr_pdf_text_fit(c, PF_SANS, 7.5f, PDF_RIGHT - right, y, right, PA_RIGHT, c->period);
    vpr_pdf_hline(c, PDF_LEFT, PDF_RIGHT, y - 6, &vpr_pdf_rule, 0.6f);
}

vp_status vpr_pdf_shared_resources(pdf_ctx *c)
{
    static const char *const procset[] = {"PDF", "Text", "ImageB", "ImageC", "ImageI"}; /* libharu's, in its order */
    HPDF_MMgr mm = c->doc->mmgr;
    /* each object is handed to libharu as soon as it exists (the document frees it) */
    HPDF_Dict res = HPDF_Dict_New(mm);
    int ok = res && HPDF_Xref_Add(c->doc->xref, res) == HPDF_OK;
    HPDF_Array ps = ok ? HPDF_Array_New(mm) : NULL;
    ok = ps && HPDF_Dict_Add(res, "ProcSet", ps) == HPDF_OK;
    for (size_t i = 0; ok && i < sizeof procset / sizeof *procset; i++)
        ok = HPDF_Array_AddName(ps, procset[i]) == HPDF_OK;
    HPDF_Dict fonts = ok ? HPDF_Dict_New(mm) : NULL;
    ok = fonts && HPDF_Dict_Add(res, "Font", fonts) == HPDF_OK;
    int n = 0;
    for (int i = 0; ok && i < PF_COUNT; i++) {
        HPDF_Font each[2] = {c->font[i].ansi, c->font[i].uni};
        for (int k = 0; ok && k < 2; k++) {
            char name[16];
            if (HPDF_Dict_GetKeyByObj(fonts, each[k])) /* bold may be the regular font */
                continue;
            snprintf(name, sizeof name, "F%d", ++n);
            ok = HPDF_Dict_Add(fonts, name, each[k]) == HPDF_OK;
        }
    }
    /* and one /MediaBox, A4 as libharu's HPDF_PAGE_SIZE_A4, on the root of the page tree,
     * which every page inherits. libharu 2.3 cannot read an inherited box (its
     * HPDF_Page_GetInheritableItem looks the key up on the page again instead of on the
     * parents), so nothing here asks libharu for a page's size: PDF_PAGE_W/H are ours. */
    HPDF_Array box = ok ? HPDF_Box_Array_New(mm, (HPDF_Box){0, 0, PDF_PAGE_W, PDF_PAGE_H}) : NULL;
    ok = box && HPDF_Dict_Add(c->doc->root_pages, "MediaBox", box) == HPDF_OK;
    if (!ok) {
        if (!vpr_pdf_failed(c))
            vpr_pdf_nomem(c);
        return c->status;
    }
    c->resources = res;
    c->page_fonts = fonts;
    return VP_OK;
}

void vpr_pdf_new_page(pdf_ctx *c)
{
    if (c->status)
        return;
    HPDF_Page p = c->phase == PH_BODY && c->insert_before ? HPDF_InsertPage(c->doc, c->insert_before)
                                                          : HPDF_AddPage(c->doc);
    HPDF_Page *slot = p ? VP_VEC_PUSH(c->pages[c->phase]) : NULL;
    if (!slot) {
        vpr_pdf_failed(c);
        if (!c->status)
            vpr_pdf_nomem(c);
        return;
    }
    *slot = p;
    vp_status st = vpr_pdf_hold_attach(c->hold, p, c->err);
    if (st) {
        c->status = st;
        return;
    }
    /* the page's own /Resources (libharu's, still empty) is replaced and freed */
    if (HPDF_Dict_Add(p, "Resources", c->resources) != HPDF_OK) {
        if (!vpr_pdf_failed(c))
            vpr_pdf_nomem(c);
        return;
    }
    ((HPDF_PageAttr)p->attr)->fonts = c->page_fonts;
    HPDF_Dict_RemoveElement(p, "MediaBox"); /* inherited from the root (vpr_pdf_shared_resources) */
    vpr_pdf_use_page(c, p);
    c->y = PDF_TOP;
    if (c->phase != PH_FRONT || c->pages[PH_FRONT].n > 1)
        running_header(c);
}

/* Starts a new page unless height points still fit; returns 1 when it did. */
int vpr_pdf_need(pdf_ctx *c, float height)
{
    if (c->page && c->y - height >= PDF_BOTTOM)
        return 0;
    vpr_pdf_new_page(c);
    return 1;
}

void vpr_pdf_gap(pdf_ctx *c, float points)
{
    c->y -= points;
}

/* ---- headings and bookmarks ---- */

void vpr_pdf_mark_add(pdf_ctx *c, int level, const char *title, int toc)
{
    pdf_mark *m = VP_VEC_PUSH(c->marks);
    if (!m) {
        vpr_pdf_nomem(c);
        return;
    }
    m->title = vpr_pdf_strdup(c, title);
    m->level = level;
    m->phase = c->phase;
    m->toc = toc;
    m->seq = c->mark_seq++;
    m->page = c->page;
    m->y = c->y;
}

void vpr_pdf_section(pdf_ctx *c, const char *title)
{
    vpr_pdf_new_page(c);
    if (c->status)
        return;
    vpr_pdf_mark_add(c, 0, title, 1);
    vpr_pdf_fill(c, &vpr_pdf_accent);
    vpr_pdf_text(c, PF_BOLD, 17, PDF_LEFT, c->y - 17, title, NULL);
    vpr_pdf_hline(c, PDF_LEFT, PDF_RIGHT, c->y - 25, &vpr_pdf_accent, 1.2f);
    c->y -= 38;
}

void vpr_pdf_heading(pdf_ctx *c, int level, const char *title, int toc)
{
    float size = level <= 1 ? 11.5f : 9.5f;
    c->y -= level <= 1 ? 8 : 4;
    vpr_pdf_need(c, size + 60);
    if (c->status)
        return;
    vpr_pdf_mark_add(c, level, title, toc);
    vpr_pdf_fill(c, level <= 1 ? &vpr_pdf_accent : &vpr_pdf_ink);
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, PF_BOLD, title, &c->tmp, 0), first = c->lines.n;
    size_t n = vpr_pdf_wrap(c, PF_BOLD, size, &c->tmp, off, c->tmp.len - off, PDF_WIDTH, 2, &c->lines);
    for (size_t i = 0; i < n; i++) {
        pdf_line l = c->lines.v[first + i];
        vpr_pdf_draw(c, PF_BOLD, size, PDF_LEFT, c->y - size, c->tmp.s + l.off, l.len, l.ellipsis);
        c->y -= size * 1.25f;
    }
    c->lines.n = first;
    c->y -= level <= 1 ? 9 - size * 0.25f : 6 - size * 0.25f;
}

/* Wrapped text over the full width; '\n' breaks a line, an empty line leaves a gap. */
void vpr_pdf_para(pdf_ctx *c, int font, float size, const pdf_rgb *color, const char *text)
{
    float lead = size * 1.38f;
    if (!text || !*text || c->status)
        return;
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, font, text, &c->tmp, 1), first = c->lines.n;
    size_t n = vpr_pdf_wrap(c, font, size, &c->tmp, off, c->tmp.len - off, PDF_WIDTH, 0, &c->lines);
    for (size_t i = 0; i < n && !c->status; i++) {
        pdf_line l = c->lines.v[first + i];
        vpr_pdf_need(c, lead);
        vpr_pdf_fill(c, color ? color : &vpr_pdf_ink);
        vpr_pdf_draw(c, font, size, PDF_LEFT, c->y - size, c->tmp.s + l.off, l.len, l.ellipsis);
        c->y -= lead;
    }
    c->lines.n = first;
    c->y -= size * 0.55f;
}

/* ---- the end: page order, footers, outline ---- */

static void order_pages(pdf_ctx *c)
{
    size_t total = 0;
    for (int p = 0; p < PH_COUNT; p++)
        total += c->pages[p].n;
    c->order = malloc((total ? total : 1) * sizeof *c->order);
    if (!c->order) {
        vpr_pdf_nomem(c);
        return;
    }
    for (int p = 0; p < PH_COUNT; p++)
        for (size_t i = 0; i < c->pages[p].n; i++)
            c->order[c->page_total++] = c->pages[p].v[i];
}

static void footers(pdf_ctx *c)
{
    const char *left = vpr_pdf_printf(c, "vaultproof %s \xC2\xB7 generated %s", vp_version(), c->now);
    for (size_t i = 0; i < c->page_total && !c->status; i++) {
        vpr_pdf_use_page(c, c->order[i]);
        vpr_pdf_hline(c, PDF_LEFT, PDF_RIGHT, 40, &vpr_pdf_rule, 0.6f);
        vpr_pdf_fill(c, &vpr_pdf_muted);
        vpr_pdf_text_fit(c, PF_SANS, 7, PDF_LEFT, 30, PDF_WIDTH * 0.7f, PA_LEFT, left);
        char num[64];
        snprintf(num, sizeof num, "page %zu of %zu", i + 1, c->page_total);
        vpr_pdf_text_fit(c, PF_SANS, 7, PDF_LEFT + PDF_WIDTH * 0.7f, 30, PDF_WIDTH * 0.3f, PA_RIGHT, num);
    }
}

static int mark_cmp(const void *a, const void *b)
{
    const pdf_mark *x = a, *y = b;
    if (x->phase != y->phase)
        return x->phase < y->phase ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void outline(pdf_ctx *c)
{
    HPDF_Outline parent[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < c->marks.n && !c->status; i++) {
        const pdf_mark *m = &c->marks.v[i];
        int level = m->level < 0 ? 0 : m->level > 2 ? 2 : m->level;
        c->tmp.len = 0;
        size_t off = vpr_pdf_sanitize(c, PF_SANS, m->title, &c->tmp, 0);
        HPDF_Outline o = HPDF_CreateOutline(c->doc, level ? parent[level - 1] : NULL, c->tmp.s + off, c->utf8);
        HPDF_Destination d = o ? HPDF_Page_CreateDestination(m->page) : NULL;
        if (!d)
            break;
        HPDF_Destination_SetFitH(d, m->y + 12 > PDF_PAGE_H ? PDF_PAGE_H : m->y + 12);
        HPDF_Outline_SetDestination(o, d);
        HPDF_Outline_SetOpened(o, level == 0 ? HPDF_TRUE : HPDF_FALSE);
        parent[level] = o;
        for (int l = level + 1; l < 3; l++)
            parent[l] = o; /* a skipped level hangs off the nearest entry above it */
    }
    vpr_pdf_failed(c);
}

/* The page number of a page in document order (1-based), 0 when unknown. */
static size_t page_number(const pdf_ctx *c, HPDF_Page page)
{
    for (size_t i = 0; i < c->page_total; i++)
        if (c->order[i] == page)
            return i + 1;
    return 0;
}

void vpr_pdf_contents_fill(pdf_ctx *c)
{
    if (c->pages[PH_FRONT].n < 2 || c->status)
        return;
    vpr_pdf_use_page(c, c->pages[PH_FRONT].v[1]);
    c->y = PDF_TOP - 42;
    for (size_t i = 0; i < c->marks.n && !c->status; i++) {
        const pdf_mark *m = &c->marks.v[i];
        if (!m->toc || c->y < PDF_BOTTOM + 12)
            continue;
        float indent = m->level ? 14.0f * (float)m->level : 0, size = m->level ? 8.5f : 10;
        char num[32];
        snprintf(num, sizeof num, "%zu", page_number(c, m->page));
        vpr_pdf_fill(c, m->level ? &vpr_pdf_ink : &vpr_pdf_accent);
        vpr_pdf_text_fit(c, m->level ? PF_SANS : PF_BOLD, size, PDF_LEFT + indent, c->y, PDF_WIDTH - indent - 40,
                     PA_LEFT, m->title);
        vpr_pdf_text_fit(c, PF_SANS, size, PDF_RIGHT - 40, c->y, 40, PA_RIGHT, num);
        vpr_pdf_hline(c, PDF_LEFT + indent, PDF_RIGHT, c->y - 4, &vpr_pdf_zebra, 0.5f);
        c->y -= m->level ? 14 : 19;
    }
}

void vpr_pdf_finish_pages(pdf_ctx *c)
{
    order_pages(c);
    if (c->status)
        return;
    vp_sort(c->marks.v, c->marks.n, sizeof *c->marks.v, mark_cmp);
    vpr_pdf_contents_fill(c);
    footers(c);
    outline(c);
}
