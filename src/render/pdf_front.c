/* The front of the report: the cover, the contents page (filled in at the end) and
 * "Scope and method": population and completeness, collection, parameters in force,
 * exemptions and the period's baselines. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/pdf_internal.h"
#include "vaultproof/version.h"

/* ---- cover ---- */

/* Whether the responses were sealed when captured (a bundle says; elsewhere nothing is
 * known): integrity of raw/ then reaches back to the capture, else only to pack time. */
static void recording(pdf_ctx *c, pdf_table *t)
{
    const vp_render_recording *r = &c->in->recording;
    if (r->state == VP_RECORDING_UNKNOWN)
        return;
    const char *vars[] = {"subject", vpr_pdf_nz(r->sealed_by), "time", vpr_pdf_nz(r->sealed_at), "generated_at",
                          c->now, NULL};
    const char *text = vpr_pdf_strdup(c, vpr_pdf_tf(c, r->state == VP_RECORDING_SEALED ? "/cover/recording_sealed"
                                                                                        : "/cover/recording_unsealed",
                                                    vars));
    vpr_pdf_kv(c, t, "Recording", text, PF_SANS);
}

/* "7 vaults, 24 backup policies, ..." from the tally (the workbook's Access sheet prints
 * the same counts); first..last of vp_population. */
static const char *population_line(pdf_ctx *c, vp_population first, vp_population last)
{
    pdf_buf b = {0};
    for (vp_population p = first; p <= last; p++) {
        const char *part = vpr_pdf_printf(c, "%s%s %s", p == first ? "" : ", ", vpr_pdf_count(c, c->tally.population[p]),
                                          vp_tally_population_label(p));
        vpr_pdf_buf_add(c, &b, part, strlen(part));
    }
    char *out = vpr_pdf_strdup(c, b.s ? b.s : "");
    vpc_buf_free(&b);
    return out;
}

/* Who collected: the identity the recording names, one line. */
static const char *collector_line(pdf_ctx *c)
{
    const vp_access *a = &c->snap->collection.access;
    if (!a->recorded || (!a->client_id && !a->object_id))
        return "not recorded (no identity in the recording)";
    return vpr_pdf_printf(c, "%s%sclient id %s, object id %s, %s credential, tenant %s",
                          a->display_name ? a->display_name : "", a->display_name ? ": " : "", vpr_pdf_nz(a->client_id),
                          vpr_pdf_nz(a->object_id), a->credential ? a->credential : "unknown",
                          a->tenant_id ? a->tenant_id : "not recorded");
}

/* The scope reconciled with what the principal could see, one line. */
static const char *reconciliation_line(pdf_ctx *c)
{
    if (!c->tally.reconciled)
        return "not recorded (no subscriptions list in the recording)";
    return vpr_pdf_printf(c, "%s (listed in Scope and method)",
                          population_line(c, VP_POP_FIRST_RECONCILED, VP_POP_SUBS_OUT_OF_SCOPE));
}

static void cover_identity(pdf_ctx *c)
{
    const vp_render_input *in = c->in;
    const vp_findings_header *h = c->hdr;
    pdf_table t;
    pdf_col cols[2];
    vpr_pdf_kv_begin(c, &t, cols, 128);
    if (in->period && *in->period)
        vpr_pdf_kv(c, &t, "Reporting period", vpr_pdf_printf(c, "%s (evaluated as of %s)", in->period, c->as_of), PF_SANS);
    else
        vpr_pdf_kv(c, &t, "Point in time", c->as_of, PF_SANS);
    if (in->request_id && *in->request_id)
        vpr_pdf_kv(c, &t, "Auditor request", in->request_id, PF_SANS);
    vpr_pdf_kv(c, &t, "Generated",
           vpr_pdf_printf(c, "%s (%s%s)", c->now, in->clock.pinned ? "pinned by " : "", vpr_pdf_nz(in->clock.from)), PF_SANS);
    recording(c, &t);
    vpr_pdf_kv(c, &t, "Tool", vpr_pdf_printf(c, "rendered by vaultproof %s (commit %s); findings by vaultproof %s (commit %s)",
                                     vp_version(), vp_commit(), vpr_pdf_nz(h->tool_version), vpr_pdf_nz(h->tool_commit)),
           PF_SANS);
    vpr_pdf_kv(c, &t, "Control catalog", vpr_pdf_printf(c, "version %s", vpr_pdf_nz(h->catalog_version)), PF_SANS);
    vpr_pdf_kv(c, &t, "Collector identity", collector_line(c), PF_SANS);
    vpr_pdf_kv(c, &t, "Subscriptions", reconciliation_line(c), PF_SANS);
    vpr_pdf_kv(c, &t, "Population", population_line(c, VP_POP_VAULTS, VP_POP_SUBS_REFERENCED), PF_SANS);
    vpr_pdf_kv(c, &t, "Snapshot", vpr_pdf_nz(in->snapshot_label), PF_SANS);
    vpr_pdf_kv(c, &t, "Snapshot SHA-256", in->snapshot_sha256 ? in->snapshot_sha256 : h->snapshot_sha256, PF_MONO);
    vpr_pdf_kv(c, &t, "Findings", vpr_pdf_nz(in->findings_label), PF_SANS);
    vpr_pdf_kv(c, &t, "Findings SHA-256", in->findings_sha256, PF_MONO);
    if (in->xlsx_name) {
        vpr_pdf_kv(c, &t, "Workbook", in->xlsx_name, PF_SANS);
        if (in->bundle_name)
            vpr_pdf_kv(c, &t, "Workbook SHA-256", vpr_pdf_workbook_sha256(c), PF_SANS);
    }
    vpr_pdf_table_end(c, &t);
}

