/* The WORM region catalog: the built-in catalog's revisions, quotes and location table,
 * and the checks the reader makes on any catalog (docs/worm-catalog.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/worm.h"
#include "vp_test.h"

#define R1 "microsoft-learn-2025-06-19-r1"
#define R2 "microsoft-learn-2025-06-19-r2"
#define ORG "organization-strategy"

static vp_worm_catalog *builtin(void)
{
    vp_worm_catalog *cat = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_worm_catalog_builtin(&cat, &e) == VP_OK, "%s", e.message);
    return cat;
}

static size_t listed_by(const vp_worm_catalog *cat, const char *id)
{
    size_t n, count = 0;
    const vp_worm_region *r = vp_worm_catalog_regions(cat, &n);
    for (size_t i = 0; i < n; i++)
        count += (size_t)vp_worm_region_listed_by(&r[i], id);
    return count;
}

START_TEST(builtin_parses)
{
    vp_worm_catalog *cat = builtin();
    size_t n;
    ck_assert_str_eq(vp_worm_catalog_origin(cat), "built-in");
    ck_assert_int_eq(strlen(vp_worm_catalog_sha256(cat)), 64);
    vp_worm_catalog_regions(cat, &n);
    ck_assert_int_eq(n, 14); /* the organization's strategy document lists 14 */
    vp_worm_catalog_sources(cat, &n);
    ck_assert_int_eq(n, 3);
    vp_worm_catalog_locations(cat, &n);
    ck_assert_uint_ge(n, 50); /* the public-cloud location list, not just the WORM regions */
    vp_worm_catalog_free(cat);
}
END_TEST

/* Two revisions of one Microsoft page under one ms.date: told apart by retrieval date and
 * the digest of the quoted text; r1 listed 7 regions, r2 (which supersedes it) 14. */
START_TEST(builtin_revisions)
{
    vp_worm_catalog *cat = builtin();
    const vp_worm_source *r1 = vp_worm_catalog_source(cat, R1), *r2 = vp_worm_catalog_source(cat, R2);
    ck_assert_ptr_nonnull(r1);
    ck_assert_ptr_nonnull(r2);
    ck_assert_str_eq(r1->as_of, "2025-06-19");
    ck_assert_str_eq(r2->as_of, "2025-06-19");
    ck_assert_str_ne(r1->retrieved, r2->retrieved);
    ck_assert_str_ne(r1->sha256, r2->sha256);
    ck_assert_ptr_null(r1->supersedes);
    ck_assert_str_eq(r2->supersedes, R1);
    ck_assert_ptr_eq(vp_worm_catalog_latest(cat, R1), r2);
    ck_assert_ptr_eq(vp_worm_catalog_latest(cat, R2), r2);
    ck_assert_ptr_null(vp_worm_catalog_latest(cat, "no-such-source"));
    ck_assert_int_eq(listed_by(cat, R1), 7);
    ck_assert_int_eq(listed_by(cat, R2), 14);
    ck_assert_int_eq(listed_by(cat, ORG), 14);

    /* the quotes are the texts the lists came from */
    ck_assert_ptr_nonnull(strstr(r1->quote, "Korea South, Spain Central."));
    ck_assert_ptr_null(strstr(r1->quote, "Israel Central"));
    ck_assert_ptr_nonnull(strstr(r2->quote, "Poland Central, Japan East."));
    ck_assert_ptr_nonnull(strstr(vp_worm_catalog_source(cat, ORG)->quote, "- India South\n"));

    /* a region new in r2 versus one the superseded revision already listed */
    const vp_worm_region *il = vp_worm_catalog_find(cat, "israelcentral");
    const vp_worm_region *ac2 = vp_worm_catalog_find(cat, "Australia Central 2");
    ck_assert_int_eq(vp_worm_region_listed_by(il, R2), 1);
    ck_assert_int_eq(vp_worm_region_listed_by(il, r2->supersedes), 0);
    ck_assert_int_eq(vp_worm_region_listed_by(ac2, R2), 1);
    ck_assert_int_eq(vp_worm_region_listed_by(ac2, r2->supersedes), 1);
    vp_worm_catalog_free(cat);
}
END_TEST

