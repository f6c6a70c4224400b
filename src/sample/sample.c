/* vp_sample_draw and the sample's two outputs: the CSV table and its JSON record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "sample/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/jsonw.h"

/* One row per population: its name (format: the record and the CLI use it) and its
 * descriptive columns, in the order the readers in population.c fill them. */
static const struct {
    const char *name;
    const char *cols[VPZ_MAX_COLS];
    size_t ncols;
} populations[VP_SAMPLE_POPULATION_COUNT] = {
    [VP_SAMPLE_JOBS] = {"jobs", {"vault_id", "entity", "operation", "status", "start"}, 5},
    [VP_SAMPLE_ITEMS] = {"items", {"vault_id", "friendly_name", "kind", "protection_state"}, 4},
    [VP_SAMPLE_VMS] = {"vms", {"name", "resource_group", "location"}, 3},
    [VP_SAMPLE_FINDINGS] = {"findings", {"rule", "status", "resource_type", "resource_name"}, 4},
};

struct vp_sample {
    vp_sample_population population;
    char *file, *seed;
    char sha256[65];
    size_t population_size, requested;
    vp_sample_strata strata;
    vp_sample_member *members;
    size_t member_count;
    vp_sample_stratum *strata_list;
    size_t stratum_count;
};

const char *vp_sample_population_name(vp_sample_population p)
{
    return (unsigned)p < VP_SAMPLE_POPULATION_COUNT ? populations[p].name : "?";
}

int vp_sample_population_parse(const char *name)
{
    for (int i = 0; name && i < VP_SAMPLE_POPULATION_COUNT; i++)
        if (strcmp(name, populations[i].name) == 0)
            return i;
    return -1;
}

int vp_sample_strata_parse(const char *name)
{
    return name && strcmp(name, "vault") == 0 ? VP_SAMPLE_STRATA_VAULT : -1;
}

const char *const *vp_sample_columns(vp_sample_population p, size_t *count)
{
    if ((unsigned)p >= VP_SAMPLE_POPULATION_COUNT) {
        *count = 0;
        return NULL;
    }
    *count = populations[p].ncols;
    return populations[p].cols;
}

vp_status vp_sample_check_seed(const char *seed, vp_error *err)
{
    size_t n = seed ? strlen(seed) : 0;
    int ok = n >= 1 && n <= VP_SAMPLE_SEED_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = seed[i] >= '!' && seed[i] <= '~';
    if (!ok)
        return vp_error_set(err, VP_ERR_USAGE, "sample: seed '%.*s': expected 1 to %d printable ASCII characters "
                            "without spaces (a number or a text such as a ticket id; used as its bytes)",
                            (int)(n > 64 ? 64 : n), seed ? seed : "", VP_SAMPLE_SEED_MAX);
    return VP_OK;
}

void vp_sample_free(vp_sample *s)
{
    if (!s)
        return;
    vpz_members_free(s->members, s->member_count, populations[s->population].ncols);
    for (size_t i = 0; i < s->stratum_count; i++)
        free((char *)s->strata_list[i].stratum);
    free(s->strata_list);
    free(s->file);
    free(s->seed);
    free(s);
}

/* ---- drawing ---- */

typedef struct {
    vp_sample *s;
    VP_VEC(vp_sample_stratum) strata;
    size_t total;
    vpz_drawer *drawer;
} draw_ctx;

static int stratum_key_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const vp_sample_stratum *)elem)->stratum);
}

static vp_status count_member(void *ctx, size_t ordinal, const char *key, const char *stratum,
                              const char *const *cols, vp_error *err)
{
    draw_ctx *d = ctx;
    (void)ordinal, (void)key, (void)cols;
    size_t at = vpc_lower_bound(stratum, d->strata.v, d->strata.n, sizeof *d->strata.v, stratum_key_cmp);
    d->total++;
    if (at < d->strata.n && strcmp(d->strata.v[at].stratum, stratum) == 0) {
        d->strata.v[at].population++;
        return VP_OK;
    }
    char *copy = strdup(stratum);
    if (!copy || !VP_VEC_PUSH(d->strata)) {
        free(copy);
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    }
    memmove(&d->strata.v[at + 1], &d->strata.v[at], (d->strata.n - 1 - at) * sizeof *d->strata.v);
    d->strata.v[at] = (vp_sample_stratum){copy, 1, 0};
    return VP_OK;
}

