/* The evidence ledger: chaining, tamper detection, torn writes, crash leftovers. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/fileio.h"
#include "vaultproof/ledger.h"
#include "vp_test.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct {
    char dir[64];
    char path[128];
} ledger_fixture;

static void fixture_open(ledger_fixture *f)
{
    strcpy(f->dir, "/tmp/vp_ledger_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/ledger.jsonl", f->dir);
}

static void fixture_close(ledger_fixture *f)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A plausible entry number i: distinct hashes and names. */
static vp_ledger_entry sample(int i)
{
    vp_ledger_entry e;
    memset(&e, 0, sizeof e);
    e.time = 1790733600LL + (i - 1) * 86400LL; /* the first on 2026-09-30T02:00:00Z */
    snprintf(e.bundle, sizeof e.bundle, "evidence-2026-Q3-%d.tar.gz", i);
    vp_sha256_hex(e.bundle, strlen(e.bundle), e.bundle_sha256);
    e.bundle_bytes = 1000 + i;
    vp_sha256_hex(&i, sizeof i, e.manifest_sha256);
    if (i % 2)
        strcpy(e.period, "2026-Q3");
    if (i == 2)
        strcpy(e.request_id, "PBC-17 \"caf\xc3\xa9\"");
    strcpy(e.result, i == 3 ? "fail" : "pass");
    return e;
}

static void append_n(const char *path, int n)
{
    vp_error err = {0};
    for (int i = 1; i <= n; i++) {
        vp_ledger_entry e = sample(i);
        ck_assert_msg(vp_ledger_append(path, &e, NULL, &err) == VP_OK, "%s", err.message);
    }
}

/* not inlined: GCC 12 at -O3 then takes the returned buffer for the local it was read through (-Wdangling-pointer) */
__attribute__((noinline)) static char *slurp(const char *path, size_t *len)
{
    char *data;
    vp_error err = {0};
    ck_assert_msg(vp_read_file(path, &data, len, &err) == VP_OK, "%s", err.message);
    return data;
}