START_TEST(builtin_sha256_of_quotes)
{
    vp_worm_catalog *cat = builtin();
    size_t n;
    char hex[65];
    const vp_worm_source *s = vp_worm_catalog_sources(cat, &n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(s[i].quote);
        vp_sha256_hex(s[i].quote, strlen(s[i].quote), hex);
        ck_assert_str_eq(s[i].sha256, hex);
    }
    /* the 7-region sentence as Microsoft Learn had it (digest taken outside vaultproof) */
    ck_assert_str_eq(vp_worm_catalog_source(cat, R1)->sha256,
                     "3ff2f81708cf5f4094d2c296d5822daa44dc7a857fe35819f8f48fcb99914906");
    vp_worm_catalog_free(cat);
}
END_TEST

/* Every location has a display name, not only the WORM regions: eastus2 and westus3 used
 * to print as " (eastus2)". */
START_TEST(display_names)
{
    vp_worm_catalog *cat = builtin();
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "eastus2"), "East US 2");
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "westus3"), "West US 3");
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "WestUS3"), "West US 3");
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "India South"), "South India");
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "southindia"), "South India");
    ck_assert_ptr_null(vp_worm_catalog_display_name(cat, "marsnorth"));
    ck_assert_ptr_null(vp_worm_catalog_find(cat, "westus3")); /* known location, not WORM GA */
    vp_worm_catalog_free(cat);
}
END_TEST

START_TEST(find_by_alias)
{
    vp_worm_catalog *cat = builtin();
    const char *spellings[] = {"India South", "South India", "southindia", "SouthIndia"};
    for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
        const vp_worm_region *r = vp_worm_catalog_find(cat, spellings[i]);
        ck_assert_msg(r != NULL, "%s", spellings[i]);
        ck_assert_str_eq(r->location, "southindia");
        ck_assert_str_eq(r->display_name, "India South"); /* as the sources spell it */
    }
    ck_assert_str_eq(vp_worm_catalog_find(cat, "India West")->location, "westindia");
    ck_assert_ptr_nonnull(vp_worm_catalog_find(cat, "SwitzerlandWest"));
    vp_worm_catalog_free(cat);
}
END_TEST

/* Each region's display_name is its ARM location's displayName or an alias of it. */
START_TEST(regions_match_location_table)
{
    vp_worm_catalog *cat = builtin();
    size_t nr, nl;
    const vp_worm_region *r = vp_worm_catalog_regions(cat, &nr);
    const vp_worm_location *l = vp_worm_catalog_locations(cat, &nl);
    for (size_t i = 0; i < nr; i++) {
        const vp_worm_location *loc = NULL;
        for (size_t k = 0; k < nl && !loc; k++)
            if (!strcmp(l[k].name, r[i].location))
                loc = &l[k];
        ck_assert_msg(loc != NULL, "%s not in the location table", r[i].location);
        int ok = !strcmp(loc->display_name, r[i].display_name);
        for (size_t a = 0; !ok && a < loc->alias_count; a++)
            ok = !strcmp(loc->aliases[a], r[i].display_name);
        ck_assert_msg(ok, "%s: '%s' is neither '%s' nor an alias", r[i].location, r[i].display_name,
                      loc->display_name);
    }
    /* Backup vaults: WORM in preview in five regions (r2's second sentence) */
    size_t preview = 0;
    for (size_t i = 0; i < nr; i++)
        if (r[i].backup_vaults) {
            ck_assert_str_eq(r[i].backup_vaults, "preview");
            preview++;
        }
    ck_assert_int_eq(preview, 5);
    ck_assert_str_eq(vp_worm_catalog_find(cat, "polandcentral")->backup_vaults, "preview");
    ck_assert_ptr_null(vp_worm_catalog_find(cat, "japaneast")->backup_vaults);
    vp_worm_catalog_free(cat);
}
END_TEST

