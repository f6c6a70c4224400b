/* change.authorized's findings about changes, for both renderers (change_findings.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/change_findings.h"

static int cmp_finding(const void *a, const void *b)
{
    return strcasecmp(((const vpr_change_finding *)a)->id, ((const vpr_change_finding *)b)->id);
}

static char *dup_or_null(const char *s, int *nomem)
{
    char *d = s ? strdup(s) : NULL;
    *nomem |= s && !d;
    return d;
}

vp_status vpr_change_findings_read(vp_findings_file *ff, vpr_change_findings *out, vp_error *err)
{
    const vp_finding_record *r;
    size_t cap = 0;
    vp_status st = VP_OK;
    int nomem = 0;
    memset(out, 0, sizeof *out);
    vp_findings_file_rewind_only(ff, 0, "change.authorized");
    while (!st && !nomem) {
        if ((st = vp_findings_file_next(ff, &r, err)) || !r)
            break;
        if (strcmp(r->rule, "change.authorized") || !r->resource_type || strcmp(r->resource_type, "change") ||
            !r->resource_id)
            continue;
        if (out->n == cap) {
            vpr_change_finding *g = realloc(out->v, (cap = cap ? 2 * cap : 16) * sizeof *out->v);
            if (!g) {
                nomem = 1;
                break;
            }
            out->v = g;
        }
        vpr_change_finding *f = &out->v[out->n++];
        f->id = dup_or_null(r->resource_id, &nomem);
        f->kind = dup_or_null(r->resource_name, &nomem);
        f->note = dup_or_null(r->note, &nomem);
        f->status = r->status;
        f->blocked = r->note && !strncmp(r->note, "blocked", 7);
        nomem |= !f->id;
    }
    vp_findings_file_rewind(ff);
    if (nomem && !st)
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (st) {
        vpr_change_findings_free(out);
        return st;
    }
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_finding);
    return VP_OK;
}

const vpr_change_finding *vpr_change_finding_of(const vpr_change_findings *f, const char *id)
{
    vpr_change_finding key = {.id = (char *)id};
    return f->n && id ? bsearch(&key, f->v, f->n, sizeof *f->v, cmp_finding) : NULL;
}

void vpr_change_findings_free(vpr_change_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].id);
        free(f->v[i].kind);
        free(f->v[i].note);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}
