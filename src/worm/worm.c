#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/worm.h"

extern const char vpw_worm_builtin_json[];
extern const unsigned long vpw_worm_builtin_json_len;

/* The formats this reader accepts: /2 adds quotes, revisions and the location table; /1
 * catalogs (user files from before) are still read, without those checks. */
#define VPW_FORMAT_1 "vaultproof-worm-catalog/1"
#define VPW_FORMAT_2 "vaultproof-worm-catalog/2"

struct vp_worm_catalog {
    vp_arena arena;
    int format; /* 1 or 2 */
    const char *version, *origin;
    char sha256[65];
    vp_worm_source *sources;
    size_t source_count;
    vp_worm_region *regions;
    size_t region_count;
    vp_worm_location *locations;
    size_t location_count;
};

char *vp_location_normalize(const char *location, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = location ? location : ""; *p && n + 1 < size; p++)
        if (*p != ' ')
            buf[n++] = (char)tolower((unsigned char)*p);
    buf[n] = '\0';
    return buf;
}

/* Same location spelling after normalization ("India South" ~ "indiasouth"). */
static int same_location(const char *a, const char *b)
{
    char x[128], y[128];
    return a && b && strcmp(vp_location_normalize(a, x, sizeof x), vp_location_normalize(b, y, sizeof y)) == 0;
}

static const char *opt_string(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    const char *s = NULL;
    vp_jr_string(r, obj, base, key, &s);
    return s;
}

/* Reads an array of strings at base/key into arena memory; absent or null leaves *out
 * NULL and *count 0. */
static vp_status string_array(vp_worm_catalog *cat, vp_jreader *r, const cJSON *obj, const char *base,
                              const char *key, const char *what, const char ***out, size_t *count)
{
    char ptr[128], eptr[160];
    const cJSON *arr = NULL;
    *out = NULL;
    *count = 0;
    if (vp_jr_array(r, obj, base, key, &arr) != VP_PRESENT)
        return r->status;
    vp_json_pointer_join(ptr, sizeof ptr, base, key);
    *out = vpc_arena_alloc(&cat->arena, ((size_t)cJSON_GetArraySize(arr) + 1) * sizeof **out);
    if (!*out)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    int j = 0;
    for (const cJSON *s = arr->child; s; s = s->next, j++) {
        if (!cJSON_IsString(s) || !s->valuestring[0])
            return vp_jr_fail(r, vp_json_pointer_index(eptr, sizeof eptr, ptr, j), what, s);
        (*out)[(*count)++] = vpc_arena_strdup(&cat->arena, s->valuestring);
    }
    return VP_OK;
}

const vp_worm_source *vp_worm_catalog_source(const vp_worm_catalog *cat, const char *id)
{
    for (size_t i = 0; id && i < cat->source_count; i++)
        if (strcmp(cat->sources[i].id, id) == 0)
            return &cat->sources[i];
    return NULL;
}

/* A source's sha256 must be the digest of its quote: the quote is what a finding rests
 * on, and the digest is how a reader tells two revisions under one ms.date apart. */
static vp_status check_quote(vp_jreader *r, const char *ptr, const vp_worm_source *src)
{
    char want[65];
    if (!src->quote && !src->sha256)
        return VP_OK;
    if (!src->quote || !src->sha256)
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: quote and sha256 go together; expected both or neither",
                            r->file, ptr);
    vp_sha256_hex(src->quote, strlen(src->quote), want);
    if (strcmp(want, src->sha256) != 0)
        return vp_error_set(r->err, VP_ERR_INPUT,
                            "%s: %s/sha256: '%s'; expected the SHA-256 of %s/quote (%s): the quote was changed or the "
                            "digest is wrong",
                            r->file, ptr, src->sha256, ptr, want);
    return VP_OK;
}

/* supersedes must name another defined source, and following it must end: a cycle would
 * make "the earlier revision" meaningless. */