static vp_status offer_member(void *ctx, size_t ordinal, const char *key, const char *stratum,
                              const char *const *cols, vp_error *err)
{
    draw_ctx *d = ctx;
    d->total++;
    return vpz_drawer_offer(d->drawer, ordinal, key, stratum, cols, populations[d->s->population].ncols, err);
}

static vp_status check_options(const vp_sample_options *o, vp_error *err)
{
    if ((unsigned)o->population >= VP_SAMPLE_POPULATION_COUNT)
        return vp_error_set(err, VP_ERR_USAGE, "sample: expected a population: jobs, items, vms or findings");
    if (o->size == 0)
        return vp_error_set(err, VP_ERR_USAGE, "sample: size 0: expected a sample of at least one member");
    if (!o->path)
        return vp_error_set(err, VP_ERR_USAGE, "sample: expected the population's file");
    if (o->strata != VP_SAMPLE_STRATA_NONE && o->strata != VP_SAMPLE_STRATA_VAULT)
        return vp_error_set(err, VP_ERR_USAGE, "sample: strata: expected none or vault");
    return vp_sample_check_seed(o->seed, err);
}

/* Stratified: the first pass counted each stratum; the allocation gives each its
 * heap's capacity (everyone when N covers the population). */
static vp_status make_stratified_drawer(draw_ctx *d, const vp_sample_options *o, vp_error *err)
{
    size_t h = d->strata.n;
    size_t *pop = calloc(h ? h : 1, sizeof *pop), *alloc = calloc(h ? h : 1, sizeof *alloc);
    const char **names = calloc(h ? h : 1, sizeof *names);
    vp_status st = !pop || !alloc || !names ? vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory") : VP_OK;
    for (size_t i = 0; !st && i < h; i++) {
        pop[i] = d->strata.v[i].population;
        names[i] = d->strata.v[i].stratum;
        alloc[i] = pop[i];
    }
    if (!st && o->size < d->total)
        st = vpz_allocate(pop, h, o->size, alloc, err);
    for (size_t i = 0; !st && i < h; i++)
        d->strata.v[i].drawn = alloc[i];
    if (!st)
        st = vpz_drawer_new(o->seed, names, alloc, h, 0, &d->drawer, err);
    free(pop);
    free(alloc);
    free(names);
    return st;
}

static vp_status draw(draw_ctx *d, const vp_sample_options *o, vp_error *err)
{
    vp_sample *s = d->s;
    vp_status st;
    if (o->strata == VP_SAMPLE_STRATA_VAULT) {
        if ((st = vpz_walk(o->population, o->path, count_member, d, err)))
            return st;
        size_t counted = d->total;
        if ((st = make_stratified_drawer(d, o, err)))
            return st;
        d->total = 0;
        if ((st = vpz_walk(o->population, o->path, offer_member, d, err)))
            return st;
        if (d->total != counted)
            return vp_error_set(err, VP_ERR_INPUT, "%s: %zu members on the first reading, %zu on the second: "
                                "the file changed while it was sampled", o->path, counted, d->total);
    } else {
        if ((st = vpz_drawer_new(o->seed, NULL, NULL, 0, o->size, &d->drawer, err)) ||
            (st = vpz_walk(o->population, o->path, offer_member, d, err)))
            return st;
    }
    s->population_size = d->total;
    vpz_drawer *dr = d->drawer;
    d->drawer = NULL;
    if ((st = vpz_drawer_finish(dr, &s->members, &s->member_count, err)))
        return st;
    s->strata_list = d->strata.v;
    s->stratum_count = d->strata.n;
    d->strata.v = NULL;
    d->strata.n = 0;
    return VP_OK;
}

vp_status vp_sample_draw(const vp_sample_options *o, vp_sample **out, vp_error *err)
{
    char after[65];
    vp_status st = check_options(o, err);
    if (st)
        return st;
    vp_sample *s = calloc(1, sizeof *s);
    if (!s || !(s->file = strdup(o->label ? o->label : o->path)) || !(s->seed = strdup(o->seed))) {
        vp_sample_free(s);
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    }
    s->population = o->population;
    s->requested = o->size;
    s->strata = o->strata;
    draw_ctx d = {.s = s};
    /* the record names the bytes that were sampled: hashed before and after reading */
    if (!(st = vp_sha256_file(o->path, s->sha256, err)) && !(st = draw(&d, o, err)) &&
        !(st = vp_sha256_file(o->path, after, err)) && strcmp(after, s->sha256) != 0)
        st = vp_error_set(err, VP_ERR_INPUT, "%s: the file changed while it was sampled (SHA-256 %s before, %s "
                          "after)", o->path, s->sha256, after);
    vpz_drawer_free(d.drawer);
    for (size_t i = 0; i < d.strata.n; i++)
        free((char *)d.strata.v[i].stratum);
    free(d.strata.v);
    if (st) {
        vp_sample_free(s);
        return st;
    }
    *out = s;
    return VP_OK;
}

