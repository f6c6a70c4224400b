/* Clock, retention convention, WORM catalog, atomic output, the input size rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/clock.h"
#include "vaultproof/fileio.h"
#include "vaultproof/retention.h"
#include "vp_test.h"

START_TEST(time_parse_and_format)
{
    long long t = 0;
    char buf[32];
    ck_assert_int_eq(vp_time_parse("2026-09-30T02:00:00Z", &t), 0);
    ck_assert_int_eq(t, 1790733600LL);
    ck_assert_int_eq(vp_time_parse("2026-09-29T22:31:07.4572193Z", &t), 0);
    ck_assert_int_eq(t, 1790721067LL);
    ck_assert_int_eq(vp_time_parse("2026-09-30T04:00:00+02:00", &t), 0);
    ck_assert_int_eq(t, 1790733600LL);
    ck_assert_int_eq(vp_time_parse("2026-02-30T00:00:00Z", &t), -1);
    ck_assert_int_eq(vp_time_parse("2026-09-30 02:00", &t), -1);
    ck_assert_int_eq(vp_time_parse("2026-09-30T02:00:00", &t), -1); /* no zone: ambiguous */
    ck_assert_str_eq(vp_time_format(1790733600LL, buf, sizeof buf), "2026-09-30T02:00:00Z");
}
END_TEST

START_TEST(clock_precedence)
{
    vp_clock c;
    vp_error e = {0};
    ck_assert_int_eq(vp_clock_resolve("2026-09-30T02:00:00Z", "5", &c, &e), VP_OK);
    ck_assert_int_eq(c.epoch, 1790733600LL);
    ck_assert_str_eq(c.from, "--now");
    ck_assert_int_eq(vp_clock_resolve("@12", NULL, &c, &e), VP_OK);
    ck_assert_int_eq(c.epoch, 12);
    ck_assert_int_eq(vp_clock_resolve(NULL, "1790000000", &c, &e), VP_OK);
    ck_assert_int_eq(c.pinned, 1);
    ck_assert_str_eq(c.from, "SOURCE_DATE_EPOCH");
    ck_assert_int_eq(vp_clock_resolve(NULL, "yesterday", &c, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "SOURCE_DATE_EPOCH='yesterday'"));
    ck_assert_int_eq(vp_clock_resolve("soon", NULL, &c, &e), VP_ERR_USAGE);
    ck_assert_int_eq(vp_clock_resolve(NULL, NULL, &c, &e), VP_OK);
    ck_assert_int_eq(c.pinned, 0);
}
END_TEST

START_TEST(retention_convention)
{
    long long d;
    ck_assert_int_eq(vp_retention_days(30, "Days", &d), 0);
    ck_assert_int_eq(d, 30);
    ck_assert_int_eq(vp_retention_days(12, "Weeks", &d), 0);
    ck_assert_int_eq(d, 84);
    ck_assert_int_eq(vp_retention_days(1, "Years", &d), 0);
    ck_assert_int_eq(d, 365);
    ck_assert_int_eq(vp_retention_days(12, "Months", &d), 0);
    ck_assert_int_eq(d, 365); /* 12 months is never shorter than a year */
    ck_assert_int_eq(vp_retention_days(7, "Years", &d), 0);
    ck_assert_int_eq(d, 2556);
    ck_assert_int_eq(vp_retention_days(84, "Months", &d), 0);
    ck_assert_int_eq(d, 2556);
    ck_assert_int_eq(vp_retention_days(60, "months", &d), 0);
    ck_assert_int_eq(d, 1826);
    ck_assert_int_eq(vp_retention_days(99, "Years", &d), 0);
    ck_assert_int_eq(d, 36159);
    ck_assert_int_eq(vp_retention_days(5, "Invalid", &d), -1);
    ck_assert_int_eq(d, -1);
    ck_assert_int_eq(vp_retention_days(5, NULL, &d), -1);
    ck_assert_int_eq(vp_retention_days(-1, "Days", &d), -1);
    ck_assert_int_eq(vp_retention_days(2147483648LL, "Days", &d), -1);
    ck_assert_int_eq(vp_retention_days(2147483647LL, "Years", &d), 0); /* no overflow */
    ck_assert_int_eq(d, 2147483647LL * 36525 / 100);
}
END_TEST

START_TEST(atomic_output)
{
    char dir[] = "/tmp/vp-unit-XXXXXX", path[256];
    vp_output *o = NULL;
    vp_error e = {0};
    struct stat sb;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.json", dir);

    ck_assert_int_eq(vp_output_open(path, &o, &e), VP_OK);
    fputs("partial", vp_output_stream(o));
    vp_output_abort(o);
    ck_assert_int_ne(stat(path, &sb), 0); /* aborted: nothing under the name */

    ck_assert_int_eq(vp_output_open(path, &o, &e), VP_OK);
    fputs("done", vp_output_stream(o));
    ck_assert_int_eq(vp_output_commit(o, &e), VP_OK);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_size, 4);
    ck_assert_int_eq(sb.st_mode & 0777, 0644);
    unlink(path);

    snprintf(path, sizeof path, "%s/no/such/dir/out.json", dir);
    ck_assert_int_eq(vp_output_open(path, &o, &e), VP_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.message, "no/such/dir/out.json"));
    rmdir(dir);
}
END_TEST

Suite *time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, time_parse_and_format);
    tcase_add_test(tc, clock_precedence);
    suite_add_tcase(s, tc);
    return s;
}

Suite *retention_suite(void)
{
    Suite *s = suite_create("retention");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, retention_convention);
    suite_add_tcase(s, tc);
    return s;
}

/* Whatever one stage writes the next must read: an own file above the untrusted limit is
 * mapped; the same file as an untrusted input is refused, naming its size. A sparse file
 * costs no disk and mapping it reads nothing. */
START_TEST(input_size_rule)
{
    char dir[] = "/tmp/vp-unit-XXXXXX", path[256];
    vp_mapped_file m = {0};
    vp_error e = {0};
    char *data = NULL;
    size_t len = 0;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/snapshot.json", dir);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(ftruncate(fileno(fp), (off_t)VP_MAX_INPUT_FILE + 1), 0);
    fclose(fp);

    ck_assert_msg(vp_map_file(path, VP_INPUT_OWN, &m, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_eq(m.len, VP_MAX_INPUT_FILE + 1);
    ck_assert_int_eq(m.data[m.len - 1], 0);
    vp_unmap_file(&m);

    ck_assert_int_eq(vp_map_file(path, VP_INPUT_UNTRUSTED, &m, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "2147483649 bytes; expected at most 2147483648"));
    ck_assert_ptr_null(m.data);
    ck_assert_int_eq(vp_read_file(path, &data, &len, &e), VP_ERR_INPUT);
    ck_assert_ptr_null(data);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, atomic_output);
    tcase_add_test(tc, input_size_rule);
    suite_add_tcase(s, tc);
    return s;
}