static void put(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

/* Start of line n (1-based) in data. */
static const char *line_at(const char *data, int n)
{
    for (int i = 1; i < n; i++)
        data = strchr(data, '\n') + 1;
    return data;
}

static size_t line_len(const char *line)
{
    return (size_t)(strchr(line, '\n') + 1 - line);
}

/* Verify must fail with VP_ERR_CHECK on line bad_line (0: any line). */
static void expect_broken(const char *path, long long bad_line, const char *needle)
{
    vp_error err = {0};
    vp_ledger_report rep;
    ck_assert_int_eq(vp_ledger_verify(path, &rep, &err), VP_ERR_CHECK);
    if (bad_line)
        ck_assert_int_eq(rep.bad_line, bad_line);
    else
        ck_assert_int_gt(rep.bad_line, 0);
    char want[32];
    snprintf(want, sizeof want, "line %lld", rep.bad_line);
    ck_assert_msg(strstr(err.message, want), "%s", err.message);
    if (needle)
        ck_assert_msg(strstr(err.message, needle), "%s", err.message);
}

START_TEST(test_ledger_append_verify_find)
{
    ledger_fixture f;
    vp_error err = {0};
    vp_ledger_report rep;
    vp_ledger_entry got, e2 = sample(2);
    struct stat sb;
    fixture_open(&f);
    append_n(f.path, 3);

    ck_assert_msg(vp_ledger_verify(f.path, &rep, &err) == VP_OK, "%s", err.message);
    ck_assert_int_eq(rep.entries, 3);
    ck_assert_int_eq(rep.bad_line, 0);
    ck_assert_int_eq(rep.last.seq, 3);
    ck_assert_str_eq(rep.last.result, "fail");
    ck_assert_int_eq(stat(f.path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0644);

    /* The documented rules, recomputed by hand: prev and entry_sha256. */
    size_t len;
    char *data = slurp(f.path, &len);
    char hex[65], tmp[2048];
    ck_assert_ptr_nonnull(strstr(line_at(data, 1), "\"prev\":\"" ZEROS "\""));
    for (int n = 2; n <= 3; n++) {
        const char *prev = line_at(data, n - 1), *line = line_at(data, n);
        vp_sha256_hex(prev, line_len(prev), hex);
        char want[80];
        snprintf(want, sizeof want, "\"prev\":\"%s\"", hex);
        ck_assert_ptr_nonnull(strstr(line, want));
    }
    const char *l3 = line_at(data, 3);
    size_t n3 = line_len(l3);
    ck_assert_uint_lt(n3, sizeof tmp);
    memcpy(tmp, l3, n3);
    tmp[n3] = '\0';
    char *eh = strstr(tmp, "\"entry_sha256\":\"") + 16;
    ck_assert_str_eq(eh + 64, "\"}\n"); /* the last member, as documented */
    memcpy(eh, ZEROS, 64);
    vp_sha256_hex(tmp, n3, hex);
    ck_assert_str_eq(rep.last.entry_sha256, hex);
    ck_assert_int_eq(len, (size_t)(l3 + n3 - data));
    /* Compact canonical form, fixed member order, null for an absent period. */
    const char *head = "{\"format\":\"vaultproof-ledger/1\",\"seq\":1,\"time\":\"2026-09-30T02:00:00Z\","
                       "\"bundle\":\"evidence-2026-Q3-1.tar.gz\",\"bundle_sha256\":\"";
    ck_assert_int_eq(strncmp(data, head, strlen(head)), 0);
    ck_assert_ptr_nonnull(strstr(line_at(data, 2), "\"period\":null,\"request_id\":\"PBC-17 \\\"caf\xc3\xa9\\\"\""));
    free(data);

    ck_assert_msg(vp_ledger_find(f.path, e2.bundle_sha256, &got, &err) == VP_OK, "%s", err.message);
    ck_assert_int_eq(got.seq, 2);
    ck_assert_str_eq(got.bundle, e2.bundle);
    ck_assert_str_eq(got.request_id, e2.request_id);
    ck_assert_str_eq(got.period, "");
    ck_assert_int_eq(got.time, e2.time);
    ck_assert_int_eq(vp_ledger_find(f.path, ZEROS, &got, &err), VP_ERR_CHECK);
    ck_assert_int_eq(vp_ledger_find(f.path, "abc", &got, &err), VP_ERR_USAGE);
    fixture_close(&f);
}
END_TEST

START_TEST(test_ledger_empty_and_missing)
{
    ledger_fixture f;
    vp_error err = {0};
    vp_ledger_report rep;
    fixture_open(&f);
    ck_assert_int_eq(vp_ledger_verify(f.path, &rep, &err), VP_ERR_INPUT);
    put(f.path, "", 0);
    ck_assert_int_eq(vp_ledger_verify(f.path, &rep, &err), VP_OK);
    ck_assert_int_eq(rep.entries, 0);
    ck_assert_str_eq(rep.head_sha256, ZEROS);
    append_n(f.path, 1); /* an existing empty ledger is appended to like a new one */
    ck_assert_int_eq(vp_ledger_verify(f.path, &rep, &err), VP_OK);
    ck_assert_int_eq(rep.entries, 1);
    fixture_close(&f);
}
END_TEST

START_TEST(test_ledger_reorder_detected)
{
    ledger_fixture f;
    size_t len;
    fixture_open(&f);
    append_n(f.path, 3);
    char *data = slurp(f.path, &len), *out = malloc(len);
    const char *l2 = line_at(data, 2), *l3 = line_at(data, 3);
    size_t n1 = (size_t)(l2 - data), n2 = line_len(l2), n3 = line_len(l3);
    memcpy(out, data, n1);
    memcpy(out + n1, l3, n3);
    memcpy(out + n1 + n3, l2, n2);
    put(f.path, out, len);
    expect_broken(f.path, 2, "seq");
    free(out);
    free(data);
    fixture_close(&f);
}
END_TEST

START_TEST(test_ledger_truncation)
{
    ledger_fixture f;
    size_t len;
    vp_error err = {0};
    vp_ledger_report rep;
    fixture_open(&f);
    append_n(f.path, 3);
    char *data = slurp(f.path, &len);

    put(f.path, data, len - 1); /* the final newline lost */
    expect_broken(f.path, 3, "partial");
    put(f.path, data, len - 40); /* a torn last line */
    expect_broken(f.path, 3, "partial");
    put(f.path, data, (size_t)(line_at(data, 3) - data) + 1); /* one byte of line 3 */
    expect_broken(f.path, 3, NULL);

    /* Whole trailing lines removed: still a valid (shorter) ledger; only an external
     * anchor can tell (see docs/ledger-format.md). */
    put(f.path, data, (size_t)(line_at(data, 3) - data));
    ck_assert_int_eq(vp_ledger_verify(f.path, &rep, &err), VP_OK);
    ck_assert_int_eq(rep.entries, 2);
    free(data);
    fixture_close(&f);
}
END_TEST

START_TEST(test_ledger_every_byte_flip_detected)
{
    ledger_fixture f;
    size_t len;
    vp_error err = {0};
    fixture_open(&f);
    append_n(f.path, 2);
    char *data = slurp(f.path, &len), *copy = malloc(len);
    int tried = 0;
    /* each flipped copy overwrites the file in place: a truncating rewrite frees and
     * reallocates its blocks every time, which on a disk mounted with discard cost more
     * than the verification itself (8 rewrites per byte) */
    int fd = open(f.path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, data, len);
            copy[i] = (char)(copy[i] ^ (1 << bit));
            /* ck_abort only on failure: every ck_assert also logs its location to Check */
            if (pwrite(fd, copy, len, 0) != (ssize_t)len)
                ck_abort_msg("rewrite of %s failed", f.path);
            vp_status st = vp_ledger_verify(f.path, NULL, &err);
            if (st != VP_ERR_CHECK)
                ck_abort_msg("flip of bit %d at byte %zu passed (%d)", bit, i, (int)st);
            tried++;
        }
    }
    ck_assert_int_eq(tried, (int)len * 8);
    ck_assert_int_eq(close(fd), 0);
    free(copy);
    free(data);
    fixture_close(&f);
}
END_TEST

