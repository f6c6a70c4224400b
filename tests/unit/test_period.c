/* The evidence period (vaultproof/period.h) and Azure's job filter dates (vaultproof/arm.h). */
#include <string.h>

#include "vaultproof/arm.h"
#include "vaultproof/clock.h"
#include "vaultproof/period.h"
#include "vp_test.h"

static long long at(const char *rfc3339)
{
    long long t = 0;
    ck_assert_int_eq(vp_time_parse(rfc3339, &t), 0);
    return t;
}

START_TEST(quarter_bounds)
{
    static const struct {
        const char *label, *from, *to;
    } cases[] = {
        {"2026-Q1", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"},
        {"2026-Q2", "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"},
        {"2026-Q3", "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z"},
        {"2026-Q4", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"}, /* into the next year */
        {"2028-Q1", "2028-01-01T00:00:00Z", "2028-04-01T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vp_period p;
        vp_error err = {0};
        ck_assert_int_eq(vp_period_quarter(cases[i].label, "collect", &p, &err), VP_OK);
        ck_assert_str_eq(p.label, cases[i].label);
        ck_assert_int_eq(p.from, at(cases[i].from));
        ck_assert_int_eq(p.to, at(cases[i].to));
    }
}
END_TEST

START_TEST(quarter_lengths_follow_leap_years)
{
    vp_period p;
    vp_error err = {0};
    ck_assert_int_eq(vp_period_quarter("2028-Q1", "collect", &p, &err), VP_OK);
    ck_assert_int_eq((p.to - p.from) / 86400, 91); /* 31 + 29 + 31 */
    ck_assert_int_eq(vp_period_quarter("2026-Q1", "collect", &p, &err), VP_OK);
    ck_assert_int_eq((p.to - p.from) / 86400, 90);
    ck_assert_int_eq(vp_period_quarter("2100-Q1", "collect", &p, &err), VP_OK); /* not a leap year */
    ck_assert_int_eq((p.to - p.from) / 86400, 90);
    ck_assert_int_eq(vp_period_quarter("2000-Q1", "collect", &p, &err), VP_OK); /* a leap year */
    ck_assert_int_eq((p.to - p.from) / 86400, 91);
    ck_assert_int_eq(vp_period_quarter("2026-Q3", "collect", &p, &err), VP_OK);
    ck_assert_int_eq((p.to - p.from) / 86400, 92);
}
END_TEST

START_TEST(half_open)
{
    vp_period p;
    vp_error err = {0};
    ck_assert_int_eq(vp_period_quarter("2026-Q3", "collect", &p, &err), VP_OK);
    ck_assert(vp_period_contains(&p, at("2026-07-01T00:00:00Z")));
    ck_assert(vp_period_contains(&p, at("2026-09-30T23:59:59Z")));
    ck_assert(!vp_period_contains(&p, at("2026-10-01T00:00:00Z")));
    ck_assert(!vp_period_contains(&p, at("2026-06-30T23:59:59Z")));
    ck_assert(!vp_period_contains(NULL, at("2026-08-01T00:00:00Z")));
}
END_TEST

START_TEST(range_forms)
{
    vp_period p;
    vp_error err = {0};
    ck_assert_int_eq(vp_period_range("2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z", "collect", &p, &err), VP_OK);
    ck_assert_str_eq(p.label, "");
    ck_assert_int_eq(p.to - p.from, 86400);
    /* 29 February of a year that is not a leap year is no date */
    ck_assert_int_eq(vp_period_range("2026-02-29T00:00:00Z", "2026-03-01T00:00:00Z", "collect", &p, &err),
                     VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "--from '2026-02-29T00:00:00Z'"));
    static const char *const bad[] = {"2026-07-01",           "2026-07-01T00:00:00",  "2026-07-01T00:00:00+02:00",
                                      "2026-07-01T00:00:00.5Z", "2026-07-01 00:00:00Z", "2026-13-01T00:00:00Z",
                                      "2026-07-01T24:00:00Z", "2026-07-01T00:00:60Z", "1969-12-31T00:00:00Z",
                                      ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(vp_period_range(bad[i], "2026-10-01T00:00:00Z", "collect", &p, &err), VP_ERR_USAGE);
    ck_assert_int_eq(vp_period_range("2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z", "collect", &p, &err),
                     VP_ERR_USAGE); /* empty */
    ck_assert_ptr_nonnull(strstr(err.message, "not before"));
    ck_assert_int_eq(vp_period_range("2026-10-01T00:00:00Z", "2026-07-01T00:00:00Z", "collect", &p, &err),
                     VP_ERR_USAGE);
}
END_TEST

START_TEST(bad_quarters)
{
    static const char *const bad[] = {"2026-Q0", "2026-Q5", "2026Q3", "26-Q3", "2026-q3", "2026-Q3 ", "1969-Q4",
                                      "2026-03", "",        "abcd-Q1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vp_period p;
        vp_error err = {0};
        ck_assert_int_eq(vp_period_quarter(bad[i], "collect", &p, &err), VP_ERR_USAGE);
        ck_assert_ptr_nonnull(strstr(err.message, "collect: --period"));
    }
}
END_TEST

START_TEST(options_mapping)
{
    vp_period p = {0};
    vp_error err = {0};
    int given = 7;
    ck_assert_int_eq(vp_period_options(NULL, NULL, NULL, "collect", &p, &given, &err), VP_OK);
    ck_assert_int_eq(given, 0);
    ck_assert_int_eq(vp_period_options("2026-Q3", NULL, NULL, "collect", &p, &given, &err), VP_OK);
    ck_assert_int_eq(given, 1);
    ck_assert_str_eq(p.label, "2026-Q3");
    ck_assert_int_eq(vp_period_options(NULL, "2026-07-01T00:00:00Z", "2026-08-01T00:00:00Z", "collect", &p, &given,
                                       &err),
                     VP_OK);
    ck_assert_int_eq(given, 1);
    ck_assert_int_eq(p.to - p.from, 31 * 86400);
    ck_assert_int_eq(vp_period_options("2026-Q3", "2026-07-01T00:00:00Z", NULL, "collect", &p, &given, &err),
                     VP_ERR_USAGE);
    ck_assert_int_eq(given, 0);
    ck_assert_int_eq(vp_period_options(NULL, "2026-07-01T00:00:00Z", NULL, "collect", &p, &given, &err), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "--from needs --to"));
    ck_assert_int_eq(vp_period_options(NULL, NULL, "2026-07-01T00:00:00Z", "collect", &p, &given, &err), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "--to needs --from"));
    ck_assert_int_eq(vp_period_options("2026-Q9", NULL, NULL, "collect", &p, &given, &err), VP_ERR_USAGE);
    ck_assert_int_eq(given, 0);
}
END_TEST

START_TEST(azure_filter_times)
{
    char b[32];
    /* the 12-hour clock: midnight is 12 AM, noon 12 PM */
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-07-01T00:00:00Z"), b, sizeof b), "2026-07-01 12:00:00 AM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-07-01T12:00:00Z"), b, sizeof b), "2026-07-01 12:00:00 PM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-07-01T00:59:59Z"), b, sizeof b), "2026-07-01 12:59:59 AM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-07-01T01:02:03Z"), b, sizeof b), "2026-07-01 01:02:03 AM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-07-01T11:59:59Z"), b, sizeof b), "2026-07-01 11:59:59 AM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-07-01T13:00:00Z"), b, sizeof b), "2026-07-01 01:00:00 PM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2026-09-30T23:59:59Z"), b, sizeof b), "2026-09-30 11:59:59 PM");
    ck_assert_str_eq(vp_arm_job_filter_time(at("2028-02-29T18:30:00Z"), b, sizeof b), "2028-02-29 06:30:00 PM");
    ck_assert_str_eq(vp_arm_job_filter_time(0, b, 10), ""); /* too small: nothing half-written */
}
END_TEST

START_TEST(azure_filter_string)
{
    vp_period p;
    vp_error err = {0};
    char f[128];
    ck_assert_int_eq(vp_period_quarter("2026-Q3", "collect", &p, &err), VP_OK);
    size_t n = vp_arm_job_filter(p.from, p.to, f, sizeof f);
    ck_assert_str_eq(f, "startTime eq '2026-07-01 12:00:00 AM' and endTime eq '2026-10-01 12:00:00 AM'");
    ck_assert_uint_eq(n, strlen(f));
    ck_assert_uint_eq(vp_arm_job_filter(p.from, p.to, f, 10), n); /* the length needed, cut */
    ck_assert_uint_eq(strlen(f), 9);
}
END_TEST

/* --period last-quarter: the quarter that ended last, by the run's clock; the timer's run on
 * the day after a quarter ends, and a late catch-up run, both get the quarter that ended. */
START_TEST(last_quarter)
{
    static const struct {
        const char *now, *want;
    } cases[] = {
        {"2026-10-01T06:00:00Z", "2026-Q3"}, /* the timer's run */
        {"2026-10-01T00:00:00Z", "2026-Q3"}, /* the first second of Q4 */
        {"2026-09-30T23:59:59Z", "2026-Q2"}, /* still in Q3: Q3 has not ended */
        {"2026-12-31T23:59:59Z", "2026-Q3"}, /* a catch-up run late in Q4 */
        {"2027-01-01T06:00:00Z", "2026-Q4"}, /* across the year */
        {"2027-03-15T12:00:00Z", "2026-Q4"},
        {"2028-04-01T00:00:00Z", "2028-Q1"}, /* after a leap February */
        {"2028-07-01T00:00:00Z", "2028-Q2"},
        {"1970-04-01T00:00:00Z", "1970-Q1"}, /* the first quarter a period may name */
    };
    char label[8];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vp_period_last_quarter(at(cases[i].now), label);
        ck_assert_msg(strcmp(label, cases[i].want) == 0, "%s: got %s, want %s", cases[i].now, label, cases[i].want);
        vp_period p;
        vp_error err = {0};
        ck_assert_int_eq(vp_period_quarter(label, "pack", &p, &err), VP_OK);
        ck_assert(p.to <= at(cases[i].now)); /* it has ended */
    }
    vp_period_last_quarter(at("1970-03-31T23:59:59Z"), label); /* no quarter before 1970-Q1 */
    ck_assert_str_eq(label, "");
    vp_period_last_quarter(-1, label);
    ck_assert_str_eq(label, "");
}
END_TEST

Suite *period_suite(void); /* registered in main.c */
Suite *period_suite(void)
{
    Suite *s = suite_create("period");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, quarter_bounds);
    tcase_add_test(tc, quarter_lengths_follow_leap_years);
    tcase_add_test(tc, half_open);
    tcase_add_test(tc, range_forms);
    tcase_add_test(tc, bad_quarters);
    tcase_add_test(tc, options_mapping);
    tcase_add_test(tc, azure_filter_times);
    tcase_add_test(tc, azure_filter_string);
    tcase_add_test(tc, last_quarter);
    suite_add_tcase(s, tc);
    return s;
}
