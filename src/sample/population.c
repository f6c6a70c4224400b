/* The four populations, each walked in its file's order: what a member's key, stratum
 * and descriptive columns are (docs/sampling.md, "The population"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sample/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/json.h"
#include "vaultproof/snapshot.h"

/* ARM ids are bounded well below this; a longer vault prefix is cut, which only merges
 * strata of ids that are not Azure's */
#define STRATUM_MAX 1024

typedef struct {
    vpz_member_fn fn;
    void *ctx;
    size_t ordinal;
    char stratum[STRATUM_MAX];
} walk;

static const char *text(vp_text t)
{
    return t.presence == VP_PRESENT ? t.value : "";
}

/* jobs: one JSON object per line (docs/period-evidence.md, Contract 2 of issue 15); a
 * line with "detail_of" is a job's details, not a job, and is no member. */
static vp_status walk_jobs(const char *path, walk *w, vp_error *err)
{
    FILE *fp = NULL;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    vpc_buf label = VPC_BUF_INIT;
    vp_status st = vp_fopen_regular(path, &fp, err);
    while (!st && (len = getline(&line, &cap, fp)) >= 0) {
        cJSON *root = NULL;
        vpc_buf_clear(&label);
        vpc_buf_printf(&label, "%s line %zu", path, ++lineno); /* messages name the line */
        if (label.nomem) {
            st = vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
            break;
        }
        if (len > 0 && line[len - 1] == '\n') /* the parser then places an error on the line itself */
            line[--len] = '\0';
        if ((st = vp_json_parse(vpc_buf_str(&label), line, (size_t)len, &root, err)))
            break;
        vp_jreader r = {.file = vpc_buf_str(&label), .err = err};
        const char *detail = NULL, *id, *vault = NULL, *entity = NULL, *operation = NULL, *status = NULL, *start = NULL;
        if (!cJSON_IsObject(root))
            st = vp_jr_fail(&r, "", "a job line (a JSON object)", root);
        else if (vp_jr_string(&r, root, "", "detail_of", &detail) == VP_PRESENT || r.status)
            st = r.status;
        else if ((id = vp_jr_req_nonempty(&r, root, "", "id"))) {
            vp_jr_string(&r, root, "", "vault_id", &vault);
            vp_jr_string(&r, root, "", "entity", &entity);
            vp_jr_string(&r, root, "", "operation", &operation);
            vp_jr_string(&r, root, "", "status", &status);
            vp_jr_string(&r, root, "", "start", &start);
            const char *cols[] = {vault, entity, operation, status, start};
            st = r.status ? r.status
                          : w->fn(w->ctx, ++w->ordinal, id, vpz_vault_of(vault, w->stratum, sizeof w->stratum), cols,
                                  err);
        } else {
            st = r.status;
        }
        cJSON_Delete(root);
    }
    if (!st && fp && ferror(fp))
        st = vp_error_set(err, VP_ERR_IO, "%s: read error after line %zu", path, lineno);
    vpc_buf_free(&label);
    free(line);
    if (fp)
        fclose(fp);
    return st;
}

static vp_status on_item(void *ctx, const vp_item *it, vp_error *err)
{
    walk *w = ctx;
    const char *cols[] = {it->vault_id, text(it->friendly_name), it->kind, text(it->protection_state)};
    return w->fn(w->ctx, ++w->ordinal, it->id, vpz_vault_of(it->vault_id, w->stratum, sizeof w->stratum), cols, err);
}

/* A VM belongs to no vault; its stratum is the vault of the first item protecting it
 * (the snapshot's protected_by order), none for an unprotected VM. */
static vp_status on_vm(void *ctx, const vp_vm *vm, vp_error *err)
{
    walk *w = ctx;
    const char *cols[] = {vm->name, vm->resource_group, vm->location};
    vpz_vault_of(vm->protected_count ? vm->protected_by[0] : NULL, w->stratum, sizeof w->stratum);
    return w->fn(w->ctx, ++w->ordinal, vm->id, w->stratum, cols, err);
}

static vp_status walk_snapshot(vp_sample_population p, const char *path, walk *w, vp_error *err)
{
    vp_snapshot *snap = NULL;
    vp_status st = vp_snapshot_read_json_lazy(path, &snap, err);
    if (!st)
        st = p == VP_SAMPLE_ITEMS ? vp_snapshot_each_item(snap, on_item, w, err)
                                  : vp_snapshot_each_vm(snap, on_vm, w, err);
    vp_snapshot_free(snap);
    return st;
}

/* A finding's key is "<rule> <resource id>": a rule makes at most one finding per
 * subject (history.h), and rule ids hold no space, so the first space splits it. */
static vp_status walk_findings(const char *path, walk *w, vp_error *err)
{
    vp_findings_file *f = NULL;
    vpc_buf key = VPC_BUF_INIT;
    vp_status st = vp_findings_file_open(path, &f, err);
    while (!st) {
        const vp_finding_record *rec = NULL;
        if ((st = vp_findings_file_next(f, &rec, err)) || !rec)
            break;
        vpc_buf_clear(&key);
        vpc_buf_printf(&key, "%s %s", rec->rule, rec->resource_id);
        if (key.nomem) {
            st = vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
            break;
        }
        const char *cols[] = {rec->rule, vp_finding_status_name(rec->status), rec->resource_type, rec->resource_name};
        st = w->fn(w->ctx, ++w->ordinal, vpc_buf_str(&key),
                   vpz_vault_of(rec->resource_id, w->stratum, sizeof w->stratum), cols, err);
    }
    vpc_buf_free(&key);
    vp_findings_file_close(f);
    return st;
}

vp_status vpz_walk(vp_sample_population p, const char *path, vpz_member_fn fn, void *ctx, vp_error *err)
{
    walk w = {.fn = fn, .ctx = ctx};
    switch (p) {
    case VP_SAMPLE_JOBS:
        return walk_jobs(path, &w, err);
    case VP_SAMPLE_ITEMS:
    case VP_SAMPLE_VMS:
        return walk_snapshot(p, path, &w, err);
    case VP_SAMPLE_FINDINGS:
        return walk_findings(path, &w, err);
    default:
        return vp_error_set(err, VP_ERR_INTERNAL, "sample: population %d unknown", (int)p);
    }
}
