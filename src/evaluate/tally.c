/* Every count the reports print, computed once (vaultproof/tally.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vaultproof/tally.h"

static const char vault_marker[] = "/providers/microsoft.recoveryservices/vaults/";

/* strcasestr is a GNU extension; ids are ASCII. */
static const char *find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return hay;
    return NULL;
}

size_t vp_tally_vault_of(const vp_snapshot *s, const char *id)
{
    const char *start, *at, *end;
    char key[2048];
    if (!id || !(start = find_nocase(id, "/subscriptions/")) || !(at = find_nocase(start, vault_marker)))
        return s->vault_count;
    end = at + sizeof vault_marker - 1;
    end += strcspn(end, "/ ");
    if ((size_t)(end - start) >= sizeof key)
        return s->vault_count;
    memcpy(key, start, (size_t)(end - start));
    key[end - start] = 0;
    const vp_vault *v = vp_snapshot_find_vault(s, key);
    return v ? (size_t)(v - s->vaults) : s->vault_count;
}

int vp_tally_framework_index(const char *framework)
{
    if (!framework)
        return -1;
    return !strcmp(framework, "hipaa") ? VP_TALLY_HIPAA : !strcmp(framework, "sox") ? VP_TALLY_SOX : -1;
}

int vp_tally_tested(const size_t counts[VP_STATUS_COUNT])
{
    return counts[VP_PASS] + counts[VP_WARN] + counts[VP_FAIL] + counts[VP_EXEMPT] + counts[VP_INCOMPLETE] > 0;
}

const char *vp_tally_operated(const size_t counts[VP_STATUS_COUNT], size_t ok, size_t of, char *buf, size_t size)
{
    if (!vp_tally_tested(counts))
        return "not tested";
    snprintf(buf, size, "operated %zu of %zu", ok, of);
    return buf;
}

/* Per rule: bit VP_TALLY_HIPAA / VP_TALLY_SOX when one of its citations is a control of
 * that framework. */
static unsigned rule_frameworks(const vp_rule_record *r, const vp_control_record *ctl, size_t nctl)
{
    unsigned mask = 0;
    for (size_t k = 0; k < r->citation_count; k++)
        for (size_t i = 0; i < nctl; i++) {
            int fw = vp_tally_framework_index(ctl[i].framework);
            if (fw >= 0 && ctl[i].citation && !strcmp(ctl[i].citation, r->citations[k]))
                mask |= 1u << fw;
        }
    return mask;
}

struct item_pass {
    vp_tally *t;
    const vp_snapshot *s;
};

static vp_status count_item(void *ctx, const vp_item *it, vp_error *err)
{
    struct item_pass *ip = ctx;
    (void)err;
    if (!vp_item_without_policy(it))
        return VP_OK;
    const vp_vault *v = it->vault_id ? vp_snapshot_find_vault(ip->s, it->vault_id) : NULL;
    ip->t->without_policy[v ? (size_t)(v - ip->s->vaults) : ip->s->vault_count]++;
    ip->t->without_policy_total++;
    return VP_OK;
}

void vp_tally_free(vp_tally *t)
{
    free(t->by_vault);
    free(t->without_policy);
    memset(t, 0, sizeof *t);
}

vp_status vp_tally_build(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff, vp_error *err)
{
    size_t nctl, nrules;
    const vp_control_record *ctl = vp_findings_file_controls(ff, &nctl);
    const vp_rule_record *rules = vp_findings_file_rules(ff, &nrules);
    memset(t, 0, sizeof *t);
    t->vault_count = s->vault_count;
    t->by_vault = calloc(s->vault_count + 1, sizeof *t->by_vault);
    t->without_policy = calloc(s->vault_count + 1, sizeof *t->without_policy);
    if (!t->by_vault || !t->without_policy) {
        vp_tally_free(t);
        return vp_error_set(err, VP_ERR_NOMEM, "tally: out of memory for %zu vaults", s->vault_count);
    }
    for (size_t r = 0; r < nrules; r++) {
        unsigned mask = rule_frameworks(&rules[r], ctl, nctl);
        for (int fw = 0; fw < VP_TALLY_FRAMEWORKS; fw++)
            for (int st = 0; mask & (1u << fw) && st < VP_STATUS_COUNT; st++)
                t->by_framework[fw][st] += rules[r].counts[st];
    }
    vp_findings_file_rewind(ff);
    for (;;) {
        const vp_finding_record *f;
        vp_status rc = vp_findings_file_next(ff, &f, err);
        if (rc != VP_OK) {
            vp_tally_free(t);
            vp_findings_file_rewind(ff);
            return rc;
        }
        if (!f)
            break;
        t->by_vault[vp_tally_vault_of(s, f->resource_id)][f->status]++;
    }
    vp_findings_file_rewind(ff);
    struct item_pass ip = {t, s};
    vp_status rc = vp_snapshot_each_item(s, count_item, &ip, err);
    if (rc != VP_OK)
        vp_tally_free(t);
    return rc;
}
