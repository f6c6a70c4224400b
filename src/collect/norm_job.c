/* Backup jobs (BackupJobs_List, recoveryservicesbackup examples/Common/ListJobs.json):
 * period evidence, kept out of the snapshot's in-memory arrays - a quarter can hold a
 * million jobs (docs/period-evidence.md). Each job is checked and, when the caller gave a
 * stream (vp_collect_options.jobs_out), written to it as one JSON line at once: the
 * normalizer reads bodies in the recording's order on one thread, so the stream's order
 * is the recording's (vault, page, array index) and nothing but a few counters stays in
 * memory. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/jsonw.h"

/* jobType, the discriminator of the Job shapes the issue names; another kind is kept
 * verbatim and warned about once per kind. */
static const char *const job_kinds[] = {"AzureIaaSVMJob", "AzureWorkloadJob", "MabJob", "DpmJob", NULL};

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int known_kind(const char *kind)
{
    for (const char *const *k = job_kinds; *k; k++)
        if (!strcasecmp(*k, kind))
            return 1;
    return 0;
}

/* One warning per unknown kind, not per job: a million of one new kind is one fact. */
static void warn_unknown_kind(vp_res_ctx *c, const char *kind, const char *pointer)
{
    vp_normalizer *n = c->n;
    for (size_t i = 0; i < n->job_unknown_kinds.n; i++)
        if (!strcmp(n->job_unknown_kinds.v[i], kind))
            return;
    const char **slot = VP_VEC_PUSH(n->job_unknown_kinds);
    if (slot)
        *slot = vpo_intern(n, kind);
    vpo_warn(n, "unknown-enum", c->file, pointer,
             "jobType '%s' is not one of AzureIaaSVMJob, AzureWorkloadJob, MabJob, DpmJob: its jobs are kept "
             "verbatim in the jobs stream", kind);
}

/* The one code of an error entry as text: errorCode, a number in IaaS VM and workload
 * jobs (ListJobs.json, the Learn workload job), or a string; NULL when absent (MAB and
 * DPM error entries carry only errorString). */
static const char *error_code_text(const cJSON *d, char *num, size_t size)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(d, "errorCode");
    if (cJSON_IsString(code))
        return code->valuestring;
    if (cJSON_IsNumber(code) && code->valuedouble == (double)(long long)code->valuedouble) {
        snprintf(num, size, "%lld", (long long)code->valuedouble);
        return num;
    }
    return NULL;
}

/* errorDetails[].errorCode as text (a number in IaaS VM and workload jobs; MAB and DPM
 * jobs carry only errorString). */
static void write_error_codes(vp_jsonw *w, const cJSON *props)
{
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(props, "errorDetails");
    vp_jw_key(w, "error_codes");
    vp_jw_array(w, VP_JW_COMPACT);
    char num[32];
    for (const cJSON *d = cJSON_IsArray(details) ? details->child : NULL; d; d = d->next) {
        const char *code = error_code_text(d, num, sizeof num);
        if (code)
            vp_jw_string(w, code);
    }
    vp_jw_end(w);
}

/* Every stream line ends alike: where it was read (file and JSON pointer), then the
 * line's end. */
static vp_status end_line(vp_res_ctx *c, vp_jsonw *w)
{
    vp_jw_key(w, "source");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "file", c->file);
    vp_jw_kstring(w, "pointer", c->pointer);
    vp_jw_end(w);
    vp_jw_end(w);
    return vp_jw_finish(w, "jobs stream", c->r->err);
}

/* One job line; vault_id is the vault the list was read for (a CRR job's id names a
 * location, not its vault); crr marks jobs read from backupCrrJobs. */