/* The location table agrees with a real Subscriptions - List Locations response. */
START_TEST(location_table_matches_arm_list)
{
    char path[1024], *data = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    vp_error e = {0};
    const char *dir = getenv("VP_TEST_DATA");
    snprintf(path, sizeof path, "%s/azure/GetLocations.json", dir ? dir : "tests/data");
    ck_assert_msg(vp_read_file(path, &data, &len, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vp_json_parse(path, data, len, &root, &e) == VP_OK, "%s", e.message);
    vp_worm_catalog *cat = builtin();
    int seen = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value");
    for (const cJSON *x = v ? v->child : NULL; x; x = x->next, seen++) {
        const char *name = cJSON_GetObjectItemCaseSensitive(x, "name")->valuestring;
        const vp_worm_location *l = vp_worm_catalog_location(cat, name);
        ck_assert_msg(l != NULL, "%s", name);
        ck_assert_str_eq(l->name, name);
        ck_assert_str_eq(l->display_name, cJSON_GetObjectItemCaseSensitive(x, "displayName")->valuestring);
        ck_assert_str_eq(l->regional_display_name,
                         cJSON_GetObjectItemCaseSensitive(x, "regionalDisplayName")->valuestring);
    }
    ck_assert_int_eq(seen, 2);
    vp_worm_catalog_free(cat);
    cJSON_Delete(root);
    free(data);
}
END_TEST

/* A small format-2 catalog: one source quoting "GA in: Korea Central, India South." (its
 * SHA-256 computed outside vaultproof), two locations, regions given by the caller. */
#define Q1 "GA in: Korea Central, India South."
#define Q1_SHA "97553017a15b2d63cf77dcb83a0b40fec237295ab3cee0be8000e05fcdf258e4"
#define LOCS                                                                                                   \
    "\"locations\":[{\"name\":\"koreacentral\",\"displayName\":\"Korea Central\"},"                             \
    "{\"name\":\"southindia\",\"displayName\":\"South India\",\"aliases\":[\"India South\"]},"                  \
    "{\"name\":\"australiacentral\",\"displayName\":\"Australia Central\"}]"
#define SRC(id, quote, sha, sup)                                                                               \
    "{\"id\":\"" id "\",\"title\":\"T\",\"retrieved\":\"2026-12-03\",\"quote\":\"" quote "\",\"sha256\":\"" sha \
    "\",\"supersedes\":" sup "}"
#define CAT(sources, regions, locations)                                                                       \
    "{\"format\":\"vaultproof-worm-catalog/2\",\"version\":\"x\",\"sources\":[" sources "],\"regions\":[" regions \
    "]," locations "}"
#define REGION(loc, name, srcs)                                                                                \
    "{\"location\":\"" loc "\",\"display_name\":\"" name "\",\"status\":\"ga\",\"sources\":[" srcs "]}"

static const char *parse_error(const char *json)
{
    static vp_error e;
    vp_worm_catalog *cat = NULL;
    memset(&e, 0, sizeof e);
    vp_status st = vp_worm_catalog_parse("c.json", json, strlen(json), &cat, &e);
    ck_assert_msg(st == VP_ERR_INPUT, "accepted: %s", json);
    ck_assert_ptr_null(cat);
    return e.message;
}

static void assert_has(const char *msg, const char *want)
{
    ck_assert_msg(strstr(msg, want) != NULL, "'%s' not in '%s'", want, msg);
}

START_TEST(small_catalog_parses)
{
    const char *json = CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("koreacentral", "Korea Central", "\"a\"") ","
                                                             REGION("southindia", "India South", "\"a\""), LOCS);
    vp_worm_catalog *cat = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_worm_catalog_parse("c.json", json, strlen(json), &cat, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(vp_worm_catalog_find(cat, "South India")->display_name, "India South");
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "australiacentral"), "Australia Central");
    vp_worm_catalog_free(cat);
}
END_TEST

