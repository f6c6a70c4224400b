/* The ToUnicode CMap rewrite (src/render/pdf_cmap.c) on small hand-made CMaps: every code
 * of a cidrange maps to exactly the UTF-16 unit it should, each bfrange varies only in its
 * last byte (also where the source range crosses one or many byte boundaries, or its CID
 * is not aligned with its code), blocks hold at most 100 entries, surrogates, notdef
 * ranges and codes that draw no glyph stay unmapped, malformed input is refused with the
 * byte offset. Then the same on
 * a real libharu document: the saved PDF holds the rewritten CMap, not libharu's. The
 * report itself is checked with poppler, qpdf and mutool in
 * tests/integration/test_pdf_cmap.py. */
#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/pdf_cmap.h"
#include "vp_test.h"

#define NO_MAP 0xFFFFFFFFu

/* libharu's header and trailer around the given mapping blocks, as CreateCMap writes them. */
static char *harucmap(const char *blocks)
{
    static const char head[] = "%!PS-Adobe-3.0 Resource-CMap\r\n%%Title: (UTF-8 Adobe Identity-H 0)\r\n"
                               "/CIDInit /ProcSet findresource begin\r\n12 dict begin\r\nbegincmap\r\n"
                               "/CIDSystemInfo 3 dict dup begin\r\n  /Registry (Adobe) def\r\n"
                               "  /Ordering (Identity-H) def\r\n  /Supplement 0 def\r\nend def\r\n"
                               "/CMapName /UTF-8 def\r\n/CMapType 1 def\r\n/XUID [0 0 0] def\r\n"
                               "1 begincodespacerange\r\n<0000> <FFFF>\r\nendcodespacerange\r\n"
                               "1 beginnotdefrange\r\n<00> <1F> 1\r\nendnotdefrange\r\n";
    static const char tail[] = "endcmap\r\nCMapName currentdict /CMap defineresource pop\r\nend\r\nend\r\n"
                               "%%EndResource\r\n%%EOF\r\n";
    size_t n = strlen(head) + strlen(blocks) + strlen(tail) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s%s%s", head, blocks, tail);
    return s;
}

typedef struct {
    unsigned *map; /* code -> UTF-16 unit, NO_MAP when unmapped */
    size_t ranges, chars, blocks;
} decoded;

/* Reads a translated CMap back independently: checks the structure a ToUnicode CMap must
 * have and expands every entry into d->map. */
