/* The snapshot reader's tools: typed member getters that know where they are (so a
 * message names file, line and JSON pointer), and string interning. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "snapshot/snapshot_read_internal.h"

/* Integers beyond 2^53 do not survive cJSON's doubles, so they cannot round-trip. */
#define RD_INT_LIMIT 9007199254740992LL

/* ---- messages ---- */

static void path_format(const rd_path *p, char *buf, size_t size)
{
    if (!p) {
        buf[0] = '\0';
        return;
    }
    path_format(p->up, buf, size);
    if (p->key)
        vp_json_pointer_join(buf, size, buf, p->key);
    else
        vp_json_pointer_index(buf, size, buf, (int)p->index);
}

void vpn_rd_pointer(const rd_path *at, const char *key, char *buf, size_t size)
{
    path_format(at, buf, size);
    if (key)
        vp_json_pointer_join(buf, size, buf, key);
}

vp_status vpn_rd_fail(rd_ctx *c, const rd_path *at, const char *key, const char *fmt, ...)
{
    char ptr[512], msg[512];
    va_list ap;
    if (c->status)
        return c->status; /* the first error is the one reported */
    vpn_rd_pointer(at, key, ptr, sizeof ptr);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line = c->line ? c->line : c->text ? vpn_rd_line_of_value(c->text, c->len, ptr) : 0;
    const char *where = ptr[0] ? ptr : "(document root)";
    if (line)
        c->status = vp_error_set(c->err, VP_ERR_INPUT, "%s:%zu: %s: %s", c->file, line, where, msg);
    else
        c->status = vp_error_set(c->err, VP_ERR_INPUT, "%s: %s: %s", c->file, where, msg);
    return c->status;
}

vp_status vpn_rd_nomem(rd_ctx *c)
{
    if (!c->status)
        c->status = vp_error_set(c->err, VP_ERR_NOMEM, "%s: out of memory reading the snapshot", c->file);
    return c->status;
}

/* ---- strings ---- */

struct rd_slot {
    const char *s;
    size_t hash;
};

/* Eight bytes at a time: ids are long (200-300 bytes) and hashed for every entity. */
static size_t hash_string(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, len - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return (size_t)(h ^ (h >> 29));
}

static int strings_grow(rd_strings *t)
{
    size_t cap = t->cap ? t->cap * 2 : 4096;
    struct rd_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].s)
            continue;
        size_t j = t->slots[i].hash & (cap - 1);
        while (slots[j].s)
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

const char *vpn_rd_intern(rd_ctx *c, const char *s)
{
    rd_strings *t = &c->strings;
    size_t len = strlen(s);
    if (t->count * 10 >= t->cap * 7 && strings_grow(t)) { /* keep the load under 70% */
        vpn_rd_nomem(c);
        return NULL;
    }
    size_t h = hash_string(s, len), j = h & (t->cap - 1);
    for (; t->slots[j].s; j = (j + 1) & (t->cap - 1))
        if (t->slots[j].hash == h && strcmp(t->slots[j].s, s) == 0)
            return t->slots[j].s;
    char *copy = vpc_arena_strndup(c->arena, s, len);
    if (!copy) {
        vpn_rd_nomem(c);
        return NULL;
    }
    t->slots[j].s = copy;
    t->slots[j].hash = h;
    t->count++;
    return copy;
}

const char *vpn_rd_keep(rd_ctx *c, const char *s, rd_store how)
{
    if (how == RD_INTERN)
        return vpn_rd_intern(c, s);
    char *copy = vpc_arena_strdup(c->arena, s);
    if (!copy)
        vpn_rd_nomem(c);
    return copy;
}