START_TEST(sha256_mismatch_refused)
{
    /* the quote edited after the digest was taken: "India West" instead of "India South" */
    const char *msg = parse_error(CAT(SRC("a", "GA in: Korea Central, India West.", Q1_SHA, "null"),
                                      REGION("koreacentral", "Korea Central", "\"a\""), LOCS));
    assert_has(msg, "c.json: /sources/0/sha256: '" Q1_SHA "'; expected the SHA-256 of /sources/0/quote");
    msg = parse_error(CAT("{\"id\":\"a\",\"title\":\"T\",\"retrieved\":\"2026-12-03\",\"quote\":\"" Q1 "\"}",
                          REGION("koreacentral", "Korea Central", "\"a\""), LOCS));
    assert_has(msg, "/sources/0");
    assert_has(msg, "sha256");
}
END_TEST

START_TEST(revision_chain_checked)
{
    const char *msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "\"b\"") "," SRC("b", Q1, Q1_SHA, "\"a\""),
                                      REGION("koreacentral", "Korea Central", "\"a\""), LOCS));
    assert_has(msg, "c.json: /sources/0/supersedes: 'b' leads back to 'a'");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "\"a\""), REGION("koreacentral", "Korea Central", "\"a\""), LOCS));
    assert_has(msg, "/sources/0/supersedes");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "\"zz\""), REGION("koreacentral", "Korea Central", "\"a\""), LOCS));
    assert_has(msg, "c.json: /sources/0/supersedes: source 'zz' is not defined in /sources");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null") "," SRC("a", Q1, Q1_SHA, "null"),
                          REGION("koreacentral", "Korea Central", "\"a\""), LOCS));
    assert_has(msg, "c.json: /sources/1/id: 'a' is already the id of /sources/0");
}
END_TEST

START_TEST(region_checked_against_locations)
{
    const char *msg =
        parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("koreasouth", "Korea South", "\"a\""), LOCS));
    assert_has(msg, "c.json: /regions/0/location: 'koreasouth' is not a location name in /locations");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("southindia", "India Southern", "\"a\""), LOCS));
    assert_has(msg, "c.json: /regions/0/display_name: 'India Southern'; expected the displayName of location "
                    "'southindia' ('South India') or one of its aliases");
    /* the source's text does not name the region: "Australia Central" is only the head of "Australia Central 2" */
    msg = parse_error(CAT(SRC("a", "GA in: Korea Central, India South, Australia Central 2.",
                              "7bdb02f651afebd9818a33f366d351696ca766eff40f0ce9d6a69cdf7c8409e3", "null"),
                          REGION("australiacentral", "Australia Central", "\"a\""), LOCS));
    assert_has(msg, "c.json: /regions/0/sources/0: the quote of source 'a' does not name 'Australia Central'");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("koreacentral", "Korea Central", "\"b\""), LOCS));
    assert_has(msg, "c.json: /regions/0/sources/0: source 'b' is not defined in /sources");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"),
                          REGION("koreacentral", "Korea Central", "\"a\"") ","
                          REGION("KoreaCentral", "Korea Central", "\"a\""),
                          LOCS));
    assert_has(msg, "c.json: /regions/1/location: 'koreacentral' is already listed at /regions/0");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("koreacentral", "Korea Central", "\"a\""),
                          "\"locations\":[{\"name\":\"koreacentral\",\"displayName\":\"Korea Central\"},"
                          "{\"name\":\"koreacentral2\",\"displayName\":\"Korea Central\"}]"));
    assert_has(msg, "c.json: /locations/1: 'Korea Central' also names /locations/0 ('koreacentral')");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("koreacentral", "Korea Central", "\"a\""),
                          "\"locations\":[{\"name\":\"Korea Central\",\"displayName\":\"Korea Central\"}]"));
    assert_has(msg, "c.json: /locations/0/name: 'Korea Central'; expected the ARM form");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"), REGION("koreacentral", "Korea Central", "\"a\""), "\"x\":1"));
    assert_has(msg, "/locations");
}
END_TEST