static void decode(const char *cmap, decoded *d)
{
    d->map = malloc(0x10000 * sizeof *d->map);
    ck_assert_ptr_nonnull(d->map);
    for (size_t i = 0; i < 0x10000; i++)
        d->map[i] = NO_MAP;
    d->ranges = d->chars = d->blocks = 0;
    ck_assert_ptr_null(strstr(cmap, "cidrange"));
    ck_assert_ptr_null(strstr(cmap, "cidchar"));
    ck_assert_ptr_null(strstr(cmap, "notdef"));
    ck_assert_ptr_nonnull(strstr(cmap, "/CMapName /Adobe-Identity-UCS def"));
    ck_assert_ptr_nonnull(strstr(cmap, "/Ordering (UCS)"));
    ck_assert_ptr_nonnull(strstr(cmap, "/CMapType 2 def"));
    ck_assert_ptr_nonnull(strstr(cmap, "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"));
    const char *p = cmap;
    for (;;) {
        const char *line_end = strchr(p, '\n');
        if (!line_end)
            break;
        unsigned count;
        char kind[16];
        if (sscanf(p, "%u begin%15s", &count, kind) == 2 && (!strcmp(kind, "bfrange") || !strcmp(kind, "bfchar"))) {
            int ranges = !strcmp(kind, "bfrange");
            ck_assert_uint_ge(count, 1);
            ck_assert_uint_le(count, VPR_CMAP_BLOCK_MAX);
            d->blocks++;
            p = line_end + 1;
            for (unsigned i = 0; i < count; i++) {
                unsigned lo, hi, dst;
                char l[5], h[5], u[5];
                if (ranges) {
                    ck_assert_int_eq(sscanf(p, "<%4[0-9A-F]> <%4[0-9A-F]> <%4[0-9A-F]>", l, h, u), 3);
                    ck_assert_uint_eq(strlen(h), 4);
                } else {
                    ck_assert_int_eq(sscanf(p, "<%4[0-9A-F]> <%4[0-9A-F]>", l, u), 2);
                    snprintf(h, sizeof h, "%s", l);
                }
                ck_assert_uint_eq(strlen(l), 4); /* two-byte codes, as the codespace says */
                ck_assert_uint_eq(strlen(u), 4);
                lo = (unsigned)strtoul(l, NULL, 16);
                hi = (unsigned)strtoul(h, NULL, 16);
                dst = (unsigned)strtoul(u, NULL, 16);
                ck_assert_uint_le(lo, hi);
                ck_assert_uint_eq(lo >> 8, hi >> 8);           /* only the last byte varies */
                ck_assert_uint_le((dst & 0xFF) + (hi - lo), 0xFF); /* nor may dst's pass FF */
                for (unsigned c = lo; c <= hi; c++) {
                    ck_assert_msg(d->map[c] == NO_MAP, "code %04X mapped twice", c);
                    d->map[c] = dst + (c - lo);
                }
                ranges ? d->ranges++ : d->chars++;
                p = strchr(p, '\n') + 1;
            }
            ck_assert_int_eq(strncmp(p, ranges ? "endbfrange\n" : "endbfchar\n", ranges ? 11 : 10), 0);
            continue;
        }
        p = line_end + 1;
    }
}

static char *translate_drawn(const char *blocks, const unsigned char *drawn, size_t drawn_len, size_t *entries)
{
    char *src = harucmap(blocks);
    vpc_buf out = VPC_BUF_INIT;
    vp_error e = {0};
    ck_assert_msg(vpr_cmap_to_unicode(src, strlen(src), drawn, drawn_len, &out, entries, "test", &e) == VP_OK, "%s",
                  e.message);
    free(src);
    return vpc_buf_detach(&out, NULL);
}

static char *translate_ok(const char *blocks, size_t *entries)
{
    return translate_drawn(blocks, NULL, 0, entries);
}

/* libharu's UTF-8 CMap: one cidrange over the whole BMP, CID = code. */
START_TEST(whole_bmp_identity)
{
    size_t entries = 0;
    char *out = translate_ok("1 begincidrange\r\n<0000> <FFFF> 0\r\nendcidrange\r\n", &entries);
    decoded d;
    decode(out, &d);
    ck_assert_uint_eq(entries, 256 - 8); /* one per high byte, without D8-DF */
    ck_assert_uint_eq(d.ranges, 248);
    ck_assert_uint_eq(d.chars, 0);
    ck_assert_uint_eq(d.blocks, 3); /* 100 + 100 + 48 */
    ck_assert_ptr_nonnull(strstr(out, "100 beginbfrange\n<0000> <00FF> <0000>\n"));
    ck_assert_ptr_nonnull(strstr(out, "48 beginbfrange\n"));
    for (unsigned c = 0; c < 0x10000; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            ck_assert_msg(d.map[c] == NO_MAP, "surrogate %04X mapped", c);
        else
            ck_assert_msg(d.map[c] == c, "code %04X -> %04X", c, d.map[c]);
    }
    /* the notdef range <00> <1F> of libharu is not carried over; 0000-001F stay mapped
     * by the cidrange, as in libharu's CMap */
    ck_assert_uint_eq(d.map[0x0009], 0x0009);
    free(d.map);
    free(out);
}
END_TEST

/* A range that crosses a byte boundary with a CID not aligned to its code, a one-byte
 * range as libharu writes ranges up to FF, a cidchar and a range over the surrogates. */
