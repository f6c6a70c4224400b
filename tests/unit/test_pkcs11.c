/* PKCS#11 keys: what a URI records as the key's name (never a PIN or module path), the
 * URIs refused before any token is touched, and the loader's own refusals. The token
 * itself (SoftHSM) is exercised end to end by tests/integration/test_pkcs11.py. */
#include <string.h>

#include "vaultproof/keys.h"
#include "vp_test.h"

/* key_ref of uri, which must be accepted */
static const char *ref_of(const char *uri, char *buf, size_t size)
{
    vp_error e = {0};
    ck_assert_msg(vp_pkcs11_key_ref(uri, buf, size, &e) == VP_OK, "%s: %s", uri, e.message);
    return buf;
}

/* uri must be refused (VP_ERR_INPUT) with a message holding want and not secret */
static void refused(const char *uri, const char *want, const char *secret)
{
    char ref[512];
    vp_error e = {0};
    ck_assert_int_eq(vp_pkcs11_key_ref(uri, ref, sizeof ref, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, want), "%s: '%s' lacks '%s'", uri, e.message, want);
    if (secret)
        ck_assert_msg(!strstr(e.message, secret), "%s: the message repeats '%s': %s", uri, secret, e.message);
}

START_TEST(key_ref_names_token_and_object_only)
{
    char ref[512];
    ck_assert_str_eq(ref_of("pkcs11:token=vaultproof-test;object=signer", ref, sizeof ref),
                     "token=vaultproof-test;object=signer");
    /* fixed order, percent-encoding kept, selectors (type) and query attributes left out */
    ck_assert_str_eq(ref_of("pkcs11:type=private;object=my%20key;id=%01%02;token=HSM%20A;serial=42?x-extra=1", ref,
                            sizeof ref),
                     "token=HSM%20A;serial=42;object=my%20key;id=%01%02");
    ck_assert_str_eq(ref_of("pkcs11:id=%0a", ref, sizeof ref), "id=%0a");
    /* the exact fit, then one byte short */
    ck_assert_str_eq(ref_of("pkcs11:object=ab", ref, 10), "object=ab");
    vp_error e = {0};
    ck_assert_int_eq(vp_pkcs11_key_ref("pkcs11:object=ab", ref, 9, &e), VP_ERR_INPUT);
    ck_assert_int_eq(vp_pkcs11_is_uri("pkcs11:object=a"), 1);
    ck_assert_int_eq(vp_pkcs11_is_uri("keys/signer.key"), 0);
    ck_assert_int_eq(vp_pkcs11_is_uri(NULL), 0);
}
END_TEST

START_TEST(uri_with_a_pin_or_without_a_key_refused)
{
    /* a PIN in the URI, in the path or the query: refused, its value never repeated */
    refused("pkcs11:token=t;object=o?pin-value=S3cr3t-PIN", "carries a PIN (pin-value)", "S3cr3t-PIN");
    refused("pkcs11:token=t;object=o;pin-value=S3cr3t-PIN", "pin_env", "S3cr3t-PIN");
    refused("pkcs11:token=t;object=o?pin-source=file:/etc/S3cr3t-PIN", "pin-source", "S3cr3t-PIN");
    refused("pkcs11:token=t;object=o?module-path=/usr/lib/x.so", "pkcs11_module", "/usr/lib/x.so");
    refused("pkcs11:token=t", "names no key", NULL);
    refused("pkcs11:", "names no key", NULL);
    refused("pkcs11:token=a;token=b;object=o", "'token' given twice", NULL);
    refused("pkcs11:token=a;object", "has no '='", NULL);
    refused("pkcs11:token=a b;object=o", "percent-encoded", NULL);
    refused("pkcs11:token=a;object=o%2", "percent-encoded", NULL);
    refused("pkcs11:token=a;object=o%zz", "percent-encoded", NULL);
    refused("pkcs11:token=a&object=o", "'&' before '?'", NULL);
    refused("pkcs11:token=a;object=o?x=1?y=2", "second '?'", NULL);
    refused("file:token=a;object=o", "starting with \"pkcs11:\"", NULL);
}
END_TEST

/* refused before any engine is loaded */
START_TEST(loader_refusals_name_the_key_only)
{
    vp_signer *s = (vp_signer *)1;
    vp_error e = {0};
    /* a URI with a PIN is refused before any engine is loaded */
    ck_assert_int_eq(vp_signer_load_pkcs11("pkcs11:token=t;object=o;pin-value=S3cr3t-PIN", NULL, "1234", "c.pem",
                                           NULL, &s, &e),
                     VP_ERR_INPUT);
    ck_assert_ptr_null(s);
    ck_assert_ptr_null(strstr(e.message, "S3cr3t-PIN"));
    ck_assert_int_eq(vp_signer_load_pkcs11("pkcs11:token=t;object=o", NULL, "", "c.pem", NULL, &s, &e),
                     VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "pkcs11:token=t;object=o: no PIN given"));
    ck_assert_int_eq(vp_signer_load_pkcs11("pkcs11:token=t;object=o", NULL, "1234", NULL, NULL, &s, &e),
                     VP_ERR_USAGE);
    /* (a module or token that is not there loads OpenSSL's engine: tests/integration/
     * test_pkcs11.py, where LeakSanitizer is told about libp11's one-off allocations) */
}
END_TEST

Suite *pkcs11_suite(void)
{
    Suite *s = suite_create("pkcs11");
    TCase *tc = tcase_create("pkcs11");
    tcase_add_test(tc, key_ref_names_token_and_object_only);
    tcase_add_test(tc, uri_with_a_pin_or_without_a_key_refused);
    tcase_add_test(tc, loader_refusals_name_the_key_only);
    suite_add_tcase(s, tc);
    return s;
}
