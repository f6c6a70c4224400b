#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/worm.h"

extern const char vpw_worm_builtin_json[];
extern const unsigned long vpw_worm_builtin_json_len;

struct vp_worm_catalog {
    vp_arena arena;
    const char *version, *origin;
    char sha256[65];
    vp_worm_source *sources;
    size_t source_count;
    vp_worm_region *regions;
    size_t region_count;
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

static const char *opt_string(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    const char *s = NULL;
    vp_jr_string(r, obj, base, key, &s);
    return s;
}

static vp_status parse_sources(vp_worm_catalog *cat, vp_jreader *r, const cJSON *arr)
{
    char ptr[64];
    int i = 0;
    cat->source_count = (size_t)cJSON_GetArraySize(arr);
    cat->sources = vpc_arena_alloc(&cat->arena, (cat->source_count + 1) * sizeof *cat->sources);
    if (!cat->sources)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    for (const cJSON *s = arr->child; s; s = s->next, i++) {
        vp_json_pointer_index(ptr, sizeof ptr, "/sources", i);
        if (!cJSON_IsObject(s))
            return vp_jr_fail(r, ptr, "an object", s);
        vp_worm_source *src = &cat->sources[i];
        *src = (vp_worm_source){0}; /* the arena does not zero: members not read here stay NULL */
        src->id = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "id"));
        src->title = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, s, ptr, "title"));
        src->url = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "url"));
        src->as_of = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "as_of"));
        src->recorded = vpc_arena_strdup(&cat->arena, opt_string(r, s, ptr, "recorded"));
        if (r->status)
            return r->status;
    }
    return VP_OK;
}

static int has_source(const vp_worm_catalog *cat, const char *id)
{
    for (size_t i = 0; i < cat->source_count; i++)
        if (strcmp(cat->sources[i].id, id) == 0)
            return 1;
    return 0;
}

static vp_status parse_regions(vp_worm_catalog *cat, vp_jreader *r, const cJSON *arr)
{
    char ptr[64], sptr[96], norm[128];
    int i = 0;
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
        reg->display_name = vpc_arena_strdup(&cat->arena, opt_string(r, e, ptr, "display_name"));
        reg->status = vpc_arena_strdup(&cat->arena, vp_jr_req_nonempty(r, e, ptr, "status"));
        if (r->status)
            return r->status;
        if (strcmp(reg->status, "ga") != 0)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/status: '%s'; expected \"ga\"", r->file, ptr,
                                reg->status);
        if (vp_jr_array(r, e, ptr, "sources", &srcs) != VP_PRESENT || cJSON_GetArraySize(srcs) == 0) {
            if (!r->status)
                vp_jr_fail(r, vp_json_pointer_join(sptr, sizeof sptr, ptr, "sources"),
                           "a non-empty array of source ids", cJSON_GetObjectItemCaseSensitive(e, "sources"));
            return r->status;
        }
        reg->source_count = (size_t)cJSON_GetArraySize(srcs);
        reg->sources = vpc_arena_alloc(&cat->arena, reg->source_count * sizeof *reg->sources);
        if (!reg->sources)
            return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
        int j = 0;
        for (const cJSON *s = srcs->child; s; s = s->next, j++) {
            vp_json_pointer_index(sptr, sizeof sptr, vp_json_pointer_join(sptr, sizeof sptr, ptr, "sources"), j);
            if (!cJSON_IsString(s))
                return vp_jr_fail(r, sptr, "a source id string", s);
            if (!has_source(cat, s->valuestring))
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: source '%s' is not defined in /sources",
                                    r->file, sptr, s->valuestring);
            reg->sources[j] = vpc_arena_strdup(&cat->arena, s->valuestring);
        }
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
    if (strcmp(format, "vaultproof-worm-catalog/1") != 0) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /format: '%s'; expected \"vaultproof-worm-catalog/1\"", label,
                          format);
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

const vp_worm_region *vp_worm_catalog_find(const vp_worm_catalog *cat, const char *location)
{
    char want[128], name[128];
    vp_location_normalize(location, want, sizeof want);
    for (size_t i = 0; i < cat->region_count; i++) {
        const vp_worm_region *reg = &cat->regions[i];
        if (strcmp(reg->location, want) == 0)
            return reg;
        if (reg->display_name && strcmp(vp_location_normalize(reg->display_name, name, sizeof name), want) == 0)
            return reg;
    }
    return NULL;
}

const char *vp_worm_catalog_display_name(const vp_worm_catalog *cat, const char *location)
{
    const vp_worm_region *r = vp_worm_catalog_find(cat, location);
    return r ? r->display_name : NULL;
}