static void cover_result(pdf_ctx *c)
{
    const vp_findings_header *h = c->hdr;
    const char *vars[] = {"fail", vpr_pdf_count(c, h->counts[VP_FAIL]), "warn", vpr_pdf_count(c, h->counts[VP_WARN]),
                          "incomplete", vpr_pdf_count(c, h->counts[VP_INCOMPLETE]), "exempt",
                          vpr_pdf_count(c, h->counts[VP_EXEMPT]), "findings", vpr_pdf_count(c, h->finding_count),
                          "vaults", vpr_pdf_count(c, c->snap->vault_count), "items", vpr_pdf_count(c, c->snap->item_count),
                          NULL};
    int st = vpr_pdf_result_status(h->result);
    float top = c->y - 8, height = 58;
    vpr_pdf_rect(c, PDF_LEFT, top - height, PDF_WIDTH, height, &vpr_pdf_head_fill);
    vpr_pdf_rect(c, PDF_LEFT, top - height, 4, height, vpr_pdf_status_color(st));
    vpr_pdf_marker(c, st, PDF_LEFT + 14, top - 22, 14);
    vpr_pdf_fill(c, &vpr_pdf_ink);
    char label[64];
    snprintf(label, sizeof label, "Overall result: %s", vpr_pdf_nz(h->result));
    for (char *p = label + 16; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    vpr_pdf_text(c, PF_BOLD, 13, PDF_LEFT + 34, top - 22, label, NULL);
    vpr_pdf_text_wrap(c, PF_SANS, 8, PDF_LEFT + 34, top - 37, PDF_WIDTH - 44, 2, vpr_pdf_tf(c, "/cover/result_line", vars));
    c->y = top - height - 16;
}

void vpr_pdf_cover(pdf_ctx *c)
{
    const vp_findings_header *h = c->hdr;
    vpr_pdf_new_page(c);
    if (c->status)
        return;
    vpr_pdf_mark_add(c, 0, "Cover", 0);
    vpr_pdf_rect(c, 0, PDF_PAGE_H - 14, PDF_PAGE_W, 14, &vpr_pdf_accent);
    c->y = PDF_PAGE_H - 96;
    vpr_pdf_para(c, PF_BOLD, 9, &vpr_pdf_muted, vpr_pdf_t(c, "/cover/kicker"));
    if (h->organization && *h->organization)
        vpr_pdf_para(c, PF_BOLD, 24, &vpr_pdf_accent, h->organization);
    vpr_pdf_para(c, PF_SANS, 15, &vpr_pdf_ink, c->title);
    vpr_pdf_para(c, PF_SANS, 9, &vpr_pdf_muted, vpr_pdf_t(c, "/cover/subtitle"));
    c->y -= 10;
    cover_result(c);
    cover_identity(c);
    c->y -= 6;
    vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted, vpr_pdf_t(c, "/cover/how_to_read"));
}

