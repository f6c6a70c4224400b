/* The Access sheet: the population counts (the same vp_tally numbers the PDF cover
 * prints), the collector identity, the subscriptions the principal could see reconciled
 * with the scope (in scope and visible, in scope but not visible, visible but out of
 * scope), and the principal's role assignments per in-scope subscription. What an auditor
 * tests the population's completeness with (PCAOB AS 1105). */
#include <stdio.h>
#include <string.h>

#include "render/xlsx_internal.h"

enum { A_KIND, A_SUBSCRIPTION, A_NAME, A_STATUS, A_COUNT, A_SCOPE, A_READS, A_WRITES, A_DETAIL, A_POINTER, A_NCOLS };

static const xlsx_col access_cols[A_NCOLS] = {
    [A_KIND] = {"Kind", XC_TEXT, 0},
    [A_SUBSCRIPTION] = {"Subscription", XC_ID, 0},
    [A_NAME] = {"Name", XC_TEXT, 0},
    [A_STATUS] = {"Status", XC_TEXT, 0},
    [A_COUNT] = {"Count", XC_NUM, 0},
    [A_SCOPE] = {"Scope", XC_ID, 0},
    [A_READS] = {"Reads vaults", XC_TEXT, 0},
    [A_WRITES] = {"Can write", XC_TEXT, 0},
    [A_DETAIL] = {"Detail", XC_TEXT, 0},
    [A_POINTER] = {"Snapshot pointer", XC_ID, 0},
};

static const char *tristate(int v)
{
    return v < 0 ? "not known" : v ? "yes" : "no";
}

static size_t row_count(const vp_access *a, const vp_tally *t)
{
    size_t n = VP_POP_COUNT + t->population[VP_POP_SUBS_REFERENCED] + 1 + a->subscription_count;
    for (size_t i = 0; i < a->scope_count; i++)
        n += a->scopes[i].assignment_count ? a->scopes[i].assignment_count : 1;
    return n;
}

void vpr_xlsx_write_access(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    const vp_access *a = &s->collection.access;
    const vp_tally *t = &x->tally;
    char pointer[96], detail[1024];
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Access", access_cols, NULL, A_NCOLS, row_count(a, t)))
        return;
    for (vp_population k = 0; k < VP_POP_COUNT && !vpr_xlsx_pop_row(&p); k++) {
        vpr_xlsx_text(&p, A_KIND, "population");
        vpr_xlsx_text(&p, A_NAME, vp_tally_population_label(k));
        if (k >= VP_POP_FIRST_RECONCILED && !t->reconciled) {
            vpr_xlsx_text(&p, A_STATUS, "not recorded");
            continue;
        }
        vpr_xlsx_num(&p, A_COUNT, (double)t->population[k]);
    }
    for (size_t i = 0; i < t->population[VP_POP_SUBS_REFERENCED] && !vpr_xlsx_pop_row(&p); i++) {
        vpr_xlsx_text(&p, A_KIND, "referenced subscription");
        vpr_xlsx_text(&p, A_SUBSCRIPTION, t->referenced[i]);
        vpr_xlsx_text(&p, A_STATUS, "only referenced by resource ids");
        vpr_xlsx_text(&p, A_DETAIL, vp_tally_referenced_detail(s, t->referenced[i], detail, sizeof detail));
    }
    if (!vpr_xlsx_pop_row(&p)) {
        vpr_xlsx_text(&p, A_KIND, "collector");
        vpr_xlsx_text(&p, A_SUBSCRIPTION, a->recorded ? a->tenant_id : NULL);
        vpr_xlsx_text(&p, A_NAME, a->recorded ? a->display_name : NULL);
        vpr_xlsx_text(&p, A_STATUS, !a->recorded ? "not recorded" : a->credential);
        if (a->recorded) {
            snprintf(detail, sizeof detail, "client id %s, object id %s, tenant %s", a->client_id ? a->client_id : "not recorded",
                     a->object_id ? a->object_id : "not recorded", a->tenant_id ? a->tenant_id : "not recorded");
            vpr_xlsx_text(&p, A_DETAIL, detail);
            vpr_xlsx_text(&p, A_POINTER, "/collection/access/principal");
        }
    }
    for (size_t i = 0; i < a->subscription_count && !vpr_xlsx_pop_row(&p); i++) {
        const vp_access_subscription *v = &a->subscriptions[i];
        vpr_xlsx_text(&p, A_KIND, "visible subscription");
        vpr_xlsx_text(&p, A_SUBSCRIPTION, v->subscription_id);
        vpr_xlsx_text(&p, A_NAME, v->display_name);
        vpr_xlsx_text(&p, A_STATUS, v->status);
        vpr_xlsx_text(&p, A_DETAIL, v->source.file ? v->source.file : "not returned by the subscriptions list");
        snprintf(pointer, sizeof pointer, "/collection/access/subscriptions/%zu", i);
        vpr_xlsx_text(&p, A_POINTER, pointer);
    }
    for (size_t i = 0; i < a->scope_count; i++) {
        const vp_access_scope *sc = &a->scopes[i];
        const char *verdict = vp_access_verdict_name(vp_access_judge(sc));
        for (size_t k = 0; k < (sc->assignment_count ? sc->assignment_count : 1) && !vpr_xlsx_pop_row(&p); k++) {
            const vp_role_assignment *r = sc->assignment_count ? &sc->assignments[k] : NULL;
            vpr_xlsx_text(&p, A_KIND, "role assignment");
            vpr_xlsx_text(&p, A_SUBSCRIPTION, sc->subscription_id);
            vpr_xlsx_text(&p, A_NAME, r ? (r->role_name ? r->role_name : r->role_definition_id) : NULL);
            vpr_xlsx_text(&p, A_STATUS, strcmp(sc->status, "read") ? sc->status : verdict);
            vpr_xlsx_text(&p, A_SCOPE, r ? r->scope : NULL);
            vpr_xlsx_text(&p, A_READS, r ? tristate(r->reads_vaults) : NULL);
            vpr_xlsx_text(&p, A_WRITES, r ? tristate(r->writes) : NULL);
            vpr_xlsx_text(&p, A_DETAIL, r ? r->id : sc->detail ? sc->detail : "no role assignment");
            snprintf(pointer, sizeof pointer, "/collection/access/role_assignments/%zu%s", i, r ? "/assignments" : "");
            if (r)
                snprintf(pointer + strlen(pointer), sizeof pointer - strlen(pointer), "/%zu", k);
            vpr_xlsx_text(&p, A_POINTER, pointer);
        }
        if (x->status)
            break;
    }
    vpr_xlsx_pop_end(&p);
}
