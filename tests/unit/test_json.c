#include <stdlib.h>
#include <string.h>

#include "vaultproof/json.h"
#include "vaultproof/jsonw.h"
#include "vp_test.h"

static vp_status parse(const char *text, size_t len, vp_error *err)
{
    cJSON *root = NULL;
    vp_status st = vp_json_parse("t.json", text, len, &root, err);
    cJSON_Delete(root);
    return st;
}

#define PARSE_FAILS(text, fragment)                                                                          \
    do {                                                                                                     \
        vp_error e_ = {0};                                                                                   \
        ck_assert_int_eq(parse(text, sizeof(text) - 1, &e_), VP_ERR_INPUT);                                  \
        ck_assert_msg(strstr(e_.message, fragment), "message '%s' lacks '%s'", e_.message, fragment);        \
        ck_assert_msg(strstr(e_.message, "t.json"), "message '%s' lacks the file", e_.message);              \
    } while (0)

START_TEST(accepts_valid_and_bom)
{
    vp_error e = {0};
    const char *plain = "{\"a\": [1, 2, {\"b\": null}]}", *bom = "\xef\xbb\xbf{\"z\": \"Z\xc3\xbcrich\"}";
    ck_assert_int_eq(parse(plain, strlen(plain), &e), VP_OK);
    ck_assert_int_eq(parse(bom, strlen(bom), &e), VP_OK);
}
END_TEST

START_TEST(rejects_bad_documents)
{
    PARSE_FAILS("", "empty file");
    PARSE_FAILS("  \n ", "empty file");
    PARSE_FAILS("{\"value\": [1, 2", "truncated");
    PARSE_FAILS("{\"a\": 1}\n{\"b\": 2}", ":2:1: unexpected data");
    PARSE_FAILS("{\"a\": \"\xff\"}", "invalid UTF-8 byte 0xff");
    PARSE_FAILS("{\"a\": \"\xc0\xaf\"}", "invalid UTF-8"); /* overlong '/' */
    PARSE_FAILS("{\"a\": \"\xed\xa0\x80\"}", "invalid UTF-8"); /* surrogate */
    PARSE_FAILS("{\"a\": 1, \"a\": 2}", "/a: duplicate object key");
    PARSE_FAILS("{\"x\": [{\"k\": 1, \"k\": 1}]}", "/x/0/k: duplicate object key");
    PARSE_FAILS("{\"a\" 1}", ":1:6: malformed JSON");
    PARSE_FAILS("{\"a\": \"x\ty\"}", ":1:9: /a: unescaped control byte 0x09");
    PARSE_FAILS("[1]\0garbage", ":1:4: (document root): NUL byte");
}
END_TEST

/* RFC 8259 forms cJSON reads wrongly or too leniently, each rejected before cJSON sees
 * it, naming line, column and the JSON pointer of the value. */
