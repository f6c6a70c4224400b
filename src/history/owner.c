/* Owners of failing findings' subjects, read from a tag (report.owner_tag): the subjects
 * are collected from the findings first, so only they are indexed; the snapshot's items
 * and VMs are then walked once each (streamed when the snapshot was read lazily). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/vec.h"
#include "vaultproof/history.h"

typedef struct {
    const char *id;      /* lowercased ARM id */
    const char *owner;   /* the tag's value, NULL when none */
    vp_owner_source source;
    const char *vm;      /* items: their source VM's lowercased id (NULL when none) */
    const char *vault;   /* items: their vault's lowercased id */
    int is_item;
} subject;

typedef VP_VEC(subject) subject_vec;

struct vp_owners {
    vp_arena arena;
    const char *tag;
    subject_vec subjects; /* sorted by id once built */
    subject_vec vms;      /* VMs an item's owner is read from, sorted by id */
    vpc_buf key;          /* the lowercased id being looked up: every item and VM is looked
                             up, few are kept, so the key is not copied into the arena */
    const char *last_vault; /* the lowercased vault id kept last: items come sorted by id, so a
                               vault's items follow one another and share one copy */
};

static int by_id(const void *a, const void *b)
{
    return strcmp(((const subject *)a)->id, ((const subject *)b)->id);
}

/* lower_id among the first n of v, which are sorted and unique */
static subject *search(const subject *v, size_t n, const char *lower_id)
{
    subject key = {.id = lower_id};
    return lower_id ? vp_search(&key, v, n, sizeof key, by_id) : NULL;
}

static subject *find(const vp_owners *o, int vms, const char *lower_id)
{
    return vms ? search(o->vms.v, o->vms.n, lower_id) : search(o->subjects.v, o->subjects.n, lower_id);
}

/* The tag's value (tag names compared ignoring case, as Azure does); NULL when absent. */
static const char *tag_value(const vp_tags *tags, const char *tag)
{
    for (size_t i = 0; tags && i < tags->count; i++)
        if (tags->items[i].key && !strcasecmp(tags->items[i].key, tag))
            return tags->items[i].value && tags->items[i].value[0] ? tags->items[i].value : NULL;
    return NULL;
}

static vp_status nomem(vp_error *err)
{
    return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
}