static vp_status write_line(vp_res_ctx *c, const char *id, const char *vault_id, const char *kind,
                            const cJSON *props, int crr)
{
    vp_jsonw *w = c->n->job_writer;
    vp_jw_init(w, c->n->opt.jobs_out);
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", id);
    vp_jw_kstring(w, "vault_id", vault_id);
    vp_jw_kstring(w, "kind", kind);
    /* backupManagementType (AzureIaasVM, AzureWorkload, MAB, DPM, ...), verbatim: the
     * workload family a job-to-item match needs beside the kind (docs/period-evidence.md) */
    vp_jw_kstring(w, "management_type", str(props, "backupManagementType"));
    vp_jw_kstring(w, "entity", str(props, "entityFriendlyName"));
    vp_jw_kstring(w, "operation", str(props, "operation"));
    vp_jw_kstring(w, "status", str(props, "status"));
    vp_jw_kstring(w, "start", str(props, "startTime"));
    vp_jw_kstring(w, "end", str(props, "endTime"));
    vp_jw_kstring(w, "duration", str(props, "duration"));
    write_error_codes(w, props);
    if (crr) /* absent otherwise: Contract 2 */
        vp_jw_kbool(w, "crr", 1);
    return end_line(c, w);
}

/* A job's details (JobDetails_Get) as one detail line (Contract 2 of the second
 * slice): {"detail_of", "vault_id", "errors": [{"code", "message", "recommendations"}],
 * "source"}; code from errorCode (text), message from errorString, recommendations
 * verbatim. Readers that want jobs only skip lines with "detail_of". */
static vp_status write_detail(vp_res_ctx *c, const char *id, const cJSON *props)
{
    vp_jsonw *w = c->n->job_writer;
    const cJSON *details = cJSON_GetObjectItemCaseSensitive(props, "errorDetails");
    char num[32];
    vp_jw_init(w, c->n->opt.jobs_out);
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "detail_of", id);
    vp_jw_kstring(w, "vault_id", vpo_armid_vault_id(c->n, id));
    vp_jw_key(w, "errors");
    vp_jw_array(w, VP_JW_COMPACT);
    for (const cJSON *d = cJSON_IsArray(details) ? details->child : NULL; d; d = d->next) {
        const cJSON *recs = cJSON_GetObjectItemCaseSensitive(d, "recommendations");
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "code", error_code_text(d, num, sizeof num));
        vp_jw_kstring(w, "message", str(d, "errorString"));
        vp_jw_key(w, "recommendations");
        vp_jw_array(w, VP_JW_COMPACT);
        for (const cJSON *r = cJSON_IsArray(recs) ? recs->child : NULL; r; r = r->next)
            if (cJSON_IsString(r))
                vp_jw_string(w, r->valuestring);
        vp_jw_end(w);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    return end_line(c, w);
}

/* Counts a job of a vault's list and keeps the earliest start read: the fact that tells
 * whether the service still held the start of the period (docs/snapshot-format.md). */
static vp_status note_vault_job(vp_res_ctx *c, const char *vault_id, const char *start_text, long long start)
{
    vp_normalizer *n = c->n;
    vp_pending_job_vault *v = NULL;
    if (!vault_id)
        return VP_OK;
    if (n->job_vault_last < n->job_vaults.n && !strcasecmp(n->job_vaults.v[n->job_vault_last].vault_id, vault_id))
        v = &n->job_vaults.v[n->job_vault_last];
    for (size_t i = 0; !v && i < n->job_vaults.n; i++)
        if (!strcasecmp(n->job_vaults.v[i].vault_id, vault_id)) {
            v = &n->job_vaults.v[i];
            n->job_vault_last = i;
        }
    if (!v) {
        if (!(v = VP_VEC_PUSH(n->job_vaults)))
            return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
        memset(v, 0, sizeof *v);
        v->vault_id = vault_id;
        n->job_vault_last = n->job_vaults.n - 1;
    }
    v->read++;
    if (start_text && (!v->earliest_text || start < v->earliest)) {
        if (!(v->earliest_text = vpc_arena_strdup(&n->arena, start_text)))
            return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
        v->earliest = start;
    }
    return VP_OK;
}

static int cmp_job_vault(const void *a, const void *b)
{
    const vp_job_vault *x = a, *y = b;
    int c = strcasecmp(x->vault_id, y->vault_id);
    return c ? c : strcmp(x->vault_id, y->vault_id);
}

