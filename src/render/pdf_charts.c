/* Charts drawn with libharu's path primitives: horizontal stacked bars of finding
 * statuses and plain horizontal bars. Every bar carries its number as text, and the
 * status fills differ in lightness (pass light, fail near black) with warn also hatched,
 * so a greyscale print loses nothing. Not-applicable findings are not drawn; under each
 * stacked bar a line gives every segment's number as text, not-applicable and the total
 * of all findings included (the numbers of vaultproof/tally.h). */
#include <string.h>

#include "render/pdf_internal.h"

#define LABEL_W 150.0f
#define VALUE_W 50.0f
#define BAR_H 9.0f
#define BAR_GAP 5.0f

static const pdf_rgb seg_fill[VP_STATUS_COUNT] = {
    {0.74f, 0.87f, 0.75f}, /* pass: light */
    {0.95f, 0.72f, 0.33f}, /* warn: mid-light, hatched */
    {0.50f, 0.09f, 0.08f}, /* fail: darkest */
    {0.90f, 0.90f, 0.90f}, /* not-applicable (not drawn) */
    {0.58f, 0.64f, 0.80f}, /* exempt: mid */
    {0.42f, 0.42f, 0.42f}, /* incomplete: dark grey */
};
static const int seg_order[] = {VP_PASS, VP_EXEMPT, VP_WARN, VP_INCOMPLETE, VP_FAIL};
#define SEGS (sizeof seg_order / sizeof *seg_order)

static const pdf_rgb hatch_ink = {0.45f, 0.27f, 0.00f};

static void hatch(pdf_ctx *c, float x, float y, float w, float h)
{
    HPDF_Page p = c->page;
    HPDF_Page_GSave(p);
    HPDF_Page_Rectangle(p, x, y, w, h);
    HPDF_Page_Clip(p);
    HPDF_Page_EndPath(p);
    vpr_pdf_stroke(c, &hatch_ink, 0.45f);
    for (float d = -h; d < w; d += 2.8f) {
        HPDF_Page_MoveTo(p, x + d, y);
        HPDF_Page_LineTo(p, x + d + h, y + h);
    }
    HPDF_Page_Stroke(p);
    HPDF_Page_GRestore(p);
    c->fill_set = 0; /* the graphics state was restored under our caches */
    c->cur_font = NULL;
}

static void swatch(pdf_ctx *c, int status, float x, float y, float w, float h)
{
    vpr_pdf_rect(c, x, y, w, h, &seg_fill[status]);
    if (status == VP_WARN)
        hatch(c, x, y, w, h);
}

/* The bars' baseline, drawn per bar so that a chart may continue on the next page. */
static void axis(pdf_ctx *c, float y0, float y1)
{
    vpr_pdf_stroke(c, &vpr_pdf_muted, 0.5f);
    HPDF_Page_MoveTo(c->page, PDF_LEFT + LABEL_W, y0);
    HPDF_Page_LineTo(c->page, PDF_LEFT + LABEL_W, y1);
    HPDF_Page_Stroke(c->page);
}

void vpr_pdf_legend(pdf_ctx *c)
{
    float x = PDF_LEFT + LABEL_W;
    vpr_pdf_need(c, 14);
    for (size_t k = 0; k < SEGS; k++) {
        int s = seg_order[k];
        swatch(c, s, x, c->y - 8, 10, 7);
        const char *name = vp_finding_status_name((vp_finding_status)s);
        vpr_pdf_text(c, PF_SANS, 6.5f, x + 13, c->y - 7.5f, name, &vpr_pdf_ink);
        x += 13 + vpr_pdf_width(c, PF_SANS, 6.5f, name, strlen(name)) + 14;
    }
    c->y -= 14;
}

static size_t drawn_total(const size_t counts[VP_STATUS_COUNT])
{
    size_t t = 0;
    for (size_t k = 0; k < SEGS; k++)
        t += counts[seg_order[k]];
    return t;
}

/* "pass 1,197 · exempt 18 · warn 12 · incomplete 1 · fail 70 · not-applicable 22 ·
 * 1,320 findings": the bar's segments as text. */