void vpr_pdf_contents_reserve(pdf_ctx *c)
{
    const char *title = vpr_pdf_t(c, "/sections/contents/title");
    vpr_pdf_new_page(c);
    if (c->status)
        return;
    vpr_pdf_mark_add(c, 0, title, 0);
    vpr_pdf_fill(c, &vpr_pdf_accent);
    vpr_pdf_text(c, PF_BOLD, 17, PDF_LEFT, c->y - 17, title, NULL);
    vpr_pdf_hline(c, PDF_LEFT, PDF_RIGHT, c->y - 25, &vpr_pdf_accent, 1.2f);
}

/* ---- population and completeness ---- */

typedef struct {
    const char *operation;
    size_t n[4], pages; /* by vp_list_status */
} op_count;

static size_t tally_lists(const vp_collection *col, op_count *ops, size_t max, size_t total[4])
{
    size_t nops = 0;
    memset(total, 0, 4 * sizeof *total);
    for (size_t i = 0; i < col->list_count; i++) {
        const vp_list_call *l = &col->lists[i];
        size_t k = 0;
        while (k < nops && strcmp(ops[k].operation, vpr_pdf_nz(l->operation)))
            k++;
        if (k == nops && nops < max) {
            memset(&ops[nops], 0, sizeof *ops);
            ops[nops++].operation = vpr_pdf_nz(l->operation);
        }
        if (k < nops) {
            ops[k].n[l->status & 3]++;
            ops[k].pages += l->pages > 0 ? (size_t)l->pages : 0;
        }
        total[l->status & 3]++;
    }
    return nops;
}

static const char *list_summary(pdf_ctx *c, const op_count *ops, size_t nops, const char *operation)
{
    for (size_t k = 0; k < nops; k++)
        if (!strcmp(ops[k].operation, operation))
            return vpr_pdf_printf(c, "%s of %s %s list calls complete", vpr_pdf_count(c, ops[k].n[VP_LIST_COMPLETE]),
                              vpr_pdf_count(c, ops[k].n[0] + ops[k].n[1] + ops[k].n[2] + ops[k].n[3]), operation);
    return vpr_pdf_printf(c, "no %s list call recorded", operation);
}

/* The subscriptions only referenced by resource ids, each with what rests on it. */
static const char *referenced_names(pdf_ctx *c)
{
    pdf_buf b = {0};
    char detail[1024];
    for (size_t i = 0; i < c->tally.population[VP_POP_SUBS_REFERENCED]; i++) {
        const char *part = vpr_pdf_printf(c, "%s%s (%s)", i ? "; " : ": ", c->tally.referenced[i],
                                          vp_tally_referenced_detail(c->snap, c->tally.referenced[i], detail, sizeof detail));
        vpr_pdf_buf_add(c, &b, part, strlen(part));
    }
    char *out = vpr_pdf_strdup(c, b.s ? b.s : "");
    vpc_buf_free(&b);
    return out;
}

