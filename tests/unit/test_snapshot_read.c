/* Reading snapshots back: round trips (fixtures, the Contoso sample), the model after
 * reading, other layouts, sorting, and errors that name file, line and pointer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vaultproof/collect.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/worm.h"
#include "vp_test.h"

/* ---- helpers ---- */

static char *fixture(const char *name)
{
    return vp_test_data("unit", name);
}

/* The normalizer's snapshot of tests/data/unit/ (as in test_normalize.c). */
static vp_snapshot *fixture_snapshot(void)
{
    static const char *const names[] = {"subscriptions.json", "vaults.json", "vault-configs.json",
                                        "policies.json",      "items.json",  "vms.json"};
    vp_test_body b[6];
    char *bodies[6];
    vp_snapshot *s = NULL;
    vp_error e = {0};
    for (int i = 0; i < 6; i++) {
        bodies[i] = fixture(names[i]);
        b[i] = (vp_test_body){names[i], bodies[i], NULL};
    }
    ck_assert_msg(vp_test_normalize(b, 6, &s, &e) == VP_OK, "%s", e.message);
    for (int i = 0; i < 6; i++)
        free(bodies[i]);
    return s;
}

/* The Contoso Health sample, collected as `vaultproof collect` does (pinned clock). */
static vp_snapshot *contoso_snapshot(void)
{
    char dir[1024];
    const char *data = getenv("VP_TEST_DATA");
    vp_worm_catalog *worm = NULL;
    vp_snapshot *s = NULL;
    vp_error e = {0};
    snprintf(dir, sizeof dir, "%s/../../samples/contoso-health/raw", data ? data : "tests/data");
    ck_assert_msg(vp_worm_catalog_builtin(&worm, &e) == VP_OK, "%s", e.message);
    vp_collect_options opt = {.source_kind = "replay", .input = "samples/contoso-health/raw", .worm = worm};
    opt.clock.epoch = 1790748000;
    opt.clock.pinned = 1;
    ck_assert_msg(vp_collect_replay(dir, &opt, &s, &e) == VP_OK, "%s", e.message);
    vp_worm_catalog_free(worm);
    return s;
}

/* A scratch file in a directory of its own, made inside the test (each test runs in
 * its own child process) and removed right after each read, before any assertion can
 * end the test. */
typedef struct {
    char dir[256], path[320];
} scratch;

static const char *scratch_write(scratch *t, const char *text, size_t len)
{
    if (!t->dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(t->dir, sizeof t->dir, "%s/vp-read-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(t->dir));
        snprintf(t->path, sizeof t->path, "%s/snap.json", t->dir);
    }
    FILE *fp = fopen(t->path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
    return t->path;
}

static void scratch_remove(scratch *t)
{
    if (!t->dir[0])
        return;
    unlink(t->path);
    rmdir(t->dir);
    t->dir[0] = '\0';
}

static vp_snapshot *read_text(scratch *t, const char *text)
{
    vp_snapshot *s = NULL;
    vp_error e = {0};
    vp_status st = vp_snapshot_read_json(scratch_write(t, text, strlen(text)), &s, &e);
    scratch_remove(t);
    ck_assert_msg(st == VP_OK, "%s", e.message);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* Reads text that must be refused; returns the message (in e). */
static const char *read_error(scratch *t, const char *text, size_t len, vp_error *e)
{
    vp_snapshot sentinel, *s = &sentinel; /* must come back NULL */
    char path[sizeof t->path];
    snprintf(path, sizeof path, "%s", scratch_write(t, text, len));
    vp_status st = vp_snapshot_read_json(path, &s, e);
    scratch_remove(t);
    ck_assert_int_eq(st, VP_ERR_INPUT);
    ck_assert_ptr_null(s);
    ck_assert_msg(strncmp(e->message, path, strlen(path)) == 0, "message does not name the file: %s", e->message);
    return e->message;
}

static void assert_same_text(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    ck_assert_msg(a[i] == b[i], "texts differ at byte %zu: ...%.60s... vs ...%.60s...", i, a + i, b + i);
}

/* Write, read, write: the two texts must be the same bytes. Returns the reread. */
static vp_snapshot *assert_round_trip(scratch *t, const vp_snapshot *s)
{
    char *a = vp_test_snapshot_json(s);
    vp_snapshot *r = read_text(t, a);
    char *b = vp_test_snapshot_json(r);
    assert_same_text(a, b);
    free(a);
    free(b);
    return r;
}

static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    ck_assert_msg(at != NULL, "'%s' not in the text", from);
    size_t head = (size_t)(at - s), fl = strlen(from), tl = strlen(to), rest = strlen(at + fl);
    char *out = malloc(head + tl + rest + 1);
    memcpy(out, s, head);
    memcpy(out + head, to, tl);
    memcpy(out + head + tl, at + fl, rest + 1);
    return out;
}

static size_t line_of(const char *s, const char *needle)
{
    const char *at = strstr(s, needle);
    size_t line = 1;
    ck_assert_msg(at != NULL, "'%s' not in the text", needle);
    for (const char *p = s; p < at; p++)
        line += *p == '\n';
    return line;
}

/* The text as lines (without their '\n'), to move elements around. */
typedef struct {
    char **v;
    size_t n;
} lines;

static lines split_lines(const char *s)
{
    lines l = {NULL, 0};
    for (const char *p = s;; ) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        l.v = realloc(l.v, (l.n + 1) * sizeof *l.v);
        l.v[l.n] = strndup(p, len);
        l.n++;
        if (!nl)
            break;
        p = nl + 1;
    }
    return l;
}

static char *join_lines(const lines *l)
{
    size_t len = 0, n = 0;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    char *out = malloc(len + 1);
    for (size_t i = 0; i < l->n; i++)
        n += (size_t)sprintf(out + n, "%s%s", l->v[i], i + 1 < l->n ? "\n" : "");
    return out;
}

static void free_lines(lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* Index of the line that opens an array ("  \"vaults\": ["). */
static size_t opener(const lines *l, const char *line)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], line))
            return i;
    ck_abort_msg("no line '%s'", line);
    return 0;
}

static size_t region_size(const lines *l, size_t open)
{
    size_t n = 0;
    while (l->v[open + 1 + n][strspn(l->v[open + 1 + n], " ")] == '{')
        n++;
    return n;
}

static void set_comma(char *line, int comma)
{
    size_t len = strlen(line);
    if (line[len - 1] == ',')
        line[--len] = '\0';
    if (comma)
        strcpy(line + len, ","); /* callers made room for one more byte */
}

/* Reverses the elements of one array, keeping its commas valid. */
static void reverse_region(lines *l, const char *open_line)
{
    size_t open = opener(l, open_line), n = region_size(l, open);
    char **e = l->v + open + 1;
    for (size_t i = 0; i < n; i++) {
        char *grown = malloc(strlen(e[i]) + 2);
        strcpy(grown, e[i]);
        free(e[i]);
        e[i] = grown;
    }
    for (size_t i = 0; i < n / 2; i++) {
        char *x = e[i];
        e[i] = e[n - 1 - i];
        e[n - 1 - i] = x;
    }
    for (size_t i = 0; i < n; i++)
        set_comma(e[i], i + 1 < n);
}

static const vp_item *item_named(const vp_snapshot *s, const char *friendly)
{
    for (size_t i = 0; i < s->item_count; i++)
        if (s->items[i].friendly_name.presence == VP_PRESENT && !strcmp(s->items[i].friendly_name.value, friendly))
            return &s->items[i];
    ck_abort_msg("no item %s", friendly);
    return NULL;
}

static const vp_policy *policy_named(const vp_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->policy_count; i++)
        if (!strcmp(s->policies[i].name, name))
            return &s->policies[i];
    ck_abort_msg("no policy %s", name);
    return NULL;
}

/* ---- model comparison: every field the format carries ---- */

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

#define SAME_STR(a, b, f) ck_assert_msg(same_str((a)->f, (b)->f), "%s: '%s' vs '%s'", #f, (a)->f, (b)->f)
#define SAME_INT(a, b, f) ck_assert_msg((a)->f == (b)->f, "%s: %lld vs %lld", #f, (long long)(a)->f, (long long)(b)->f)

/* null and absent are one thing in the format: both are "not reported" */
static void same_text(const vp_text *a, const vp_text *b, const char *what)
{
    ck_assert_msg((a->presence == VP_PRESENT) == (b->presence == VP_PRESENT), "%s: presence", what);
    if (a->presence != VP_PRESENT)
        return;
    ck_assert_msg(!strcmp(a->value, b->value), "%s: '%s' vs '%s'", what, a->value, b->value);
    ck_assert_msg(a->unknown == b->unknown, "%s: unknown", what);
    ck_assert_msg(a->origin == b->origin, "%s: origin", what);
}

#define SAME_TEXT(a, b, f) same_text(&(a)->f, &(b)->f, #f)

static void same_num(const vp_num *a, const vp_num *b, const char *what)
{
    ck_assert_msg((a->presence == VP_PRESENT) == (b->presence == VP_PRESENT), "%s: presence", what);
    ck_assert_msg(a->presence != VP_PRESENT || (a->value == b->value && a->origin == b->origin), "%s", what);
}