START_TEST(other_fields_checked)
{
    const char *msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"),
                                      "{\"location\":\"koreacentral\",\"display_name\":\"Korea Central\",\"status\":"
                                      "\"preview\",\"sources\":[\"a\"]}",
                                      LOCS));
    assert_has(msg, "/regions/0/status: 'preview'");
    msg = parse_error(CAT(SRC("a", Q1, Q1_SHA, "null"),
                          "{\"location\":\"koreacentral\",\"display_name\":\"Korea Central\",\"status\":\"ga\","
                          "\"sources\":[\"a\"],\"backup_vaults\":\"soon\"}",
                          LOCS));
    assert_has(msg, "c.json: /regions/0/backup_vaults: 'soon'");
    msg = parse_error("{\"format\":\"other\",\"version\":\"x\",\"sources\":[],\"regions\":[]}");
    assert_has(msg, "c.json: /format: 'other'; expected \"vaultproof-worm-catalog/2\"");
}
END_TEST

/* A catalog written for the earlier format (no quotes, no location table) still reads,
 * with its regions' own spellings as display names. */
START_TEST(format1_still_read)
{
    const char *json = "{\"format\":\"vaultproof-worm-catalog/1\",\"version\":\"x\",\"sources\":[{\"id\":\"a\","
                       "\"title\":\"A\",\"as_of\":\"2025-06-19\"}],\"regions\":[{\"location\":\"southindia\","
                       "\"display_name\":\"India South\",\"status\":\"ga\",\"sources\":[\"a\"]}]}";
    vp_worm_catalog *cat = NULL;
    vp_error e = {0};
    size_t n;
    ck_assert_msg(vp_worm_catalog_parse("c.json", json, strlen(json), &cat, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(vp_worm_catalog_find(cat, "India South")->location, "southindia");
    ck_assert_str_eq(vp_worm_catalog_display_name(cat, "southindia"), "India South");
    ck_assert_ptr_null(vp_worm_catalog_display_name(cat, "eastus2"));
    vp_worm_catalog_locations(cat, &n);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(vp_worm_catalog_sources(cat, &n)[0].quote);
    vp_worm_catalog_free(cat);
    /* a /1 catalog that does carry a quote still has it checked */
    const char *bad = "{\"format\":\"vaultproof-worm-catalog/1\",\"version\":\"x\",\"sources\":[{\"id\":\"a\","
                      "\"title\":\"A\",\"quote\":\"q\",\"sha256\":\"00\"}],\"regions\":[]}";
    assert_has(parse_error(bad), "c.json: /sources/0/sha256: '00'");
}
END_TEST

Suite *worm_suite(void)
{
    Suite *s = suite_create("worm");
    TCase *tc = tcase_create("builtin");
    tcase_add_test(tc, builtin_parses);
    tcase_add_test(tc, builtin_revisions);
    tcase_add_test(tc, builtin_sha256_of_quotes);
    tcase_add_test(tc, display_names);
    tcase_add_test(tc, find_by_alias);
    tcase_add_test(tc, regions_match_location_table);
    tcase_add_test(tc, location_table_matches_arm_list);
    suite_add_tcase(s, tc);
    tc = tcase_create("validation");
    tcase_add_test(tc, small_catalog_parses);
    tcase_add_test(tc, sha256_mismatch_refused);
    tcase_add_test(tc, revision_chain_checked);
    tcase_add_test(tc, region_checked_against_locations);
    tcase_add_test(tc, other_fields_checked);
    tcase_add_test(tc, format1_still_read);
    suite_add_tcase(s, tc);
    return s;
}
