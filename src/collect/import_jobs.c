/* collect --import-jobs: an export of Log Analytics' AddonAzureBackupJobs table (Azure
 * Backup's resource-specific diagnostics table) fills the part of the period Azure no
 * longer holds. Azure keeps a vault's job history for a limited time; a workspace keeps it
 * as long as its retention says. Only rows ARM could not give are written: for each vault
 * of the snapshot, those starting in [period.from, earliest_start) - earliest_start being
 * the earliest job the vault's backupJobs list returned (collection.jobs.vaults), the whole
 * period when it returned none. ARM stays the authority for what it still holds.
 *
 * Two export forms are read: the Log Analytics query API's JSON
 * ({"tables":[{"columns":[{"name","type"}],"rows":[[...]]}]}, parsed whole) and CSV with a
 * header row (RFC 4180, streamed row by row: the form for large exports). Column names are
 * the table's (Microsoft Learn, Azure Monitor reference, "AddonAzureBackupJobs"). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vaultproof/collect.h"
#include "vaultproof/fileio.h"
#include "vaultproof/jsonw.h"

/* The columns read, in this order; the first five are required. The vault is _ResourceId
 * (the record's resource: the vault) or, when the export has none, ResourceId. */
enum { C_JOB, C_START, C_OPERATION, C_STATUS, C_VAULT, C_VAULT_ALT, C_ENTITY, C_TYPE, C_DURATION, C_FAILURE, C_COUNT };
static const char *const columns[C_COUNT] = {
    "JobUniqueId", "JobStartDateTime", "JobOperation", "JobStatus", "_ResourceId",
    "ResourceId", "BackupItemFriendlyName", "BackupManagementType", "JobDurationInSecs", "JobFailureCode",
};

typedef struct {
    const char *path, *label;
    vp_snapshot *snap;
    vp_jsonw *w;
    FILE *out;
    int at[C_COUNT]; /* column index of each, -1 absent */
    long long rows, written;
    vp_error *err;
} importer;

static vp_status map_columns(importer *im, const char *const *names, size_t n)
{
    for (size_t c = 0; c < C_COUNT; c++) {
        im->at[c] = -1;
        for (size_t i = 0; i < n; i++)
            if (names[i] && !strcmp(names[i], columns[c]))
                im->at[c] = (int)i;
    }
    if (im->at[C_VAULT] < 0)
        im->at[C_VAULT] = im->at[C_VAULT_ALT];
    for (size_t c = 0; c <= C_VAULT; c++)
        if (im->at[c] < 0)
            return vp_error_set(im->err, VP_ERR_INPUT,
                                "%s: no column %s%s; expected an export of AddonAzureBackupJobs with at least "
                                "JobUniqueId, JobStartDateTime, JobOperation, JobStatus and _ResourceId (or ResourceId)",
                                im->path, columns[c], c == C_VAULT ? " (nor ResourceId)" : "");
    return VP_OK;
}

/* The vault of the snapshot a row's resource id names (ignoring case: Log Analytics writes
 * _ResourceId in lowercase), or NULL. */
static const vp_job_vault *vault_of(const importer *im, const char *rid)
{
    const vp_collection *c = &im->snap->collection;
    for (size_t i = 0; rid && i < c->job_vault_count; i++)
        if (!strcasecmp(c->job_vaults[i].vault_id, rid))
            return &c->job_vaults[i];
    return NULL;
}

/* One row (values by column index, NULL for a null): written as a job line when its vault
 * is in the snapshot and it starts in the part of the period ARM no longer held. */