static void same_flag(const vp_flag *a, const vp_flag *b, const char *what)
{
    ck_assert_msg((a->presence == VP_PRESENT) == (b->presence == VP_PRESENT), "%s: presence", what);
    ck_assert_msg(a->presence != VP_PRESENT || a->value == b->value, "%s", what);
}

static void same_source(const vp_source *a, const vp_source *b)
{
    SAME_STR(a, b, file);
    SAME_STR(a, b, pointer);
}

static void same_tags(const vp_tags *a, const vp_tags *b)
{
    ck_assert_int_eq(a->presence == VP_PRESENT, b->presence == VP_PRESENT);
    ck_assert_uint_eq(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        SAME_STR(&a->items[i], &b->items[i], key);
        SAME_STR(&a->items[i], &b->items[i], value);
    }
}

static void same_vault(const vp_vault *a, const vp_vault *b)
{
    SAME_STR(a, b, id);
    SAME_STR(a, b, name);
    SAME_STR(a, b, resource_group);
    SAME_STR(a, b, subscription_id);
    SAME_STR(a, b, location);
    same_source(&a->source, &b->source);
    same_tags(&a->tags, &b->tags);
    SAME_TEXT(a, b, immutability);
    SAME_TEXT(a, b, soft_delete);
    same_num(&a->soft_delete_days, &b->soft_delete_days, "soft_delete_days");
    SAME_TEXT(a, b, enhanced_security);
    SAME_TEXT(a, b, mua);
    SAME_TEXT(a, b, storage_redundancy);
    SAME_TEXT(a, b, cross_region_restore);
    SAME_TEXT(a, b, secure_score);
    SAME_TEXT(a, b, bcdr_security_level);
    SAME_TEXT(a, b, sku);
    SAME_TEXT(a, b, provisioning_state);
    SAME_TEXT(a, b, public_network_access);
    same_source(&a->vaultconfig_source, &b->vaultconfig_source);
    same_source(&a->storageconfig_source, &b->storageconfig_source);
    SAME_INT(a, b, guard_count);
    for (size_t i = 0; i < a->guard_count; i++) {
        SAME_STR(&a->guards[i], &b->guards[i], id);
        SAME_STR(&a->guards[i], &b->guards[i], resource_guard_id);
        SAME_STR(&a->guards[i], &b->guards[i], last_updated);
        SAME_INT(&a->guards[i], &b->guards[i], operation_count);
        same_source(&a->guards[i].source, &b->guards[i].source);
    }
    for (vp_arm_list l = 0; l < VP_ARM_LIST_COUNT; l++)
        SAME_INT(a, b, lists[l]);
    SAME_INT(a, b, policy_count);
    SAME_INT(a, b, item_count);
}

/* The writer prints a parent vault's id as the vault spells it, and the reader keeps
 * what it reads: the collected model may spell it in another case. */
#define SAME_ID(a, b, f) ck_assert_msg(!strcasecmp((a)->f, (b)->f), "%s: '%s' vs '%s'", #f, (a)->f, (b)->f)

static void same_policy(const vp_policy *a, const vp_policy *b)
{
    SAME_STR(a, b, id);
    SAME_STR(a, b, name);
    SAME_ID(a, b, vault_id);
    SAME_STR(a, b, subscription_id);
    same_source(&a->source, &b->source);
    SAME_INT(a, b, vault_listed);
    SAME_TEXT(a, b, management_type);
    SAME_TEXT(a, b, workload_type);
    SAME_TEXT(a, b, policy_type);
    SAME_TEXT(a, b, schedule_frequency);
    SAME_TEXT(a, b, time_zone);
    same_num(&a->protected_items_count, &b->protected_items_count, "protected_items_count");
    SAME_INT(a, b, tier_count);
    for (size_t i = 0; i < a->tier_count; i++) {
        SAME_STR(&a->tiers[i], &b->tiers[i], sub_policy);
        SAME_STR(&a->tiers[i], &b->tiers[i], tier);
        SAME_INT(&a->tiers[i], &b->tiers[i], count);
        SAME_STR(&a->tiers[i], &b->tiers[i], unit);
        SAME_INT(&a->tiers[i], &b->tiers[i], days);
        SAME_STR(&a->tiers[i], &b->tiers[i], pointer);
    }
    SAME_INT(a, b, long_term_days);
    SAME_INT(a, b, log_days);
    SAME_INT(a, b, unknown_retention);
}

static void same_item(const vp_item *a, const vp_item *b)
{
    SAME_STR(a, b, id);
    SAME_STR(a, b, name);
    SAME_ID(a, b, vault_id);
    SAME_STR(a, b, subscription_id);
    same_source(&a->source, &b->source);
    SAME_INT(a, b, vault_listed);
    SAME_STR(a, b, kind);
    SAME_TEXT(a, b, item_type);
    SAME_TEXT(a, b, management_type);
    SAME_TEXT(a, b, workload_type);
    SAME_TEXT(a, b, friendly_name);
    SAME_TEXT(a, b, server);
    SAME_TEXT(a, b, container);
    SAME_TEXT(a, b, source_resource_id);
    SAME_TEXT(a, b, vm_id);
    SAME_TEXT(a, b, policy_id);
    SAME_TEXT(a, b, policy_name);
    SAME_STR(a, b, policy_link);
    SAME_TEXT(a, b, protection_state);
    SAME_TEXT(a, b, protection_status);
    SAME_TEXT(a, b, health_status);
    SAME_TEXT(a, b, last_backup_status);
    SAME_TEXT(a, b, last_backup_time);
    SAME_TEXT(a, b, last_recovery_point);
    SAME_TEXT(a, b, oldest_recovery_point);
    same_num(&a->recovery_point_count, &b->recovery_point_count, "recovery_point_count");
    same_flag(&a->deferred_delete, &b->deferred_delete, "deferred_delete");
    SAME_TEXT(a, b, deferred_delete_time);
    same_flag(&a->archive_enabled, &b->archive_enabled, "archive_enabled");
    SAME_TEXT(a, b, policy_state);
}

static void same_vm(const vp_vm *a, const vp_vm *b)
{
    SAME_STR(a, b, id);
    SAME_STR(a, b, name);
    SAME_STR(a, b, resource_group);
    SAME_STR(a, b, subscription_id);
    SAME_STR(a, b, location);
    SAME_STR(a, b, type);
    same_source(&a->source, &b->source);
    same_tags(&a->tags, &b->tags);
    SAME_TEXT(a, b, vm_uuid);
    SAME_TEXT(a, b, size);
    SAME_TEXT(a, b, os_type);
    SAME_TEXT(a, b, time_created);
    SAME_INT(a, b, protected_count);
    for (size_t i = 0; i < a->protected_count; i++)
        ck_assert_str_eq(a->protected_by[i], b->protected_by[i]);
}

static void same_collection(const vp_collection *a, const vp_collection *b)
{
    SAME_STR(a, b, tool_version);
    SAME_STR(a, b, tool_commit);
    SAME_STR(a, b, source_kind);
    SAME_STR(a, b, input);
    SAME_STR(a, b, generated_at);
    SAME_STR(a, b, captured_from);
    SAME_STR(a, b, captured_to);
    SAME_STR(a, b, principal);
    SAME_STR(a, b, worm_catalog_version);
    SAME_STR(a, b, worm_catalog_sha256);
    SAME_STR(a, b, worm_catalog_origin);
    SAME_INT(a, b, clock_pinned);
    SAME_INT(a, b, request_count);
    SAME_INT(a, b, retry_count);
    SAME_INT(a, b, verified);
    SAME_INT(a, b, complete);
    SAME_INT(a, b, ignored_resources);
    SAME_INT(a, b, endpoint_count);
    for (size_t i = 0; i < a->endpoint_count; i++)
        ck_assert_str_eq(a->endpoints[i], b->endpoints[i]);
    SAME_INT(a, b, api_version_count);
    for (size_t i = 0; i < a->api_version_count; i++)
        ck_assert_str_eq(a->api_versions[i], b->api_versions[i]);
    SAME_INT(a, b, list_count);
    for (size_t i = 0; i < a->list_count; i++) {
        SAME_STR(&a->lists[i], &b->lists[i], operation);
        SAME_STR(&a->lists[i], &b->lists[i], scope);
        SAME_INT(&a->lists[i], &b->lists[i], status);
        SAME_INT(&a->lists[i], &b->lists[i], pages);
        SAME_STR(&a->lists[i], &b->lists[i], detail);
    }
    SAME_INT(a, b, warning_count);
    for (size_t i = 0; i < a->warning_count; i++) {
        SAME_STR(&a->warnings[i], &b->warnings[i], code);
        SAME_STR(&a->warnings[i], &b->warnings[i], file);
        SAME_STR(&a->warnings[i], &b->warnings[i], pointer);
        SAME_STR(&a->warnings[i], &b->warnings[i], message);
    }
    SAME_INT(a, b, file_count);
    for (size_t i = 0; i < a->file_count; i++) {
        SAME_STR(&a->files[i], &b->files[i], path);
        SAME_STR(&a->files[i], &b->files[i], sha256);
        SAME_STR(&a->files[i], &b->files[i], role);
        SAME_INT(&a->files[i], &b->files[i], bytes);
    }
}

