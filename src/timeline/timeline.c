/* The timeline: the jobs stream folded into per-item facts in one pass
 * (vaultproof/timeline.h has the definitions). The stream is in the recording's order -
 * vault, page, array index - so one item's jobs are not sorted by time: each item keeps
 * its successes as a compact array of 4-byte offsets from the period's start, its
 * failures and its restores, and everything is sorted per item once the file is read. */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/vec.h"
#include "vaultproof/clock.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/timeline.h"

#define DAY 86400LL
/* A vault whose earliest job - the earliest of what its backupJobs list returned (the
 * snapshot's collection.jobs.vaults[], jobs before the period included) and of the stream
 * (which holds the Log Analytics import's rows too) - starts more than this after the
 * period's start is taken as one for which Azure no longer held the start of the period.
 * Two days, because the list is filtered to the period: a nightly schedule's first job
 * starts up to a day after it. A vault whose list returned no job at all is not aged out:
 * its items fail "no backup job in the period" rather than hide behind incomplete. */
#define AGED_OUT_SLACK (48 * 3600LL)

/* collection.jobs.vaults[]'s entry of vault id (ignoring case, as ARM ids compare), or NULL */
static const vp_job_vault *recorded_job_vault(const vp_snapshot *snap, const char *id)
{
    for (size_t i = 0; id && i < snap->collection.job_vault_count; i++)
        if (snap->collection.job_vaults[i].vault_id && !strcasecmp(snap->collection.job_vaults[i].vault_id, id))
            return &snap->collection.job_vaults[i];
    return NULL;
}

enum { BIT_SUCCESS = 1, BIT_FAILED = 2, BIT_RUNNING = 4 };

typedef VP_VEC(vp_tl_job) job_vec;

/* One item's facts while the stream is read: 56 bytes. An estate of a million items
 * holds a million of these whatever its jobs, so the counts are 32-bit, an array's
 * capacity is implied by its length (grow_list), and the gaps are computed when asked
 * (item_facts) instead of stored. successes == success_n and failures == failed_n: every
 * success and every failure is kept. */
typedef struct {
    uint32_t *successes;          /* success times - period.from; sorted once read */
    vp_tl_job *failed, *restores; /* by start once read */
    uint32_t success_n, failed_n, restore_n;
    uint32_t jobs, backups, in_progress, ambiguous;
    uint32_t configured; /* 1 + the earliest successful ConfigureBackup's start - period.from; 0: none */
} item_acc;

typedef struct {
    const char *vault, *name, *server; /* the snapshot's own strings, compared ignoring ASCII case */
    size_t item;
} match_key;

struct job_detail {
    const char *job_id, *message; /* job_id lowercased */
    size_t seq;                   /* its line: the first detail line of a job wins */
};

struct vp_job_details {
    vp_arena arena;
    VP_VEC(struct job_detail) v;
};

struct vp_timeline {
    vp_arena arena;
    const vp_snapshot *snap;
    long long from, to, wend;
    size_t day_count, job_lines, outside;
    item_acc *items;
    unsigned char *days;  /* two days a byte: [(item * day_count + day) / 2], the odd one in the high nibble: BIT_* */
    vp_tl_vault *vaults;
    int *aged_out;        /* per vault */
    match_key *keys;      /* while the stream is read */
    size_t key_count;
    job_vec unmatched;
    size_t unmatched_total;
    vp_job_details *details;
};