static void reconciliation(pdf_ctx *c, const op_count *ops, size_t nops)
{
    const vp_snapshot *s = c->snap;
    size_t policies = 0, items = 0, orphans = 0;
    for (size_t i = 0; i < s->vault_count; i++)
        policies += s->vaults[i].policy_count, items += s->vaults[i].item_count;
    for (size_t i = 0; i < s->item_count; i++)
        orphans += !s->items[i].vault_listed;
    static const pdf_col cols[] = {{"Entity", 92, PF_BOLD, PA_LEFT},
                                   {"In the snapshot", 70, PF_SANS, PA_RIGHT},
                                   {"Reconciled against", PDF_WIDTH - 162, PF_SANS, PA_LEFT}};
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 3, PDF_TABLE_SIZE);
    const char *rows[][3] = {
        {"Subscriptions", vpr_pdf_count(c, s->subscription_count),
         vpr_pdf_printf(c, "%s listed by the subscriptions call, %s only referenced by resource ids%s",
                        vpr_pdf_count(c, c->tally.population[VP_POP_SUBS_LISTED]),
                        vpr_pdf_count(c, c->tally.population[VP_POP_SUBS_REFERENCED]), referenced_names(c))},
        {"Vaults", vpr_pdf_count(c, s->vault_count), list_summary(c, ops, nops, "vaults")},
        {"Backup policies", vpr_pdf_count(c, s->policy_count),
         vpr_pdf_printf(c, "sum of per-vault counts %s; %s", vpr_pdf_count(c, policies),
                    list_summary(c, ops, nops, "backupPolicies"))},
        {"Protected items", vpr_pdf_count(c, s->item_count),
         vpr_pdf_printf(c, "sum of per-vault counts %s; %s in vaults no vault list returned; %s", vpr_pdf_count(c, items),
                    vpr_pdf_count(c, orphans), list_summary(c, ops, nops, "backupProtectedItems"))},
        {"Virtual machines", vpr_pdf_count(c, s->vm_count), list_summary(c, ops, nops, "virtualMachines")},
        {"Regions", vpr_pdf_count(c, s->region_count), "every location of a vault in scope, with its WORM status"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        vpr_pdf_table_strings(c, &t, rows[i]);
    vpr_pdf_table_end(c, &t);
}

static void list_calls(pdf_ctx *c, const op_count *ops, size_t nops, const size_t total[4])
{
    static const pdf_col cols[] = {{"List call", 150, PF_MONO, PA_LEFT}, {"Calls", 55, PF_SANS, PA_RIGHT},
                                   {"Complete", 62, PF_SANS, PA_RIGHT},  {"Incomplete", 62, PF_SANS, PA_RIGHT},
                                   {"Unverified", 62, PF_SANS, PA_RIGHT}, {"Missing", 52, PF_SANS, PA_RIGHT},
                                   {"Pages", PDF_WIDTH - 443, PF_SANS, PA_RIGHT}};
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 7, PDF_TABLE_SIZE);
    for (size_t k = 0; k <= nops; k++) {
        const size_t *n = k < nops ? ops[k].n : total;
        size_t pages = 0;
        for (size_t j = 0; j < nops && k == nops; j++)
            pages += ops[j].pages;
        const char *row[] = {k < nops ? ops[k].operation : "all list calls",
                             vpr_pdf_count(c, n[0] + n[1] + n[2] + n[3]),
                             vpr_pdf_count(c, n[VP_LIST_COMPLETE]),
                             vpr_pdf_count(c, n[VP_LIST_INCOMPLETE]),
                             vpr_pdf_count(c, n[VP_LIST_UNVERIFIED]),
                             vpr_pdf_count(c, n[VP_LIST_MISSING]),
                             vpr_pdf_count(c, k < nops ? ops[k].pages : pages)};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

/* List calls that are not complete, each in full: they are why findings are incomplete. */
static void incomplete_lists(pdf_ctx *c, const size_t total[4])
{
    const vp_collection *col = &c->snap->collection;
    if (total[VP_LIST_COMPLETE] == col->list_count)
        return;
    static const pdf_col cols[] = {{"List call", 90, PF_MONO, PA_LEFT}, {"Scope", 210, PF_MONO, PA_LEFT},
                                   {"Status", 55, PF_SANS, PA_LEFT}, {"Why", PDF_WIDTH - 355, PF_SANS, PA_LEFT}};
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 4, PDF_TABLE_SIZE);
    size_t shown = 0;
    for (size_t i = 0; i < col->list_count && shown < c->population_limit && !c->status; i++) {
        const vp_list_call *l = &col->lists[i];
        if (l->status == VP_LIST_COMPLETE)
            continue;
        const char *row[] = {vpr_pdf_nz(l->operation), vpr_pdf_nz(l->scope), vp_list_status_name(l->status), vpr_pdf_nz(l->detail)};
        vpr_pdf_table_strings(c, &t, row);
        shown++;
    }
    vpr_pdf_table_end(c, &t);
}

static void subscriptions(pdf_ctx *c)
{
    const vp_snapshot *s = c->snap;
    static const pdf_col cols[] = {{"Subscription", 170, PF_MONO, PA_LEFT}, {"Name", 120, PF_SANS, PA_LEFT},
                                   {"State", 55, PF_SANS, PA_LEFT},         {"Listed", 40, PF_SANS, PA_LEFT},
                                   {"Vaults", 50, PF_SANS, PA_RIGHT},       {"Items", PDF_WIDTH - 435, PF_SANS, PA_RIGHT}};
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 6, PDF_TABLE_SIZE);
    for (size_t i = 0; i < s->subscription_count && !c->status; i++) {
        const vp_subscription *sub = &s->subscriptions[i];
        size_t vaults = 0, items = 0;
        for (size_t v = 0; v < s->vault_count; v++)
            if (s->vaults[v].subscription_id && sub->subscription_id &&
                !strcasecmp(s->vaults[v].subscription_id, sub->subscription_id))
                vaults++, items += s->vaults[v].item_count;
        const char *row[] = {vpr_pdf_nz(sub->subscription_id), vpr_pdf_nz(sub->display_name), vpr_pdf_nz(sub->state),
                             sub->listed ? "yes" : "no", vpr_pdf_count(c, vaults), vpr_pdf_count(c, items)};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

/* What the collecting principal could see (the scope reconciled with its subscriptions
 * list) and read (its roles per in-scope subscription): the evidence that the population
 * above is complete, as far as access goes. */
static void access(pdf_ctx *c)
{
    const vp_access *a = &c->snap->collection.access;
    static const pdf_col vcols[] = {{"Subscription", 170, PF_MONO, PA_LEFT},
                                    {"Name", 150, PF_SANS, PA_LEFT},
                                    {"Reconciliation", PDF_WIDTH - 320, PF_SANS, PA_LEFT}};
    static const pdf_col rcols[] = {{"Subscription", 170, PF_MONO, PA_LEFT},
                                    {"Roles held (scope)", PDF_WIDTH - 250, PF_SANS, PA_LEFT},
                                    {"Verdict", 80, PF_SANS, PA_LEFT}};
    pdf_table t;
    if (!a->recorded) {
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, &vpr_pdf_muted,
                     "Collector access: not recorded (the snapshot was written before vaultproof recorded it).");
        return;
    }
    vpr_pdf_table_begin(c, &t, vcols, 3, PDF_TABLE_SIZE);
    for (size_t i = 0; i < a->subscription_count && !c->status; i++) {
        const vp_access_subscription *x = &a->subscriptions[i];
        const char *row[] = {vpr_pdf_nz(x->subscription_id), x->display_name ? x->display_name : "(not listed)",
                             !strcmp(x->status, "in-scope")      ? "in scope, visible"
                             : !strcmp(x->status, "not-visible") ? "in scope, NOT visible to the collector"
                                                                 : "visible, out of scope (not collected)"};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
    vpr_pdf_table_begin(c, &t, rcols, 3, PDF_TABLE_SIZE);
    for (size_t i = 0; i < a->scope_count && !c->status; i++) {
        const vp_access_scope *sc = &a->scopes[i];
        pdf_buf b = {0};
        for (size_t k = 0; k < sc->assignment_count; k++) {
            const vp_role_assignment *r = &sc->assignments[k];
            const char *part = vpr_pdf_printf(c, "%s%s%s (%s)", k ? "\n" : "", r->role_name ? r->role_name : "role not read",
                                              r->writes == 1 ? ", can write" : "", vpr_pdf_nz(r->scope));
            vpr_pdf_buf_add(c, &b, part, strlen(part));
        }
        const char *roles = strcmp(sc->status, "read") ? vpr_pdf_printf(c, "%s%s%s", sc->status, sc->detail ? ": " : "",
                                                                        sc->detail ? sc->detail : "")
                            : b.s                      ? vpr_pdf_strdup(c, b.s)
                                                       : "no role assignment";
        vpc_buf_free(&b);
        const char *row[] = {vpr_pdf_nz(sc->subscription_id), roles, vp_access_verdict_name(vp_access_judge(sc))};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

static void population(pdf_ctx *c)
{
    op_count ops[32];
    size_t total[4], nops = tally_lists(&c->snap->collection, ops, 32, total);
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/scope/population/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/scope/population/intro"));
    reconciliation(c, ops, nops);
    list_calls(c, ops, nops, total);
    incomplete_lists(c, total);
    subscriptions(c);
    access(c);
}

/* ---- collection, parameters, exemptions, baselines ---- */

static const char *join(pdf_ctx *c, const char *const *items, size_t n, const char *sep)
{
    pdf_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            vpr_pdf_buf_add(c, &b, sep, strlen(sep));
        vpr_pdf_buf_add(c, &b, vpr_pdf_nz(items[i]), strlen(vpr_pdf_nz(items[i])));
    }
    char *out = vpr_pdf_strdup(c, b.s ? b.s : "");
    vpc_buf_free(&b);
    return out;
}

static void collection(pdf_ctx *c)
{
    const vp_collection *col = &c->snap->collection;
    int live = col->source_kind && !strcmp(col->source_kind, "live");
    pdf_table t;
    pdf_col cols[2];
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/scope/collection/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, live ? "/sections/scope/collection/live" : "/sections/scope/collection/replay"));
    vpr_pdf_kv_begin(c, &t, cols, 128);
    vpr_pdf_kv(c, &t, "Source", live ? "live Azure Resource Manager" : "offline: recorded or exported responses (replay)", PF_SANS);
    vpr_pdf_kv(c, &t, "Input", col->input, PF_MONO);
    vpr_pdf_kv(c, &t, "Endpoints", join(c, col->endpoints, col->endpoint_count, "\n"), PF_MONO);
    vpr_pdf_kv(c, &t, "API versions", join(c, col->api_versions, col->api_version_count, "\n"), PF_MONO);
    vpr_pdf_kv(c, &t, "Identity (client id)", col->principal ? col->principal : "none (offline)", PF_MONO);
    vpr_pdf_kv(c, &t, "Captured", col->captured_from ? vpr_pdf_printf(c, "%s to %s", col->captured_from, vpr_pdf_nz(col->captured_to))
                                                 : "not recorded (no capture sidecars)", PF_SANS);
    vpr_pdf_kv(c, &t, "Requests", vpr_pdf_printf(c, "%lld responses recorded, %lld retried attempts", col->request_count,
                                         col->retry_count), PF_SANS);
    vpr_pdf_kv(c, &t, "Completeness", vpr_pdf_printf(c, "%s; %s", col->verified ? "capture sidecars present: checked"
                                                                         : "no capture sidecars: not verifiable",
                                             col->complete ? "every list call complete" : "some list calls not complete"),
           PF_SANS);
    vpr_pdf_kv(c, &t, "Warnings", vpr_pdf_printf(c, "%s collection warnings; %lld resources of types not read",
                                         vpr_pdf_count(c, col->warning_count), col->ignored_resources), PF_SANS);
    vpr_pdf_kv(c, &t, "Snapshot written", vpr_pdf_printf(c, "%s by vaultproof %s (commit %s)%s", vpr_pdf_nz(col->generated_at),
                                                 vpr_pdf_nz(col->tool_version), vpr_pdf_nz(col->tool_commit),
                                                 col->clock_pinned ? ", clock pinned" : ""), PF_SANS);
    vpr_pdf_kv(c, &t, "WORM catalog", vpr_pdf_printf(c, "version %s (%s), SHA-256 %s", vpr_pdf_nz(col->worm_catalog_version),
                                             vpr_pdf_nz(col->worm_catalog_origin), vpr_pdf_nz(col->worm_catalog_sha256)), PF_SANS);
    vpr_pdf_table_end(c, &t);
}

static const char *minimum(pdf_ctx *c, long long v, const char *unit)
{
    return v < 0 ? "\xE2\x80\x94" : vpr_pdf_printf(c, "%lld %s", v, unit);
}

static void parameters(pdf_ctx *c)
{
    const vp_findings_header *h = c->hdr;
    pdf_table t;
    pdf_col cols[2];
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/scope/parameters/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/scope/parameters/intro"));
    vpr_pdf_kv_begin(c, &t, cols, 128);
    vpr_pdf_kv(c, &t, "Frameworks", h->hipaa && h->sox ? "HIPAA Security Rule and SOX" : h->hipaa ? "HIPAA Security Rule"
                                : h->sox ? "SOX" : "none", PF_SANS);
    vpr_pdf_kv(c, &t, "Control catalog", vpr_pdf_printf(c, "version %s, SHA-256 %s", vpr_pdf_nz(h->catalog_version),
                                                vpr_pdf_nz(h->catalog_sha256)), PF_SANS);
    vpr_pdf_kv(c, &t, "Configuration", vpr_pdf_printf(c, "%s, SHA-256 %s", vpr_pdf_nz(h->config_path), vpr_pdf_nz(h->config_sha256)),
           PF_SANS);
    vpr_pdf_kv(c, &t, "Evaluated as of", vpr_pdf_printf(c, "%s (findings generated %s)", c->as_of, vpr_pdf_nz(h->generated_at)),
           PF_SANS);
    vpr_pdf_kv(c, &t, "RPO", vpr_pdf_printf(c, "last backup at most %lld hours before the evaluation time", h->rpo_hours), PF_SANS);
    vpr_pdf_kv(c, &t, "Hyper-care", vpr_pdf_printf(c, "%lld days after a VM is built", h->hyper_care_days), PF_SANS);
    vpr_pdf_kv(c, &t, "Critical resources", h->critical ? h->critical : "not recorded", PF_SANS);
    for (size_t k = 0; k < h->class_count; k++)
        vpr_pdf_kv(c, &t, vpr_pdf_printf(c, "Data class %s", h->class_names[k]), h->class_selectors[k], PF_SANS);
    vpr_pdf_kv(c, &t, "Exemptions", vpr_pdf_printf(c, "%lld configured (below)", h->exemption_count), PF_SANS);
    vpr_pdf_kv(c, &t, "Decommissioned servers", vpr_pdf_printf(c, "%lld configured", h->decommission_count), PF_SANS);
    vpr_pdf_table_end(c, &t);

    static const pdf_col mcols[] = {{"Data class", 90, PF_BOLD, PA_LEFT}, {"Item kind", 100, PF_MONO, PA_LEFT},
                                    {"Daily", 75, PF_SANS, PA_RIGHT},       {"Weekly", 75, PF_SANS, PA_RIGHT},
                                    {"Monthly", 75, PF_SANS, PA_RIGHT},     {"Yearly", PDF_WIDTH - 415, PF_SANS, PA_RIGHT}};
    vpr_pdf_table_begin(c, &t, mcols, 6, PDF_TABLE_SIZE);
    for (size_t i = 0; i < h->minimum_count && !c->status; i++) {
        const vp_findings_minimum *m = &h->minimums[i];
        const char *row[] = {vpr_pdf_nz(m->class_name), m->kind ? m->kind : "every kind", minimum(c, m->daily_days, "days"),
                             minimum(c, m->weekly_weeks, "weeks"), minimum(c, m->monthly_months, "months"),
                             minimum(c, m->yearly_years, "years")};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

static void exemptions(pdf_ctx *c)
{
    static const pdf_col cols[] = {{"Exemption", 150, PF_SANS, PA_LEFT},
                                   {"Approval, expiry and reason", PDF_WIDTH - 225, PF_SANS, PA_LEFT},
                                   {"Status", 75, PF_SANS, PA_LEFT}};
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/scope/exemptions/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/scope/exemptions/intro"));
    if (!c->exemptions.n) {
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, &vpr_pdf_muted, vpr_pdf_t(c, "/sections/scope/exemptions/none"));
        return;
    }
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 3, PDF_TABLE_SIZE);
    for (size_t i = 0; i < c->exemptions.n && !c->status; i++) {
        const pdf_exemption *e = &c->exemptions.v[i];
        int st = vp_finding_status_parse(e->status);
        pdf_cell cells[3] = {vpr_pdf_cell_text(e->name), vpr_pdf_cell_text(e->observed), vpr_pdf_cell_text(vpr_pdf_status_label(st))};
        cells[0].nparts = 2;
        cells[0].parts[1] = (pdf_part){e->id, PF_MONO, -1, &vpr_pdf_muted, 6};
        if (e->note) {
            cells[1].nparts = 2;
            cells[1].parts[1] = (pdf_part){e->note, PF_SANS, -1, vpr_pdf_status_color(st), 0};
        }
        cells[2].parts[0].status = st;
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

static void baselines(pdf_ctx *c)
{
    const vp_findings_header *h = c->hdr;
    static const pdf_col cols[] = {{"Snapshot", 150, PF_MONO, PA_LEFT}, {"SHA-256", 200, PF_MONO, PA_LEFT},
                                   {"Generated", 75, PF_SANS, PA_LEFT}, {"Captured to", PDF_WIDTH - 425, PF_SANS, PA_LEFT}};
    if (!h->baseline_count)
        return;
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/scope/baselines/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/scope/baselines/intro"));
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 4, PDF_TABLE_SIZE);
    for (size_t i = 0; i < h->baseline_count && !c->status; i++) {
        const vp_findings_baseline *b = &h->baselines[i];
        const char *row[] = {vpr_pdf_nz(b->file), vpr_pdf_nz(b->sha256), vpr_pdf_nz(b->generated_at), vpr_pdf_nz(b->captured_to)};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

void vpr_pdf_scope(pdf_ctx *c)
{
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/scope/title"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/scope/intro"));
    population(c);
    collection(c);
    parameters(c);
    exemptions(c);
    baselines(c);
}