static const char *segments(pdf_ctx *c, const size_t counts[VP_STATUS_COUNT])
{
    const char *s = "";
    size_t total = counts[VP_NOT_APPLICABLE];
    for (size_t k = 0; k < SEGS; k++) {
        int st = seg_order[k];
        total += counts[st];
        s = vpr_pdf_printf(c, "%s%s %s \xC2\xB7 ", s, vp_finding_status_name((vp_finding_status)st), vpr_pdf_count(c, counts[st]));
    }
    return vpr_pdf_printf(c, "%s%s %s \xC2\xB7 %s findings", s, vp_finding_status_name(VP_NOT_APPLICABLE),
                          vpr_pdf_count(c, counts[VP_NOT_APPLICABLE]), vpr_pdf_count(c, total));
}

void vpr_pdf_chart_stacked(pdf_ctx *c, const char *const *labels, const size_t (*counts)[VP_STATUS_COUNT], size_t n)
{
    float area = PDF_WIDTH - LABEL_W - VALUE_W;
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (drawn_total(counts[i]) > max)
            max = drawn_total(counts[i]);
    vpr_pdf_legend(c);
    for (size_t i = 0; i < n && !c->status; i++) {
        vpr_pdf_need(c, BAR_H + BAR_GAP);
        float y = c->y - BAR_H, x = PDF_LEFT + LABEL_W;
        vpr_pdf_fill(c, &vpr_pdf_ink);
        vpr_pdf_text_fit(c, PF_SANS, 7, PDF_LEFT, y + 2, LABEL_W - 6, PA_LEFT, labels[i]);
        for (size_t k = 0; k < SEGS; k++) {
            size_t v = counts[i][seg_order[k]];
            if (!v)
                continue;
            float w = area * (float)v / (float)max;
            swatch(c, seg_order[k], x, y, w < 1 ? 1 : w, BAR_H);
            x += w < 1 ? 1 : w;
        }
        axis(c, y - BAR_GAP / 2, c->y + BAR_GAP / 2);
        vpr_pdf_fill(c, &vpr_pdf_ink);
        /* every finding, not-applicable included: the total the workbook gives */
        vpr_pdf_text(c, PF_SANS, 7, x + 4, y + 2, vpr_pdf_count(c, drawn_total(counts[i]) + counts[i][VP_NOT_APPLICABLE]), NULL);
        c->y -= BAR_H + 1;
        vpr_pdf_need(c, 8 + BAR_GAP);
        vpr_pdf_text(c, PF_SANS, 6, PDF_LEFT + LABEL_W, c->y - 6, segments(c, counts[i]), &vpr_pdf_muted);
        c->y -= 8 + BAR_GAP;
    }
    c->y -= 4;
}

void vpr_pdf_chart_bars(pdf_ctx *c, const char *const *labels, const size_t *values, size_t n, const char *unit)
{
    float area = PDF_WIDTH - LABEL_W - VALUE_W - 30;
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (values[i] > max)
            max = values[i];
    for (size_t i = 0; i < n && !c->status; i++) {
        vpr_pdf_need(c, BAR_H + BAR_GAP);
        float y = c->y - BAR_H, w = area * (float)values[i] / (float)max;
        vpr_pdf_fill(c, &vpr_pdf_ink);
        vpr_pdf_text_fit(c, PF_SANS, 7, PDF_LEFT, y + 2, LABEL_W - 6, PA_LEFT, labels[i]);
        if (values[i])
            vpr_pdf_rect(c, PDF_LEFT + LABEL_W, y, w < 1 ? 1 : w, BAR_H, &vpr_pdf_accent);
        axis(c, y - BAR_GAP / 2, c->y + BAR_GAP / 2);
        vpr_pdf_fill(c, &vpr_pdf_ink);
        int one = values[i] == 1 && strlen(unit) > 1; /* "1 vault", "2 vaults" */
        vpr_pdf_text(c, PF_SANS, 7, PDF_LEFT + LABEL_W + (values[i] ? (w < 1 ? 1 : w) : 0) + 4, y + 2,
                 vpr_pdf_printf(c, "%s %.*s", vpr_pdf_count(c, values[i]), (int)strlen(unit) - one, unit), NULL);
        c->y -= BAR_H + BAR_GAP;
    }
    c->y -= 4;
}