static void same_model(const vp_snapshot *a, const vp_snapshot *b)
{
    same_collection(&a->collection, &b->collection);
    ck_assert_uint_eq(a->worm_source_count, b->worm_source_count);
    for (size_t i = 0; i < a->worm_source_count; i++) {
        SAME_STR(&a->worm_sources[i], &b->worm_sources[i], id);
        SAME_STR(&a->worm_sources[i], &b->worm_sources[i], title);
        SAME_STR(&a->worm_sources[i], &b->worm_sources[i], url);
        SAME_STR(&a->worm_sources[i], &b->worm_sources[i], as_of);
        SAME_STR(&a->worm_sources[i], &b->worm_sources[i], recorded);
    }
    ck_assert_uint_eq(a->region_count, b->region_count);
    for (size_t i = 0; i < a->region_count; i++) {
        SAME_STR(&a->regions[i], &b->regions[i], location);
        SAME_STR(&a->regions[i], &b->regions[i], display_name);
        SAME_STR(&a->regions[i], &b->regions[i], worm);
        SAME_INT(&a->regions[i], &b->regions[i], vault_count);
        SAME_INT(&a->regions[i], &b->regions[i], source_count);
        for (size_t j = 0; j < a->regions[i].source_count; j++)
            ck_assert_str_eq(a->regions[i].sources[j], b->regions[i].sources[j]);
    }
    ck_assert_uint_eq(a->subscription_count, b->subscription_count);
    for (size_t i = 0; i < a->subscription_count; i++) {
        SAME_STR(&a->subscriptions[i], &b->subscriptions[i], id);
        SAME_STR(&a->subscriptions[i], &b->subscriptions[i], subscription_id);
        SAME_STR(&a->subscriptions[i], &b->subscriptions[i], display_name);
        SAME_STR(&a->subscriptions[i], &b->subscriptions[i], state);
        SAME_STR(&a->subscriptions[i], &b->subscriptions[i], tenant_id);
        SAME_INT(&a->subscriptions[i], &b->subscriptions[i], listed);
        same_source(&a->subscriptions[i].source, &b->subscriptions[i].source);
    }
    ck_assert_uint_eq(a->vault_count, b->vault_count);
    for (size_t i = 0; i < a->vault_count; i++)
        same_vault(&a->vaults[i], &b->vaults[i]);
    ck_assert_uint_eq(a->policy_count, b->policy_count);
    for (size_t i = 0; i < a->policy_count; i++)
        same_policy(&a->policies[i], &b->policies[i]);
    ck_assert_uint_eq(a->item_count, b->item_count);
    for (size_t i = 0; i < a->item_count; i++)
        same_item(&a->items[i], &b->items[i]);
    ck_assert_uint_eq(a->vm_count, b->vm_count);
    for (size_t i = 0; i < a->vm_count; i++)
        same_vm(&a->vms[i], &b->vms[i]);
}

/* ---- round trips ---- */

START_TEST(round_trip_fixtures)
{
    scratch t = {0};
    vp_snapshot *s = fixture_snapshot();
    vp_snapshot *r = assert_round_trip(&t, s);
    same_model(s, r);
    vp_snapshot_free(r);
    vp_snapshot_free(s);
}
END_TEST

START_TEST(round_trip_contoso)
{
    scratch t = {0};
    vp_snapshot *s = contoso_snapshot();
    ck_assert_uint_gt(s->item_count, 0);
    ck_assert_uint_gt(s->collection.file_count, 0);
    vp_snapshot *r = assert_round_trip(&t, s);
    same_model(s, r);
    /* the reread snapshot serves lookups as the collected one does */
    for (size_t i = 0; i < r->item_count; i++)
        ck_assert_ptr_eq(vp_snapshot_find_item(r, s->items[i].id), &r->items[i]);
    vp_snapshot_free(r);
    vp_snapshot_free(s);
}
END_TEST

START_TEST(fields_after_reading)
{
    scratch t = {0};
    vp_snapshot *s = fixture_snapshot();
    vp_snapshot *r = assert_round_trip(&t, s);
    const char *vaults = "/subscriptions/sub-a/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/";
    char id[256];

    /* not reported: absent in the API, null in the file, VP_NULL once read */
    snprintf(id, sizeof id, "%svault-fresh", vaults);
    const vp_vault *fresh = vp_snapshot_find_vault(r, id);
    ck_assert_ptr_nonnull(fresh);
    ck_assert_int_eq(fresh->immutability.presence, VP_NULL);
    ck_assert_ptr_null(fresh->immutability.value);
    ck_assert_int_eq(fresh->tags.presence, VP_NULL);
    /* derived_from: which document a field came from */
    ck_assert_str_eq(fresh->soft_delete.value, "AlwaysON");
    ck_assert_int_eq(fresh->soft_delete.origin, VP_ORIGIN_VAULTCONFIG);
    ck_assert_int_eq(fresh->soft_delete_days.origin, VP_ORIGIN_VAULTCONFIG);
    ck_assert_int_eq(fresh->storage_redundancy.origin, VP_ORIGIN_STORAGECONFIG);
    ck_assert_int_eq(fresh->sku.origin, VP_ORIGIN_SELF);
    ck_assert_str_eq(fresh->vaultconfig_source.pointer, "/0");

    snprintf(id, sizeof id, "%svault-locked", vaults);
    const vp_vault *locked = vp_snapshot_find_vault(r, id);
    ck_assert_int_eq(locked->soft_delete.origin, VP_ORIGIN_SELF);
    ck_assert_str_eq(locked->tags.items[0].value, "Zürich");
    ck_assert_int_eq(locked->guard_count, 1);
    ck_assert_int_eq(locked->guards[0].operation_count, 2);
    ck_assert_uint_eq(locked->item_count, 14);
    /* completeness per vault: an offline export is unverified, not complete */
    ck_assert_int_eq(locked->lists[VP_ARM_LIST_ITEMS], s->vaults[locked - r->vaults].lists[VP_ARM_LIST_ITEMS]);
    ck_assert_int_ne(locked->lists[VP_ARM_LIST_ITEMS], VP_LIST_COMPLETE);

    /* unknown enums, mapped back to their fields */
    const vp_vault *odd = vp_snapshot_find_vault(r, "/subscriptions/sub-b/resourceGroups/rg-b/providers/Microsoft.RecoveryServices/vaults/vault-odd");
    ck_assert_ptr_nonnull(odd);
    ck_assert_int_eq(odd->immutability.unknown, 1);
    ck_assert_int_eq(odd->secure_score.unknown, 1);
    ck_assert_int_eq(odd->mua.unknown, 0);
    const vp_item *x = item_named(r, "x1");
    ck_assert_int_eq(x->protection_state.unknown, 1);
    ck_assert_int_eq(x->health_status.unknown, 1);
    ck_assert_int_eq(x->item_type.unknown, 1);
    ck_assert_str_eq(x->policy_link, "missing");
    ck_assert_int_eq(policy_named(r, "future-shape")->management_type.unknown, 1);

    /* retention: null days read back as -1 */
    const vp_policy *p = policy_named(r, "odd-units");
    ck_assert_int_eq(p->unknown_retention, 1);
    ck_assert_int_eq(p->tiers[0].days, -1);
    ck_assert_str_eq(p->tiers[0].unit, "Invalid");
    ck_assert_int_eq(p->long_term_days, 35);
    ck_assert_int_eq(policy_named(r, "future-shape")->long_term_days, -1);
    p = policy_named(r, "sql-full-diff-log");
    ck_assert_str_eq(p->tiers[3].sub_policy, "Differential");
    ck_assert_int_eq(p->log_days, 7);
    ck_assert_int_eq(policy_named(r, "vm-v1-daily")->log_days, -1);

    /* items and VMs */
    const vp_item *share = item_named(r, "share1");
    ck_assert_int_eq(share->deferred_delete.presence, VP_PRESENT);
    ck_assert_int_eq(share->deferred_delete.value, 1);
    ck_assert_str_eq(share->deferred_delete_time.value, "2026-09-20T00:00:00Z");
    const vp_item *vm = item_named(r, "epic-db01");
    ck_assert_int_eq(vm->recovery_point_count.value, 412);
    ck_assert_str_eq(vm->policy_link, "resolved");
    const vp_vm *db = vp_snapshot_find_vm(r, "/SUBSCRIPTIONS/sub-a/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/epic-db01");
    ck_assert_ptr_nonnull(db);
    ck_assert_uint_eq(db->protected_count, 1);
    ck_assert_ptr_eq(db->protected_by[0], vm->id); /* interned: one copy of the id */
    ck_assert_int_eq(item_named(r, "ghost01")->vault_listed, 0);
    ck_assert_str_eq(r->collection.source_kind, "replay");
    ck_assert_int_eq(r->subscriptions[1].listed, 0);
    vp_snapshot_free(r);
    vp_snapshot_free(s);
}
END_TEST

/* ---- other layouts ---- */