vp_status vpo_job_vaults_finish(vp_normalizer *n, vp_collection *col, vp_error *err)
{
    size_t k = 0;
    vp_job_vault *out = vpc_arena_alloc(&n->arena, (n->job_vaults.n + n->vaults.n + 1) * sizeof *out);
    if (!out)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n->job_vaults.n; i++) {
        const vp_pending_job_vault *p = &n->job_vaults.v[i];
        if (vpo_vault_in_scope(n, p->vault_id))
            out[k++] = (vp_job_vault){p->vault_id, p->read, p->earliest_text};
    }
    size_t read = k;
    for (size_t i = 0; i < n->vaults.n; i++) { /* listed, but its job list returned nothing */
        size_t j = 0;
        while (j < read && strcasecmp(out[j].vault_id, n->vaults.v[i].id))
            j++;
        if (j == read)
            out[k++] = (vp_job_vault){n->vaults.v[i].id, 0, NULL};
    }
    vp_sort(out, k, sizeof *out, cmp_job_vault);
    col->job_vaults = k ? out : NULL;
    col->job_vault_count = k;
    return VP_OK;
}

/* Two independent 64-bit hashes of (id, start, operation): FNV-1a and a multiply-rotate
 * hash, each over the three fields with a separator. Two distinct jobs are taken for one
 * only when both collide (about n^2 / 2^129: never, at any list length Azure serves). */
static void job_key(const char *id, const char *start, const char *operation, unsigned long long k[2])
{
    const char *parts[] = {id, start ? start : "", operation ? operation : ""};
    unsigned long long a = 1469598103934665603ull, b = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < 3; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
            a = (a ^ *p) * 1099511628211ull;
            b = ((b ^ *p) * 0xff51afd7ed558ccdull);
            b ^= b >> 29;
        }
        a = (a ^ 0x1f) * 1099511628211ull;
        b = (b ^ 0x1f) * 0xc4ceb9fe1a85ec53ull;
    }
    k[0] = a | 1; /* never both zero: zero marks a free slot */
    k[1] = b;
}

/* 1 when (id, start, operation) was already read in the current vault's list (a repeat:
 * paging under inserts, or Microsoft's ListJobs.json's shape); remembers it otherwise. The
 * set is emptied when a list of another vault or operation begins. -1: out of memory. */
static int job_repeat(vp_normalizer *n, const vp_arm_operation *op, const char *vault_id, const char *id,
                      const char *start, const char *operation)
{
    vp_job_keys *s = &n->job_keys;
    unsigned long long k[2];
    if (s->vault_id != vault_id || s->op != op) {
        /* a large set is given back rather than cleared: after one vault of 200,000 jobs,
         * clearing its 8 MB for each of hundreds of small vaults would cost more than it keeps */
        if (s->cap > 65536) {
            free(s->keys);
            s->keys = NULL;
            s->cap = 0;
        } else if (s->keys) {
            memset(s->keys, 0, 2 * s->cap * sizeof *s->keys);
        }
        s->count = 0;
        s->vault_id = vault_id;
        s->op = op;
    }
    if (2 * (s->count + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        unsigned long long *keys = calloc(2 * cap, sizeof *keys);
        if (!keys)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->keys[2 * i] && !s->keys[2 * i + 1])
                continue;
            size_t j = (size_t)s->keys[2 * i] & (cap - 1);
            while (keys[2 * j] || keys[2 * j + 1])
                j = (j + 1) & (cap - 1);
            keys[2 * j] = s->keys[2 * i];
            keys[2 * j + 1] = s->keys[2 * i + 1];
        }
        free(s->keys);
        s->keys = keys;
        s->cap = cap;
    }
    job_key(id, start, operation, k);
    size_t j = (size_t)k[0] & (s->cap - 1);
    for (; s->keys[2 * j] || s->keys[2 * j + 1]; j = (j + 1) & (s->cap - 1))
        if (s->keys[2 * j] == k[0] && s->keys[2 * j + 1] == k[1])
            return 1;
    s->keys[2 * j] = k[0];
    s->keys[2 * j + 1] = k[1];
    s->count++;
    return 0;
}