static vp_status check_revisions(vp_worm_catalog *cat, vp_jreader *r)
{
    char ptr[64];
    for (size_t i = 0; i < cat->source_count; i++) {
        const vp_worm_source *s = &cat->sources[i];
        vp_json_pointer_index(ptr, sizeof ptr, "/sources", (int)i);
        if (!s->supersedes)
            continue;
        if (!vp_worm_catalog_source(cat, s->supersedes))
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/supersedes: source '%s' is not defined in /sources",
                                r->file, ptr, s->supersedes);
        size_t steps = 0;
        for (const vp_worm_source *c = s; c && c->supersedes; c = vp_worm_catalog_source(cat, c->supersedes))
            if (++steps > cat->source_count)
                return vp_error_set(r->err, VP_ERR_INPUT,
                                    "%s: %s/supersedes: '%s' leads back to '%s'; expected a chain of earlier revisions "
                                    "without a cycle",
                                    r->file, ptr, s->supersedes, s->id);
    }
    return VP_OK;
}

static vp_status parse_sources(vp_worm_catalog *cat, vp_jreader *r, const cJSON *arr)
{
    char ptr[64];
    int i = 0;
    vp_status st;
    cat->source_count = (size_t)cJSON_GetArraySize(arr);
    cat->sources = vpc_arena_alloc(&cat->arena, (cat->source_count + 1) * sizeof *cat->sources);
    if (!cat->sources)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        vp_json_pointer_index(ptr, sizeof ptr, "/sources", i);
        if (!cJSON_IsObject(s))
            return vp_jr_fail(r, ptr, "an object", s);
        vp_worm_source *src = &cat->sources[i];
        src->id = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "id"));
        src->title = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "title"));
        src->url = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "url"));
        src->as_of = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "as_of"));
        if (cat->format == 2) { /* a revision is told by its retrieval date and its quoted text */
            src->retrieved = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "retrieved"));
            src->quote = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "quote"));
            src->sha256 = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "sha256"));
        } else {
            src->retrieved = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "retrieved"));
            src->quote = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "quote"));
            src->sha256 = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "sha256"));
        }
        src->supersedes = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "supersedes"));
        src->recorded = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "recorded"));
        if (r->status)
            return r->status;
        if ((st = check_quote(r, ptr, src)))
            return st;
        for (int k = 0; k < i; k++)
            if (strcmp(cat->sources[k].id, src->id) == 0)
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/id: '%s' is already the id of /sources/%d", r->file,
                                    ptr, src->id, k);
    }
    return check_revisions(cat, r);
}

/* Whether name occurs in text as a whole location name: not inside a word and not the
 * head of a longer name ("Australia Central" in "Australia Central 2"). */
static int names_location(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; n && (p = strstr(p, name)) != NULL; p++) {
        const char *e = p + n;
        if (p > text && isalnum((unsigned char)p[-1]))
            continue;
        if (isalnum((unsigned char)*e) || (*e == ' ' && isalnum((unsigned char)e[1])))
            continue;
        return 1;
    }
    return 0;
}

static int location_names(const vp_worm_location *l, const char *text)
{
    if (names_location(text, l->display_name))
        return 1;
    for (size_t a = 0; a < l->alias_count; a++)
        if (names_location(text, l->aliases[a]))
            return 1;
    return 0;
}

/* Whether s is one of the location's spellings: ARM name, displayName or an alias. */
static int spells(const vp_worm_location *l, const char *s)
{
    if (same_location(l->name, s) || same_location(l->display_name, s))
        return 1;
    for (size_t a = 0; a < l->alias_count; a++)
        if (same_location(l->aliases[a], s))
            return 1;
    return 0;
}