void vp_sample_get(const vp_sample *s, vp_sample_view *v)
{
    *v = (vp_sample_view){s->population, s->file, {0}, s->population_size, s->seed, s->requested, s->strata,
                          s->members, s->member_count, s->strata_list, s->stratum_count};
    memcpy(v->population_sha256, s->sha256, sizeof s->sha256);
}

/* ---- outputs ---- */

vp_status vp_sample_record_path(const char *csv_path, char *out, size_t size, vp_error *err)
{
    size_t n = strlen(csv_path);
    int strip = n > 4 && strcmp(csv_path + n - 4, ".csv") == 0;
    int w = snprintf(out, size, "%.*s.json", (int)(strip ? n - 4 : n), csv_path);
    if (w < 0 || (size_t)w >= size)
        return vp_error_set(err, VP_ERR_USAGE, "sample: %s: path too long for its .json record", csv_path);
    return VP_OK;
}

vp_status vp_sample_write_csv(const vp_sample *s, FILE *fp, const char *label, vp_error *err)
{
    size_t ncols = populations[s->population].ncols;
    fputs("ordinal,stratum,key,sha256", fp);
    for (size_t c = 0; c < ncols; c++)
        fprintf(fp, ",%s", populations[s->population].cols[c]);
    fputs("\r\n", fp);
    for (size_t i = 0; i < s->member_count; i++) {
        const vp_sample_member *m = &s->members[i];
        fprintf(fp, "%zu", m->ordinal);
        vp_csv_field(fp, m->stratum, 0);
        vp_csv_field(fp, m->key, 0);
        vp_csv_field(fp, m->sha256, 0);
        for (size_t c = 0; c < ncols; c++)
            vp_csv_field(fp, m->cols[c], 0);
        fputs("\r\n", fp);
    }
    if (fflush(fp) != 0 || ferror(fp))
        return vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", label, strerror(errno));
    return VP_OK;
}

vp_status vp_sample_write_json(const vp_sample *s, FILE *fp, const char *label, vp_error *err)
{
    vp_jsonw *w = malloc(sizeof *w); /* 64 KiB of buffer: not on the stack */
    if (!w)
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    vp_jw_init(w, fp);
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "format", VP_SAMPLE_FORMAT);
    vp_jw_kstring(w, "method", VP_SAMPLE_METHOD);
    vp_jw_kstring(w, "seed", s->seed);
    vp_jw_key(w, "population");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "name", populations[s->population].name);
    vp_jw_kstring(w, "file", s->file);
    vp_jw_kstring(w, "sha256", s->sha256);
    vp_jw_kint(w, "size", (long long)s->population_size);
    vp_jw_end(w);
    vp_jw_key(w, "strata");
    if (s->strata == VP_SAMPLE_STRATA_VAULT)
        vp_jw_string(w, "vault");
    else
        vp_jw_null(w);
    vp_jw_kint(w, "size_requested", (long long)s->requested);
    vp_jw_kint(w, "size_drawn", (long long)s->member_count);
    vp_jw_key(w, "allocation");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->stratum_count; i++) {
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "stratum", s->strata_list[i].stratum);
        vp_jw_kint(w, "population", (long long)s->strata_list[i].population);
        vp_jw_kint(w, "drawn", (long long)s->strata_list[i].drawn);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "members");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->member_count; i++) {
        const vp_sample_member *m = &s->members[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kint(w, "ordinal", (long long)m->ordinal);
        vp_jw_kstring(w, "key", m->key);
        vp_jw_kstring(w, "stratum", m->stratum);
        vp_jw_kstring(w, "sha256", m->sha256);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_end(w);
    vp_status st = vp_jw_finish(w, label, err);
    free(w);
    return st;
}
