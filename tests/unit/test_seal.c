/* The recording seal (vaultproof/seal.h): which files are responses, the document
 * reader's checks, and writing a seal then checking a recording against it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vaultproof/fileio.h"
#include "vaultproof/keygen.h"
#include "vaultproof/seal.h"
#include "vp_test.h"

START_TEST(response_files)
{
    ck_assert(vp_seal_response_file("vaults.json"));
    ck_assert(vp_seal_response_file("subscriptions/s/vaults.meta.json"));
    ck_assert(!vp_seal_response_file(".vaultproof-seal/recording-seal.json"));
    ck_assert(!vp_seal_response_file("subscriptions/.hidden/vaults.json"));
    ck_assert(!vp_seal_response_file("subscriptions/.vaults.json"));
    ck_assert(!vp_seal_response_file("notes.txt"));
    ck_assert(!vp_seal_response_file("vaults.json.p7s"));
    ck_assert(!vp_seal_response_file(".json"));
}
END_TEST

#define HEAD                                                                                                    \
    "{\"format\":\"vaultproof-recording-seal/1\",\"tool\":{\"name\":\"vaultproof\",\"version\":\"0.1.0\","     \
    "\"commit\":\"abc\"},\"collector\":{\"principal\":\"p\",\"credential\":\"secret\",\"arm_endpoint\":null},"  \
    "\"capture\":{\"captured_from\":\"2026-09-30T02:00:01.120Z\",\"captured_to\":\"2026-09-30T02:03:00.480Z\"," \
    "\"first_date_header\":null,\"last_date_header\":null,\"requests\":7,\"complete\":false,"                   \
    "\"failed_calls\":1,\"error\":\"x\"},\"sealed_at\":\"2026-09-30T02:03:01Z\","                               \
    "\"clock\":{\"pinned\":false,\"source\":\"system clock\"},\"files\":["
#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FILE_ENTRY(path, size) "{\"path\":\"" path "\",\"size\":" #size ",\"sha256\":\"" H64 "\"}"

static vp_status parse(const char *text, vp_seal **out, vp_error *e)
{
    return vp_seal_parse("seal.json", text, strlen(text), out, e);
}

START_TEST(parse_reads_every_member)
{
    vp_seal *s = NULL;
    vp_error e = {0};
    ck_assert_msg(parse(HEAD FILE_ENTRY("a/b.json", 3) "," FILE_ENTRY("a/b.meta.json", 0) "," FILE_ENTRY("c.json", 9)
                            "]}",
                        &s, &e) == VP_OK,
                  "%s", e.message);
    ck_assert_str_eq(s->tool_version, "0.1.0");
    ck_assert_str_eq(s->principal, "p");
    ck_assert_ptr_null(s->arm_endpoint);
    ck_assert_str_eq(s->captured_from, "2026-09-30T02:00:01.120Z");
    ck_assert_str_eq(s->sealed_at, "2026-09-30T02:03:01Z");
    ck_assert_int_eq(s->complete, 0);
    ck_assert_int_eq(s->failed_calls, 1);
    ck_assert_int_eq(s->requests, 7);
    ck_assert_int_eq(s->clock_pinned, 0);
    ck_assert_uint_eq(s->file_count, 3);
    ck_assert_int_eq(vp_seal_find(s, "c.json")->size, 9);
    ck_assert_ptr_nonnull(vp_seal_find(s, "a/b.meta.json"));
    ck_assert_ptr_null(vp_seal_find(s, "b.json"));
    vp_seal_free(s);
}
END_TEST

START_TEST(parse_refuses_what_could_mislead)
{
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"{\"format\":\"vaultproof-recording-seal/2\"}", "/format"},
        {HEAD FILE_ENTRY("b.json", 1) "," FILE_ENTRY("a.json", 1) "]}", "sorted"},
        {HEAD FILE_ENTRY("a.json", 1) "," FILE_ENTRY("a.json", 1) "]}", "sorted"},
        {HEAD FILE_ENTRY("../a.json", 1) "]}", "/files/0/path"},
        {HEAD FILE_ENTRY("a/./b.json", 1) "]}", "/files/0/path"},
        {HEAD FILE_ENTRY("a//b.json", 1) "]}", "/files/0/path"},
        {HEAD FILE_ENTRY("/a.json", 1) "]}", "/files/0/path"},
        {HEAD FILE_ENTRY(".vaultproof-seal/x.json", 1) "]}", "/files/0/path"},
        {HEAD FILE_ENTRY("a.txt", 1) "]}", "/files/0/path"},
        {HEAD FILE_ENTRY("a.json", -1) "]}", "/files/0/size"},
        {HEAD "{\"path\":\"a.json\",\"size\":1,\"sha256\":\"ABCDEF\"}]}", "/files/0/sha256"},
        {HEAD "{\"path\":\"a.json\",\"size\":1,\"sha256\":\"" H64 "0\"}]}", "/files/0/sha256"},
        {HEAD "\"a.json\"]}", "/files/0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vp_seal *s = NULL;
        vp_error e = {0};
        ck_assert_msg(parse(bad[i].text, &s, &e) == VP_ERR_INPUT, "case %zu accepted", i);
        ck_assert_ptr_null(s);
        ck_assert_msg(strstr(e.message, bad[i].says) != NULL, "case %zu: %s", i, e.message);
    }
}
END_TEST

static void put(const char *dir, const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

START_TEST(write_then_check)
{
    char keys[] = "/tmp/vp-seal-keys-XXXXXX", rec[] = "/tmp/vp-seal-rec-XXXXXX", key[256], cert[256];
    vp_signer *signer = NULL;
    vp_error e = {0};
    vp_seal_loaded l;
    int present = -1;
    size_t sealed = 99;
    ck_assert_ptr_nonnull(mkdtemp(keys));
    ck_assert_ptr_nonnull(mkdtemp(rec));
    ck_assert_msg(vp_keygen(keys, (long long)time(NULL) - 60, &e) == VP_OK, "%s", e.message);
    snprintf(key, sizeof key, "%s/signer.key", keys);
    snprintf(cert, sizeof cert, "%s/signer.pem", keys);
    ck_assert_msg(vp_signer_load(key, cert, NULL, NULL, &signer, &e) == VP_OK, "%s", e.message);
    vp_seal_capture cap = {"p", "secret", NULL, 3, 0, NULL, {1790733600, 1, "--now"}};

    /* nothing recorded: no seal */
    ck_assert_int_eq(vp_seal_write(rec, NULL, &cap, signer, NULL, NULL, &sealed, &e), VP_OK);
    ck_assert_uint_eq(sealed, 0);
    ck_assert_int_eq(vp_seal_check_recording(rec, &l, &present, &e), VP_OK);
    ck_assert_int_eq(present, 0);

    put(rec, "s/vaults.json", "{\"value\":[]}");
    put(rec, "s/vaults.meta.json", "{\"requested_at\":\"2026-09-30T02:00:01.900Z\",\"received_at\":"
                                   "\"2026-09-30T02:00:02.100Z\",\"headers\":{\"date\":\"Wed, 30 Sep 2026 02:00:02 GMT\"}}");
    put(rec, "t.meta.json", "{\"requested_at\":\"2026-09-30T02:00:01.200Z\",\"received_at\":"
                            "\"2026-09-30T02:00:01.300Z\",\"headers\":{\"date\":\"Wed, 30 Sep 2026 02:00:01 GMT\"}}");
    put(rec, "notes.txt", "not a response");
    put(rec, ".hidden/x.json", "{}");
    ck_assert_msg(vp_seal_write(rec, NULL, &cap, signer, NULL, NULL, &sealed, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_eq(sealed, 3);
    ck_assert_msg(vp_seal_check_recording(rec, &l, &present, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(present, 1);
    ck_assert_uint_eq(l.seal->file_count, 3);
    ck_assert_str_eq(l.seal->files[0].path, "s/vaults.json");
    ck_assert_str_eq(l.seal->captured_from, "2026-09-30T02:00:01.200Z"); /* to the millisecond */
    ck_assert_str_eq(l.seal->captured_to, "2026-09-30T02:00:02.100Z");
    ck_assert_str_eq(l.seal->first_date, "2026-09-30T02:00:01Z");
    ck_assert_str_eq(l.seal->last_date, "2026-09-30T02:00:02Z");
    ck_assert_str_eq(l.seal->sealed_at, "2026-09-30T02:00:00Z");
    ck_assert_int_eq(l.seal->complete, 1);
    ck_assert_int_eq(l.seal->clock_pinned, 1);
    ck_assert_ptr_nonnull(strstr(l.signer_subject, "NOT FOR PRODUCTION"));
    vp_seal_loaded_free(&l);

    /* files that are no responses may change; a response may not */
    put(rec, "notes.txt", "changed");
    put(rec, ".hidden/x.json", "{\"changed\":1}");
    ck_assert_msg(vp_seal_check_recording(rec, &l, &present, &e) == VP_OK, "%s", e.message);
    vp_seal_loaded_free(&l);
    put(rec, "s/vaults.json", "{\"value\":[1]}");
    ck_assert_int_eq(vp_seal_check_recording(rec, &l, &present, &e), VP_ERR_CHECK);
    ck_assert_ptr_nonnull(strstr(e.message, "/s/vaults.json: size differs from the seal"));
    ck_assert_ptr_nonnull(strstr(e.message, "the recording was changed after it was sealed"));
    ck_assert_ptr_null(l.seal);

    /* a seal directory without its signature seals nothing */
    char sig[1024];
    snprintf(sig, sizeof sig, "%s/" VP_SEAL_DIR "/" VP_SEAL_SIG, rec);
    ck_assert_int_eq(unlink(sig), 0);
    ck_assert_int_eq(vp_seal_check_recording(rec, &l, &present, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "seal is incomplete"));

    /* a symlink where a response could be is refused when sealing */
    char link[1024];
    snprintf(link, sizeof link, "%s/u.json", rec);
    ck_assert_int_eq(symlink("/etc/hostname", link), 0);
    ck_assert_int_eq(vp_seal_write(rec, NULL, &cap, signer, NULL, NULL, &sealed, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "u.json: not a regular file"));

    vp_signer_free(signer);
    ck_assert_int_eq(vp_remove_tree(rec, &e), VP_OK);
    ck_assert_int_eq(vp_remove_tree(keys, &e), VP_OK);
}
END_TEST

Suite *seal_suite(void); /* tests/unit/main.c runs it */
Suite *seal_suite(void)
{
    Suite *s = suite_create("seal");
    TCase *tc = tcase_create("seal");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, response_files);
    tcase_add_test(tc, parse_reads_every_member);
    tcase_add_test(tc, parse_refuses_what_could_mislead);
    tcase_add_test(tc, write_then_check);
    suite_add_tcase(s, tc);
    return s;
}
