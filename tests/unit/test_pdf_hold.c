/* Page contents held deflated during layout (src/render/pdf_hold.c): libharu must write
 * exactly the bytes it writes without the holder, whatever order pages are drawn and
 * revisited in, and a misuse must fail the save loudly rather than write empty pages. */
#include <check.h>
#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/pdf_hold.h"
#include "vp_test.h"

enum { PAGES = 4 };

typedef struct {
    HPDF_Doc doc;
    HPDF_Font font;
    HPDF_Page page[PAGES];
    vpr_pdf_hold *hold; /* NULL: libharu alone */
    HPDF_Page current;
} doc_t;

static void use(doc_t *d, HPDF_Page page)
{
    if (d->hold && d->current && d->current != page) {
        vp_error e = {0};
        ck_assert_msg(vpr_pdf_hold_park(d->hold, d->current, &e) == VP_OK, "%s", e.message);
    }
    d->current = page;
}

static void text_line(doc_t *d, float y, const char *s)
{
    HPDF_Page_BeginText(d->current);
    HPDF_Page_SetFontAndSize(d->current, d->font, 8);
    HPDF_Page_TextOut(d->current, 40, y, s);
    HPDF_Page_EndText(d->current);
}

/* Pages drawn the way the report draws them: each filled in turn (the first one past
 * several of libharu's 4 KB buffers and the holder's 32 KB read-back), then all revisited
 * for a footer, then the second one again, as the contents page is. */
static HPDF_UINT32 build_doc(doc_t *d, vpr_pdf_hold *hold, int ahead)
{
    memset(d, 0, sizeof *d);
    d->hold = hold;
    d->doc = HPDF_New(NULL, NULL);
    ck_assert_ptr_nonnull(d->doc);
    HPDF_SetCompressionMode(d->doc, HPDF_COMP_ALL);
    d->font = HPDF_GetFont(d->doc, "Helvetica", NULL);
    ck_assert_ptr_nonnull(d->font);
    char line[160];
    for (int p = 0; p < PAGES; p++) {
        d->page[p] = HPDF_AddPage(d->doc);
        ck_assert_ptr_nonnull(d->page[p]);
        if (hold) {
            vp_error e = {0};
            ck_assert_msg(vpr_pdf_hold_attach(hold, d->page[p], &e) == VP_OK, "%s", e.message);
        }
        use(d, d->page[p]);
        int rows = p == 0 ? 1500 : 40 + p;
        for (int r = 0; r < rows; r++) {
            snprintf(line, sizeof line, "page %d row %d: vault-%05d item %d retention %d days (%s)", p, r,
                     (r * 7919) % 100000, r * 31 + p, 7 + r % 3650, r % 3 ? "pass" : "fail");
            text_line(d, 800.0f - (float)(r % 95) * 8, line);
        }
        HPDF_Page_SetLineWidth(d->current, 0.5f);
        HPDF_Page_MoveTo(d->current, 40, 60);
        HPDF_Page_LineTo(d->current, 550, 60);
        HPDF_Page_Stroke(d->current);
    }
    for (int p = 0; p < PAGES; p++) {
        use(d, d->page[p]);
        snprintf(line, sizeof line, "page %d of %d", p + 1, PAGES);
        text_line(d, 30, line);
    }
    use(d, d->page[1]);
    text_line(d, 700, "contents, filled in last");
    vp_error e = {0};
    if (hold && !ahead)
        ck_assert_msg(vpr_pdf_hold_park(hold, d->current, &e) == VP_OK, "%s", e.message);
    if (hold && ahead) { /* parks what is left itself */
        ck_assert_msg(vpr_pdf_hold_save_begin(hold, &e) == VP_OK, "%s", e.message);
        /* the thread makes every page before the save asks: libharu only copies them */
        for (int waited = 0; vpr_pdf_hold_made_ahead(hold) < PAGES && waited < 10000; waited++)
            usleep(1000);
        ck_assert_uint_eq(vpr_pdf_hold_made_ahead(hold), PAGES);
    }
    ck_assert_int_eq(HPDF_SaveToStream(d->doc), HPDF_OK);
    vpr_pdf_hold_save_end(hold);
    return HPDF_GetStreamSize(d->doc);
}

static HPDF_UINT32 build(doc_t *d, vpr_pdf_hold *hold)
{
    return build_doc(d, hold, 0);
}

static unsigned char *saved(doc_t *d, HPDF_UINT32 size)
{
    unsigned char *b = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(b);
    HPDF_ResetStream(d->doc);
    HPDF_UINT32 n = size;
    ck_assert_int_eq(HPDF_ReadFromStream(d->doc, b, &n), HPDF_OK);
    ck_assert_uint_eq(n, size);
    return b;
}

/* ahead (_i = 1): the pages' streams made ahead of the save on a second thread, which
 * pages it reaches first depending on timing; the bytes are the same either way. */