static vp_status parse_locations(vp_worm_catalog *cat, vp_jreader *r, const cJSON *arr)
{
    char ptr[64], norm[128];
    int i = 0;
    vp_status st;
    cat->location_count = (size_t)cJSON_GetArraySize(arr);
    cat->locations = vpc_arena_alloc(&cat->arena, (cat->location_count + 1) * sizeof *cat->locations);
    if (!cat->locations)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        vp_json_pointer_index(ptr, sizeof ptr, "/locations", i);
        if (!cJSON_IsObject(e))
            return vp_jr_fail(r, ptr, "an object", e);
        vp_worm_location *l = &cat->locations[i];
        l->name = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, e, ptr, "name"));
        l->display_name = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, e, ptr, "displayName"));
        l->regional_display_name = vpc_arena_strdup(&cat->arena, opt_string(r, e, ptr, "regionalDisplayName"));
        if (r->status)
            return r->status;
        if ((st = string_array(cat, r, e, ptr, "aliases", "a non-empty alias string", &l->aliases, &l->alias_count)))
            return st;
        if (strcmp(vp_location_normalize(l->name, norm, sizeof norm), l->name) != 0)
            return vp_error_set(r->err, VP_ERR_INPUT,
                                "%s: %s/name: '%s'; expected the ARM form (lowercase, no spaces: '%s')", r->file, ptr,
                                l->name, norm);
        /* every spelling must lead to one location, or lookups would depend on order */
        for (int k = 0; k < i; k++) {
            const vp_worm_location *o = &cat->locations[k];
            const char *clash = spells(o, l->name) ? l->name : spells(o, l->display_name) ? l->display_name : NULL;
            for (size_t a = 0; !clash && a < l->alias_count; a++)
                clash = spells(o, l->aliases[a]) ? l->aliases[a] : NULL;
            if (clash)
                return vp_error_set(r->err, VP_ERR_INPUT,
                                    "%s: %s: '%s' also names /locations/%d ('%s'); expected each name, displayName and "
                                    "alias to name one location",
                                    r->file, ptr, clash, k, o->name);
        }
    }
    return VP_OK;
}

const vp_worm_location *vp_worm_catalog_location(const vp_worm_catalog *cat, const char *location)
{
    for (size_t i = 0; location && i < cat->location_count; i++)
        if (spells(&cat->locations[i], location))
            return &cat->locations[i];
    return NULL;
}

/* Format 2: the region's location is an ARM location of the table, its display_name one of
 * that location's spellings, and each source it cites names it in the quoted text. */
static vp_status check_region(vp_worm_catalog *cat, vp_jreader *r, const char *ptr, const vp_worm_region *reg)
{
    const vp_worm_location *loc = NULL;
    for (size_t i = 0; i < cat->location_count && !loc; i++)
        if (strcmp(cat->locations[i].name, reg->location) == 0)
            loc = &cat->locations[i];
    if (!loc)
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/location: '%s' is not a location name in /locations", r->file,
                            ptr, reg->location);
    int spelled = reg->display_name && strcmp(reg->display_name, loc->display_name) == 0;
    for (size_t a = 0; !spelled && reg->display_name && a < loc->alias_count; a++)
        spelled = strcmp(reg->display_name, loc->aliases[a]) == 0;
    if (!spelled)
        return vp_error_set(r->err, VP_ERR_INPUT,
                            "%s: %s/display_name: '%s'; expected the displayName of location '%s' ('%s') or one of its "
                            "aliases",
                            r->file, ptr, reg->display_name ? reg->display_name : "(absent)", loc->name,
                            loc->display_name);
    for (size_t s = 0; s < reg->source_count; s++) {
        const vp_worm_source *src = vp_worm_catalog_source(cat, reg->sources[s]);
        if (src->quote && !location_names(loc, src->quote))
            return vp_error_set(r->err, VP_ERR_INPUT,
                                "%s: %s/sources/%zu: the quote of source '%s' does not name '%s' (or another spelling "
                                "of location '%s'); expected a source whose text lists the region",
                                r->file, ptr, s, src->id, reg->display_name, loc->name);
    }
    return VP_OK;
}

