/* Key Vault key identifiers (vp_keyvault_parse_id). The HTTP side is tested against the
 * emulator in tests/integration/test_keyvault.py. */
#include <string.h>

#include "vaultproof/keyvault.h"
#include "vp_test.h"

START_TEST(key_ids_parse)
{
    vp_keyvault_key_id id;
    vp_error e = {0};
    ck_assert_int_eq(vp_keyvault_parse_id("https://Contoso-Evidence.vault.azure.net/keys/evidence-signer/"
                                          "78deebed173b48e48f55abf87ed4cf71",
                                          &id, &e),
                     VP_OK);
    ck_assert_str_eq(id.vault, "https://contoso-evidence.vault.azure.net");
    ck_assert_str_eq(id.name, "evidence-signer");
    ck_assert_str_eq(id.version, "78deebed173b48e48f55abf87ed4cf71");
    ck_assert_str_eq(id.resource, "https://vault.azure.net");
    ck_assert_int_eq(id.managed_hsm, 0);

    ck_assert_int_eq(vp_keyvault_parse_id("https://contoso.managedhsm.azure.net/keys/k1/0123abcd/", &id, &e), VP_OK);
    ck_assert_str_eq(id.resource, "https://managedhsm.azure.net");
    ck_assert_int_eq(id.managed_hsm, 1);
    ck_assert_int_eq(vp_keyvault_parse_id("https://x.vault.usgovcloudapi.net/keys/k/v1", &id, &e), VP_OK);
    ck_assert_str_eq(id.resource, "https://vault.usgovcloudapi.net");
    ck_assert_int_eq(vp_keyvault_parse_id("https://x.managedhsm.azure.cn/keys/k/v1", &id, &e), VP_OK);
    ck_assert_str_eq(id.resource, "https://managedhsm.azure.cn");

    /* a test or private-endpoint host with a port: the public vault resource */
    ck_assert_int_eq(vp_keyvault_parse_id("https://127.0.0.1:8443/keys/sig-ec/d94ad05b", &id, &e), VP_OK);
    ck_assert_str_eq(id.vault, "https://127.0.0.1:8443");
    ck_assert_str_eq(id.resource, "https://vault.azure.net");
    /* a Managed HSM name is recognised with a port too */
    ck_assert_int_eq(vp_keyvault_parse_id("https://h.managedhsm.azure.net:443/keys/k/v", &id, &e), VP_OK);
    ck_assert_int_eq(id.managed_hsm, 1);
}
END_TEST

START_TEST(key_ids_refused)
{
    static const struct {
        const char *url, *says;
    } bad[] = {
        {"http://x.vault.azure.net/keys/k/v1", "not an https URL"},
        {"x.vault.azure.net/keys/k/v1", "not an https URL"},
        {"https://x.vault.azure.net/keys/k", "no key version"},
        {"https://x.vault.azure.net/keys/k/", "no key version"},
        {"https://x.vault.azure.net/keys/k/v1?api-version=7.4", "query or fragment"},
        {"https://x.vault.azure.net/keys/k/v1#f", "query or fragment"},
        {"https://user:pw@x.vault.azure.net/keys/k/v1", "no usable host"},
        {"https:///keys/k/v1", "no usable host"},
        {"https://x.vault.azure.net/secrets/k/v1", "/keys/<name>/<version>"},
        {"https://x.vault.azure.net/keys/k_1/v1", "1-127 letters"},
        {"https://x.vault.azure.net/keys/k/v-1", "1-63 letters"},
        {"https://x.vault.azure.net/keys/k/v1/sign", "1-63 letters"},
        {"https://x vault.azure.net/keys/k/v1", "host has a character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vp_keyvault_key_id id;
        vp_error e = {0};
        ck_assert_int_eq(vp_keyvault_parse_id(bad[i].url, &id, &e), VP_ERR_INPUT);
        ck_assert_msg(strstr(e.message, bad[i].says) != NULL, "%s: %s", bad[i].url, e.message);
        ck_assert_msg(strstr(e.message, "pw@") == NULL, "%s", e.message); /* user info is never shown */
    }
    vp_keyvault_key_id id;
    vp_error e = {0};
    ck_assert_int_eq(vp_keyvault_parse_id(NULL, &id, &e), VP_ERR_INPUT);
}
END_TEST

Suite *keyvault_suite(void)
{
    Suite *s = suite_create("keyvault");
    TCase *tc = tcase_create("keyvault");
    tcase_add_test(tc, key_ids_parse);
    tcase_add_test(tc, key_ids_refused);
    suite_add_tcase(s, tc);
    return s;
}