START_TEST(rejects_lenient_forms)
{
    /* strings: cJSON would cut at \u0000 and read a bad \u escape as U+0000 */
    PARSE_FAILS("{\"state\": \"Locked\\u0000 (not really: Unlocked)\"}", "t.json:1:18: /state: escaped NUL (\\u0000)");
    PARSE_FAILS("{\"s\": \"a\\uZZZZb\"}", "t.json:1:9: /s: invalid escape '\\uZZZZ'");
    PARSE_FAILS("{\"s\": \"\\u12\"}", "/s: invalid escape");
    PARSE_FAILS("{\"s\": \"\\x41\"}", "/s: invalid escape '\\x'");
    PARSE_FAILS("{\"s\": \"\\uD800\"}", "/s: lone high surrogate \\uD800");
    PARSE_FAILS("{\"s\": \"\\uD800x\"}", "/s: lone high surrogate \\uD800");
    PARSE_FAILS("{\"s\": \"\\uD800\\u0041\"}", "/s: lone high surrogate \\uD800");
    PARSE_FAILS("{\"s\": \"\\uDC00\"}", "/s: lone low surrogate \\uDC00");
    PARSE_FAILS("{\"s\": [\"ok\", \"\\uDFFF\\uD800\"]}", "/s/1: lone low surrogate \\uDFFF");
    PARSE_FAILS("{\"s\": \"a\x01\"}", "/s: unescaped control byte 0x01");
    PARSE_FAILS("{\"s\": \"a\x1f\"}", "/s: unescaped control byte 0x1f");
    PARSE_FAILS("{\"s\": \"\xe2\x82\"}", "/s: invalid UTF-8");         /* cut short */
    PARSE_FAILS("{\"s\": \"\xf4\x90\x80\x80\"}", "/s: invalid UTF-8"); /* above U+10FFFF */
    PARSE_FAILS("{\"k\\u0000\": 1}", "(document root): escaped NUL"); /* in a key: the object's pointer */
    PARSE_FAILS("{\"a/b~\": {\"x\": \"\\u0000\"}}", "/a~1b~0/x: escaped NUL");
    PARSE_FAILS("{\"\\u00e9\\n\": \"\\u0000\"}", "/\xc3\xa9\n: escaped NUL"); /* escaped key, decoded */

    /* numbers (RFC 8259 section 6) */
    PARSE_FAILS("{\"n\": 01}", "t.json:1:7: /n: number with a leading zero");
    PARSE_FAILS("{\"n\": -01}", "/n: number with a leading zero");
    PARSE_FAILS("{\"n\": 00}", "/n: number with a leading zero");
    PARSE_FAILS("{\"n\": 1.}", "/n: number without digits after '.'");
    PARSE_FAILS("{\"n\": 1.e5}", "/n: number without digits after '.'");
    PARSE_FAILS("{\"n\": -.5}", "/n: '-' without digits");
    PARSE_FAILS("{\"n\": .5}", "/n: '.' outside a string");
    PARSE_FAILS("{\"n\": +1}", "/n: '+' outside a string");
    PARSE_FAILS("{\"n\": -}", "/n: '-' without digits");
    PARSE_FAILS("{\"n\": 1e}", "/n: number without digits in its exponent");
    PARSE_FAILS("{\"n\": 1e+}", "/n: number without digits in its exponent");
    PARSE_FAILS("{\"n\": 1.5.2}", "/n: malformed number");
    PARSE_FAILS("{\"n\": 1e5e5}", "/n: malformed number");
    PARSE_FAILS("{\"n\": 1e999}", "/n: number 1e999 is out of range");
    PARSE_FAILS("{\"n\": -1.5E+400}", "/n: number -1.5E+400 is out of range");
    PARSE_FAILS("[0, [1, 2, 3e9999]]", "t.json:1:12: /1/2: number 3e9999 is out of range");
    PARSE_FAILS("{\"n\": 1234567890123456789012345678901234567890123456789012345678901234}",
                "/n: number of 64 characters; expected at most 63");
    PARSE_FAILS("1.", "(document root): number without digits after '.'");
}
END_TEST

START_TEST(accepts_rfc8259_forms)
{
    static const char *const ok[] = {
        "{\"s\": \"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\uFFFF\"}",
        "{\"s\": \"\\uD83D\\uDE00 \\ud800\\udc00 \\uDBFF\\uDFFF\"}", /* surrogate pairs */
        "{\"s\": \"\xf0\x9f\x98\x80 \xc3\xa9 \xef\xbf\xbf \x7f\"}",   /* raw UTF-8 and DEL */
        "{\"k\\u0041\": \"x\"}",
        "[0, -0, 1, -1, 10, 0.5, -0.0, 1.25, 1e5, 1E5, 1e+5, 1e-5, 0e0, -0.5e-3, 1.7976931348623157e308]",
        "[1e-400, 123456789012345678901234567890]", /* underflow to 0 and imprecision are fine */
        "[]", "{}", "[true, false, null]", "0", "-1.5e3", "\"text\"",
        "{\"a\":{\"b\":[{\"c\":-2}]}}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        vp_error e = {0};
        cJSON *root = NULL;
        ck_assert_msg(vp_json_parse("t.json", ok[i], strlen(ok[i]), &root, &e) == VP_OK, "%s rejected: %s", ok[i],
                      e.message);
        cJSON_Delete(root);
    }
    /* what cJSON makes of the accepted escapes and numbers is what they say */
    cJSON *root = NULL;
    vp_error e = {0};
    const char *t = "{\"s\": \"a\\u00e9\\uD83D\\uDE00\", \"n\": -0.5e-3}";
    ck_assert_int_eq(vp_json_parse("t.json", t, strlen(t), &root, &e), VP_OK);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "s")->valuestring, "a\xc3\xa9\xf0\x9f\x98\x80");
    ck_assert(cJSON_GetObjectItem(root, "n")->valuedouble == -0.0005);
    cJSON_Delete(root);
}
END_TEST