static vp_status parse_regions(vp_worm_catalog *cat, vp_jreader *r, const cJSON *arr)
{
    char ptr[64], sptr[96], norm[128];
    int i = 0;
    vp_status st;
    cat->region_count = (size_t)cJSON_GetArraySize(arr);
    cat->regions = vpc_arena_alloc(&cat->arena, (cat->region_count + 1) * sizeof *cat->regions);
    if (!cat->regions)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        const cJSON *srcs = NULL;
        vp_json_pointer_index(ptr, sizeof ptr, "/regions", i);
        if (!cJSON_IsObject(e))
            return vp_jr_fail(r, ptr, "an object", e);
        vp_worm_region *reg = &cat->regions[i];
        const char *loc = vp_jr_req_nonempty(r, e, ptr, "location");
        reg->location = loc ? vpc_arena_strdup(&cat->arena, vp_location_normalize(loc, norm, sizeof norm)) : NULL;
        const char *dn = cat->format == 2 ? vp_jr_req_nonempty(r, e, ptr, "display_name")
                                          : opt_string(r, e, ptr, "display_name");
        reg->display_name = vpc_arena_strdup(&cat->arena, dn);
        reg->status = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, e, ptr, "status"));
        reg->backup_vaults = vpc_arena_strdup(&cat->arena, opt_string(r, e, ptr, "backup_vaults"));
        if (r->status)
            return r->status;
        if (strcmp(reg->status, "ga") != 0)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/status: '%s'; expected \"ga\"", r->file, ptr,
                                reg->status);
        if (reg->backup_vaults && strcmp(reg->backup_vaults, "preview") != 0 && strcmp(reg->backup_vaults, "ga") != 0)
            return vp_error_set(r->err, VP_ERR_INPUT,
                                "%s: %s/backup_vaults: '%s'; expected \"preview\", \"ga\" or null", r->file, ptr,
                                reg->backup_vaults);
        for (int k = 0; k < i; k++)
            if (strcmp(cat->regions[k].location, reg->location) == 0)
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/location: '%s' is already listed at /regions/%d",
                                    r->file, ptr, reg->location, k);
        if (vp_jr_array(r, e, ptr, "sources", &srcs) != VP_PRESENT || cJSON_GetArraySize(srcs) == 0) {
            if (!r->status)
                vp_jr_fail(r, vp_json_pointer_join(sptr, sizeof sptr, ptr, "sources"),
                           "a non-empty array of source ids", cJSON_GetObjectItemCaseSensitive(e, "sources"));
            return r->status;
        }
        if ((st = string_array(cat, r, e, ptr, "sources", "a source id string", &reg->sources, &reg->source_count)))
            return st;
        for (size_t j = 0; j < reg->source_count; j++)
            if (!vp_worm_catalog_source(cat, reg->sources[j])) {
                char list[80];
                vp_json_pointer_join(list, sizeof list, ptr, "sources");
                vp_json_pointer_index(sptr, sizeof sptr, list, (int)j);
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: source '%s' is not defined in /sources", r->file,
                                    sptr, reg->sources[j]);
            }
        if (cat->format == 2 && (st = check_region(cat, r, ptr, reg)))
            return st;
    }
    return VP_OK;
}