void vpn_rd_strings_free(rd_strings *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

void *vpn_rd_push(rd_ctx *c, rd_kind k, size_t elem)
{
    rd_vec *v = &c->vec[k];
    void *slot = vpc_vec_grow(&v->v, &v->n, &v->cap, elem);
    if (!slot)
        vpn_rd_nomem(c);
    return slot;
}

/* ---- members ---- */

void vpn_rd_open(rd_obj *o, rd_ctx *c, const cJSON *obj, const rd_path *at)
{
    o->c = c;
    o->obj = obj;
    o->at = at;
    o->next = obj ? obj->child : NULL;
    o->asked_count = 0;
}

/* The writer's member order makes the expected member the next one; any order is
 * accepted, at the cost of a scan. */
const cJSON *vpn_rd_member(rd_obj *o, const char *key)
{
    const cJSON *m = o->next;
    if (o->asked_count < RD_MAX_MEMBERS)
        o->asked[o->asked_count++] = key;
    if (!m || strcmp(m->string, key) != 0)
        for (m = o->obj->child; m && strcmp(m->string, key) != 0; m = m->next)
            ;
    if (m)
        o->next = m->next;
    return m;
}

/* Every member was asked for once and duplicates are refused by the parser, so more
 * members than questions means one the format does not define. */
vp_status vpn_rd_close(rd_obj *o)
{
    size_t n = 0;
    if (o->c->status || !o->obj)
        return o->c->status;
    for (const cJSON *m = o->obj->child; m; m = m->next)
        n++;
    if (n == o->asked_count)
        return VP_OK;
    for (const cJSON *m = o->obj->child; m; m = m->next) {
        size_t i = 0;
        while (i < o->asked_count && strcmp(o->asked[i], m->string) != 0)
            i++;
        if (i == o->asked_count)
            return vpn_rd_fail(o->c, o->at, m->string, "unknown member; expected only the members %s defines",
                               vpn_rd_format_name(o->c));
    }
    return VP_OK;
}

static const cJSON *need(rd_obj *o, const char *key, const char *expected)
{
    if (o->c->status)
        return NULL;
    const cJSON *m = vpn_rd_member(o, key);
    if (!m)
        vpn_rd_fail(o->c, o->at, key, "missing member; expected %s", expected);
    return m;
}

static void type_fail(rd_obj *o, const char *key, const char *expected, const cJSON *found)
{
    vpn_rd_fail(o->c, o->at, key, "expected %s, found %s", expected, vp_json_type_name(found));
}

vp_presence vpn_rd_str(rd_obj *o, const char *key, rd_store how, const char **out)
{
    const cJSON *m = need(o, key, "a string or null");
    *out = NULL;
    if (!m)
        return VP_ABSENT;
    if (cJSON_IsNull(m))
        return VP_NULL;
    if (!cJSON_IsString(m)) {
        type_fail(o, key, "a string or null", m);
        return VP_ABSENT;
    }
    *out = vpn_rd_keep(o->c, m->valuestring, how);
    return *out ? VP_PRESENT : VP_ABSENT;
}

void vpn_rd_str_req(rd_obj *o, const char *key, rd_store how, const char **out)
{
    const cJSON *m = need(o, key, "a string");
    if (m && !cJSON_IsString(m))
        type_fail(o, key, "a string", m);
    else if (m)
        *out = vpn_rd_keep(o->c, m->valuestring, how);
}

void vpn_rd_text(rd_obj *o, const char *key, rd_store how, vp_text *out)
{
    out->presence = (unsigned char)vpn_rd_str(o, key, how, &out->value);
}

vp_presence vpn_rd_int(rd_obj *o, const char *key, long long min, long long max, int nullable, long long *out)
{
    const char *expected = nullable ? "an integer or null" : "an integer";
    const cJSON *m = need(o, key, expected);
    if (!m)
        return VP_ABSENT;
    if (nullable && cJSON_IsNull(m))
        return VP_NULL;
    if (!cJSON_IsNumber(m)) {
        type_fail(o, key, expected, m);
        return VP_ABSENT;
    }
    double d = m->valuedouble;
    if (d != floor(d) || d < (double)min || d > (double)max) {
        vpn_rd_fail(o->c, o->at, key, "%g; expected an integer from %lld to %lld", d, min, max);
        return VP_ABSENT;
    }
    *out = (long long)d;
    return VP_PRESENT;
}

void vpn_rd_num(rd_obj *o, const char *key, vp_num *out)
{
    out->presence = (unsigned char)vpn_rd_int(o, key, -RD_INT_LIMIT, RD_INT_LIMIT, 1, &out->value);
}

/* A count of days (or of units) the writer prints as null when negative. */
long long vpn_rd_days(rd_obj *o, const char *key)
{
    long long v = -1;
    vpn_rd_int(o, key, 0, RD_INT_LIMIT, 1, &v);
    return v;
}

void vpn_rd_bool(rd_obj *o, const char *key, int *out)
{
    const cJSON *m = need(o, key, "a boolean");
    if (m && !cJSON_IsBool(m))
        type_fail(o, key, "a boolean", m);
    else if (m)
        *out = cJSON_IsTrue(m);
}

void vpn_rd_flag(rd_obj *o, const char *key, vp_flag *out)
{
    const cJSON *m = need(o, key, "a boolean or null");
    if (!m || cJSON_IsNull(m)) {
        out->presence = VP_NULL;
        return;
    }
    if (!cJSON_IsBool(m)) {
        type_fail(o, key, "a boolean or null", m);
        return;
    }
    out->value = cJSON_IsTrue(m);
    out->presence = VP_PRESENT;
}

/* The index of the value in names (NULL-terminated); -1 for null or an error. */
int vpn_rd_enum(rd_obj *o, const char *key, const char *const *names, int nullable)
{
    char list[256];
    size_t n = 0;
    const cJSON *m = need(o, key, nullable ? "a string or null" : "a string");
    if (!m || (nullable && cJSON_IsNull(m)))
        return -1;
    if (!cJSON_IsString(m)) {
        type_fail(o, key, nullable ? "a string or null" : "a string", m);
        return -1;
    }
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], m->valuestring) == 0)
            return i;
    list[0] = '\0';
    for (int i = 0; names[i] && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "", names[i]);
    vpn_rd_fail(o->c, o->at, key, "'%s'; expected one of %s", m->valuestring, list);
    return -1;
}