static vp_status take_row(importer *im, const char *const *v, size_t n, const char *pointer)
{
#define COL(c) (im->at[c] >= 0 && (size_t)im->at[c] < n ? v[im->at[c]] : NULL)
    long long start = 0, earliest = 0;
    const vp_period *p = &im->snap->collection.period;
    im->rows++;
    const char *st = COL(C_START);
    if (!st || vp_time_parse(st, &start))
        return vp_error_set(im->err, VP_ERR_INPUT, "%s: %s: JobStartDateTime '%s'; expected an RFC 3339 UTC time "
                            "(the query API's form; a portal CSV writes local dates: export with the API or "
                            "format_datetime)", im->path, pointer, st ? st : "null");
    const vp_job_vault *vault = vault_of(im, COL(C_VAULT));
    if (!vault || !vp_period_contains(p, start))
        return VP_OK;
    if (vault->earliest_start && !vp_time_parse(vault->earliest_start, &earliest) && start >= earliest)
        return VP_OK; /* ARM holds this part of the period: its list is the evidence */
    char duration[64];
    const char *secs = COL(C_DURATION), *failure = COL(C_FAILURE);
    vp_jsonw *w = im->w;
    vp_jw_init(w, im->out);
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", COL(C_JOB));
    vp_jw_kstring(w, "vault_id", vault->vault_id);
    vp_jw_kstring(w, "kind", NULL); /* the table has no jobType */
    vp_jw_kstring(w, "management_type", COL(C_TYPE));
    vp_jw_kstring(w, "entity", COL(C_ENTITY));
    vp_jw_kstring(w, "operation", COL(C_OPERATION));
    vp_jw_kstring(w, "status", COL(C_STATUS));
    vp_jw_kstring(w, "start", st);
    vp_jw_kstring(w, "end", NULL);
    /* JobDurationInSecs (a number) as an ISO 8601 duration, the form IaaS VM jobs use */
    vp_jw_kstring(w, "duration", secs && *secs && snprintf(duration, sizeof duration, "PT%sS", secs) < (int)sizeof duration
                                     ? duration : NULL);
    vp_jw_key(w, "error_codes");
    vp_jw_array(w, VP_JW_COMPACT);
    if (failure && *failure)
        vp_jw_string(w, failure);
    vp_jw_end(w);
    vp_jw_key(w, "source");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "file", im->label);
    vp_jw_kstring(w, "pointer", pointer);
    vp_jw_end(w);
    vp_jw_end(w);
    im->written++;
    return vp_jw_finish(w, "jobs stream", im->err);
#undef COL
}

/* The query API's JSON: every table's rows (an export holds one, PrimaryResult). */
static vp_status import_json(importer *im, const char *data, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(data, len);
    const cJSON *tables = cJSON_GetObjectItemCaseSensitive(root, "tables"), *t;
    vp_status st = VP_OK;
    size_t ti = 0;
    if (!cJSON_IsArray(tables)) {
        cJSON_Delete(root);
        return vp_error_set(im->err, VP_ERR_INPUT, "%s: /tables: expected the Log Analytics query API's "
                            "{\"tables\": [{\"columns\", \"rows\"}]}", im->path);
    }
    cJSON_ArrayForEach(t, tables) {
        const cJSON *cols = cJSON_GetObjectItemCaseSensitive(t, "columns"), *rows = cJSON_GetObjectItemCaseSensitive(t, "rows");
        size_t n = cJSON_IsArray(cols) ? (size_t)cJSON_GetArraySize(cols) : 0, i = 0, ri = 0;
        const char **names = calloc(n + 1, sizeof *names), **vals = calloc(n + 1, sizeof *vals);
        char nums[C_COUNT][40];
        if (!names || !vals) {
            free(names);
            free(vals);
            st = vp_error_set(im->err, VP_ERR_NOMEM, "out of memory");
            break;
        }
        for (const cJSON *c = cJSON_IsArray(cols) ? cols->child : NULL; c; c = c->next, i++) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
            names[i] = cJSON_IsString(nm) ? nm->valuestring : NULL;
        }
        st = cJSON_IsArray(rows) ? map_columns(im, names, n)
                                 : vp_error_set(im->err, VP_ERR_INPUT, "%s: /tables/%zu/rows: expected an array", im->path, ti);
        for (const cJSON *r = st ? NULL : rows->child; r && !st; r = r->next, ri++) {
            char pointer[64];
            snprintf(pointer, sizeof pointer, "/tables/%zu/rows/%zu", ti, ri);
            size_t k = 0;
            for (const cJSON *v = cJSON_IsArray(r) ? r->child : NULL; v && k < n; v = v->next, k++) {
                vals[k] = cJSON_IsString(v) ? v->valuestring : NULL;
                for (size_t c = 0; c < C_COUNT; c++) /* numbers (JobDurationInSecs) as text */
                    if (cJSON_IsNumber(v) && im->at[c] == (int)k) {
                        snprintf(nums[c], sizeof nums[c], "%.15g", v->valuedouble);
                        vals[k] = nums[c];
                    }
            }
            for (; k < n; k++)
                vals[k] = NULL;
            st = cJSON_IsArray(r) ? take_row(im, vals, n, pointer)
                                  : vp_error_set(im->err, VP_ERR_INPUT, "%s: %s: expected an array (a row)", im->path, pointer);
        }
        free(names);
        free(vals);
        if (st)
            break;
        ti++;
    }
    cJSON_Delete(root);
    return st;
}

