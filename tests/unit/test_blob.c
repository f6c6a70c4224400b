/* The blob module's pure parts: archive URLs (Azure and path-style), the URL of a blob,
 * the names a listing may hold, the listing's XML text, what counts as a locked policy. */
#include <stdlib.h>
#include <string.h>

#include "blob/internal.h"
#include "vaultproof/azclient.h"
#include "vaultproof/blob.h"
#include "vp_test.h"

static vp_blob_url parse_ok(const char *url)
{
    vp_blob_url u;
    vp_error e = {0};
    ck_assert_msg(vp_blob_url_parse(url, &u, &e) == VP_OK, "%s: %s", url, e.message);
    return u;
}

static void parse_refused(const char *url, const char *words)
{
    vp_blob_url u;
    vp_error e = {0};
    ck_assert_msg(vp_blob_url_parse(url, &u, &e) == VP_ERR_USAGE, "%s accepted", url);
    ck_assert_msg(strstr(e.message, words) != NULL, "%s: '%s' lacks '%s'", url, e.message, words);
}

START_TEST(azure_url)
{
    vp_blob_url u = parse_ok("https://contosoevidence.blob.core.windows.net/evidence/q3/contoso/");
    char out[2048], label[2048];
    vp_error e = {0};
    ck_assert_str_eq(u.account, "contosoevidence");
    ck_assert_str_eq(u.container, "evidence");
    ck_assert_str_eq(u.prefix, "q3/contoso");
    ck_assert_str_eq(u.base, "https://contosoevidence.blob.core.windows.net");
    ck_assert_int_eq(u.path_style, 0);
    ck_assert_int_eq(vp_blob_url_of(&u, "ledger.jsonl.sig/000001.p7s", out, sizeof out, &e), VP_OK);
    ck_assert_str_eq(out, "https://contosoevidence.blob.core.windows.net/evidence/q3/contoso/ledger.jsonl.sig/000001.p7s");
    ck_assert_int_eq(vp_blob_url_of(&u, "a b+c", out, sizeof out, &e), VP_OK);
    ck_assert_str_eq(out, "https://contosoevidence.blob.core.windows.net/evidence/q3/contoso/a%20b%2Bc");
    vp_blob_url_label(&u, label, sizeof label);
    ck_assert_str_eq(label, "https://contosoevidence.blob.core.windows.net/evidence/q3/contoso");
    /* another cloud's suffix, no prefix */
    u = parse_ok("https://acct01.blob.core.usgovcloudapi.net/c01");
    ck_assert_str_eq(u.prefix, "");
    ck_assert_int_eq(vp_blob_url_of(&u, "x.tar.gz", out, sizeof out, &e), VP_OK);
    ck_assert_str_eq(out, "https://acct01.blob.core.usgovcloudapi.net/c01/x.tar.gz");
}
END_TEST

START_TEST(path_style_url)
{
    vp_blob_url u = parse_ok("https://127.0.0.1:10000/devstoreaccount1/evidence-locked/p");
    ck_assert_int_eq(u.path_style, 1);
    ck_assert_str_eq(u.account, "devstoreaccount1");
    ck_assert_str_eq(u.container, "evidence-locked");
    ck_assert_str_eq(u.base, "https://127.0.0.1:10000/devstoreaccount1");
    u = parse_ok("https://localhost:8443/devstoreaccount1/abc");
    ck_assert_int_eq(u.path_style, 1);
    ck_assert_str_eq(u.prefix, "");
    u = parse_ok("https://[::1]:10000/devstoreaccount1/abc/x");
    ck_assert_int_eq(u.path_style, 1);
    ck_assert_str_eq(u.base, "https://[::1]:10000/devstoreaccount1");
}
END_TEST