const vp_arm_operation *vpo_job_operation(const vp_capture *cap, const cJSON *res, int single)
{
    static const char loc[] = "/providers/microsoft.recoveryservices/locations/";
    const vp_arm_operation *op = cap ? vp_arm_find(cap->operation) : NULL;
    if (op && op->kind == VP_ARM_KIND_JOB)
        return op;
    if (single)
        return vp_arm_get(VP_ARM_BACKUP_JOB_DETAILS);
    const char *id = str(res, "id");
    for (const char *p = id; p && *p; p++) /* a CRR job's id: .../locations/{region}/backupJobs/{name} */
        if (!strncasecmp(p, loc, sizeof loc - 1))
            return vp_arm_get(VP_ARM_BACKUP_CRR_JOBS);
    return vp_arm_get(VP_ARM_BACKUP_JOBS);
}

vp_status vpo_norm_job(vp_res_ctx *c)
{
    const char *id = NULL, *kind = NULL;
    char ptr[512], kp[512];
    if (vp_jr_string(c->r, c->res, c->pointer, "id", &id) != VP_PRESENT || !*id) {
        if (c->r->status == VP_OK)
            vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "id"), "a non-empty ARM resource id",
                       cJSON_GetObjectItemCaseSensitive(c->res, "id"));
        return c->r->status;
    }
    vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "properties");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(c->res, "properties");
    if (!cJSON_IsObject(props)) {
        vp_jr_fail(c->r, ptr, "an object (the job)", props);
        return c->r->status;
    }
    /* jobType tells the workload kind: the one member every kind has */
    vp_json_pointer_join(kp, sizeof kp, ptr, "jobType");
    if (vp_jr_string(c->r, props, ptr, "jobType", &kind) != VP_PRESENT) {
        if (c->r->status == VP_OK)
            vp_jr_fail(c->r, kp, "a string (the job's kind)", cJSON_GetObjectItemCaseSensitive(props, "jobType"));
        return c->r->status;
    }
    if (!known_kind(kind))
        warn_unknown_kind(c, kind, kp);
    int details = c->op && c->op->op == VP_ARM_BACKUP_JOB_DETAILS;
    int crr = c->op && c->op->op == VP_ARM_BACKUP_CRR_JOBS;
    /* a CRR job belongs to the vault its call was made for (the sidecar's scope); read
     * offline, nothing names that vault */
    const char *vault_id = !crr ? vpo_armid_vault_id(c->n, id) : c->cap ? vpo_intern(c->n, c->cap->scope) : NULL;
    if (!details) {
        /* a repeat within the vault's list is one job read twice: dropped and counted */
        int r = job_repeat(c->n, c->op, vault_id, id, str(props, "startTime"), str(props, "operation"));
        if (r < 0)
            return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
        if (r) {
            c->n->jobs_duplicates++;
            return c->r->status;
        }
    }
    if (!details && !crr && vp_arm_job_needs_details(str(props, "status"))) {
        /* its details are expected, in or out of the period: live asks for every failed
         * or warned job its list pages returned */
        const char **slot = VP_VEC_PUSH(c->n->job_detail_ids);
        if (!slot || !(*slot = vpc_arena_strdup(&c->n->arena, vpo_armid_path(id))))
            return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    }
    /* the period is [from, to) by start time; the service's filter may give more (its
     * ends are not documented): those are counted, not written - and so are their
     * details, which would describe a job the stream does not hold */
    long long start = 0;
    const char *st = str(props, "startTime");
    int parsed = st && vp_time_parse(st, &start) == 0;
    int outside = c->n->opt.period && parsed && !vp_period_contains(c->n->opt.period, start);
    if (!details && c->op && c->op->op == VP_ARM_BACKUP_JOBS &&
        note_vault_job(c, vpo_armid_vault_id(c->n, id), parsed ? st : NULL, start))
        return c->r->err->status;
    if (details)
        return c->n->opt.jobs_out && !outside ? write_detail(c, vpo_armid_path(id), props) : c->r->status;
    if (outside) {
        c->n->jobs_clipped++;
        return c->r->status;
    }
    c->n->jobs_seen++;
    return c->n->opt.jobs_out ? write_line(c, vpo_armid_path(id), vault_id, kind, props, crr) : c->r->status;
}
