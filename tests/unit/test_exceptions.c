/* What the exceptions carry besides the finding: the catalog's remediation (required of
 * every rule), first seen from earlier bundles (vp_history) and the owner tag
 * (vp_owners). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/archive.h"
#include "vaultproof/catalog.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/history.h"
#include "vaultproof/ledger.h"
#include "vp_test.h"

/* ---- remediation ---- */

START_TEST(every_builtin_rule_has_a_remediation)
{
    vp_catalog *cat = NULL;
    vp_error e = {0};
    size_t n;
    ck_assert_msg(vp_catalog_builtin(&cat, &e) == VP_OK, "%s", e.message);
    const vp_rule *rules = vp_catalog_rules(cat, &n);
    ck_assert_uint_gt(n, 10);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(rules[i].remediation && strlen(rules[i].remediation) > 40, "%s: remediation '%s'", rules[i].id,
                      rules[i].remediation ? rules[i].remediation : "(none)");
    ck_assert_ptr_nonnull(strstr(vp_catalog_find_rule(cat, "mua.resource-guard")->remediation, "Resource Guard"));
    vp_catalog_free(cat);
}
END_TEST

static const char rule_tmpl[] =
    "{\"format\":\"vaultproof-controls/1\",\"version\":\"t\",\"frameworks\":[],\"rules\":[{\"id\":\"a.b\","
    "\"title\":\"T\",\"applies_to\":\"vault\",\"severity\":\"low\",\"rationale\":\"R\"%s,\"parameters\":[],"
    "\"citations\":[],\"azure_policy\":[]}]}";