START_TEST(ranges_split_exactly)
{
    static const struct {
        unsigned lo, hi, cid;
    } in[] = {{0x00F0, 0x0110, 1000}, {0x20, 0x7E, 0x20}, {0x0141, 0x0141, 0x0141}, {0x3000, 0x381F, 0xD7F0}};
    const char *blocks = "3 begincidrange\r\n<00F0> <0110> 1000\r\n<20> <7E> 32\r\n<3000> <381F> 55280\r\n"
                         "endcidrange\r\n1 begincidchar\r\n<0141> 321\r\nendcidchar\r\n";
    size_t entries = 0;
    char *out = translate_ok(blocks, &entries);
    decoded d;
    decode(out, &d);
    unsigned *expected = malloc(0x10000 * sizeof *expected);
    ck_assert_ptr_nonnull(expected);
    for (size_t i = 0; i < 0x10000; i++)
        expected[i] = NO_MAP;
    for (size_t r = 0; r < sizeof in / sizeof in[0]; r++)
        for (unsigned c = in[r].lo; c <= in[r].hi; c++) {
            unsigned u = in[r].cid + (c - in[r].lo);
            expected[c] = u >= 0xD800 && u <= 0xDFFF ? NO_MAP : u;
        }
    for (unsigned c = 0; c < 0x10000; c++)
        ck_assert_msg(d.map[c] == expected[c], "code %04X -> %04X, expected %04X", c, d.map[c], expected[c]);
    /* 00F0-0110 from 03E8: split where the CID's last byte passes FF (03E8+16 = 03F8 is
     * not it: the code's is, at 0100), then where the CID's is (0400) */
    ck_assert_ptr_nonnull(strstr(out, "<00F0> <00FF> <03E8>\n<0100> <0107> <03F8>\n<0108> <0110> <0400>\n"));
    ck_assert_ptr_nonnull(strstr(out, "<0020> <007E> <0020>\n"));
    ck_assert_ptr_nonnull(strstr(out, "1 beginbfchar\n<0141> <0141>\nendbfchar\n"));
    /* 3000-381F from D7F0: 3000-300F -> D7F0-D7FF, codes 3010-380F (D800-DFFF) unmapped,
     * 3810-381F -> E000-E00F */
    ck_assert_ptr_nonnull(strstr(out, "<3000> <300F> <D7F0>\n<3810> <381F> <E000>\n"));
    ck_assert_uint_eq(entries, d.ranges + d.chars);
    free(expected);
    free(d.map);
    free(out);
}
END_TEST

/* Only the codes that draw a glyph are mapped: runs of them, split at byte boundaries as
 * before, nothing at or past drawn_len. */
START_TEST(only_drawn_codes)
{
    unsigned char *drawn = calloc(0x10000, 1);
    ck_assert_ptr_nonnull(drawn);
    static const unsigned runs[][2] = {{0x20, 0x7E}, {0xA0, 0x17F}, {0x2014, 0x2014}, {0x2026, 0x2026}, {0xD7FE, 0xE001}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++)
        for (unsigned c = runs[r][0]; c <= runs[r][1]; c++)
            drawn[c] = 1;
    size_t entries = 0;
    char *out = translate_drawn("1 begincidrange\r\n<0000> <FFFF> 0\r\nendcidrange\r\n", drawn, 0x2020, &entries);
    decoded d;
    decode(out, &d);
    for (unsigned c = 0; c < 0x10000; c++) {
        int want = c < 0x2020 && drawn[c];
        ck_assert_msg(d.map[c] == (want ? c : NO_MAP), "code %04X -> %04X", c, d.map[c]);
    }
    ck_assert_ptr_nonnull(strstr(out, "3 beginbfrange\n<0020> <007E> <0020>\n<00A0> <00FF> <00A0>\n"
                                      "<0100> <017F> <0100>\nendbfrange\n1 beginbfchar\n<2014> <2014>\nendbfchar\n"));
    ck_assert_uint_eq(entries, 4); /* 2026 and D7FE-E001 lie past drawn_len */
    free(d.map);
    free(out);
    free(drawn);
}
END_TEST