START_TEST(same_bytes_as_libharu_alone)
{
    doc_t plain, held;
    HPDF_UINT32 plain_size = build(&plain, NULL);
    vpr_pdf_hold *h = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vpr_pdf_hold_new(&h, &e), VP_OK);
    HPDF_UINT32 held_size = build_doc(&held, h, _i);
    ck_assert_int_eq(vpr_pdf_hold_status(h, &e), VP_OK);
    unsigned char *a = saved(&plain, plain_size), *b = saved(&held, held_size);
    ck_assert_uint_eq(held_size, plain_size);
    ck_assert_msg(memcmp(a, b, plain_size) == 0, "the held document's bytes differ from libharu's own");
    /* what was held: every page parked at least once, the first past 64 KB of operators */
    size_t deflated = 0, parked = 0, primed = 0;
    vpr_pdf_hold_totals(h, &deflated, &parked, &primed);
    ck_assert_uint_gt(parked, 64 * 1024);
    ck_assert_uint_lt(deflated * 3, parked);
    /* the first page's first park chose the dictionary; every later park used it (pages
     * 2, 3, 4 when left, the four footers, the contents page: 8) and the save inflated
     * them all back */
    ck_assert_uint_eq(primed, 8);
    /* once saved, a page holds nothing: libharu's stream for it is empty again */
    for (int p = 0; p < PAGES; p++)
        ck_assert_uint_eq(HPDF_Stream_Size(((HPDF_PageAttr)held.page[p]->attr)->contents->stream), 0);
    free(a);
    free(b);
    HPDF_Free(plain.doc);
    HPDF_Free(held.doc);
    vpr_pdf_hold_free(h);
}
END_TEST

/* Contents are released as they are written: a second save must fail, naming why, and
 * not write a document of empty pages. */
START_TEST(second_save_fails_loudly)
{
    doc_t held;
    vpr_pdf_hold *h = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vpr_pdf_hold_new(&h, &e), VP_OK);
    build(&held, h);
    ck_assert_int_ne(HPDF_SaveToStream(held.doc), HPDF_OK);
    ck_assert_int_eq(vpr_pdf_hold_status(h, &e), VP_ERR_INTERNAL);
    ck_assert_msg(strstr(e.message, "saved twice") != NULL, "%s", e.message);
    HPDF_Free(held.doc);
    vpr_pdf_hold_free(h);
}
END_TEST

/* A page that was never attached, or one attached twice, is a caller's bug: refused; so is
 * a page of a document that does not deflate its pages (the holder writes them deflated). */
START_TEST(misuse_refused)
{
    vpr_pdf_hold *h = NULL, *other = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vpr_pdf_hold_new(&h, &e), VP_OK);
    ck_assert_int_eq(vpr_pdf_hold_new(&other, &e), VP_OK);
    HPDF_Doc plain = HPDF_New(NULL, NULL);
    ck_assert_ptr_nonnull(plain);
    ck_assert_int_eq(vpr_pdf_hold_attach(h, HPDF_AddPage(plain), &e), VP_ERR_INTERNAL);
    ck_assert_msg(strstr(e.message, "not what libharu 2.3 makes") != NULL, "%s", e.message);
    HPDF_Free(plain);
    HPDF_Doc doc = HPDF_New(NULL, NULL);
    ck_assert_ptr_nonnull(doc);
    HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
    HPDF_Page page = HPDF_AddPage(doc);
    ck_assert_int_eq(vpr_pdf_hold_park(h, page, &e), VP_ERR_INTERNAL);
    ck_assert_msg(strstr(e.message, "not attached") != NULL, "%s", e.message);
    ck_assert_int_eq(vpr_pdf_hold_attach(h, page, &e), VP_OK);
    ck_assert_int_eq(vpr_pdf_hold_attach(h, page, &e), VP_ERR_INTERNAL);
    ck_assert_int_eq(vpr_pdf_hold_park(other, page, &e), VP_ERR_INTERNAL);
    /* parking a page with nothing drawn is no work and no error */
    ck_assert_int_eq(vpr_pdf_hold_park(h, page, &e), VP_OK);
    size_t deflated = 1, parked = 1, primed = 1;
    vpr_pdf_hold_totals(h, &deflated, &parked, &primed);
    ck_assert_uint_eq(deflated, 0);
    ck_assert_uint_eq(parked, 0);
    ck_assert_uint_eq(primed, 0);
    HPDF_Free(doc);
    vpr_pdf_hold_free(h);
    vpr_pdf_hold_free(other);
}
END_TEST

Suite *pdf_hold_suite(void); /* declared here and in main.c: vp_test.h is shared */
Suite *pdf_hold_suite(void)
{
    Suite *s = suite_create("pdf_hold");
    TCase *t = tcase_create("hold");
    tcase_add_loop_test(t, same_bytes_as_libharu_alone, 0, 2);
    tcase_add_test(t, second_save_fails_loudly);
    tcase_add_test(t, misuse_refused);
    suite_add_tcase(s, t);
    return s;
}