START_TEST(rejects_deep_nesting_and_huge_strings)
{
    size_t depth = VP_JSON_MAX_DEPTH + 5, big = VP_JSON_MAX_STRING + 10;
    char *deep = malloc(2 * depth + 1), *huge = malloc(big + 16);
    vp_error e = {0};
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    ck_assert_int_eq(parse(deep, 2 * depth, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "nesting deeper than"));
    strcpy(huge, "{\"a\": \"");
    memset(huge + 7, 'x', big);
    strcpy(huge + 7 + big, "\"}");
    ck_assert_int_eq(parse(huge, strlen(huge), &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "expected at most 1048576 bytes"));
    free(deep);
    free(huge);
}
END_TEST

START_TEST(typed_reader_reports_path)
{
    cJSON *root = NULL;
    vp_error e = {0};
    const char *text = "{\"p\": {\"n\": \"x\", \"big\": 1e300, \"frac\": 2.5, \"ok\": 7, \"nul\": null}}";
    ck_assert_int_eq(vp_json_parse("f.json", text, strlen(text), &root, &e), VP_OK);
    const cJSON *p = cJSON_GetObjectItem(root, "p");
    long long v = 0;
    const char *s = NULL;

    vp_jreader r = {.file = "f.json", .err = &e, .status = VP_OK};
    ck_assert_int_eq(vp_jr_int(&r, p, "/p", "ok", 0, 10, &v), VP_PRESENT);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(vp_jr_int(&r, p, "/p", "missing", 0, 10, &v), VP_ABSENT);
    ck_assert_int_eq(vp_jr_string(&r, p, "/p", "nul", &s), VP_NULL);
    ck_assert_int_eq(r.status, VP_OK);

    ck_assert_int_eq(vp_jr_int(&r, p, "/p", "n", 0, 10, &v), VP_ABSENT);
    ck_assert_int_eq(r.status, VP_ERR_INPUT);
    ck_assert_str_eq(e.message, "f.json: /p/n: expected an integer, found a string");

    vp_jreader r2 = {.file = "f.json", .err = &e, .status = VP_OK};
    vp_jr_int(&r2, p, "/p", "big", 0, 10, &v);
    ck_assert_ptr_nonnull(strstr(e.message, "/p/big: expected an integer from 0 to 10"));
    vp_jreader r3 = {.file = "f.json", .err = &e, .status = VP_OK};
    vp_jr_int(&r3, p, "/p", "frac", 0, 10, &v);
    ck_assert_ptr_nonnull(strstr(e.message, "/p/frac"));
    cJSON_Delete(root);
}
END_TEST

/* One reader per expected failure: errors are sticky. */
#define REQ_FAILS(call, msg)                                                                             \
    do {                                                                                                     \
        vp_error e_ = {0};                                                                                   \
        vp_jreader r = {.file = "f.json", .err = &e_, .status = VP_OK};                                      \
        (void)(call);                                                                                        \
        ck_assert_int_eq(r.status, VP_ERR_INPUT);                                                            \
        ck_assert_str_eq(e_.message, msg);                                                                   \
    } while (0)