/* A CMap that already is a ToUnicode one (a fixed libharu) is left alone. */
START_TEST(nothing_to_translate)
{
    const char *tu = "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                     "1 beginbfrange\n<0000> <00FF> <0000>\nendbfrange\n";
    vpc_buf out = VPC_BUF_INIT;
    vp_error e = {0};
    size_t entries = 7;
    ck_assert_int_eq(vpr_cmap_to_unicode(tu, strlen(tu), NULL, 0, &out, &entries, "test", &e), VP_OK);
    ck_assert_uint_eq(entries, 0);
    ck_assert_uint_eq(out.len, 0);
    vpc_buf_free(&out);
}
END_TEST

static void assert_refused(const char *src, const char *mention)
{
    vpc_buf out = VPC_BUF_INIT;
    vp_error e = {0};
    size_t entries = 7;
    ck_assert_int_eq(vpr_cmap_to_unicode(src, strlen(src), NULL, 0, &out, &entries, "font X", &e), VP_ERR_INTERNAL);
    ck_assert_msg(strstr(e.message, "font X") && strstr(e.message, mention), "%s", e.message);
    ck_assert_uint_eq(entries, 0);
    ck_assert_uint_eq(out.len, 0);
    vpc_buf_free(&out);
}

START_TEST(malformed_is_refused)
{
    const char *space = "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s1 begincidrange\n<0200> <01FF> 0\nendcidrange\n", space);
    assert_refused(buf, "low <= high");
    snprintf(buf, sizeof buf, "%s1 begincidrange\n<FF00> <FFFF> 65500\nendcidrange\n", space);
    assert_refused(buf, "CIDs within 0-65535");
    char at[64];
    snprintf(buf, sizeof buf, "%s1 begincidrange\n<0G00> <0FFF> 0\nendcidrange\n", space);
    snprintf(at, sizeof at, "byte %zu: expected a code of one or two bytes", strlen(space) + strlen("1 begincidrange\n"));
    assert_refused(buf, at);
    snprintf(buf, sizeof buf, "%s1 begincidrange\n<0000> <00FF> zero\nendcidrange\n", space);
    assert_refused(buf, "a CID (a decimal number)");
    snprintf(buf, sizeof buf, "%s1 begincidrange\n<0000> <00FF> 0\n", space);
    assert_refused(buf, "expected endcidrange");
    assert_refused("1 begincidrange\n<0000> <00FF> 0\nendcidrange\n", "begincodespacerange before the first mapping");
    assert_refused("1 begincodespacerange\n<000000> <FFFFFF>\nendcodespacerange\n",
                   "a code of one or two bytes");
    assert_refused("2 begincodespacerange\n<00> <80>\n<8140> <FEFE>\nendcodespacerange\n",
                   "codespace ranges all of one width");
}
END_TEST

/* The libharu side: a document with a UTF-8 font, saved uncompressed, holds the
 * rewritten CMap and its dictionary names it; a second call changes nothing. */