static char *canonical_fixture_text(void)
{
    vp_snapshot *s = fixture_snapshot();
    char *text = vp_test_snapshot_json(s);
    vp_snapshot_free(s);
    return text;
}

/* Reformats with cJSON's printer: members on their own lines, array elements not. */
static char *cjson_reformat(const char *text, int formatted)
{
    cJSON *root = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_json_parse("text", text, strlen(text), &root, &e) == VP_OK, "%s", e.message);
    char *out = formatted ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    ck_assert_ptr_nonnull(out);
    return out;
}

/* Breaks one-line elements after their '{', as a pretty-printer would: every one, or
 * those whose line contains `only`. */
static char *split_elements(const char *text, const char *only)
{
    char *out = malloc(strlen(text) * 2 + 1), *o = out;
    for (const char *p = text; *p;) {
        size_t indent = strspn(p, " ");
        const char *eol = strchr(p, '\n');
        char *line = strndup(p, eol ? (size_t)(eol - p) : strlen(p));
        int element = p[indent] == '{' && p[indent + 1] == '"' && (!only || strstr(line, only));
        free(line);
        memcpy(o, p, indent + element);
        o += indent + element;
        p += indent + element;
        if (element)
            *o++ = '\n';
        while (*p && *p != '\n')
            *o++ = *p++;
        if (*p)
            *o++ = *p++;
    }
    *o = '\0';
    return out;
}

static void assert_reads_canonical(scratch *t, const char *other, const char *canonical)
{
    ck_assert_str_ne(other, canonical);
    vp_snapshot *r = read_text(t, other);
    char *back = vp_test_snapshot_json(r);
    assert_same_text(canonical, back);
    free(back);
    vp_snapshot_free(r);
}

START_TEST(other_layouts_read_the_same)
{
    scratch t = {0};
    char *canonical = canonical_fixture_text();
    char *printed = cjson_reformat(canonical, 1), *one_line = cjson_reformat(canonical, 0);
    char *split = split_elements(canonical, NULL);
    /* one-line arrays first, then the protected items over several lines each: what
     * was read line by line is dropped and the document is read whole */
    char *split_late = split_elements(canonical, "\"kind\":");
    ck_assert_ptr_nonnull(strstr(split, "\n    {\n\"id\":"));
    ck_assert_ptr_nonnull(strstr(split_late, "\n    {\"id\":"));
    assert_reads_canonical(&t, printed, canonical);
    assert_reads_canonical(&t, one_line, canonical);
    assert_reads_canonical(&t, split, canonical);
    assert_reads_canonical(&t, split_late, canonical);
    free(split_late);
    /* and the same through the whole-document path of the Contoso sample */
    vp_snapshot *s = contoso_snapshot();
    char *contoso = vp_test_snapshot_json(s), *contoso_printed = cjson_reformat(contoso, 1);
    assert_reads_canonical(&t, contoso_printed, contoso);
    free(contoso);
    cJSON_free(contoso_printed);
    vp_snapshot_free(s);
    cJSON_free(printed);
    cJSON_free(one_line);
    free(split);
    free(canonical);
}
END_TEST

START_TEST(out_of_order_entities_are_sorted)
{
    scratch t = {0};
    char *canonical = canonical_fixture_text();
    lines l = split_lines(canonical);
    reverse_region(&l, "  \"vaults\": [");
    reverse_region(&l, "  \"protected_items\": [");
    reverse_region(&l, "  \"virtual_machines\": [");
    reverse_region(&l, "  \"subscriptions\": [");
    char *shuffled = join_lines(&l);
    vp_snapshot *r = read_text(&t, shuffled);
    for (size_t i = 1; i < r->item_count; i++)
        ck_assert_int_lt(strcasecmp(r->items[i - 1].id, r->items[i].id), 0);
    char *back = vp_test_snapshot_json(r);
    assert_same_text(canonical, back);
    free(back);
    vp_snapshot_free(r);
    /* the same in another layout */
    char *printed = cjson_reformat(shuffled, 1);
    assert_reads_canonical(&t, printed, canonical);
    cJSON_free(printed);
    free(shuffled);
    free_lines(&l);
    free(canonical);
}
END_TEST

/* ---- errors ---- */

static void assert_error(scratch *t, const char *text, const char *expected)
{
    vp_error e = {0};
    const char *msg = read_error(t, text, strlen(text), &e);
    ck_assert_msg(strstr(msg, expected) != NULL, "'%s' lacks '%s'", msg, expected);
}

START_TEST(wrong_format)
{
    scratch t = {0};
    char *canonical = canonical_fixture_text();
    char *bad = replace_once(canonical, "\"vaultproof-snapshot/2\"", "\"vaultproof-snapshot/9\"");
    assert_error(&t, bad, "snap.json:2: /format: 'vaultproof-snapshot/9'; expected \"vaultproof-snapshot/2\" or "
                          "\"vaultproof-snapshot/1\"");
    free(bad);
    /* the format is reported even when the entities of that other format do not fit */
    char *worse = replace_once(canonical, "\"vaultproof-snapshot/2\"", "\"vaultproof-snapshot/3\"");
    char *both = replace_once(worse, "\"protection_state\":\"Protected\"", "\"protection_state\":{}");
    assert_error(&t, both, "/format: 'vaultproof-snapshot/3'");
    free(worse);
    free(both);
    bad = replace_once(canonical, "{\n  \"format\": \"vaultproof-snapshot/2\",", "{");
    assert_error(&t, bad, "snap.json:1: /format: missing member; expected \"vaultproof-snapshot/2\" or");
    free(bad);
    assert_error(&t, "[1, 2]\n", "snap.json:1: (document root): expected an object, found an array");
    free(canonical);
}
END_TEST

START_TEST(wrong_type_names_file_line_pointer)
{
    scratch t = {0};
    char expected[256];
    char *canonical = canonical_fixture_text();
    char *bad = replace_once(canonical, "\"protection_state\":\"Protected\"", "\"protection_state\":424242");
    size_t line = line_of(bad, "424242"), first = line_of(bad, "  \"protected_items\": [") + 1;
    snprintf(expected, sizeof expected, "snap.json:%zu: /protected_items/%zu/protection_state: expected a string or null, found a number",
             line, line - first);
    assert_error(&t, bad, expected);
    /* the same value in another layout: the line is found by its pointer */
    char *printed = cjson_reformat(bad, 1);
    snprintf(expected, sizeof expected, "snap.json:%zu: /protected_items/%zu/protection_state: expected a string or null, found a number",
             line_of(printed, "424242"), line - first);
    assert_error(&t, printed, expected);
    cJSON_free(printed);
    free(bad);
    /* header values are read from the skeleton, whose lines are the file's */
    bad = replace_once(canonical, "\"request_count\": 0", "\"request_count\": \"0\"");
    snprintf(expected, sizeof expected, "snap.json:%zu: /collection/request_count: expected an integer, found a string",
             line_of(bad, "\"request_count\""));
    assert_error(&t, bad, expected);
    free(bad);
    bad = replace_once(canonical, "\"days\":null", "\"days\":-3");
    assert_error(&t, bad, "/days: -3; expected an integer from 0 to");
    free(bad);
    bad = replace_once(canonical, "\"link\":\"resolved\"", "\"link\":\"linked\"");
    assert_error(&t, bad, "/policy/link: 'linked'; expected one of \"resolved\", \"missing\", \"none\"");
    free(bad);
    bad = replace_once(canonical, "\"unknown_enums\":[\"immutability\"", "\"unknown_enums\":[\"sku\"");
    assert_error(&t, bad, "/unknown_enums/0: 'sku'; expected the name of an enumerated field");
    free(bad);
    free(canonical);
}
END_TEST

START_TEST(unknown_members_are_errors)
{
    scratch t = {0};
    char expected[128];
    char *canonical = canonical_fixture_text();
    char *bad = replace_once(canonical, "\"sku\":null,\"tags\":null,\"api_version\":null,",
                             "\"colour\":\"red\",\"sku\":null,\"tags\":null,\"api_version\":null,");
    assert_error(&t, bad, "/vaults/0/colour: unknown member; expected only the members vaultproof-snapshot/2 defines");
    free(bad);
    bad = replace_once(canonical, "\"deferred_delete\":{\"scheduled\":", "\"deferred_delete\":{\"when\":1,\"scheduled\":");
    assert_error(&t, bad, "/deferred_delete/when: unknown member");
    free(bad);
    bad = replace_once(canonical, "  \"field_paths\": {", "  \"extra\": true,\n  \"field_paths\": {");
    snprintf(expected, sizeof expected, "snap.json:%zu: /extra: unknown member", line_of(bad, "\"extra\""));
    assert_error(&t, bad, expected);
    free(bad);
    bad = replace_once(canonical, ",\"archive_enabled\":true", "");
    assert_error(&t, bad, "/archive_enabled: missing member; expected a boolean or null");
    free(bad);
    free(canonical);
}
END_TEST