const char *vp_day_state_name(vp_day_state s)
{
    static const char *const names[] = {"none", "success", "failed", "in-progress", "outside"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

/* ---- durations ---- */

/* ISO 8601 duration: P[nD]T[nH][nM][n.nS] (the fields a job duration uses). */
static int iso_duration(const char *s, double *out)
{
    double total = 0;
    int in_time = 0, any = 0;
    if (*s++ != 'P')
        return -1;
    while (*s) {
        if (*s == 'T') {
            if (in_time++)
                return -1;
            s++;
            continue;
        }
        char *end;
        if (!isdigit((unsigned char)*s))
            return -1;
        double v = strtod(s, &end);
        if (end == s)
            return -1;
        switch (*end) {
        case 'D': if (in_time) return -1; total += v * 86400; break;
        case 'H': if (!in_time) return -1; total += v * 3600; break;
        case 'M': if (!in_time) return -1; total += v * 60; break;
        case 'S': if (!in_time) return -1; total += v; break;
        default: return -1;
        }
        any = 1;
        s = end + 1;
    }
    if (!any)
        return -1;
    *out = total;
    return 0;
}

/* .NET TimeSpan: [d.]hh:mm:ss[.fffffff]. */
static int dotnet_duration(const char *s, double *out)
{
    long days = 0, h, m;
    char *end;
    const char *colon = strchr(s, ':');
    if (!colon || !isdigit((unsigned char)*s))
        return -1;
    const char *dot = memchr(s, '.', (size_t)(colon - s));
    if (dot) {
        days = strtol(s, &end, 10);
        if (end != dot)
            return -1;
        s = dot + 1;
    }
    h = strtol(s, &end, 10);
    if (*end != ':' || end == s || h > 23)
        return -1;
    s = end + 1;
    m = strtol(s, &end, 10);
    if (*end != ':' || end == s || m > 59)
        return -1;
    s = end + 1;
    if (!isdigit((unsigned char)*s))
        return -1;
    double sec = strtod(s, &end);
    if (*end || sec >= 60)
        return -1;
    *out = days * 86400.0 + h * 3600.0 + m * 60.0 + sec;
    return 0;
}

int vp_duration_seconds(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    return *s == 'P' ? iso_duration(s, out) : dotnet_duration(s, out);
}

/* ---- matching a job to an item ---- */

static int cmp_key(const void *a, const void *b)
{
    const match_key *x = a, *y = b;
    int c = strcasecmp(x->vault, y->vault);
    return c ? c : strcasecmp(x->name, y->name);
}

/* The keys point into the snapshot, which outlives the timeline: a lowercased copy of
 * every name cost ~40 bytes an item for the whole run. */
static vp_status build_keys(vp_timeline *t, vp_error *err)
{
    const vp_snapshot *s = t->snap;
    t->keys = calloc(s->item_count + 1, sizeof *t->keys);
    if (!t->keys)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->item_count; i++) {
        const vp_item *it = &s->items[i];
        if (it->friendly_name.presence != VP_PRESENT || !it->vault_id)
            continue; /* no name to match: its jobs stay unmatched */
        t->keys[t->key_count++] = (match_key){.vault = it->vault_id,
                                              .name = it->friendly_name.value,
                                              .server = it->server.presence == VP_PRESENT ? it->server.value : NULL,
                                              .item = i};
    }
    vp_sort(t->keys, t->key_count, sizeof *t->keys, cmp_key);
    return VP_OK;
}

/* counts saturate rather than wrap (a stream would need 4 billion lines to reach it) */
static void bump(uint32_t *n)
{
    *n += *n < UINT32_MAX;
}

static int same_server(const match_key *k, const char *server, size_t server_len)
{
    return !server || (k->server && strlen(k->server) == server_len && !strncasecmp(k->server, server, server_len));
}

/* The one item named (name, server: NULL for any) in vault; -1 none, -2 several (each
 * of them counts the job as ambiguous). */
static long find_item(vp_timeline *t, const char *vault, const char *name, size_t name_len, const char *server,
                      size_t server_len)
{
    char nb[512]; /* name is a prefix of the entity ("<name> (<server>)"): terminated here */
    if (name_len >= sizeof nb)
        return -1;
    memcpy(nb, name, name_len);
    nb[name_len] = '\0';
    match_key probe = {.vault = vault, .name = nb};
    size_t k = vpc_lower_bound(&probe, t->keys, t->key_count, sizeof probe, cmp_key);
    long found = -1;
    size_t first = k, hits = 0;
    for (; k < t->key_count && !cmp_key(&probe, &t->keys[k]); k++)
        if (same_server(&t->keys[k], server, server_len)) {
            hits++;
            found = (long)t->keys[k].item;
        }
    if (hits < 2)
        return found;
    /* several items answer to this name: never guess, but let each know it was named */
    for (k = first; k < t->key_count && !cmp_key(&probe, &t->keys[k]); k++)
        if (same_server(&t->keys[k], server, server_len))
            bump(&t->items[t->keys[k].item].ambiguous);
    return -2;
}

static long match_job(vp_timeline *t, const char *vault, const char *entity)
{
    if (!vault || !entity)
        return -1;
    size_t n = strlen(entity);
    long i = find_item(t, vault, entity, n, NULL, 0);
    const char *open = n > 3 && entity[n - 1] == ')' ? strstr(entity, " (") : NULL;
    if (i < 0 && open) /* a workload job may name "<database> (<server>)" */
        i = find_item(t, vault, entity, (size_t)(open - entity), open + 2, (size_t)(entity + n - 1 - (open + 2)));
    return i;
}

/* ---- reading the stream ---- */

static const char *member(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int is_any(const char *s, const char *const *values)
{
    for (; s && *values; values++)
        if (!strcasecmp(s, *values))
            return 1;
    return 0;
}

static const char *const success_states[] = {"Completed", "CompletedWithWarnings", NULL};
static const char *const failure_states[] = {"Failed", "Cancelled", NULL};
static const char *const running_states[] = {"InProgress", "Cancelling", NULL};
static const char *const restore_operations[] = {"Restore", "CrossRegionRestore", NULL};

int vp_job_succeeded(const char *status)
{
    return is_any(status, success_states);
}

static int is_backup(const char *op)
{
    return op && !strncasecmp(op, "Backup", 6);
}

static long long time_of(const char *s)
{
    long long e;
    return s && vp_time_parse(s, &e) == 0 ? e : -1;
}

/* Room for element *n of an array whose capacity its length implies: 4, then doubling (a
 * length of 4, 8, 16... is full). The element is zeroed; NULL when out of memory. */
static void *grow_list(void **v, uint32_t *n, size_t elem)
{
    if (*n == UINT32_MAX)
        return NULL;
    if (*n == 0 || (*n >= 4 && !(*n & (*n - 1)))) {
        void *p = realloc(*v, (*n ? (size_t)*n * 2 : 4) * elem);
        if (!p)
            return NULL;
        *v = p;
    }
    void *slot = (char *)*v + (size_t)(*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

/* Fills j (pushed by the caller) from the line; 0, or -1 when out of memory. */
static int keep_job(vp_timeline *t, vp_tl_job *j, const vp_job_line *l, long long start, long long end)
{
    if (!j)
        return -1;
    j->job_id = vpc_arena_strdup(&t->arena, l->id);
    j->entity = vpc_arena_strdup(&t->arena, l->entity);
    j->operation = vpc_arena_strdup(&t->arena, l->operation);
    j->status = vpc_arena_strdup(&t->arena, l->status);
    j->error_codes = vpc_arena_strdup(&t->arena, l->error_codes);
    j->start = start;
    j->end = end;
    j->next_success = -1;
    j->crr = l->crr;
    j->source_file = vpc_arena_strdup(&t->arena, l->source_file);
    j->source_pointer = vpc_arena_strdup(&t->arena, l->source_pointer);
    return 0;
}

static vp_status fold_job(vp_timeline *t, const vp_job_line *l)
{
    long long start = time_of(l->start), end = time_of(l->end);
    const vp_vault *v = l->vault_id ? vp_snapshot_find_vault(t->snap, l->vault_id) : NULL;
    vp_tl_vault *tv = v ? &t->vaults[v - t->snap->vaults] : NULL;
    int restore = l->crr || is_any(l->operation, restore_operations);
    t->job_lines++;
    if (start >= 0 && (start < t->from || start >= t->to)) {
        t->outside++; /* another period's job (the period is [from, to) by start) */
        return VP_OK;
    }
    long i = start >= 0 ? match_job(t, l->vault_id, l->entity) : -1;
    if (tv) {
        tv->jobs++;
        if (start >= 0 && (tv->earliest_start < 0 || start < tv->earliest_start))
            tv->earliest_start = start;
        tv->restores += restore;
    }
    if (i < 0) {
        if (tv)
            tv->unmatched++;
        if (t->unmatched_total++ < VP_TIMELINE_UNMATCHED_KEPT && keep_job(t, VP_VEC_PUSH(t->unmatched), l, start, end))
            return VP_ERR_NOMEM;
        return VP_OK;
    }
    item_acc *a = &t->items[i];
    bump(&a->jobs);
    if (restore)
        return keep_job(t, grow_list((void **)&a->restores, &a->restore_n, sizeof *a->restores), l, start, end)
                   ? VP_ERR_NOMEM : VP_OK;
    if (l->operation && !strcasecmp(l->operation, "ConfigureBackup") && is_any(l->status, success_states) &&
        start >= 0) {
        long long off = start - t->from; /* >= 0: the period's jobs only get here */
        uint32_t at = off >= UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)off + 1;
        if (!a->configured || at < a->configured)
            a->configured = at;
    }
    if (!is_backup(l->operation))
        return VP_OK;
    bump(&a->backups);
    if (tv)
        tv->backups++;
    size_t day = (size_t)i * t->day_count + (size_t)((start - t->from) / DAY);
    unsigned shift = day % 2 * 4;
    if (is_any(l->status, success_states)) {
        long long at = end >= 0 ? end : start, off = at - t->from;
        uint32_t *slot = grow_list((void **)&a->successes, &a->success_n, sizeof *a->successes);
        if (!slot)
            return VP_ERR_NOMEM;
        *slot = (uint32_t)(off > UINT32_MAX ? UINT32_MAX : off);
        if (tv)
            tv->successes++;
        t->days[day / 2] |= (unsigned char)(BIT_SUCCESS << shift);
    } else if (is_any(l->status, failure_states)) {
        if (tv)
            tv->failures++;
        t->days[day / 2] |= (unsigned char)(BIT_FAILED << shift);
        return keep_job(t, grow_list((void **)&a->failed, &a->failed_n, sizeof *a->failed), l, start, end)
                   ? VP_ERR_NOMEM : VP_OK;
    } else if (is_any(l->status, running_states)) {
        bump(&a->in_progress);
        t->days[day / 2] |= (unsigned char)(BIT_RUNNING << shift);
    }
    return VP_OK;
}

static vp_status fold_line(void *ctx, const vp_job_line *l, vp_error *err)
{
    vp_timeline *t = ctx;
    if (l->detail_of)
        return vp_job_details_add(t->details, l, err);
    vp_status st = fold_job(t, l);
    return st == VP_ERR_NOMEM ? vp_error_set(err, VP_ERR_NOMEM, "out of memory") : st;
}

/* ---- the stream reader ---- */

static void join_codes(const cJSON *job, char *buf, size_t size)
{
    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(job, "error_codes");
    size_t n = 0;
    buf[0] = '\0';
    for (const cJSON *c = cJSON_IsArray(codes) ? codes->child : NULL; c; c = c->next)
        if (cJSON_IsString(c) && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ";" : "", c->valuestring);
}

vp_status vp_jobs_check(const vp_snapshot *snap, const char *label, const char sha256[65], vp_error *err)
{
    const char *want = snap->collection.jobs_sha256;
    if (!strcmp(sha256, want))
        return VP_OK;
    return vp_error_set(err, VP_ERR_INPUT, "%s: SHA-256 %s, but the snapshot's collection.jobs.sha256 is %s: not the jobs "
                        "stream of this collection", label, sha256, want[0] ? want : "(none: jobs not kept)");
}

vp_status vp_jobs_read(const char *path, const char *label, vp_status (*fn)(void *ctx, const vp_job_line *line, vp_error *err),
                       void *ctx, char sha256[65], vp_error *err)
{
    char *buf = NULL, codes[1024];
    size_t cap = 0, lineno = 0;
    ssize_t len;
    FILE *fp = NULL;
    label = label ? label : path;
    vp_status st = vp_fopen_regular(path, &fp, err);
    if (st)
        return st;
    vp_json_pool *pool = vp_json_pool_new();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!pool || !md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    while (!st && (len = getline(&buf, &cap, fp)) > 0) {
        char where[600];
        cJSON *obj = NULL;
        vp_job_line l = {.line = ++lineno};
        EVP_DigestUpdate(md, buf, (size_t)len);
        snprintf(where, sizeof where, "%s line %zu", label, lineno);
        vp_json_pool_reset(pool);
        if ((st = vp_json_parse_pooled(where, buf, (size_t)len, pool, &obj, err)))
            break;
        l.detail_of = member(obj, "detail_of");
        l.id = member(obj, "id");
        if (!cJSON_IsObject(obj) || (!l.detail_of && !l.id)) {
            st = vp_error_set(err, VP_ERR_INPUT, "%s: expected a job (an object with \"id\") or a job's details "
                              "(\"detail_of\")", where);
            break;
        }
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(obj, "source");
        const cJSON *errors = cJSON_GetObjectItemCaseSensitive(obj, "errors");
        l.vault_id = member(obj, "vault_id");
        l.kind = member(obj, "kind");
        l.management_type = member(obj, "management_type");
        l.entity = member(obj, "entity");
        l.operation = member(obj, "operation");
        l.status = member(obj, "status");
        l.start = member(obj, "start");
        l.end = member(obj, "end");
        l.duration = member(obj, "duration");
        join_codes(obj, codes, sizeof codes);
        l.error_codes = codes;
        l.crr = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "crr"));
        l.message = member(cJSON_IsArray(errors) ? errors->child : NULL, "message");
        l.source_file = member(src, "file");
        l.source_pointer = member(src, "pointer");
        st = fn(ctx, &l, err);
    }
    if (!st && ferror(fp))
        st = vp_error_set(err, VP_ERR_IO, "%s: read error", label);
    if (!st && sha256) {
        unsigned char dig[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(md, dig, &n);
        for (unsigned k = 0; k < 32 && k < n; k++)
            snprintf(sha256 + 2 * k, 3, "%02x", dig[k]);
    }
    free(buf);
    fclose(fp);
    vp_json_pool_free(pool);
    EVP_MD_CTX_free(md);
    return st;
}

/* ---- once the file is read ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_job(const void *a, const void *b)
{
    const vp_tl_job *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return strcmp(x->job_id ? x->job_id : "", y->job_id ? y->job_id : "");
}

static int cmp_detail_id(const void *a, const void *b)
{
    return strcmp(((const struct job_detail *)a)->job_id, ((const struct job_detail *)b)->job_id);
}

static int cmp_detail(const void *a, const void *b)
{
    const struct job_detail *x = a, *y = b;
    int c = cmp_detail_id(a, b);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

vp_job_details *vp_job_details_new(void)
{
    return calloc(1, sizeof(vp_job_details));
}

vp_status vp_job_details_add(vp_job_details *d, const vp_job_line *l, vp_error *err)
{
    if (!l->detail_of || !l->message)
        return VP_OK;
    struct job_detail *e = VP_VEC_PUSH(d->v);
    if (!e || !(e->job_id = vpc_arena_strlower(&d->arena, l->detail_of)) ||
        !(e->message = vpc_arena_strdup(&d->arena, l->message)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    e->seq = l->line;
    return VP_OK;
}

void vp_job_details_done(vp_job_details *d)
{
    vp_sort(d->v.v, d->v.n, sizeof *d->v.v, cmp_detail);
}

const char *vp_job_details_find(const vp_job_details *d, const char *id)
{
    char low[1024];
    size_t n = 0;
    if (!id || strlen(id) >= sizeof low)
        return NULL;
    for (; id[n]; n++)
        low[n] = (char)tolower((unsigned char)id[n]);
    low[n] = '\0';
    struct job_detail probe = {.job_id = low};
    size_t at = vpc_lower_bound(&probe, d->v.v, d->v.n, sizeof probe, cmp_detail_id);
    return at < d->v.n && !strcmp(d->v.v[at].job_id, low) ? d->v.v[at].message : NULL;
}

void vp_job_details_free(vp_job_details *d)
{
    if (!d)
        return;
    free(d->v.v);
    vpc_arena_free(&d->arena);
    free(d);
}

const char *vp_timeline_detail_message(const vp_timeline *t, const char *id)
{
    return vp_job_details_find(t->details, id);
}

static void attach_details(vp_timeline *t, vp_tl_job *jobs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        jobs[k].error_message = vp_timeline_detail_message(t, jobs[k].job_id);
}

/* Sorts what the item kept and gives each failure its next success. */
static void finish_item(vp_timeline *t, item_acc *a)
{
    vp_sort(a->successes, a->success_n, sizeof *a->successes, cmp_u32);
    vp_sort(a->failed, a->failed_n, sizeof *a->failed, cmp_job);
    vp_sort(a->restores, a->restore_n, sizeof *a->restores, cmp_job);
    for (size_t k = 0; k < a->failed_n; k++) {
        vp_tl_job *j = &a->failed[k];
        uint32_t off = j->start <= t->from ? 0 : (uint32_t)(j->start - t->from);
        /* the first success that ended after this attempt started */
        size_t lo = 0, hi = a->success_n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (a->successes[mid] <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        j->next_success = lo < a->success_n ? t->from + a->successes[lo] : -1;
    }
    attach_details(t, a->failed, a->failed_n);
    attach_details(t, a->restores, a->restore_n);
}

/* The item's facts, with its gaps between successes over [from, wend). */
static vp_tl_item item_facts(const vp_timeline *t, const item_acc *a)
{
    vp_tl_item p = {.jobs = a->jobs,
                    .backups = a->backups,
                    .successes = a->success_n,
                    .failures = a->failed_n,
                    .in_progress = a->in_progress,
                    .gap = -1,
                    .first_success = -1,
                    .last_success = -1,
                    .failed = a->failed,
                    .failed_count = a->failed_n,
                    .restores = a->restores,
                    .restore_count = a->restore_n,
                    .ambiguous = a->ambiguous};
    /* an item whose protection was configured in the period, before any of its backups
     * succeeded, is measured from then: the time before it was not a gap in its backups
     * (a later ConfigureBackup - a policy change makes one - moves nothing) */
    long long prev = t->from, configured = t->from + (long long)a->configured - 1;
    if (a->configured > 1 && (!a->success_n || configured <= t->from + (long long)a->successes[0]))
        prev = configured < t->wend ? configured : t->wend;
    p.protected_from = prev;
    for (size_t k = 0; k <= a->success_n; k++) {
        long long at = k < a->success_n ? t->from + a->successes[k] : t->wend;
        if (at > t->wend)
            at = t->wend; /* ended after the window: the window's end bounds the gap */
        if (k < a->success_n) {
            if (p.first_success < 0)
                p.first_success = t->from + a->successes[k];
            p.last_success = t->from + a->successes[k];
        }
        if (at - prev > p.gap) {
            p.gap = at - prev;
            p.gap_from = prev;
            p.gap_to = at;
        }
        prev = at > prev ? at : prev;
    }
    return p;
}

static long long collection_time(const vp_snapshot *s)
{
    long long e = time_of(s->collection.captured_to);
    return e >= 0 ? e : time_of(s->collection.generated_at);
}

static vp_status check_snapshot(const vp_snapshot *s, const char *label, vp_error *err)
{
    if (!s->collection.has_period)
        return vp_error_set(err, VP_ERR_INPUT, "%s: the snapshot has no period (collection.period): a jobs stream "
                            "belongs to a collection over a period (collect --period ... --jobs-out)", label);
    if (!s->collection.jobs_sha256[0])
        return vp_error_set(err, VP_ERR_INPUT, "%s: the snapshot records no jobs stream (collection.jobs.sha256): "
                            "the jobs were counted, not kept - collect with --jobs-out", label);
    if (s->lazy_source)
        return vp_error_set(err, VP_ERR_INTERNAL, "timeline: %s was read lazily; the timeline needs its items",
                            s->lazy_source);
    return VP_OK;
}

vp_status vp_timeline_build(const char *path, const char *label, const vp_snapshot *snap, vp_timeline **out,
                            vp_error *err)
{
    vp_status st;
    *out = NULL;
    label = label ? label : path;
    if ((st = check_snapshot(snap, label, err)))
        return st;
    vp_timeline *t = calloc(1, sizeof *t);
    if (!t)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    t->snap = snap;
    t->from = snap->collection.period.from;
    t->to = snap->collection.period.to;
    long long ct = collection_time(snap);
    t->wend = ct >= 0 && ct < t->to ? (ct > t->from ? ct : t->from) : t->to;
    t->day_count = (size_t)((t->to - t->from + DAY - 1) / DAY);
    t->items = calloc(snap->item_count + 1, sizeof *t->items);
    t->days = calloc(snap->item_count * t->day_count / 2 + 1, 1);
    t->vaults = calloc(snap->vault_count + 1, sizeof *t->vaults);
    t->aged_out = calloc(snap->vault_count + 1, sizeof *t->aged_out);
    t->details = vp_job_details_new();
    if (!t->items || !t->days || !t->vaults || !t->aged_out || !t->details) {
        vp_timeline_free(t);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    for (size_t v = 0; v < snap->vault_count; v++)
        t->vaults[v].earliest_start = -1;
    if ((st = build_keys(t, err))) {
        vp_timeline_free(t);
        return st;
    }
    char hex[65];
    if (!(st = vp_jobs_read(path, label, fold_line, t, hex, err)))
        st = vp_jobs_check(snap, label, hex, err);
    free(t->keys); /* the stream is read: nothing is matched any more */
    t->keys = NULL;
    if (st) {
        vp_timeline_free(t);
        return st;
    }
    vp_job_details_done(t->details);
    for (size_t i = 0; i < snap->item_count; i++)
        finish_item(t, &t->items[i]);
    vp_sort(t->unmatched.v, t->unmatched.n, sizeof *t->unmatched.v, cmp_job);
    attach_details(t, t->unmatched.v, t->unmatched.n);
    for (size_t v = 0; v < snap->vault_count; v++) {
        long long first = t->vaults[v].earliest_start, listed;
        const vp_job_vault *jv = recorded_job_vault(snap, snap->vaults[v].id);
        if (jv && jv->earliest_start && !vp_time_parse(jv->earliest_start, &listed) && (first < 0 || listed < first))
            first = listed;
        t->aged_out[v] = first > t->from + AGED_OUT_SLACK;
    }
    *out = t;
    return VP_OK;
}

void vp_timeline_free(vp_timeline *t)
{
    if (!t)
        return;
    for (size_t i = 0; t->items && i < t->snap->item_count; i++) {
        free(t->items[i].successes);
        free(t->items[i].failed);
        free(t->items[i].restores);
    }
    free(t->items);
    free(t->days);
    free(t->vaults);
    free(t->aged_out);
    free(t->keys);
    free(t->unmatched.v);
    vp_job_details_free(t->details);
    vpc_arena_free(&t->arena);
    free(t);
}

vp_tl_item vp_timeline_item(const vp_timeline *t, size_t i)
{
    return item_facts(t, &t->items[i]);
}

const vp_tl_vault *vp_timeline_vault(const vp_timeline *t, size_t v)
{
    return &t->vaults[v];
}

int vp_timeline_aged_out(const vp_timeline *t, size_t v)
{
    return t->aged_out[v];
}

size_t vp_timeline_day_count(const vp_timeline *t)
{
    return t->day_count;
}

long long vp_timeline_window_end(const vp_timeline *t)
{
    return t->wend;
}

vp_day_state vp_timeline_day(const vp_timeline *t, size_t item, size_t day)
{
    long long day_start = t->from + (long long)day * DAY;
    const vp_vault *v = vp_snapshot_find_vault(t->snap, t->snap->items[item].vault_id);
    if (day_start >= t->wend)
        return VP_DAY_OUTSIDE;
    if (v && t->aged_out[v - t->snap->vaults] && day_start + DAY <= t->vaults[v - t->snap->vaults].earliest_start)
        return VP_DAY_OUTSIDE;
    size_t at = item * t->day_count + day;
    unsigned bits = (unsigned)(t->days[at / 2] >> (at % 2 * 4));
    return bits & BIT_SUCCESS ? VP_DAY_SUCCESS : bits & BIT_FAILED ? VP_DAY_FAILED
                                             : bits & BIT_RUNNING  ? VP_DAY_RUNNING
                                                                   : VP_DAY_NONE;
}

const vp_tl_job *vp_timeline_unmatched(const vp_timeline *t, size_t *kept, size_t *total)
{
    *kept = t->unmatched.n;
    *total = t->unmatched_total;
    return t->unmatched.v;
}

size_t vp_timeline_job_count(const vp_timeline *t)
{
    return t->job_lines;
}

size_t vp_timeline_window_days(const vp_timeline *t)
{
    return (size_t)((t->wend - t->from + DAY - 1) / DAY);
}

/* Marks the days [a, b) overlaps. */
static size_t mark(const vp_timeline *t, long long a, long long b, unsigned char *days)
{
    size_t n = 0;
    for (long long d = (a - t->from) / DAY; d * DAY + t->from < b && (size_t)d < t->day_count; d++)
        if (d >= 0 && !days[d]) {
            days[d] = 1;
            n++;
        }
    return n;
}

size_t vp_timeline_breach_days(const vp_timeline *t, size_t i, long long limit, unsigned char *days)
{
    const item_acc *a = &t->items[i];
    long long prev = t->from;
    size_t n = 0;
    for (size_t k = 0; k <= a->success_n; k++) {
        long long at = k < a->success_n ? t->from + a->successes[k] : t->wend;
        if (at > t->wend)
            at = t->wend;
        if (at - prev > limit)
            n += mark(t, prev + limit, at, days);
        prev = at > prev ? at : prev;
    }
    return n;
}