/* id lowercased into o->key (valid until the next call); NULL when out of memory. */
static const char *lookup_key(vp_owners *o, const char *id)
{
    vpc_buf_clear(&o->key);
    if (vpc_buf_adds(&o->key, id) < 0)
        return NULL;
    for (char *c = o->key.s; c && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return vpc_buf_str(&o->key);
}

/* Unique, sorted. */
static void settle(subject_vec *v)
{
    size_t n = 0;
    vp_sort(v->v, v->n, sizeof *v->v, by_id);
    for (size_t i = 0; i < v->n; i++)
        if (!n || strcmp(v->v[n - 1].id, v->v[i].id))
            v->v[n++] = v->v[i];
    v->n = n;
}

static vp_status collect_subjects(vp_owners *o, vp_findings_file *f, vp_error *err)
{
    vp_status st;
    size_t settled = 0; /* o->subjects.v[0..settled) is sorted and unique */
    vp_findings_file_rewind_only(f, 1u << VP_FAIL, NULL);
    for (;;) {
        const vp_finding_record *rec;
        if ((st = vp_findings_file_next(f, &rec, err)) || !rec)
            break;
        if (rec->status != VP_FAIL || !rec->resource_id)
            continue;
        /* A resource fails several rules, each a finding: the ids already settled are not
         * copied again (at 100k items the copies were 23 MB of the arena). */
        const char *id = lookup_key(o, rec->resource_id);
        if (!id)
            return nomem(err);
        if (search(o->subjects.v, settled, id))
            continue;
        subject *s = VP_VEC_PUSH(o->subjects);
        if (!s || !(s->id = vpc_arena_strdup(&o->arena, id)))
            return nomem(err);
        if (o->subjects.n - settled > (settled > 4096 ? settled : 4096)) {
            settle(&o->subjects); /* doubling: O(n log n) sorting in all */
            settled = o->subjects.n;
        }
    }
    vp_findings_file_rewind(f);
    settle(&o->subjects);
    return st;
}

static void from_vault(const vp_owners *o, const vp_snapshot *snap, const char *vault_id, subject *s)
{
    const vp_vault *v = vault_id ? vp_snapshot_find_vault(snap, vault_id) : NULL;
    if (!s->owner && v && (s->owner = tag_value(&v->tags, o->tag)))
        s->source = VP_OWNER_VAULT;
}

static vp_status on_item(void *ctx, const vp_item *item, vp_error *err)
{
    vp_owners *o = ctx;
    const char *id = lookup_key(o, item->id);
    if (!id)
        return nomem(err);
    subject *s = find(o, 0, id);
    if (!s)
        return VP_OK;
    const vp_text *src = item->source_resource_id.value ? &item->source_resource_id : &item->vm_id;
    s->is_item = 1;
    if (item->vault_id && !(o->last_vault && !strcasecmp(o->last_vault, item->vault_id)) &&
        !(o->last_vault = vpc_arena_strlower(&o->arena, item->vault_id)))
        return nomem(err);
    s->vault = item->vault_id ? o->last_vault : NULL;
    if (src->value) {
        subject *vm = VP_VEC_PUSH(o->vms);
        if (!vm || !(s->vm = vm->id = vpc_arena_strlower(&o->arena, src->value)))
            return nomem(err);
    }
    return VP_OK;
}

static vp_status on_vm(void *ctx, const vp_vm *vm, vp_error *err)
{
    vp_owners *o = ctx;
    const char *id = lookup_key(o, vm->id);
    if (!id)
        return nomem(err);
    const char *value = tag_value(&vm->tags, o->tag);
    subject *as_subject = find(o, 0, id), *as_source = find(o, 1, id);
    if (value && !(value = vpc_arena_strdup(&o->arena, value)))
        return nomem(err);
    if (as_subject && !as_subject->is_item)
        as_subject->owner = value, as_subject->source = value ? VP_OWNER_VM : VP_OWNER_NONE;
    if (as_source)
        as_source->owner = value;
    return VP_OK;
}

vp_status vp_owners_build(const vp_snapshot *snap, vp_findings_file *findings, const char *tag, vp_owners **out,
                          vp_error *err)
{
    vp_status st;
    *out = NULL;
    if (!tag || !*tag)
        return vp_error_set(err, VP_ERR_USAGE, "owners: an owner tag name is required");
    vp_owners *o = calloc(1, sizeof *o);
    if (!o || !(o->tag = vpc_arena_strdup(&o->arena, tag))) {
        vp_owners_free(o);
        return nomem(err);
    }
    if ((st = collect_subjects(o, findings, err)))
        goto fail;
    if (!o->subjects.n) { /* nothing fails: no need to walk (or stream) the populations */
        *out = o;
        return VP_OK;
    }
    if ((st = vp_snapshot_each_item(snap, on_item, o, err)))
        goto fail;
    settle(&o->vms);
    if ((st = vp_snapshot_each_vm(snap, on_vm, o, err)))
        goto fail;
    for (size_t i = 0; i < o->subjects.n; i++) {
        subject *s = &o->subjects.v[i];
        if (s->is_item) { /* its VM's tag, else its vault's */
            const subject *vm = find(o, 1, s->vm);
            if (vm && vm->owner)
                s->owner = vm->owner, s->source = VP_OWNER_VM;
            from_vault(o, snap, s->vault, s);
            continue;
        }
        const vp_vault *v = vp_snapshot_find_vault(snap, s->id);
        const vp_policy *p = v ? NULL : vp_snapshot_find_policy(snap, s->id);
        const vp_backup_engine *e = v || p ? NULL : vp_snapshot_find_engine(snap, s->id);
        from_vault(o, snap, v ? v->id : p ? p->vault_id : e ? e->vault_id : NULL, s);
    }
    *out = o;
    return VP_OK;
fail:
    vp_owners_free(o);
    return st;
}

const char *vp_owners_get(const vp_owners *o, const char *resource_id, vp_owner_source *source)
{
    char buf[1024], *id = buf;
    size_t n = resource_id ? strlen(resource_id) : 0;
    const subject *s = NULL;
    if (source)
        *source = VP_OWNER_NONE;
    if (!o || !resource_id || (n >= sizeof buf && !(id = malloc(n + 1))))
        return NULL;
    for (size_t i = 0; i <= n; i++)
        id[i] = (char)(resource_id[i] >= 'A' && resource_id[i] <= 'Z' ? resource_id[i] - 'A' + 'a' : resource_id[i]);
    s = find(o, 0, id);
    if (id != buf)
        free(id);
    if (s && s->owner && source)
        *source = s->source;
    return s ? s->owner : NULL;
}

const char *vp_owners_tag(const vp_owners *o)
{
    return o ? o->tag : NULL;
}

void vp_owners_free(vp_owners *o)
{
    if (!o)
        return;
    free(o->subjects.v);
    free(o->vms.v);
    vpc_buf_free(&o->key);
    vpc_arena_free(&o->arena);
    free(o);
}