vp_status vp_worm_catalog_parse(const char *label, const char *json, size_t len, vp_worm_catalog **out,
                                vp_error *err)
{
    cJSON *root = NULL;
    const cJSON *arr = NULL;
    const char *format = NULL, *version = NULL;
    vp_jreader r = {.file = label, .err = err, .status = VP_OK};
    vp_status st;

    *out = NULL;
    if ((st = vp_json_parse(label, json, len, &root, err)))
        return st;
    vp_worm_catalog *cat = calloc(1, sizeof *cat);
    if (!cat) {
        cJSON_Delete(root);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    vp_sha256_hex(json, len, cat->sha256);
    if (!cJSON_IsObject(root)) {
        st = vp_jr_fail(&r, "", "a catalog object", root);
        goto done;
    }
    format = vp_jr_req_nonempty(&r, root, "", "format");
    version = vp_jr_req_nonempty(&r, root, "", "version");
    if (r.status) {
        st = r.status;
        goto done;
    }
    if (strcmp(format, VPW_FORMAT_2) == 0)
        cat->format = 2;
    else if (strcmp(format, VPW_FORMAT_1) == 0)
        cat->format = 1;
    else {
        st = vp_error_set(err, VP_ERR_INPUT,
                          "%s: /format: '%s'; expected \"" VPW_FORMAT_2 "\" (or \"" VPW_FORMAT_1 "\")", label, format);
        goto done;
    }
    cat->version = vpc_arena_strdup(&cat->arena, version);
    cat->origin = vpc_arena_strdup(&cat->arena, label);
    if (vp_jr_array(&r, root, "", "sources", &arr) != VP_PRESENT) {
        st = r.status ? r.status : vp_jr_fail(&r, "/sources", "an array", NULL);
        goto done;
    }
    if ((st = parse_sources(cat, &r, arr)))
        goto done;
    if (cat->format == 2) {
        arr = NULL;
        if (vp_jr_array(&r, root, "", "locations", &arr) != VP_PRESENT || cJSON_GetArraySize(arr) == 0) {
            st = r.status ? r.status : vp_jr_fail(&r, "/locations", "a non-empty array of locations", arr);
            goto done;
        }
        if ((st = parse_locations(cat, &r, arr)))
            goto done;
    }
    arr = NULL;
    if (vp_jr_array(&r, root, "", "regions", &arr) != VP_PRESENT) {
        st = r.status ? r.status : vp_jr_fail(&r, "/regions", "an array", NULL);
        goto done;
    }
    st = parse_regions(cat, &r, arr);
done:
    cJSON_Delete(root);
    if (st) {
        vp_worm_catalog_free(cat);
        return st;
    }
    *out = cat;
    return VP_OK;
}

vp_status vp_worm_catalog_builtin(vp_worm_catalog **out, vp_error *err)
{
    return vp_worm_catalog_parse("built-in", vpw_worm_builtin_json, vpw_worm_builtin_json_len, out, err);
}

void vp_worm_catalog_free(vp_worm_catalog *cat)
{
    if (!cat)
        return;
    vpc_arena_free(&cat->arena);
    free(cat);
}

const char *vp_worm_catalog_version(const vp_worm_catalog *cat) { return cat->version; }
const char *vp_worm_catalog_sha256(const vp_worm_catalog *cat) { return cat->sha256; }
const char *vp_worm_catalog_origin(const vp_worm_catalog *cat) { return cat->origin; }

const vp_worm_source *vp_worm_catalog_sources(const vp_worm_catalog *cat, size_t *count)
{
    *count = cat->source_count;
    return cat->sources;
}

const vp_worm_region *vp_worm_catalog_regions(const vp_worm_catalog *cat, size_t *count)
{
    *count = cat->region_count;
    return cat->regions;
}

const vp_worm_location *vp_worm_catalog_locations(const vp_worm_catalog *cat, size_t *count)
{
    *count = cat->location_count;
    return cat->locations;
}

const vp_worm_source *vp_worm_catalog_latest(const vp_worm_catalog *cat, const char *id)
{
    const vp_worm_source *cur = vp_worm_catalog_source(cat, id);
    /* the parser refused cycles, so at most source_count steps */
    for (size_t steps = 0; cur && steps < cat->source_count; steps++) {
        const vp_worm_source *next = NULL;
        for (size_t i = 0; i < cat->source_count && !next; i++)
            if (cat->sources[i].supersedes && strcmp(cat->sources[i].supersedes, cur->id) == 0)
                next = &cat->sources[i];
        if (!next)
            break;
        cur = next;
    }
    return cur;
}

int vp_worm_region_listed_by(const vp_worm_region *region, const char *id)
{
    for (size_t i = 0; id && i < region->source_count; i++)
        if (strcmp(region->sources[i], id) == 0)
            return 1;
    return 0;
}

const vp_worm_region *vp_worm_catalog_find(const vp_worm_catalog *cat, const char *location)
{
    char want[128];
    const vp_worm_location *loc = vp_worm_catalog_location(cat, location);
    vp_location_normalize(loc ? loc->name : location, want, sizeof want);
    for (size_t i = 0; i < cat->region_count; i++) {
        const vp_worm_region *reg = &cat->regions[i];
        if (strcmp(reg->location, want) == 0)
            return reg;
        if (same_location(reg->display_name, location)) /* format 1: no table, the region's own spelling */
            return reg;
    }
    return NULL;
}

const char *vp_worm_catalog_display_name(const vp_worm_catalog *cat, const char *location)
{
    const vp_worm_location *loc = vp_worm_catalog_location(cat, location);
    if (loc)
        return loc->display_name;
    const vp_worm_region *r = vp_worm_catalog_find(cat, location);
    return r ? r->display_name : NULL;
}