START_TEST(a_rule_without_remediation_is_refused)
{
    char json[1024];
    vp_catalog *cat = NULL;
    vp_error e = {0};
    snprintf(json, sizeof json, rule_tmpl, "");
    ck_assert_int_eq(vp_catalog_parse("c.json", json, strlen(json), &cat, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, "/rules/0/remediation") != NULL, "%s", e.message);
    snprintf(json, sizeof json, rule_tmpl, ",\"remediation\":\"\"");
    ck_assert_int_eq(vp_catalog_parse("c.json", json, strlen(json), &cat, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, "/rules/0/remediation") != NULL, "%s", e.message);
    snprintf(json, sizeof json, rule_tmpl, ",\"remediation\":\"Lock it.\"");
    ck_assert_msg(vp_catalog_parse("c.json", json, strlen(json), &cat, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(vp_catalog_rules(cat, &(size_t){0})[0].remediation, "Lock it.");
    vp_catalog_free(cat);
}
END_TEST

/* ---- first seen ---- */

START_TEST(history_keeps_the_first_bundle_per_finding)
{
    vp_history *h = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_history_new(&h, &e), VP_OK);
    ck_assert_ptr_null(vp_history_first_seen(h, "backup.rpo", "/subscriptions/s/x"));
    /* in ledger order: the first bundle counts, whatever its (possibly pinned) clock said */
    ck_assert_int_eq(vp_history_add(h, "backup.rpo", "/subscriptions/S/X", "2026-10-01T06:00:00Z", &e), VP_OK);
    ck_assert_int_eq(vp_history_add(h, "backup.rpo", "/subscriptions/s/x", "2026-09-30T06:00:00Z", &e), VP_OK);
    ck_assert_int_eq(vp_history_add(h, "backup.rpo", "/subscriptions/s/x", "2026-12-31T06:00:00Z", &e), VP_OK);
    /* ARM ids ignore case; rules do not */
    ck_assert_str_eq(vp_history_first_seen(h, "backup.rpo", "/SUBSCRIPTIONS/s/X"), "2026-10-01T06:00:00Z");
    ck_assert_ptr_null(vp_history_first_seen(h, "BACKUP.RPO", "/subscriptions/s/x"));
    ck_assert_ptr_null(vp_history_first_seen(h, "protection.state", "/subscriptions/s/x"));
    ck_assert_ptr_null(vp_history_first_seen(h, "backup.rpo", "/subscriptions/s/y"));
    vp_history_free(h);
}
END_TEST

typedef struct {
    const char *rule, *status, *id;
} test_finding;

/* A findings file made from the fuzz corpus' tiny estate: its header with generated_at
 * and organization replaced, and the findings given. */
static char *findings_text(const char *generated_at, const char *org, const test_finding *f, size_t n)
{
    char *base = vp_test_data("../fuzz/corpus/findings", "tiny-estate.json");
    char *list = strstr(base, "  \"findings\": [\n");
    ck_assert_ptr_nonnull(list);
    list[strlen("  \"findings\": [\n")] = '\0';
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    const char *gen = strstr(base, "\"generated_at\": \""), *orgp = strstr(base, "\"organization\":\"");
    ck_assert_ptr_nonnull(gen);
    ck_assert_ptr_nonnull(orgp);
    const char *gen_end = strchr(gen + 17, '"'), *org_end = strchr(orgp + 16, '"');
    fprintf(fp, "%.*s%s%.*s%s%s", (int)(gen + 17 - base), base, generated_at, (int)(orgp + 16 - gen_end), gen_end,
            org, org_end);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "    {\"rule\":\"%s\",\"status\":\"%s\",\"severity\":\"high\",\"resource\":{\"type\":\"protected "
                "item\",\"id\":\"%s\",\"name\":\"x\"},\"observed\":\"o\",\"expected\":\"e\",\"note\":null,\"evidence\":"
                "{\"snapshot\":null,\"raw\":null},\"exemption\":null,\"citations\":[]}%s\n",
                f[i].rule, f[i].status, f[i].id, i + 1 < n ? "," : "");
    fputs("  ]\n}\n", fp);
    fclose(fp);
    free(base);
    return out;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

/* ARCHIVE/NAME.tar.gz holding TOP/data/findings.json, recorded in ARCHIVE/ledger.jsonl
 * (with sha256 when given: a line that does not match the file). */
static void add_bundle(const char *root, const char *name, const char *findings, const char *sha256)
{
    char src[1024], path[1200], archive[1200], ledger[1200];
    vp_error e = {0};
    snprintf(src, sizeof src, "%s/src-%s", root, name);
    snprintf(path, sizeof path, "%s/data", src);
    ck_assert_int_eq(mkdir(src, 0755), 0);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/data/findings.json", src);
    write_text(path, findings);
    snprintf(archive, sizeof archive, "%s/archive/%s.tar.gz", root, name);
    FILE *out = fopen(archive, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_msg(vp_archive_write(src, name, 1790748000, out, &e) == VP_OK, "%s", e.message);
    fclose(out);
    vp_ledger_entry entry = {0};
    entry.time = 1790748000;
    snprintf(entry.bundle, sizeof entry.bundle, "%s.tar.gz", name);
    ck_assert_int_eq(vp_sha256_file(archive, entry.bundle_sha256, &e), VP_OK);
    if (sha256)
        snprintf(entry.bundle_sha256, sizeof entry.bundle_sha256, "%s", sha256);
    entry.bundle_bytes = 1;
    memset(entry.manifest_sha256, '0', 64);
    snprintf(entry.result, sizeof entry.result, "fail");
    snprintf(ledger, sizeof ledger, "%s/archive/ledger.jsonl", root);
    ck_assert_msg(vp_ledger_append(ledger, &entry, NULL, &e) == VP_OK, "%s", e.message);
}

static void count_note(void *ctx, const char *message)
{
    (void)message;
    ++*(int *)ctx;
}

START_TEST(history_reads_the_failing_findings_of_verified_bundles)
{
    char root[] = "/tmp/vp-history-XXXXXX", dir[200], ledger[300];
    vp_history *h = NULL;
    vp_error e = {0};
    int heard = 0;
    size_t read, left_out, other_org, nnotes;
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(dir, sizeof dir, "%s/archive", root);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    const test_finding first[] = {{"backup.rpo", "fail", "/subscriptions/s/items/a"},
                                  {"backup.rpo", "pass", "/subscriptions/s/items/b"},
                                  {"retention.minimum", "warn", "/subscriptions/s/items/c"}};
    const test_finding second[] = {{"backup.rpo", "fail", "/subscriptions/s/items/a"},
                                   {"backup.rpo", "fail", "/subscriptions/s/items/b"}};
    const test_finding other[] = {{"retention.minimum", "fail", "/subscriptions/s/items/c"}};
    char *t1 = findings_text("2026-09-30T06:00:00Z", "Fuzz Seed Clinic", first, 3);
    char *t2 = findings_text("2026-10-01T06:00:00Z", "Fuzz Seed Clinic", second, 2);
    char *t3 = findings_text("2026-09-01T06:00:00Z", "Another Clinic", other, 1);
    char *t4 = findings_text("2026-08-01T06:00:00Z", "Fuzz Seed Clinic", other, 1);
    add_bundle(root, "b1", t1, NULL);
    add_bundle(root, "b2", t2, NULL);
    add_bundle(root, "b3", t3, NULL); /* another organization */
    add_bundle(root, "b4", t4, "1111111111111111111111111111111111111111111111111111111111111111"); /* altered */
    add_bundle(root, "b5", t4, NULL);
    snprintf(ledger, sizeof ledger, "%s/b5.tar.gz", dir);
    ck_assert_int_eq(unlink(ledger), 0); /* missing */
    snprintf(ledger, sizeof ledger, "%s/ledger.jsonl", dir);

    ck_assert_msg(vp_history_load(ledger, "Fuzz Seed Clinic", count_note, &heard, &h, &e) == VP_OK, "%s", e.message);
    vp_history_counts(h, &read, &left_out, &other_org);
    ck_assert_uint_eq(read, 2);
    ck_assert_uint_eq(other_org, 1);
    ck_assert_uint_eq(left_out, 2);
    ck_assert_int_eq(heard, 2);
    const char *const *notes = vp_history_notes(h, &nnotes);
    ck_assert_uint_eq(nnotes, 2);
    ck_assert_msg(strstr(notes[0], "b4.tar.gz") && strstr(notes[0], "SHA-256"), "%s", notes[0]);
    ck_assert_msg(strstr(notes[1], "b5.tar.gz"), "%s", notes[1]);
    /* failing in b1 and b2: the earlier; failing only in b2; never failing (passes, warnings,
     * another organization's, an altered or missing bundle's) */
    ck_assert_str_eq(vp_history_first_seen(h, "backup.rpo", "/subscriptions/s/items/a"), "2026-09-30T06:00:00Z");
    ck_assert_str_eq(vp_history_first_seen(h, "backup.rpo", "/subscriptions/s/items/b"), "2026-10-01T06:00:00Z");
    ck_assert_ptr_null(vp_history_first_seen(h, "retention.minimum", "/subscriptions/s/items/c"));
    vp_history_free(h);

    /* a broken ledger is an error, not an empty history */
    FILE *fp = fopen(ledger, "ab");
    fputs("{\"format\":\"nope\"}\n", fp);
    fclose(fp);
    ck_assert_int_eq(vp_history_load(ledger, "Fuzz Seed Clinic", NULL, NULL, &h, &e), VP_ERR_CHECK);
    ck_assert_ptr_null(h);
    snprintf(ledger, sizeof ledger, "%s/none.jsonl", dir);
    ck_assert_int_eq(vp_history_load(ledger, "Fuzz Seed Clinic", NULL, NULL, &h, &e), VP_ERR_INPUT);
    free(t1), free(t2), free(t3), free(t4);
    ck_assert_int_eq(vp_remove_tree(root, &e), VP_OK);
}
END_TEST

/* ---- owner ---- */

#define SUB "/subscriptions/s/resourceGroups/rg/providers/"
#define VAULT SUB "Microsoft.RecoveryServices/vaults/v1"
#define ITEM(n) VAULT "/backupFabrics/Azure/protectionContainers/c/protectedItems/" n
#define VM(n) SUB "Microsoft.Compute/virtualMachines/" n

static vp_text present(const char *v)
{
    return (vp_text){v, VP_PRESENT, 0, 0};
}

/* text written to a new file named from the mkstemp template path, opened as findings */
static vp_findings_file *open_findings(const char *text, char *path)
{
    vp_findings_file *ff = NULL;
    vp_error e = {0};
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    write_text(path, text);
    ck_assert_msg(vp_findings_file_open(path, &ff, &e) == VP_OK, "%s", e.message);
    return ff;
}

START_TEST(owner_is_the_vm_tag_else_the_vault_tag)
{
    vp_tag vault_tags[] = {{"Owner", "backup-ops"}};
    vp_tag tagged_vm[] = {{"env", "prd"}, {"owner", "alice@contoso.example"}}; /* tag names ignore case */
    vp_tag empty_owner[] = {{"Owner", ""}};
    vp_vault vault = {.id = VAULT, .name = "v1", .tags = {vault_tags, 1, VP_PRESENT}};
    vp_item items[3] = {
        {.id = ITEM("a"), .vault_id = VAULT, .source_resource_id = present(VM("tagged"))},
        {.id = ITEM("b"), .vault_id = VAULT, .source_resource_id = present(VM("untagged"))},
        {.id = ITEM("c"), .vault_id = VAULT, .vm_id = present(VM("tagged"))},
    };
    vp_vm vms[2] = {{.id = VM("tagged"), .tags = {tagged_vm, 2, VP_PRESENT}},
                    {.id = VM("untagged"), .tags = {empty_owner, 1, VP_PRESENT}}};
    vp_snapshot snap = {.vaults = &vault, .vault_count = 1, .items = items, .item_count = 3, .vms = vms,
                        .vm_count = 2};
    const test_finding f[] = {{"backup.rpo", "fail", ITEM("a")},          {"backup.rpo", "fail", ITEM("b")},
                              {"backup.rpo", "pass", ITEM("c")},          {"immutability.locked", "fail", VAULT},
                              {"coverage.critical-vms", "fail", VM("untagged")}};
    char *text = findings_text("2026-09-30T06:00:00Z", "Fuzz Seed Clinic", f, 5);
    char path[] = "/tmp/vp-owners-XXXXXX";
    vp_findings_file *ff = open_findings(text, path);
    vp_owners *o = NULL;
    vp_error e = {0};
    vp_owner_source src;
    ck_assert_int_eq(vp_owners_build(&snap, ff, "", &o, &e), VP_ERR_USAGE);
    ck_assert_msg(vp_owners_build(&snap, ff, "Owner", &o, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(vp_owners_tag(o), "Owner");
    ck_assert_str_eq(vp_owners_get(o, ITEM("a"), &src), "alice@contoso.example");
    ck_assert_int_eq(src, VP_OWNER_VM);
    /* a snapshot held in memory is pointed to, not copied (owner.c, borrow) */
    ck_assert_ptr_eq(vp_owners_get(o, ITEM("a"), NULL), tagged_vm[1].value);
    ck_assert_ptr_eq(vp_owners_get(o, VAULT, NULL), vault_tags[0].value);
    /* ids compared ignoring case, as ARM does */
    ck_assert_str_eq(vp_owners_get(o, "/SUBSCRIPTIONS/s/resourceGroups/RG/providers/Microsoft.RecoveryServices/vaults/"
                                      "V1/backupFabrics/Azure/protectionContainers/c/protectedItems/a", NULL),
                     "alice@contoso.example");
    ck_assert_str_eq(vp_owners_get(o, ITEM("b"), &src), "backup-ops"); /* its VM's tag is empty */
    ck_assert_int_eq(src, VP_OWNER_VAULT);
    ck_assert_str_eq(vp_owners_get(o, VAULT, &src), "backup-ops");
    ck_assert_int_eq(src, VP_OWNER_VAULT);
    ck_assert_ptr_null(vp_owners_get(o, VM("untagged"), &src)); /* unassigned */
    ck_assert_int_eq(src, VP_OWNER_NONE);
    ck_assert_ptr_null(vp_owners_get(o, ITEM("c"), &src)); /* passes: not indexed */
    vp_owners_free(o);
    /* another tag: nothing carries it */
    ck_assert_msg(vp_owners_build(&snap, ff, "CostCenter", &o, &e) == VP_OK, "%s", e.message);
    ck_assert_ptr_null(vp_owners_get(o, ITEM("a"), &src));
    vp_owners_free(o);
    vp_findings_file_close(ff);
    unlink(path);
    free(text);
}
END_TEST

/* Thousands of items, each failing three rules, the findings rule by rule (as evaluate
 * writes them): the subjects settle while they are read (9,000 names of 3,000 subjects
 * pass the 4,096 owner.c settles at, twice), and every one is still found with its
 * owner, whichever finding named it first. */
START_TEST(owners_of_many_subjects_failing_several_rules)
{
    enum { N = 3000, RULES = 3 };
    static const char *const rules[RULES] = {"backup.rpo", "retention.minimum", "immutability.locked"};
    vp_tag vault_tags[] = {{"Owner", "backup-ops"}};
    vp_tag vm_tags[] = {{"Owner", "alice@contoso.example"}};
    vp_vault vault = {.id = VAULT, .name = "v1", .tags = {vault_tags, 1, VP_PRESENT}};
    vp_vm vm = {.id = VM("tagged"), .tags = {vm_tags, 1, VP_PRESENT}};
    vp_item *items = calloc(N + 1, sizeof *items);
    char (*ids)[160] = calloc(N + 1, sizeof *ids);
    test_finding *f = calloc(RULES * N + 1, sizeof *f);
    ck_assert(items && ids && f);
    for (size_t i = 0; i <= N; i++) {
        /* odd items back up the tagged VM; their ids in mixed order and case */
        snprintf(ids[i], sizeof ids[i], ITEM("%s%05zu"), i % 3 ? "Item" : "item", (i * 7919) % (N + 1));
        items[i] = (vp_item){.id = ids[i], .vault_id = VAULT};
        if (i % 2)
            items[i].source_resource_id = present(VM("tagged"));
    }
    size_t n = 0;
    for (size_t r = 0; r < RULES; r++)
        for (size_t i = 0; i < N; i++) /* item N passes every rule */
            f[n++] = (test_finding){rules[r], "fail", ids[(i + r * 1000) % N]};
    f[n++] = (test_finding){rules[0], "pass", ids[N]};
    vp_snapshot snap = {.vaults = &vault, .vault_count = 1, .items = items, .item_count = N + 1, .vms = &vm,
                        .vm_count = 1};
    char *text = findings_text("2026-09-30T06:00:00Z", "Fuzz Seed Clinic", f, n);
    char path[] = "/tmp/vp-owners-XXXXXX";
    vp_findings_file *ff = open_findings(text, path);
    vp_owners *o = NULL;
    vp_error e = {0};
    vp_owner_source src;
    ck_assert_msg(vp_owners_build(&snap, ff, "Owner", &o, &e) == VP_OK, "%s", e.message);
    for (size_t i = 0; i < N; i++) {
        const char *owner = vp_owners_get(o, ids[i], &src);
        ck_assert_msg(owner, "%s has no owner", ids[i]);
        ck_assert_str_eq(owner, i % 2 ? "alice@contoso.example" : "backup-ops");
        ck_assert_int_eq(src, i % 2 ? VP_OWNER_VM : VP_OWNER_VAULT);
    }
    ck_assert_ptr_null(vp_owners_get(o, ids[N], &src)); /* passes: not indexed */
    vp_owners_free(o);
    vp_findings_file_close(ff);
    unlink(path);
    free(text), free(f), free(ids), free(items);
}
END_TEST

Suite *exceptions_suite(void); /* tests/unit/main.c runs it */
Suite *exceptions_suite(void)
{
    Suite *s = suite_create("exceptions");
    TCase *tc = tcase_create("exceptions");
    tcase_add_test(tc, every_builtin_rule_has_a_remediation);
    tcase_add_test(tc, a_rule_without_remediation_is_refused);
    tcase_add_test(tc, history_keeps_the_first_bundle_per_finding);
    tcase_add_test(tc, history_reads_the_failing_findings_of_verified_bundles);
    tcase_add_test(tc, owner_is_the_vm_tag_else_the_vault_tag);
    tcase_add_test(tc, owners_of_many_subjects_failing_several_rules);
    tcase_set_timeout(tc, 60); /* Check's 4 s default: the many-subjects case under ASan on a busy machine */
    suite_add_tcase(s, tc);
    return s;
}