/* Names of the files in dir, joined by spaces (to spot leftover temporaries). */
static void list_dir(const char *dir, char *buf, size_t size)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    ck_assert_ptr_nonnull(d);
    buf[0] = '\0';
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') {
            strncat(buf, de->d_name, size - strlen(buf) - 2);
            strcat(buf, " ");
        }
    closedir(d);
}

START_TEST(test_ledger_append_to_broken_refused)
{
    ledger_fixture f;
    size_t len, len2;
    vp_error err = {0};
    char names[512];
    fixture_open(&f);
    append_n(f.path, 2);
    char *data = slurp(f.path, &len);
    char *p = strstr(line_at(data, 2), "\"bundle_bytes\":1002");
    p[17] = '3'; /* 1002 -> 1003: still valid JSON, the hash no longer matches */
    put(f.path, data, len);
    expect_broken(f.path, 2, "entry_sha256");

    vp_ledger_entry e = sample(3);
    ck_assert_int_eq(vp_ledger_append(f.path, &e, NULL, &err), VP_ERR_CHECK);
    ck_assert_msg(strstr(err.message, "refusing to append") && strstr(err.message, "line 2"), "%s", err.message);
    char *after = slurp(f.path, &len2);
    ck_assert_uint_eq(len2, len);
    ck_assert_int_eq(memcmp(after, data, len), 0);
    list_dir(f.dir, names, sizeof names);
    ck_assert_str_eq(names, "ledger.jsonl ");
    free(after);
    free(data);
    fixture_close(&f);
}
END_TEST

START_TEST(test_ledger_leftover_temp_file)
{
    ledger_fixture f;
    vp_error err = {0};
    vp_ledger_report rep;
    char tmp[200];
    fixture_open(&f);
    append_n(f.path, 1);
    /* A crash between writing the temporary file and the rename leaves this behind. */
    snprintf(tmp, sizeof tmp, "%s.tmp.Ab12Cd", f.path);
    put(tmp, "{\"format\":\"vaultproof-ledg", 26);
    ck_assert_int_eq(vp_ledger_verify(f.path, &rep, &err), VP_OK);
    ck_assert_int_eq(rep.entries, 1);
    vp_ledger_entry e = sample(2), got;
    ck_assert_msg(vp_ledger_append(f.path, &e, &got, &err) == VP_OK, "%s", err.message);
    ck_assert_int_eq(got.seq, 2);
    ck_assert_int_eq(vp_ledger_verify(f.path, &rep, &err), VP_OK);
    ck_assert_int_eq(rep.entries, 2);
    ck_assert_str_eq(rep.last.entry_sha256, got.entry_sha256);
    ck_assert_str_eq(rep.last.prev, got.prev);
    fixture_close(&f);
}
END_TEST