/* Opens the object at key as child (p names it); 0 when it is null or on error. */
int vpn_rd_object(rd_obj *o, const char *key, int nullable, rd_path *p, rd_obj *child)
{
    const char *expected = nullable ? "an object or null" : "an object";
    const cJSON *m = need(o, key, expected);
    if (!m || (nullable && cJSON_IsNull(m)))
        return 0;
    if (!cJSON_IsObject(m)) {
        type_fail(o, key, expected, m);
        return 0;
    }
    *p = (rd_path){o->at, key, 0};
    vpn_rd_open(child, o->c, m, p);
    return 1;
}

const cJSON *vpn_rd_array(rd_obj *o, const char *key, rd_path *p)
{
    const cJSON *m = need(o, key, "an array");
    if (m && !cJSON_IsArray(m)) {
        type_fail(o, key, "an array", m);
        return NULL;
    }
    *p = (rd_path){o->at, key, 0};
    return m;
}

static const char **strings_of(rd_obj *o, const cJSON *arr, rd_path p, rd_store how, size_t *count)
{
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    const char **v = vpc_arena_alloc(o->c->arena, (n + 1) * sizeof *v);
    if (!v) {
        vpn_rd_nomem(o->c);
        return NULL;
    }
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            rd_path at = {&p, NULL, i};
            vpn_rd_fail(o->c, &at, NULL, "expected a string, found %s", vp_json_type_name(e));
            return NULL;
        }
        if (!(v[i] = vpn_rd_keep(o->c, e->valuestring, how)))
            return NULL;
    }
    *count = n;
    return v;
}

const char **vpn_rd_string_array(rd_obj *o, const char *key, rd_store how, size_t *count)
{
    rd_path p;
    const cJSON *arr = vpn_rd_array(o, key, &p);
    *count = 0;
    return arr ? strings_of(o, arr, p, how, count) : NULL;
}

const char **vpn_rd_string_array_nullable(rd_obj *o, const char *key, rd_store how, size_t *count,
                                          unsigned char *presence)
{
    const cJSON *m = need(o, key, "an array or null");
    *count = 0;
    *presence = m && cJSON_IsNull(m) ? VP_NULL : VP_ABSENT;
    if (!m || cJSON_IsNull(m))
        return NULL;
    if (!cJSON_IsArray(m)) {
        type_fail(o, key, "an array or null", m);
        return NULL;
    }
    const char **v = strings_of(o, m, (rd_path){o->at, key, 0}, how, count);
    if (v)
        *presence = VP_PRESENT;
    return v;
}