/* One RFC 4180 record from *p (advanced past it) into fields (NUL-terminated in place in
 * buf, which must hold the record); returns the field count, -1 at the end of data, -2 on
 * an unterminated quote. */
static int csv_record(const char **p, const char *end, char *buf, const char **fields, int max)
{
    const char *s = *p;
    char *o = buf;
    int n = 0;
    if (s >= end)
        return -1;
    fields[n++] = o;
    while (s < end) {
        if (*s == '"' && o == fields[n - 1]) { /* a quoted field */
            for (s++;; s++) {
                if (s >= end)
                    return -2;
                if (*s == '"' && s + 1 < end && s[1] == '"') {
                    *o++ = '"';
                    s++;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *o++ = *s;
                }
            }
            continue;
        }
        if (*s == ',') {
            *o++ = '\0';
            s++;
            if (n < max)
                fields[n++] = o;
            continue;
        }
        if (*s == '\r' || *s == '\n') {
            s += (*s == '\r' && s + 1 < end && s[1] == '\n') ? 2 : 1;
            break;
        }
        *o++ = *s++;
    }
    *o = '\0';
    *p = s;
    return n;
}

static vp_status import_csv(importer *im, const char *data, size_t len)
{
    enum { MAX_FIELDS = 256 };
    const char *p = data, *end = data + len, *fields[MAX_FIELDS];
    char *buf = malloc(len + 1);
    vp_status st = VP_OK;
    if (!buf)
        return vp_error_set(im->err, VP_ERR_NOMEM, "out of memory");
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte order mark, as Excel writes */
        p += 3;
    int n = csv_record(&p, end, buf, fields, MAX_FIELDS);
    if (n < 1)
        st = vp_error_set(im->err, VP_ERR_INPUT, "%s: no header row; expected CSV with the table's column names", im->path);
    else
        st = map_columns(im, fields, (size_t)n);
    /* the header's fields live in buf, which the rows reuse: the mapping holds indexes only */
    for (long long row = 1; !st; row++) {
        char pointer[64];
        n = csv_record(&p, end, buf, fields, MAX_FIELDS);
        if (n == -1)
            break;
        snprintf(pointer, sizeof pointer, "/%lld", row);
        if (n == -2)
            st = vp_error_set(im->err, VP_ERR_INPUT, "%s: row %lld: a quoted field never ends", im->path, row);
        else if (!(n == 1 && !*fields[0])) /* a blank line */
            st = take_row(im, fields, (size_t)n, pointer);
    }
    free(buf);
    return st;
}

vp_status vp_collect_import_jobs(const char *path, const char *label, vp_snapshot *snap, FILE *jobs_out, vp_error *err)
{
    vp_collection *col = &snap->collection;
    vp_mapped_file f = {0};
    if (!col->has_period)
        return vp_error_set(err, VP_ERR_USAGE, "collect: --import-jobs needs a period (--period or --from/--to)");
    if (strlen(label) >= sizeof col->jobs_import_file)
        return vp_error_set(err, VP_ERR_USAGE, "collect: the import's name '%s' is too long", label);
    vp_status st = vp_map_file(path, VP_INPUT_UNTRUSTED, &f, err);
    if (st)
        return st;
    importer im = {.path = path, .label = label, .snap = snap, .out = jobs_out, .err = err};
    if (!(im.w = malloc(sizeof *im.w))) {
        vp_unmap_file(&f);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    const char *d = f.data ? f.data : "";
    size_t i = 0;
    while (i < f.len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    st = i < f.len && d[i] == '{' ? import_json(&im, d, f.len) : import_csv(&im, d, f.len);
    if (!st)
        vp_sha256_hex(d, f.len, col->jobs_import_sha256);
    vp_unmap_file(&f);
    free(im.w);
    if (st)
        return st;
    memcpy(col->jobs_import_file, label, strlen(label) + 1);
    col->jobs_import_rows = im.rows;
    col->jobs_imported = im.written;
    return VP_OK;
}