/* Replaces the first occurrence of from with to and writes the ledger. */
static void rewrite(const char *path, const char *data, const char *from, const char *to)
{
    size_t len = strlen(data), nf = strlen(from), nt = strlen(to);
    const char *at = strstr(data, from);
    ck_assert_ptr_nonnull(at);
    char *out = malloc(len + nt + 1);
    size_t k = (size_t)(at - data);
    memcpy(out, data, k);
    memcpy(out + k, to, nt);
    memcpy(out + k + nt, at + nf, len - k - nf);
    put(path, out, len - nf + nt);
    free(out);
}

START_TEST(test_ledger_strict_json)
{
    ledger_fixture f;
    size_t len;
    vp_error err = {0};
    fixture_open(&f);
    append_n(f.path, 1);
    char *data = slurp(f.path, &len);
    rewrite(f.path, data, "\"seq\":1,", "\"seq\":1,\"seq\":1,");
    expect_broken(f.path, 1, "duplicate");
    rewrite(f.path, data, "evidence-", "evid\xff\xfe-");
    expect_broken(f.path, 1, NULL);
    rewrite(f.path, data, "\"seq\":1,", "\"seq\": 1,");
    expect_broken(f.path, 1, "canonical");
    rewrite(f.path, data, "\"result\":\"pass\",", "\"result\":\"pass\",\"extra\":1,");
    expect_broken(f.path, 1, "canonical");
    rewrite(f.path, data, "\"format\":\"vaultproof-ledger/1\"", "\"format\":\"vaultproof-ledger/2\"");
    expect_broken(f.path, 1, "format");
    rewrite(f.path, data, "}\n", "}\n\n");
    expect_broken(f.path, 2, NULL);
    put(f.path, data, len);
    ck_assert_int_eq(vp_ledger_verify(f.path, NULL, &err), VP_OK);
    free(data);
    fixture_close(&f);
}
END_TEST

START_TEST(test_ledger_invalid_entry_refused)
{
    ledger_fixture f;
    size_t len, len2;
    vp_error err = {0};
    fixture_open(&f);
    append_n(f.path, 1);
    char *data = slurp(f.path, &len);
    vp_ledger_entry bad[5];
    for (int i = 0; i < 5; i++)
        bad[i] = sample(2);
    bad[0].bundle_sha256[0] = 'A';                    /* uppercase hex */
    strcpy(bad[1].bundle, "../escape.tar.gz");        /* a path, not a name */
    strcpy(bad[2].bundle, "bad-\xff-utf8.tar.gz");    /* invalid UTF-8 */
    strcpy(bad[3].result, "Pass!");                   /* not a lowercase word */
    memset(bad[4].period, 'x', sizeof bad[4].period); /* not NUL-terminated */
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(vp_ledger_append(f.path, &bad[i], NULL, &err), VP_ERR_INPUT);
        char *after = slurp(f.path, &len2);
        ck_assert_uint_eq(len2, len);
        ck_assert_int_eq(memcmp(after, data, len), 0);
        free(after);
    }
    free(data);
    fixture_close(&f);
}
END_TEST

Suite *ledger_suite(void)
{
    Suite *s = suite_create("ledger");
    TCase *tc = tcase_create("ledger");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ledger_append_verify_find);
    tcase_add_test(tc, test_ledger_empty_and_missing);
    tcase_add_test(tc, test_ledger_reorder_detected);
    tcase_add_test(tc, test_ledger_truncation);
    tcase_add_test(tc, test_ledger_every_byte_flip_detected);
    tcase_add_test(tc, test_ledger_append_to_broken_refused);
    tcase_add_test(tc, test_ledger_leftover_temp_file);
    tcase_add_test(tc, test_ledger_strict_json);
    tcase_add_test(tc, test_ledger_invalid_entry_refused);
    suite_add_tcase(s, tc);
    return s;
}
