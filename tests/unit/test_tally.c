/* vaultproof/tally.h: the definitions both renderers print (the counts themselves are
 * checked end to end, across the PDF, the workbook and findings.json, by
 * tests/integration/test_one_truth.py). */
#include <string.h>

#include "vaultproof/tally.h"
#include "vp_test.h"

START_TEST(not_applicable_alone_is_not_tested)
{
    size_t none[VP_STATUS_COUNT] = {0}, na[VP_STATUS_COUNT] = {0}, incomplete[VP_STATUS_COUNT] = {0};
    char buf[64];
    na[VP_NOT_APPLICABLE] = 3;
    incomplete[VP_INCOMPLETE] = 1;
    ck_assert_int_eq(vp_tally_tested(none), 0);
    ck_assert_int_eq(vp_tally_tested(na), 0);
    ck_assert_str_eq(vp_tally_operated(na, 1, 1, 0, buf, sizeof buf), "not tested");
    ck_assert_int_eq(vp_tally_tested(incomplete), 1);
    ck_assert_str_eq(vp_tally_operated(incomplete, 0, 1, 0, buf, sizeof buf), "operated 0 of 1");
    /* over a period: days, and no day with evidence is "not tested", never "operated 0 of 0" */
    ck_assert_str_eq(vp_tally_operated(incomplete, 88, 92, 1, buf, sizeof buf), "operated 88 of 92 days");
    ck_assert_str_eq(vp_tally_operated(incomplete, 0, 0, 1, buf, sizeof buf), "not tested");
    ck_assert_int_eq(vp_tally_has_evidence(incomplete, 0), 0);
    for (int st = 0; st < VP_STATUS_COUNT; st++) {
        size_t one[VP_STATUS_COUNT] = {0};
        one[st] = 1;
        ck_assert_int_eq(vp_tally_tested(one), st != VP_NOT_APPLICABLE);
    }
}
END_TEST

START_TEST(without_policy_is_policy_link_none)
{
    vp_item it;
    memset(&it, 0, sizeof it);
    it.policy_link = "none";
    ck_assert_int_eq(vp_item_without_policy(&it), 1);
    it.policy_link = "missing";
    ck_assert_int_eq(vp_item_without_policy(&it), 0);
    it.policy_link = "resolved";
    ck_assert_int_eq(vp_item_without_policy(&it), 0);
}
END_TEST

START_TEST(framework_names)
{
    ck_assert_int_eq(vp_tally_framework_index("hipaa"), VP_TALLY_HIPAA);
    ck_assert_int_eq(vp_tally_framework_index("sox"), VP_TALLY_SOX);
    ck_assert_int_eq(vp_tally_framework_index("pci"), -1);
    ck_assert_int_eq(vp_tally_framework_index(NULL), -1);
}
END_TEST

Suite *tally_suite(void); /* called by tests/unit/main.c */
Suite *tally_suite(void)
{
    Suite *s = suite_create("tally");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, not_applicable_alone_is_not_tested);
    tcase_add_test(tc, without_policy_is_policy_link_none);
    tcase_add_test(tc, framework_names);
    suite_add_tcase(s, tc);
    return s;
}
