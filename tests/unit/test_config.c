#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaultproof/config.h"
#include "vp_test.h"

static char dir[32];

/* Check runs each test in its own process: make the directory there. */
static void make_dir(void)
{
    strcpy(dir, "/tmp/vp-cfg-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    return path;
}

static vp_status load(const char *text, vp_config **cfg, vp_error *e)
{
    return vp_config_load(write_file("c.json", text), cfg, e);
}

START_TEST(valid_config_and_scope)
{
    vp_config *cfg = NULL;
    vp_error e = {0};
    size_t n;
    ck_assert_int_eq(load("{\"organization\":\"Contoso Health\",\"scope\":{\"subscriptions\":[\"a\",\"b\"],"
                          "\"vaults\":{\"include\":[\"rsv-*\"],\"exclude\":[\"*-test\"]}},\"worm_catalog\":null}",
                          &cfg, &e),
                     VP_OK);
    ck_assert_str_eq(vp_config_organization(cfg), "Contoso Health");
    const char *const *subs = vp_config_subscriptions(cfg, &n);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(subs[1], "b");
    ck_assert_str_eq(vp_config_vault_exclude(cfg, &n)[0], "*-test");
    vp_worm_catalog *w = NULL;
    ck_assert_int_eq(vp_config_worm_catalog(cfg, &w, &e), VP_OK);
    ck_assert_str_eq(vp_worm_catalog_origin(w), "built-in");
    vp_worm_catalog_free(w);
    vp_config_free(cfg);

    /* a catalog file relative to the config file */
    write_file("mine.json", "{\"format\":\"vaultproof-worm-catalog/1\",\"version\":\"mine-1\",\"sources\":[{\"id\":\"s\",\"title\":\"T\"}],"
                            "\"regions\":[{\"location\":\"East US\",\"status\":\"ga\",\"sources\":[\"s\"]}]}");
    ck_assert_int_eq(load("{\"worm_catalog\":\"mine.json\"}", &cfg, &e), VP_OK);
    ck_assert_int_eq(vp_config_worm_catalog(cfg, &w, &e), VP_OK);
    ck_assert_str_eq(vp_worm_catalog_version(w), "mine-1");
    ck_assert_ptr_nonnull(vp_worm_catalog_find(w, "eastus"));
    vp_worm_catalog_free(w);
    vp_config_free(cfg);
    unlink(write_file("c.json", ""));
    unlink(write_file("mine.json", ""));
    rmdir(dir);
}
END_TEST

START_TEST(config_errors_name_the_key)
{
    vp_config *cfg = NULL;
    vp_error e = {0};
    ck_assert_int_eq(load("{\"organisation\":\"x\"}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/organisation: unknown key"));
    ck_assert_int_eq(load("{\"rpo_hours\":\"24\"}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/rpo_hours: expected a number, found a string"));
    ck_assert_int_eq(load("{\"scope\":{\"subscriptions\":[1]}}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/scope/subscriptions/0: expected a non-empty string"));
    ck_assert_int_eq(load("{\"scope\":{\"vault\":{}}}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/scope/vault: unknown key"));
    ck_assert_int_eq(load("[1]", &cfg, &e), VP_ERR_INPUT);
    /* restore_tests: per data class of /classes (or default), known keys, a positive minimum */
    ck_assert_int_eq(load("{\"restore_tests\":{\"ephi\":{}}}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/restore_tests/ephi: no data class 'ephi'"));
    ck_assert_int_eq(load("{\"restore_tests\":{\"default\":{\"groupby\":\"App\"}}}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/restore_tests/default/groupby: unknown key"));
    ck_assert_int_eq(load("{\"restore_tests\":{\"default\":{\"min_successful\":0}}}", &cfg, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/restore_tests/default/min_successful"));
    ck_assert_int_eq(load("{\"classes\":{\"ephi\":{\"tags\":{\"DataClass\":[\"ePHI\"]}}},\"restore_tests\":{\"ephi\":"
                          "{\"select\":{\"tags\":{\"Criticality\":[\"Tier0\"]}},\"group_by\":\"Application\"}}}",
                          &cfg, &e), VP_OK);
    const vp_eval_settings *es = vp_config_eval(cfg);
    ck_assert_uint_eq(es->restore_test_count, 1);
    ck_assert_str_eq(es->restore_tests[0].class_name, "ephi");
    ck_assert_str_eq(es->restore_tests[0].group_by, "Application");
    ck_assert_int_eq(es->restore_tests[0].min_successful, 1); /* the default */
    ck_assert_uint_eq(es->restore_tests[0].select.tag_count, 1);
    vp_config_free(cfg);
    ck_assert_int_eq(load("{\"worm_catalog\":\"missing.json\"}", &cfg, &e), VP_OK);
    vp_worm_catalog *w = NULL;
    ck_assert_int_eq(vp_config_worm_catalog(cfg, &w, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/worm_catalog"));
    ck_assert_ptr_nonnull(strstr(e.message, "missing.json"));
    vp_config_free(cfg);
    ck_assert_int_eq(vp_config_load("/nonexistent/vaultproof.json", &cfg, &e), VP_ERR_INPUT);
    unlink(write_file("c.json", ""));
    rmdir(dir);
}
END_TEST

/* Texts reach the PDF report: each is held to its documented limit (docs/config.md). */
/* Appends the closing brackets for every one key_json opened, innermost first. */
static void close_all(char *text, const char *key_json)
{
    for (size_t k = strlen(key_json); k-- > 0;)
        if (key_json[k] == '{')
            strcat(text, "}");
        else if (key_json[k] == '[')
            strcat(text, "]");
}

static void expect_length_error(const char *key_json, size_t n, const char *pointer, int limit)
{
    char *text = malloc(n + 256), frag[128];
    vp_config *cfg = NULL;
    vp_error e = {0};
    size_t at = (size_t)sprintf(text, "%s\"", key_json);
    memset(text + at, 'x', n);
    strcpy(text + at + n, "\"");
    close_all(text, key_json);
    ck_assert_int_eq(load(text, &cfg, &e), VP_ERR_INPUT);
    snprintf(frag, sizeof frag, "c.json: %s: %zu bytes; expected at most %d", pointer, n, limit);
    ck_assert_msg(strstr(e.message, frag), "'%s' lacks '%s'", e.message, frag);
    /* at the limit it loads */
    at = (size_t)sprintf(text, "%s\"", key_json);
    memset(text + at, 'x', (size_t)limit);
    strcpy(text + at + limit, "\"");
    close_all(text, key_json);
    e = (vp_error){0};
    ck_assert_msg(load(text, &cfg, &e) == VP_OK, "%s at its limit: %s", pointer, e.message);
    vp_config_free(cfg);
    free(text);
}

START_TEST(config_texts_have_limits)
{
    expect_length_error("{\"organization\":", 65536, "/organization", VP_CONFIG_MAX_NAME);
    expect_length_error("{\"organization\":", VP_CONFIG_MAX_NAME + 1, "/organization", VP_CONFIG_MAX_NAME);
    expect_length_error("{\"report_title\":", VP_CONFIG_MAX_NAME + 1, "/report_title", VP_CONFIG_MAX_NAME);
    expect_length_error("{\"scope\":{\"vaults\":{\"include\":[", 600, "/scope/vaults/include/0", VP_CONFIG_MAX_NAME);
    expect_length_error("{\"exemptions\":[{\"resource\":\"r\",\"rule\":\"x\",\"approver\":\"a\",\"expires\":\"2026-12-31\","
                        "\"reason\":",
                        VP_CONFIG_MAX_TEXT + 1, "/exemptions/0/reason", VP_CONFIG_MAX_TEXT);
    expect_length_error("{\"signer\":{\"key\":", VP_CONFIG_MAX_TEXT + 1, "/signer/key", VP_CONFIG_MAX_TEXT);
    ck_assert_int_eq(VP_CONFIG_MAX_NAME, 512);
    ck_assert_int_eq(VP_CONFIG_MAX_TEXT, 4096);
}
END_TEST

/* The copy a bundle carries: nothing of the signer (paths, passphrase source, TSA) in
 * it, everything evaluation reads kept, a WORM catalog file copied and renamed. */
START_TEST(bundled_copy_leaves_the_signer_out)
{
    static const char *const secret[] = {"keys-dir/signer.key", "signer.key", "keys-dir/signer.pem", "chain.pem",
                                         "VP_SECRET_PASSPHRASE_VAR", "tsa.example", "signer", "passphrase"};
    static const char worm[] = "{\"format\":\"vaultproof-worm-catalog/1\",\"version\":\"mine-1\",\"sources\":[{\"id\":"
                               "\"s\",\"title\":\"T\"}],\"regions\":[{\"location\":\"East US\",\"status\":\"ga\","
                               "\"sources\":[\"s\"]}]}";
    vp_config *cfg = NULL, *back = NULL;
    vp_error e = {0};
    vp_config_bundled b;
    size_t n;
    write_file("mine-worm.json", worm);
    ck_assert_int_eq(load("{\"organization\":\"Contoso\",\"scope\":{\"subscriptions\":[\"a\"]},\"rpo_hours\":12,"
                          "\"worm_catalog\":\"mine-worm.json\",\"live\":{\"cloud\":\"AzureUSGovernment\"},"
                          "\"exemptions\":[{\"resource\":\"r\",\"rule\":\"backup.rpo\",\"reason\":\"why\","
                          "\"approver\":\"CISO\",\"expires\":\"2027-01-31\"}],"
                          "\"signer\":{\"key\":\"keys-dir/signer.key\",\"cert\":\"keys-dir/signer.pem\","
                          "\"chain\":\"chain.pem\",\"passphrase_env\":\"VP_SECRET_PASSPHRASE_VAR\","
                          "\"tsa\":\"https://tsa.example/tsr\"}}",
                          &cfg, &e),
                     VP_OK);
    ck_assert_int_eq(vp_config_bundle(cfg, NULL, 0, &b, &e), VP_OK);
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        ck_assert_msg(!strstr(b.config, secret[i]), "'%s' reached the bundled config:\n%s", secret[i], b.config);
    ck_assert_ptr_nonnull(strstr(b.config, "\"worm-catalog.json\""));
    ck_assert_ptr_null(strstr(b.config, "mine-worm.json"));
    ck_assert_uint_eq(b.worm_catalog_len, strlen(worm));
    ck_assert_mem_eq(b.worm_catalog, worm, strlen(worm));
    ck_assert_int_eq(b.config[b.config_len - 1], '\n');

    /* it reads back (named as in a bundle) as the same evaluation settings and scope */
    write_file("worm-catalog.json", b.worm_catalog);
    ck_assert_int_eq(vp_config_load_named(write_file("bundled.json", b.config), "config/vaultproof.json", &back, &e),
                     VP_OK);
    ck_assert_str_eq(vp_config_name(back), "config/vaultproof.json");
    ck_assert_str_eq(vp_config_organization(back), "Contoso");
    ck_assert_int_eq(vp_config_eval(back)->rpo_hours, 12);
    ck_assert_int_eq(vp_config_eval(back)->exemption_count, 1);
    ck_assert_str_eq(vp_config_eval(back)->exemptions[0].approver, "CISO");
    ck_assert_str_eq(vp_config_live(back)->cloud, "AzureUSGovernment");
    ck_assert_str_eq(vp_config_subscriptions(back, &n)[0], "a");
    ck_assert_ptr_null(vp_config_signer(back)->key);
    vp_worm_catalog *w = NULL;
    ck_assert_int_eq(vp_config_worm_catalog(back, &w, &e), VP_OK);
    ck_assert_str_eq(vp_worm_catalog_version(w), "mine-1");
    ck_assert_str_eq(vp_worm_catalog_origin(w), "config/worm-catalog.json"); /* named as the bundle names it */
    vp_worm_catalog_free(w);
    vp_config_free(back);
    vp_config_bundled_free(&b);
    vp_config_free(cfg);

    /* passphrase_file goes too; --subscription replaces the scope; no catalog file: none copied */
    static const char *const subs[] = {"sub-x", "sub-y"};
    ck_assert_int_eq(load("{\"signer\":{\"key\":\"k.p12\",\"passphrase_file\":\"/run/secrets/vp-pass-file\"},"
                          "\"worm_catalog\":null}",
                          &cfg, &e),
                     VP_OK);
    ck_assert_int_eq(vp_config_bundle(cfg, subs, 2, &b, &e), VP_OK);
    ck_assert_ptr_null(strstr(b.config, "vp-pass-file"));
    ck_assert_ptr_null(strstr(b.config, "k.p12"));
    ck_assert_ptr_null(b.worm_catalog);
    ck_assert_int_eq(vp_config_load(write_file("bundled.json", b.config), &back, &e), VP_OK);
    ck_assert_int_eq(vp_config_subscriptions(back, &n) != NULL, 1);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(vp_config_subscriptions(back, &n)[1], "sub-y");
    vp_config_free(back);
    vp_config_bundled_free(&b);
    vp_config_free(cfg);

    /* a WORM catalog file that cannot be read is an error naming the config member */
    unlink(write_file("mine-worm.json", ""));
    ck_assert_int_eq(load("{\"worm_catalog\":\"mine-worm.json\"}", &cfg, &e), VP_OK);
    ck_assert_int_ne(vp_config_bundle(cfg, NULL, 0, &b, &e), VP_OK);
    ck_assert_ptr_nonnull(strstr(e.message, "/worm_catalog"));
    ck_assert_ptr_null(b.config);
    vp_config_free(cfg);
    static const char *const made[] = {"c.json", "bundled.json", "worm-catalog.json"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
        unlink(write_file(made[i], ""));
    rmdir(dir);
}
END_TEST

/* change_register: both match forms read; a partial, mixed or unknown match refused with
 * the member named (an entry that could match by accident would authorize anything). */
START_TEST(change_register_is_strict)
{
    vp_config *cfg = NULL;
    vp_error e = {0};
    ck_assert_int_eq(load("{\"change_register\":[{\"ticket\":\"CHG-1\",\"approver\":\"cab\",\"date\":"
                          "\"2026-08-14\",\"match\":{\"correlation_id\":\"c-1\"}},{\"ticket\":\"CHG-2\","
                          "\"approver\":\"cab\",\"date\":\"2026-09-01\",\"match\":{\"resource_id\":\"/x\","
                          "\"operation\":\"Microsoft.RecoveryServices/vaults/write\",\"date\":\"2026-09-02\"}}]}",
                          &cfg, &e),
                     VP_OK);
    const vp_eval_settings *ev = vp_config_eval(cfg);
    ck_assert_uint_eq(ev->change_register_count, 2);
    ck_assert_str_eq(ev->change_register[0].correlation_id, "c-1");
    ck_assert_ptr_null(ev->change_register[0].resource_id);
    ck_assert_str_eq(ev->change_register[1].on_day, "2026-09-02");
    ck_assert_uint_eq(ev->change_register[1].index, 1);
    vp_config_free(cfg);
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"{\"change_register\":[{\"ticket\":\"T\",\"approver\":\"A\",\"date\":\"2026-08-14\"}]}", "/change_register/0/match"},
        {"{\"change_register\":[{\"ticket\":\"T\",\"approver\":\"A\",\"date\":\"14.08.2026\",\"match\":"
         "{\"correlation_id\":\"c\"}}]}", "/change_register/0/date"},
        {"{\"change_register\":[{\"ticket\":\"T\",\"approver\":\"A\",\"date\":\"2026-08-14\",\"match\":"
         "{\"correlation_id\":\"c\",\"operation\":\"x\"}}]}", "correlation_id with other members"},
        {"{\"change_register\":[{\"ticket\":\"T\",\"approver\":\"A\",\"date\":\"2026-08-14\",\"match\":"
         "{\"resource_id\":\"/x\",\"operation\":\"x\"}}]}", "date"},
        {"{\"change_register\":[{\"ticket\":\"\",\"approver\":\"A\",\"date\":\"2026-08-14\",\"match\":"
         "{\"correlation_id\":\"c\"}}]}", "ticket"},
        {"{\"change_register\":[{\"ticket\":\"T\",\"approver\":\"A\",\"date\":\"2026-08-14\",\"who\":1,"
         "\"match\":{\"correlation_id\":\"c\"}}]}", "who"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg = NULL;
        ck_assert_int_eq(load(bad[i].text, &cfg, &e), VP_ERR_INPUT);
        ck_assert_msg(strstr(e.message, bad[i].message) != NULL, "%zu: %s", i, e.message);
    }
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, make_dir, NULL);
    tcase_add_test(tc, valid_config_and_scope);
    tcase_add_test(tc, config_errors_name_the_key);
    tcase_add_test(tc, config_texts_have_limits);
    tcase_add_test(tc, bundled_copy_leaves_the_signer_out);
    tcase_add_test(tc, change_register_is_strict);
    suite_add_tcase(s, tc);
    return s;
}