START_TEST(required_members)
{
    cJSON *root = NULL;
    vp_error e = {0};
    const char *text = "{\"p\": {\"s\": \"x\", \"empty\": \"\", \"n\": 3, \"b\": true, \"o\": {}, \"a\": [], \"nul\": null}}";
    ck_assert_int_eq(vp_json_parse("f.json", text, strlen(text), &root, &e), VP_OK);
    const cJSON *p = cJSON_GetObjectItem(root, "p");
    long long v = 0;

    vp_jreader ok = {.file = "f.json", .err = &e, .status = VP_OK};
    ck_assert_str_eq(vp_jr_req_string(&ok, p, "/p", "s"), "x");
    ck_assert_str_eq(vp_jr_req_string(&ok, p, "/p", "empty"), "");
    ck_assert_str_eq(vp_jr_req_nonempty(&ok, p, "/p", "s"), "x");
    ck_assert_int_eq(vp_jr_req_int(&ok, p, "/p", "n", 0, 5, &v), VP_OK);
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(vp_jr_req_bool(&ok, p, "/p", "b"), 1);
    ck_assert_ptr_nonnull(vp_jr_req_object(&ok, p, "/p", "o"));
    ck_assert_ptr_nonnull(vp_jr_req_array(&ok, p, "/p", "a"));
    ck_assert_int_eq(ok.status, VP_OK);

    REQ_FAILS(vp_jr_req_string(&r, p, "/p", "gone"), "f.json: /p/gone: expected a string, found nothing");
    REQ_FAILS(vp_jr_req_string(&r, p, "/p", "nul"), "f.json: /p/nul: expected a string, found null");
    REQ_FAILS(vp_jr_req_string(&r, p, "/p", "n"), "f.json: /p/n: expected a string, found a number");
    REQ_FAILS(vp_jr_req_nonempty(&r, p, "/p", "empty"), "f.json: /p/empty: expected a non-empty string, found a string");
    REQ_FAILS(vp_jr_req_nonempty(&r, p, "/p", "gone"), "f.json: /p/gone: expected a non-empty string, found nothing");
    REQ_FAILS(vp_jr_req_nonempty(&r, p, "/p", "o"), "f.json: /p/o: expected a string, found an object");
    REQ_FAILS(vp_jr_req_int(&r, p, "/p", "gone", 0, 5, &v), "f.json: /p/gone: expected an integer, found nothing");
    REQ_FAILS(vp_jr_req_int(&r, p, "/p", "n", 0, 2, &v), "f.json: /p/n: expected an integer from 0 to 2, found 3");
    REQ_FAILS(vp_jr_req_bool(&r, p, "/p", "nul"), "f.json: /p/nul: expected a boolean, found null");
    REQ_FAILS(vp_jr_req_object(&r, p, "/p", "a"), "f.json: /p/a: expected an object, found an array");
    REQ_FAILS(vp_jr_req_array(&r, p, "/p", "gone"), "f.json: /p/gone: expected an array, found nothing");
    REQ_FAILS(vp_jr_req_object(&r, NULL, "/q", "x"), "f.json: /q/x: expected an object, found nothing");

    /* after an error nothing is looked at, and the first message stays */
    vp_jreader r = {.file = "f.json", .err = &e, .status = VP_OK};
    ck_assert_ptr_null(vp_jr_req_string(&r, p, "/p", "gone"));
    ck_assert_ptr_null(vp_jr_req_string(&r, p, "/p", "s"));
    ck_assert_str_eq(e.message, "f.json: /p/gone: expected a string, found nothing");
    cJSON_Delete(root);
}
END_TEST

START_TEST(pointer_escaping)
{
    char buf[64];
    ck_assert_str_eq(vp_json_pointer_join(buf, sizeof buf, "/a", "b/c~d"), "/a/b~1c~0d");
    ck_assert_str_eq(vp_json_pointer_index(buf, sizeof buf, "/value", 12), "/value/12");
}
END_TEST

START_TEST(writer_is_canonical)
{
    char *buf = NULL;
    size_t len = 0;
    vp_error e = {0};
    FILE *fp = open_memstream(&buf, &len);
    vp_jsonw w;
    vp_jw_init(&w, fp);
    vp_jw_object(&w, VP_JW_PRETTY);
    vp_jw_kstring(&w, "s", "q\"\\\n\x01Zürich");
    vp_jw_key(&w, "a");
    vp_jw_array(&w, VP_JW_PRETTY);
    vp_jw_object(&w, VP_JW_COMPACT);
    vp_jw_kint(&w, "n", -3);
    vp_jw_kbool(&w, "b", 1);
    vp_jw_kstring(&w, "z", NULL);
    vp_jw_end(&w);
    vp_jw_end(&w);
    vp_jw_end(&w);
    ck_assert_int_eq(vp_jw_finish(&w, "mem", &e), VP_OK);
    fclose(fp);
    ck_assert_str_eq(buf, "{\n  \"s\": \"q\\\"\\\\\\n\\u0001Zürich\",\n  \"a\": [\n    {\"n\":-3,\"b\":true,\"z\":null}\n  ]\n}\n");
    free(buf);
}
END_TEST

Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, accepts_valid_and_bom);
    tcase_add_test(tc, rejects_bad_documents);
    tcase_add_test(tc, rejects_lenient_forms);
    tcase_add_test(tc, accepts_rfc8259_forms);
    tcase_add_test(tc, rejects_deep_nesting_and_huge_strings);
    tcase_add_test(tc, typed_reader_reports_path);
    tcase_add_test(tc, required_members);
    tcase_add_test(tc, pointer_escaping);
    tcase_add_test(tc, writer_is_canonical);
    suite_add_tcase(s, tc);
    return s;
}