START_TEST(broken_files)
{
    scratch t = {0};
    vp_snapshot sentinel, *s = &sentinel;
    vp_error e = {0};
    char *canonical = canonical_fixture_text();
    size_t len = strlen(canonical);
    const char *cut_mid_line = strstr(canonical, "\"protection_state\"");
    const char *msg = read_error(&t, canonical, (size_t)(cut_mid_line - canonical), &e);
    ck_assert_msg(strstr(msg, "truncated") != NULL, "%s", msg);
    const char *cut_at_line = strchr(cut_mid_line, '\n') + 1;
    msg = read_error(&t, canonical, (size_t)(cut_at_line - canonical), &e);
    ck_assert_msg(strstr(msg, "truncated") != NULL, "%s", msg);
    msg = read_error(&t, canonical, len / 3, &e);
    ck_assert_msg(strstr(msg, "truncated") != NULL, "%s", msg);
    msg = read_error(&t, "", 0, &e);
    ck_assert_msg(strstr(msg, "empty file") != NULL, "%s", msg);

    /* a line lost or a comma wrong: the array still parses line by line, but not as JSON */
    lines l = split_lines(canonical);
    size_t open = opener(&l, "  \"protected_items\": [");
    char *lost = l.v[open + 3];
    memmove(l.v + open + 3, l.v + open + 4, (l.n - open - 4) * sizeof *l.v);
    l.n--;
    char *text = join_lines(&l);
    assert_error(&t, text, "/collection/counts/protected_items: 15; expected 14, the number of protected_items");
    free(text);
    set_comma(l.v[open + 3], 0);
    text = join_lines(&l);
    assert_error(&t, text, "missing ',' between array elements");
    free(text);
    free(lost);
    free_lines(&l);
    char *bad = replace_once(canonical, "}\n  ],\n  \"policies\"", "},\n  ],\n  \"policies\"");
    assert_error(&t, bad, "',' after the last array element");
    free(bad);
    bad = replace_once(canonical, "\"name\":\"vault-fresh\"", "\"name\":\"vault-\xc3\x28\"");
    assert_error(&t, bad, "invalid UTF-8");
    free(bad);
    bad = replace_once(canonical, "\"name\":\"vault-fresh\"", "\"name\":\"a\",\"name\":\"b\"");
    assert_error(&t, bad, "/vaults/");
    assert_error(&t, bad, "/name: duplicate object key");
    free(bad);
    ck_assert_int_eq(vp_snapshot_read_json("/nonexistent/snap.json", &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_null(s);
    free(canonical);
}
END_TEST

START_TEST(duplicate_ids_are_errors)
{
    scratch t = {0};
    char *canonical = canonical_fixture_text();
    lines l = split_lines(canonical);
    size_t open = opener(&l, "  \"virtual_machines\": [");
    l.v = realloc(l.v, (l.n + 1) * sizeof *l.v);
    memmove(l.v + open + 2, l.v + open + 1, (l.n - open - 1) * sizeof *l.v);
    l.v[open + 1] = strdup(l.v[open + 2]);
    l.n++;
    char *text = join_lines(&l);
    char counts[64], more[64];
    snprintf(counts, sizeof counts, "\"virtual_machines\":%zu,", region_size(&l, open) - 1);
    snprintf(more, sizeof more, "\"virtual_machines\":%zu,", region_size(&l, open));
    char *bad = replace_once(text, counts, more);
    assert_error(&t, bad, "/virtual_machines/1/id: '");
    assert_error(&t, bad, "' again (first at /virtual_machines/0); expected each id once, compared ignoring case");
    free(bad);
    free(text);
    free_lines(&l);
    free(canonical);
}
END_TEST

/* ---- lazy reads: items and VMs counted at load, streamed on demand ---- */

typedef struct {
    const vp_snapshot *full;
    size_t n;
} walk_check;

static vp_status check_item(void *ctx, const vp_item *it, vp_error *err)
{
    walk_check *w = ctx;
    (void)err;
    ck_assert_uint_lt(w->n, w->full->item_count);
    same_item(it, &w->full->items[w->n++]);
    return VP_OK;
}

static vp_status check_vm(void *ctx, const vp_vm *vm, vp_error *err)
{
    walk_check *w = ctx;
    (void)err;
    ck_assert_uint_lt(w->n, w->full->vm_count);
    same_vm(vm, &w->full->vms[w->n++]);
    return VP_OK;
}

static vp_status count_item(void *ctx, const vp_item *it, vp_error *err)
{
    (void)it;
    (void)err;
    ++*(size_t *)ctx;
    return VP_OK;
}

static vp_status stop_at_third(void *ctx, const vp_item *it, vp_error *err)
{
    size_t *n = ctx;
    (void)it;
    return ++*n == 3 ? vp_error_set(err, VP_ERR_IO, "stopped by the caller") : VP_OK;
}

START_TEST(lazy_read_streams_what_a_full_read_holds)
{
    scratch t = {0};
    vp_snapshot *s = contoso_snapshot(), *lazy = NULL, *full = NULL;
    char *text = vp_test_snapshot_json(s);
    vp_error e = {0};
    const char *path = scratch_write(&t, text, strlen(text));
    ck_assert_msg(vp_snapshot_read_json(path, &full, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vp_snapshot_read_json_lazy(path, &lazy, &e) == VP_OK, "%s", e.message);
    ck_assert_ptr_nonnull(lazy->lazy_source);
    ck_assert_ptr_null(lazy->items);
    ck_assert_ptr_null(lazy->vms);
    ck_assert_uint_eq(lazy->item_count, full->item_count);
    ck_assert_uint_eq(lazy->vm_count, full->vm_count);
    ck_assert_uint_eq(lazy->vault_count, full->vault_count); /* everything else is loaded */
    ck_assert_uint_eq(lazy->policy_count, full->policy_count);
    ck_assert_ptr_null(vp_snapshot_find_item(lazy, full->items[0].id)); /* not in memory: no lookup, no crash */
    walk_check w = {full, 0};
    ck_assert_msg(vp_snapshot_each_item(lazy, check_item, &w, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_eq(w.n, full->item_count);
    w.n = 0;
    ck_assert_msg(vp_snapshot_each_vm(lazy, check_vm, &w, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_eq(w.n, full->vm_count);
    w.n = 0; /* a full snapshot walks its arrays the same way */
    ck_assert_msg(vp_snapshot_each_item(full, check_item, &w, &e) == VP_OK, "%s", e.message);
    size_t calls = 0;
    ck_assert_int_eq(vp_snapshot_each_item(lazy, stop_at_third, &calls, &e), VP_ERR_IO);
    ck_assert_str_eq(e.message, "stopped by the caller");
    /* a lazy snapshot cannot be written back: its populations are not in memory */
    FILE *sink = fopen("/dev/null", "wb");
    ck_assert_int_eq(vp_snapshot_write_json(lazy, sink, "sink", &e), VP_ERR_INTERNAL);
    fclose(sink);
    /* the file changes after the lazy read: the stream refuses it */
    vp_snapshot *other = fixture_snapshot();
    char *other_text = vp_test_snapshot_json(other);
    scratch_write(&t, other_text, strlen(other_text));
    size_t seen = 0;
    ck_assert_int_eq(vp_snapshot_each_item(lazy, count_item, &seen, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, "changed since it was read"), "%s", e.message);
    ck_assert_uint_ne(seen, full->item_count);
    scratch_remove(&t);
    free(other_text);
    vp_snapshot_free(other);
    vp_snapshot_free(lazy);
    vp_snapshot_free(full);
    free(text);
    vp_snapshot_free(s);
}
END_TEST

START_TEST(lazy_stream_refuses_entities_out_of_order)
{
    scratch t = {0};
    char *canonical = canonical_fixture_text();
    lines l = split_lines(canonical);
    reverse_region(&l, "  \"protected_items\": [");
    char *shuffled = join_lines(&l);
    vp_snapshot *lazy = NULL;
    vp_error e = {0};
    const char *path = scratch_write(&t, shuffled, strlen(shuffled));
    /* a full read sorts them (out_of_order_entities_are_sorted); a stream cannot, so it refuses */
    ck_assert_msg(vp_snapshot_read_json_lazy(path, &lazy, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_gt(lazy->item_count, 1);
    size_t calls = 0;
    ck_assert_int_eq(vp_snapshot_each_item(lazy, stop_at_third, &calls, &e), VP_ERR_INPUT);
    scratch_remove(&t);
    ck_assert_msg(strstr(e.message, "expected the writer's order"), "%s", e.message);
    ck_assert_msg(strstr(e.message, "/protected_items/1/id"), "%s", e.message);
    vp_snapshot_free(lazy);
    free(shuffled);
    free_lines(&l);
    free(canonical);
}
END_TEST

START_TEST(region_lookup_normalizes_locations)
{
    vp_region regions[] = {{.location = "eastus"}, {.location = "westeurope"}};
    vp_snapshot snap = {.regions = regions, .region_count = 2};
    ck_assert_ptr_eq(vp_snapshot_find_region(&snap, "westeurope"), &regions[1]);
    ck_assert_ptr_eq(vp_snapshot_find_region(&snap, "West Europe"), &regions[1]);
    ck_assert_ptr_eq(vp_snapshot_find_region(&snap, "EASTUS"), &regions[0]);
    ck_assert_ptr_null(vp_snapshot_find_region(&snap, "northeurope"));
    ck_assert_ptr_null(vp_snapshot_find_region(&snap, NULL));
    snap.region_count = 0;
    ck_assert_ptr_null(vp_snapshot_find_region(&snap, "eastus"));
}
END_TEST

/* ---- format 2: the members it added, and format 1 still read ---- */

/* A snapshot with every member format 2 added set, each to a value its default (zero,
 * NULL) could not stand for: a vault read at a current api-version with a TimeBased
 * configuration, guards in each status (one excluding nothing, one not reporting its
 * list), an engine with an unknown enum value, a soft-deleted vault and a revised WORM
 * source. */
static const char *const f2_ops[] = {"Microsoft.RecoveryServices/vaults/backupconfig/write",
                                     "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete"};
static const char *const f2_excluded[] = {"Microsoft.RecoveryServices/vaults/backupconfig/write"};
#define F2_SUB "/subscriptions/11111111-2222-3333-4444-555555555555"
#define F2_VAULT F2_SUB "/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/rsv-a"
#define F2_GUARD F2_SUB "/resourceGroups/rg-g/providers/Microsoft.DataProtection/resourceGuards/"

static vp_text f2_text(const char *v)
{
    return (vp_text){v, VP_PRESENT, 0, VP_ORIGIN_SELF};
}

static vp_num f2_num(long long v)
{
    return (vp_num){v, VP_PRESENT, VP_ORIGIN_SELF};
}

typedef struct {
    vp_snapshot s;
    vp_vault vault;
    vp_resource_guard guards[3];
    vp_backup_engine engine;
    vp_deleted_vault deleted;
    vp_worm_source worm[2];
} f2_model;

static void f2_fill(f2_model *m)
{
    memset(m, 0, sizeof *m);
    vp_vault *v = &m->vault;
    v->id = F2_VAULT;
    v->name = "rsv-a";
    v->subscription_id = "11111111-2222-3333-4444-555555555555";
    v->location = "westeurope";
    v->api_version = "2026-08-01";
    v->security_settings = VP_PRESENT;
    v->immutability_settings = VP_PRESENT;
    v->immutability = f2_text("Unlocked");
    v->immutability_type = f2_text("TimeBased");
    v->immutability_days = f2_num(30);
    v->source_scan = f2_text("Sometimes");
    v->source_scan.unknown = 1;
    v->engine_count = 1;
    v->source = (vp_source){"subscriptions/x/vaults.json", "/value/0"};
    for (vp_arm_list l = 0; l < VP_ARM_LIST_COUNT; l++)
        v->lists[l] = VP_LIST_COMPLETE;
    v->lists[VP_ARM_LIST_ENGINES] = VP_LIST_INCOMPLETE;

    vp_resource_guard *g = m->guards;
    g[0] = (vp_resource_guard){.id = F2_GUARD "guard-a", .name = "guard-a", .resource_group = "rg-g",
                               .subscription_id = v->subscription_id, .status = "read"};
    g[0].location = f2_text("westeurope");
    g[0].provisioning_state = f2_text("Succeeded");
    g[0].operations = (const char **)f2_ops;
    g[0].operation_count = 2;
    g[0].exclusions = (const char **)f2_excluded;
    g[0].exclusion_count = 1;
    g[0].exclusions_presence = VP_PRESENT;
    g[0].allow_auto_approvals = (vp_flag){0, VP_PRESENT};
    g[0].source = (vp_source){"resourceGuards/s/rg-g/guard-a.json", ""};
    g[1] = (vp_resource_guard){.id = F2_GUARD "guard-b", .name = "guard-b", .status = "read",
                               .exclusions_presence = VP_PRESENT}; /* [] excludes nothing */
    g[1].allow_auto_approvals = (vp_flag){1, VP_PRESENT};
    g[1].source = (vp_source){"resourceGuards/s/rg-g/guard-b.json", ""};
    g[2] = (vp_resource_guard){.id = F2_GUARD "guard-c", .name = "guard-c", .status = "unreadable",
                               .detail = "HTTP 403 AuthorizationFailed", .exclusions_presence = VP_NULL};

    vp_backup_engine *e = &m->engine;
    e->id = F2_VAULT "/backupEngines/dpm-01";
    e->name = "dpm-01";
    e->vault_id = F2_VAULT;
    e->vault_listed = 1;
    e->subscription_id = v->subscription_id;
    e->friendly_name = f2_text("DPM-01.contoso.com");
    e->management_type = f2_text("DPM");
    e->engine_type = f2_text("DpmBackupEngine");
    e->registration_status = f2_text("Registered");
    e->engine_state = f2_text("Active");
    e->health_status = f2_text("Degraded");
    e->health_status.unknown = 1;
    e->dpm_version = f2_text("5.1.378.0");
    e->agent_version = f2_text("2.0.9262.0");
    e->protected_items_count = f2_num(12);
    e->protected_servers_count = f2_num(3);
    e->refreshed_at = f2_text("2026-09-29T23:10:00Z");
    e->source = (vp_source){"subscriptions/x/vaults/rsv-a/backupEngines.json", "/value/0"};

    vp_deleted_vault *d = &m->deleted;
    d->id = F2_SUB "/providers/Microsoft.RecoveryServices/locations/westeurope/deletedVaults/dv-1";
    d->name = "dv-1";
    d->subscription_id = v->subscription_id;
    d->location = "westeurope";
    d->vault_id = f2_text(F2_SUB "/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/rsv-gone");
    d->deletion_time = f2_text("2026-09-01T10:00:00Z");
    d->purge_at = f2_text("2026-09-15T10:00:00Z");
    d->source = (vp_source){"subscriptions/x/locations/westeurope/deletedVaults.json", "/value/0"};

    m->worm[0] = (vp_worm_source){.id = "learn-2025-06-19-a", .title = "Learn", .as_of = "2025-06-19",
                                  .retrieved = "2025-07-01", .recorded = "2025-07-01",
                                  .sha256 = "aa00000000000000000000000000000000000000000000000000000000000000"};
    m->worm[1] = (vp_worm_source){.id = "learn-2025-06-19-b", .title = "Learn", .as_of = "2025-06-19",
                                  .retrieved = "2026-11-20", .supersedes = "learn-2025-06-19-a",
                                  .sha256 = "bb00000000000000000000000000000000000000000000000000000000000000"};

    m->s.vaults = v;
    m->s.vault_count = 1;
    m->s.resource_guards = g;
    m->s.resource_guard_count = 3;
    m->s.engines = e;
    m->s.engine_count = 1;
    m->s.deleted_vaults = d;
    m->s.deleted_vault_count = 1;
    m->s.worm_sources = m->worm;
    m->s.worm_source_count = 2;
}

START_TEST(format2_members_round_trip)
{
    scratch t = {0};
    f2_model m;
    f2_fill(&m);
    char *text = vp_test_snapshot_json(&m.s);
    ck_assert_msg(strncmp(text, "{\n  \"format\": \"vaultproof-snapshot/2\",\n", 39) == 0, "%.60s", text);
    /* the three new arrays are one element per line, like the vaults */
    ck_assert_uint_eq(line_of(text, "\"id\":\"" F2_GUARD "guard-b\""), line_of(text, "\"id\":\"" F2_GUARD "guard-a\"") + 1);
    ck_assert_uint_eq(line_of(text, "{\"id\":\"" F2_VAULT "/backupEngines/dpm-01\""), line_of(text, "  \"backup_engines\": [") + 1);
    vp_snapshot *r = assert_round_trip(&t, &m.s);
    const vp_vault *v = &r->vaults[0];
    ck_assert_str_eq(v->api_version, "2026-08-01");
    ck_assert_int_eq(v->security_settings, VP_PRESENT);
    ck_assert_int_eq(v->immutability_settings, VP_PRESENT);
    ck_assert_str_eq(v->immutability_type.value, "TimeBased");
    ck_assert_int_eq(v->immutability_days.presence, VP_PRESENT);
    ck_assert_int_eq(v->immutability_days.value, 30);
    ck_assert_str_eq(v->source_scan.value, "Sometimes");
    ck_assert_int_eq(v->source_scan.unknown, 1);
    ck_assert_uint_eq(v->engine_count, 1);
    ck_assert_int_eq(v->lists[VP_ARM_LIST_ENGINES], VP_LIST_INCOMPLETE);
    ck_assert_int_eq(v->lists[VP_ARM_LIST_POLICIES], VP_LIST_COMPLETE);

    ck_assert_uint_eq(r->resource_guard_count, 3);
    const vp_resource_guard *g = vp_snapshot_find_resource_guard(r, F2_GUARD "GUARD-A"); /* ignoring case */
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->status, "read");
    ck_assert_ptr_null(g->detail);
    ck_assert_uint_eq(g->operation_count, 2);
    ck_assert_str_eq(g->operations[1], f2_ops[1]);
    ck_assert_int_eq(g->exclusions_presence, VP_PRESENT);
    ck_assert_uint_eq(g->exclusion_count, 1);
    ck_assert_str_eq(g->exclusions[0], f2_excluded[0]);
    ck_assert_int_eq(g->allow_auto_approvals.presence, VP_PRESENT);
    ck_assert_int_eq(g->allow_auto_approvals.value, 0);
    g = vp_snapshot_find_resource_guard(r, F2_GUARD "guard-b");
    ck_assert_int_eq(g->exclusions_presence, VP_PRESENT); /* an empty list, not "not reported" */
    ck_assert_uint_eq(g->exclusion_count, 0);
    g = vp_snapshot_find_resource_guard(r, F2_GUARD "guard-c");
    ck_assert_str_eq(g->status, "unreadable");
    ck_assert_str_eq(g->detail, "HTTP 403 AuthorizationFailed");
    ck_assert_int_ne(g->exclusions_presence, VP_PRESENT);
    ck_assert_int_ne(g->allow_auto_approvals.presence, VP_PRESENT);
    ck_assert_ptr_null(g->source.file);

    const vp_backup_engine *e = vp_snapshot_find_engine(r, F2_VAULT "/backupEngines/dpm-01");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->vault_id, F2_VAULT);
    ck_assert_str_eq(e->dpm_version.value, "5.1.378.0");
    ck_assert_str_eq(e->agent_version.value, "2.0.9262.0");
    ck_assert_int_eq(e->protected_servers_count.value, 3);
    ck_assert_int_eq(e->health_status.unknown, 1);
    ck_assert_int_eq(e->registration_status.unknown, 0);
    ck_assert_str_eq(e->refreshed_at.value, "2026-09-29T23:10:00Z");

    const vp_deleted_vault *d = vp_snapshot_find_deleted_vault(r, F2_SUB "/resourcegroups/RG-A/providers/"
                                                                "Microsoft.RecoveryServices/vaults/rsv-gone");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->location, "westeurope");
    ck_assert_str_eq(d->purge_at.value, "2026-09-15T10:00:00Z");
    ck_assert_ptr_null(vp_snapshot_find_deleted_vault(r, F2_VAULT)); /* by the vault it was, not by its own id */

    ck_assert_str_eq(r->worm_sources[1].supersedes, "learn-2025-06-19-a");
    ck_assert_str_eq(r->worm_sources[1].retrieved, "2026-11-20");
    ck_assert_str_eq(r->worm_sources[0].sha256, m.worm[0].sha256);
    ck_assert_ptr_null(r->worm_sources[0].supersedes);
    vp_snapshot_free(r);

    /* absent and null are told apart for the two settings members */
    m.vault.immutability = (vp_text){0};
    m.vault.immutability_settings = VP_ABSENT;
    m.vault.security_settings = VP_NULL;
    r = assert_round_trip(&t, &m.s);
    ck_assert_int_eq(r->vaults[0].immutability_settings, VP_ABSENT);
    ck_assert_int_eq(r->vaults[0].security_settings, VP_NULL);
    vp_snapshot_free(r);
    free(text);
}
END_TEST

/* Each member format 2 added, given a value of the wrong kind: refused, naming the
 * file, the line of the element and the member's pointer. */
START_TEST(format2_bad_values_name_file_line_pointer)
{
    static const struct {
        const char *from, *to, *line_of, *pointer, *says;
    } cases[] = {
        {"\"api_version\":\"2026-08-01\"", "\"api_version\":20260801", "\"api_version\"", "/vaults/0/api_version",
         "expected a string or null, found a number"},
        {"\"immutability_settings\":\"present\"", "\"immutability_settings\":\"maybe\"", "\"maybe\"",
         "/vaults/0/immutability_settings", "'maybe'; expected one of \"absent\", \"null\", \"present\""},
        {"\"security_settings\":\"present\"", "\"security_settings\":null", "\"security_settings\":null",
         "/vaults/0/security_settings", "expected a string, found null"},
        {"\"duration_days\":30", "\"duration_days\":\"30\"", "\"duration_days\"",
         "/vaults/0/immutability_configuration/duration_days", "expected an integer or null, found a string"},
        {"\"immutability_configuration\":{", "\"immutability_configuration\":{\"state\":1,", "\"state\":1",
         "/vaults/0/immutability_configuration/state", "unknown member"},
        {"\"source_scan\":\"Sometimes\"", "\"source_scan\":true", "\"source_scan\":true", "/vaults/0/source_scan",
         "expected a string or null, found a boolean"},
        {"\"protected_items\":0,\"backup_engines\":1}", "\"protected_items\":0,\"backup_engines\":-1}",
         "\"backup_engines\":-1", "/vaults/0/counts/backup_engines", "-1; expected an integer from 0"},
        {"\"backupEngines\":\"incomplete\"", "\"backupEngines\":\"partial\"", "\"partial\"",
         "/vaults/0/completeness/backupEngines", "'partial'; expected one of"},
        {"\"status\":\"unreadable\"", "\"status\":\"gone\"", "\"gone\"", "/resource_guards/2/status",
         "'gone'; expected one of \"read\", \"unreadable\", \"out-of-scope\", \"missing\""},
        {"\"exclusions\":[]", "\"exclusions\":{}", "\"exclusions\":{}", "/resource_guards/1/exclusions",
         "expected an array or null, found an object"},
        {"\"exclusions\":[\"Microsoft", "\"exclusions\":[7,\"Microsoft", "\"exclusions\":[7", "/resource_guards/0/exclusions/0",
         "expected a string, found a number"},
        {"\"operations\":[\"Microsoft", "\"operations\":7,\"was\":[\"Microsoft", "\"operations\":7",
         "/resource_guards/0/operations", "expected an array, found a number"},
        {"\"allow_auto_approvals\":true", "\"allow_auto_approvals\":\"yes\"", "\"yes\"",
         "/resource_guards/1/allow_auto_approvals", "expected a boolean or null, found a string"},
        {"\"detail\":\"HTTP 403 AuthorizationFailed\"", "\"detail\":403", "\"detail\":403", "/resource_guards/2/detail",
         "expected a string or null, found a number"},
        {"\"protected_servers_count\":3", "\"protected_servers_count\":2.5", "2.5",
         "/backup_engines/0/protected_servers_count", "2.5; expected an integer"},
        {"\"unknown_enums\":[\"health_status\"]", "\"unknown_enums\":[\"dpm_version\"]", "\"dpm_version\"]",
         "/backup_engines/0/unknown_enums/0", "'dpm_version'; expected the name of an enumerated field"},
        {"\"vault_listed\":true,\"subscription_id\":\"11111111-2222-3333-4444-555555555555\",\"friendly_name\"",
         "\"vault_listed\":1,\"subscription_id\":\"11111111-2222-3333-4444-555555555555\",\"friendly_name\"",
         "\"vault_listed\":1", "/backup_engines/0/vault_listed", "expected a boolean, found a number"},
        {"\"deletion_time\":\"2026-09-01T10:00:00Z\"", "\"deletion_time\":[]", "\"deletion_time\":[]",
         "/deleted_vaults/0/deletion_time", "expected a string or null, found an array"},
        {"\"purge_at\":\"2026-09-15T10:00:00Z\",", "", "/deletedVaults/dv-1\",\"name\"", "/deleted_vaults/0/purge_at",
         "missing member; expected a string or null"},
        {"\"retrieved\":\"2026-11-20\"", "\"retrieved\":20261120", "20261120", "/worm_sources/1/retrieved",
         "expected a string or null, found a number"},
        {"\"supersedes\":\"learn-2025-06-19-a\",", "", "\"id\":\"learn-2025-06-19-b\"", "/worm_sources/1/supersedes",
         "missing member"},
        {"\"resource_guards\":3,", "\"resource_guards\":2,", "\"resource_guards\":2",
         "/collection/counts/resource_guards", "2; expected 3, the number of resource_guards in the document"},
        {"\"deleted_vaults\":1}", "\"deleted_vaults\":1,\"tombstones\":0}", "\"tombstones\"",
         "/collection/counts/tombstones", "unknown member"},
    };
    scratch t = {0};
    f2_model m;
    f2_fill(&m);
    char *text = vp_test_snapshot_json(&m.s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expected[512];
        char *bad = replace_once(text, cases[i].from, cases[i].to);
        size_t line = line_of(bad, cases[i].line_of);
        snprintf(expected, sizeof expected, "snap.json:%zu: %s: %s", line, cases[i].pointer, cases[i].says);
        assert_error(&t, bad, expected);
        free(bad);
    }
    free(text);
}
END_TEST

/* The new arrays are sorted as the others are, and an id twice is refused. */
START_TEST(format2_arrays_sorted_ids_unique)
{
    scratch t = {0};
    f2_model m;
    f2_fill(&m);
    char *text = vp_test_snapshot_json(&m.s);
    lines l = split_lines(text);
    reverse_region(&l, "  \"resource_guards\": [");
    char *reversed = join_lines(&l);
    ck_assert_uint_lt(line_of(reversed, "guard-c\""), line_of(reversed, "guard-a\""));
    vp_snapshot *r = read_text(&t, reversed);
    ck_assert_str_eq(r->resource_guards[0].name, "guard-a");
    char *again = vp_test_snapshot_json(r);
    assert_same_text(again, text);
    free(again);
    vp_snapshot_free(r);
    free(reversed);
    char *twice = replace_once(text, "/resourceGuards/guard-b\"", "/resourceGuards/GUARD-A\"");
    assert_error(&t, twice, "/resource_guards/1/id: '");
    assert_error(&t, twice, "' again (first at /resource_guards/0); expected each id once, compared ignoring case");
    free(twice);
    free_lines(&l);
    free(text);
}
END_TEST

static char *format1_text(void)
{
    return fixture("../snapshots/format1-contoso.json");
}

/* A snapshot the format-1 writer made (vaultproof at b5d84bd, Contoso sample replayed
 * with --now 2026-10-01T00:00:00Z): read, its new members not reported, written back as
 * format 2, which then round-trips. */
START_TEST(format1_file_is_read)
{
    scratch t = {0};
    char *text = format1_text();
    vp_snapshot *s = read_text(&t, text);
    ck_assert_uint_eq(s->subscription_count, 3);
    ck_assert_uint_eq(s->vault_count, 7);
    ck_assert_uint_eq(s->policy_count, 24);
    ck_assert_uint_eq(s->item_count, 295);
    ck_assert_uint_eq(s->vm_count, 271);
    ck_assert_uint_eq(s->region_count, 6);
    ck_assert_uint_eq(s->collection.warning_count, 1);
    ck_assert_uint_eq(s->resource_guard_count + s->engine_count + s->deleted_vault_count, 0);
    ck_assert_str_eq(s->collection.tool_commit, "b5d84bd");
    const vp_vault *v = vp_snapshot_find_vault(s, "/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231/resourceGroups/"
                                                  "rg-backup-dr-chw/providers/Microsoft.RecoveryServices/vaults/rsv-epic-dr-chw");
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->immutability.value, "Locked");
    ck_assert_ptr_null(v->api_version);
    ck_assert_int_eq(v->immutability_settings, VP_PRESENT); /* a state can only come from inside both */
    ck_assert_int_eq(v->security_settings, VP_PRESENT);
    ck_assert_int_ne(v->immutability_type.presence, VP_PRESENT);
    ck_assert_int_ne(v->immutability_days.presence, VP_PRESENT);
    ck_assert_int_ne(v->source_scan.presence, VP_PRESENT);
    ck_assert_int_eq(v->lists[VP_ARM_LIST_POLICIES], VP_LIST_COMPLETE);
    ck_assert_int_eq(v->lists[VP_ARM_LIST_ENGINES], VP_LIST_MISSING); /* format 1 did not ask */
    ck_assert_uint_eq(v->engine_count, 0);
    ck_assert_uint_eq(v->item_count, 11);
    for (size_t i = 0; i < s->vault_count; i++)
        if (!strcmp(s->vaults[i].name, "rsv-shared-mars-sin")) { /* no immutability state reported */
            ck_assert_int_eq(s->vaults[i].immutability_settings, VP_NULL);
            ck_assert_int_eq(s->vaults[i].security_settings, VP_NULL);
        }
    ck_assert_uint_eq(s->worm_source_count, 2);
    ck_assert_ptr_null(s->worm_sources[0].retrieved);
    ck_assert_ptr_null(s->worm_sources[0].sha256);
    ck_assert_str_eq(s->worm_sources[0].as_of, "2025-06-19");
    /* written back: format 2, and from then on byte-stable */
    char *again = vp_test_snapshot_json(s);
    ck_assert_msg(strncmp(again, "{\n  \"format\": \"vaultproof-snapshot/2\",\n", 39) == 0, "%.60s", again);
    vp_snapshot *r = assert_round_trip(&t, s);
    same_model(s, r);
    vp_snapshot_free(r);
    /* the lazy read and its stream take format 1 too */
    vp_snapshot *lazy = NULL;
    vp_error e = {0};
    size_t seen = 0;
    ck_assert_msg(vp_snapshot_read_json_lazy(scratch_write(&t, text, strlen(text)), &lazy, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_eq(lazy->item_count, 295);
    ck_assert_msg(vp_snapshot_each_item(lazy, count_item, &seen, &e) == VP_OK, "%s", e.message);
    scratch_remove(&t);
    ck_assert_uint_eq(seen, 295);
    /* "format" not the first member: the elements are read again for the right format */
    char *moved = replace_once(text, "{\n  \"format\": \"vaultproof-snapshot/1\",\n", "{\n");
    char *last = strrchr(moved, ']');
    ck_assert_ptr_nonnull(last);
    *last = '\0';
    char *tail = malloc(strlen(moved) + 64);
    sprintf(tail, "%s],\n  \"format\": \"vaultproof-snapshot/1\"\n}\n", moved);
    vp_snapshot *late = read_text(&t, tail);
    char *late_text = vp_test_snapshot_json(late);
    assert_same_text(late_text, again);
    free(late_text);
    vp_snapshot_free(late);
    free(tail);
    free(moved);
    vp_snapshot_free(lazy);
    free(again);
    vp_snapshot_free(s);
    free(text);
}
END_TEST

/* What format 2 added is unknown to format 1: a document saying it is format 1 may not
 * carry it, wherever it is. */
START_TEST(format2_members_in_format1_are_errors)
{
    scratch t = {0};
    char *text = format1_text();
    char *bad = replace_once(text, "\"tags\":null,\"immutability\":null,", "\"tags\":null,\"api_version\":null,\"immutability\":null,");
    char expected[256];
    snprintf(expected, sizeof expected, "snap.json:%zu: /vaults/6/api_version: unknown member; expected only the members "
             "vaultproof-snapshot/1 defines", line_of(bad, "\"api_version\":null"));
    assert_error(&t, bad, expected);
    free(bad);
    bad = replace_once(text, "\"multi_user_authorization\":null,", "\"multi_user_authorization\":null,\"source_scan\":null,");
    assert_error(&t, bad, "/source_scan: unknown member; expected only the members vaultproof-snapshot/1 defines");
    free(bad);
    bad = replace_once(text, "\"counts\":{\"policies\":3,\"protected_items\":7}",
                       "\"counts\":{\"policies\":3,\"protected_items\":7,\"backup_engines\":0}");
    assert_error(&t, bad, "/counts/backup_engines: unknown member; expected only the members vaultproof-snapshot/1");
    free(bad);
    bad = replace_once(text, "\"warnings\":1}", "\"warnings\":1,\"resource_guards\":0}");
    assert_error(&t, bad, "/collection/counts/resource_guards: unknown member");
    free(bad);
    bad = replace_once(text, "\"as_of\":\"2025-06-19\",", "\"as_of\":\"2025-06-19\",\"retrieved\":null,");
    assert_error(&t, bad, "/worm_sources/0/retrieved: unknown member");
    free(bad);
    /* a new array, empty (read from the skeleton) or with an element (read by the line reader) */
    char *last = strrchr(text, ']');
    ck_assert_ptr_nonnull(last);
    size_t head = (size_t)(last - text) + 1;
    const char *const arrays[] = {",\n  \"deleted_vaults\": [\n  ]\n}\n",
                                  ",\n  \"resource_guards\": [\n    {\"id\":\"/g\"}\n  ]\n}\n"};
    const char *const says[] = {"/deleted_vaults: unknown member; expected only the members vaultproof-snapshot/1 defines",
                                "/resource_guards: unknown member; expected only the members vaultproof-snapshot/1 defines"};
    for (int i = 0; i < 2; i++) {
        char *more = malloc(head + strlen(arrays[i]) + 1);
        memcpy(more, text, head);
        strcpy(more + head, arrays[i]);
        assert_error(&t, more, says[i]);
        free(more);
    }
    free(text);
}
END_TEST

Suite *snapshot_read_suite(void)
{
    Suite *s = suite_create("snapshot_read");
    TCase *tc = tcase_create("round_trip");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, round_trip_fixtures);
    tcase_add_test(tc, round_trip_contoso);
    tcase_add_test(tc, fields_after_reading);
    tcase_add_test(tc, other_layouts_read_the_same);
    tcase_add_test(tc, out_of_order_entities_are_sorted);
    suite_add_tcase(s, tc);
    TCase *te = tcase_create("errors");
    tcase_add_test(te, wrong_format);
    tcase_add_test(te, wrong_type_names_file_line_pointer);
    tcase_add_test(te, unknown_members_are_errors);
    tcase_add_test(te, broken_files);
    tcase_add_test(te, duplicate_ids_are_errors);
    tcase_add_test(te, region_lookup_normalizes_locations);
    suite_add_tcase(s, te);
    TCase *tl = tcase_create("lazy");
    tcase_set_timeout(tl, 60);
    tcase_add_test(tl, lazy_read_streams_what_a_full_read_holds);
    tcase_add_test(tl, lazy_stream_refuses_entities_out_of_order);
    TCase *tf = tcase_create("format2");
    tcase_set_timeout(tf, 60);
    tcase_add_test(tf, format2_members_round_trip);
    tcase_add_test(tf, format2_bad_values_name_file_line_pointer);
    tcase_add_test(tf, format2_arrays_sorted_ids_unique);
    tcase_add_test(tf, format1_file_is_read);
    tcase_add_test(tf, format2_members_in_format1_are_errors);
    suite_add_tcase(s, tf);
    suite_add_tcase(s, tl);
    return s;
}