START_TEST(libharu_document)
{
    static const char *const fonts[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                        "/usr/share/fonts/dejavu/DejaVuSans.ttf"};
    const char *font_path = NULL;
    for (size_t i = 0; i < sizeof fonts / sizeof fonts[0] && !font_path; i++)
        if (access(fonts[i], R_OK) == 0)
            font_path = fonts[i];
    ck_assert_msg(font_path != NULL, "DejaVuSans.ttf (fonts-dejavu-core) is needed, as for the report");
    HPDF_Doc doc = HPDF_New(NULL, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(HPDF_UseUTFEncodings(doc), HPDF_OK);
    const char *name = HPDF_LoadTTFontFromFile(doc, font_path, HPDF_TRUE);
    ck_assert_ptr_nonnull(name);
    HPDF_Font font = HPDF_GetFont(doc, name, "UTF-8");
    ck_assert_ptr_nonnull(font);
    HPDF_Page page = HPDF_AddPage(doc);
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, 10);
    HPDF_Page_ShowText(page, "Z\xC3\xBCrich \xE2\x80\x94 \xC5\x81\xC3\xB3\x64\xC5\xBA");
    HPDF_Page_EndText(page);
    vp_error e = {0};
    ck_assert_msg(vpr_pdf_cmap_fix(font, "test document", &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vpr_pdf_cmap_fix(font, "test document", &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(HPDF_SaveToStream(doc), HPDF_OK);
    HPDF_UINT32 size = HPDF_GetStreamSize(doc);
    char *pdf = malloc(size + 1);
    ck_assert_ptr_nonnull(pdf);
    HPDF_ResetStream(doc);
    HPDF_UINT32 n = size;
    ck_assert_int_eq(HPDF_ReadFromStream(doc, (HPDF_BYTE *)pdf, &n), HPDF_OK);
    ck_assert_uint_eq(n, size);
    pdf[size] = 0;
    for (HPDF_UINT32 i = 0; i < size; i++) /* the font program holds NULs: search as text */
        if (!pdf[i])
            pdf[i] = ' ';
    ck_assert_ptr_null(strstr(pdf, "begincidrange"));
    ck_assert_ptr_null(strstr(pdf, "notdefrange"));
    /* the CMap maps what the font draws, by its CIDToGIDMap: the text's characters, not a
     * control character nor a CJK ideograph (no glyph in DejaVu Sans) */
    char *cmap = strstr(pdf, "/CIDInit /ProcSet");
    ck_assert_ptr_nonnull(cmap);
    char *cmap_end = strstr(cmap, "endcmap\n");
    ck_assert_ptr_nonnull(cmap_end);
    cmap_end[strlen("endcmap\n")] = 0;
    decoded d;
    decode(cmap, &d);
    static const unsigned text[] = {'Z', 0xFC, 'r', ' ', 0x2014, 0x0141, 0xF3, 'd', 0x017A};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        ck_assert_msg(d.map[text[i]] == text[i], "U+%04X -> %04X", text[i], d.map[text[i]]);
    ck_assert_uint_eq(d.map[0x0001], NO_MAP);
    ck_assert_uint_eq(d.map[0x4E00], NO_MAP);
    cmap_end[strlen("endcmap\n")] = ' ';
    /* and the stream's dictionary: renamed, Ordering UCS, no writing mode */
    ck_assert_ptr_nonnull(strstr(pdf, "/CMapName /Adobe-Identity-UCS\n"));
    ck_assert_ptr_nonnull(strstr(pdf, "/Ordering (UCS)"));
    ck_assert_ptr_null(strstr(pdf, "/CMapName /UTF-8"));
    ck_assert_ptr_null(strstr(pdf, "/WMode"));
    /* one ToUnicode CMap (the second call found nothing to translate) */
    ck_assert_ptr_null(strstr(cmap + 1, "/CIDInit /ProcSet"));
    free(d.map);
    free(pdf);
    HPDF_Free(doc);
}
END_TEST

Suite *pdf_cmap_suite(void); /* declared here and in main.c: vp_test.h is shared */

Suite *pdf_cmap_suite(void)
{
    Suite *s = suite_create("pdf_cmap");
    TCase *t = tcase_create("to_unicode");
    tcase_add_test(t, whole_bmp_identity);
    tcase_add_test(t, ranges_split_exactly);
    tcase_add_test(t, only_drawn_codes);
    tcase_add_test(t, nothing_to_translate);
    tcase_add_test(t, malformed_is_refused);
    tcase_add_test(t, libharu_document);
    suite_add_tcase(s, t);
    return s;
}