START_TEST(urls_refused)
{
    parse_refused("http://acct.blob.core.windows.net/c01/p", "https only");
    parse_refused("https://acct.blob.core.windows.net/c01/p?sv=2021-08-06&sig=x", "query");
    parse_refused("https://acct.blob.core.windows.net/c01/p#frag", "query or fragment");
    parse_refused("https://user@acct.blob.core.windows.net/c01/p", "user information");
    parse_refused("https://acct.file.core.windows.net/c01/p", "<account>.blob.");
    parse_refused("https://Acct.blob.core.windows.net/c01/p", "lowercase");
    parse_refused("https://acct.blob.core.windows.net/ab/p", "container name");
    parse_refused("https://acct.blob.core.windows.net/a--b/p", "container name");
    parse_refused("https://acct.blob.core.windows.net/-ab/p", "container name");
    parse_refused("https://acct.blob.core.windows.net/", "container name");
    parse_refused("https://acct.blob.core.windows.net/c01/a/../b", "'..'");
    parse_refused("https://acct.blob.core.windows.net/c01/a//b", "single '/'");
    parse_refused("https://acct.blob.core.windows.net/c01/a%2e%2e", "segments of letters");
    parse_refused("https://acct.blob.core.windows.net/c01/a b", "segments of letters");
    parse_refused("https://127.0.0.1:10000/C/c01", "path-style");
    parse_refused("https://127.0.0.1:10000/devstoreaccount1", "container name");
    parse_refused(NULL, "https://");
}
END_TEST

START_TEST(listing_names)
{
    static const char *const ok[] = {"a.tar.gz", "ledger/ledger.000001.jsonl", "x..y", "...", "a.b/c d"};
    static const char *const bad[] = {"", "..", ".", "../x", "a/../b", "a/..", "/abs", "a\\b", "a//b", "a/./b",
                                      "a/", "a\x01"};
    vp_error e = {0};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert_msg(vp_blob_check_name(ok[i], &e) == VP_OK, "%s: %s", ok[i], e.message);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(vp_blob_check_name(bad[i], &e) == VP_ERR_CHECK, "'%s' accepted", bad[i]);
        ck_assert_ptr_nonnull(strstr(e.message, "refused"));
    }
    /* a control character is shown escaped, never raw */
    vp_blob_check_name("a\x01", &e);
    ck_assert_ptr_nonnull(strstr(e.message, "a\\x01"));
}
END_TEST

START_TEST(listing_xml)
{
    const char *doc = "<Blobs><Blob><Name>p/a&amp;b&#x2F;..&lt;</Name></Blob><Blob><Name>x</Name></Blob></Blobs>"
                      "<NextMarker />";
    const char *after = NULL;
    char *t = vpb_xml_text(doc, doc + strlen(doc), "Name", &after);
    ck_assert_str_eq(t, "p/a&b/..<");
    free(t);
    t = vpb_xml_text(after, doc + strlen(doc), "Name", NULL);
    ck_assert_str_eq(t, "x");
    free(t);
    t = vpb_xml_text(doc, doc + strlen(doc), "NextMarker", NULL);
    ck_assert_str_eq(t, "");
    free(t);
    ck_assert_ptr_null(vpb_xml_text(doc, doc + 10, "Name", NULL)); /* not closed before the limit */
}
END_TEST

START_TEST(locked_policy)
{
    vp_blob_immutability p = {1, "Locked", 2555, 0, 0};
    ck_assert(vp_blob_immutability_locked(&p));
    strcpy(p.state, "Unlocked");
    ck_assert(!vp_blob_immutability_locked(&p));
    strcpy(p.state, "Locked");
    p.days = 0;
    ck_assert(!vp_blob_immutability_locked(&p));
    ck_assert_str_eq(vp_az_cloud_arm(NULL), "https://management.azure.com");
    ck_assert_ptr_null(vp_az_cloud_arm("Mars"));
}
END_TEST

Suite *blob_suite(void)
{
    Suite *s = suite_create("blob");
    TCase *tc = tcase_create("urls");
    tcase_add_test(tc, azure_url);
    tcase_add_test(tc, path_style_url);
    tcase_add_test(tc, urls_refused);
    tcase_add_test(tc, listing_names);
    tcase_add_test(tc, listing_xml);
    tcase_add_test(tc, locked_policy);
    suite_add_tcase(s, tc);
    return s;
}
