/* Owners of failing findings' subjects, read from a tag (report.owner_tag): the subjects
 * are collected from the findings first, so only they are indexed; the snapshot's items
 * and VMs are then walked once each (streamed when the snapshot was read lazily). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/vec.h"
#include "vaultproof/history.h"

typedef struct {
    const char *id;      /* ARM id, any case: ids are compared case-insensitively, as ARM does */
    const char *owner;   /* the tag's value, NULL when none */
    vp_owner_source source;
    const char *vm;      /* items: their source VM's id (NULL when none) */
    const char *vault;   /* items: their vault's id */
    int is_item;
} subject;

typedef VP_VEC(subject) subject_vec;

struct vp_owners {
    vp_arena arena;
    const char *tag;
    const vp_snapshot *snap;
    int borrow;           /* the snapshot is held in memory: its strings outlive the index
                             (vp_owners_get's contract) and are pointed to, not copied (at a
                             million items the copies were 250 MB) */
    subject_vec subjects; /* sorted by id once built */
    subject_vec vms;      /* VMs an item's owner is read from, sorted by id */
    const char *last_vault; /* a streamed snapshot: the vault id copied last. Items come sorted
                               by id, so a vault's items follow one another and share one copy */
};

static int by_id(const void *a, const void *b)
{
    return strcasecmp(((const subject *)a)->id, ((const subject *)b)->id);
}

/* id among the first n of v, which are sorted and unique */
static subject *search(const subject *v, size_t n, const char *id)
{
    subject key = {.id = id};
    return id ? vp_search(&key, v, n, sizeof key, by_id) : NULL;
}

static subject *find(const vp_owners *o, int vms, const char *id)
{
    return vms ? search(o->vms.v, o->vms.n, id) : search(o->subjects.v, o->subjects.n, id);
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

/* s kept for the index's life: the snapshot's own string when it is held in memory,
 * else a copy. NULL only when out of memory. */
static const char *keep(vp_owners *o, const char *s)
{
    return o->borrow ? s : vpc_arena_strdup(&o->arena, s);
}

/* A failing subject's id as the index keeps it: the snapshot's copy of the same id when
 * it holds one (an item or a VM, most subjects), else a copy of the finding's. */
static const char *subject_id(vp_owners *o, const char *id)
{
    const vp_item *it = o->borrow ? vp_snapshot_find_item(o->snap, id) : NULL;
    const vp_vm *vm = o->borrow && !it ? vp_snapshot_find_vm(o->snap, id) : NULL;
    return it ? it->id : vm ? vm->id : vpc_arena_strdup(&o->arena, id);
}

/* Unique, sorted. */
static void settle(subject_vec *v)
{
    size_t n = 0;
    vp_sort(v->v, v->n, sizeof *v->v, by_id);
    for (size_t i = 0; i < v->n; i++)
        if (!n || strcasecmp(v->v[n - 1].id, v->v[i].id))
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
         * kept again. */
        if (search(o->subjects.v, settled, rec->resource_id))
            continue;
        subject *s = VP_VEC_PUSH(o->subjects);
        if (!s || !(s->id = subject_id(o, rec->resource_id)))
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
    subject *s = find(o, 0, item->id);
    if (!s)
        return VP_OK;
    const vp_text *src = item->source_resource_id.value ? &item->source_resource_id : &item->vm_id;
    s->is_item = 1;
    if (item->vault_id && !(o->last_vault && !strcasecmp(o->last_vault, item->vault_id)) &&
        !(o->last_vault = keep(o, item->vault_id)))
        return nomem(err);
    s->vault = item->vault_id ? o->last_vault : NULL;
    if (src->value) {
        subject *vm = VP_VEC_PUSH(o->vms);
        if (!vm || !(s->vm = vm->id = keep(o, src->value)))
            return nomem(err);
    }
    return VP_OK;
}

static vp_status on_vm(void *ctx, const vp_vm *vm, vp_error *err)
{
    vp_owners *o = ctx;
    const char *value = tag_value(&vm->tags, o->tag);
    subject *as_subject = find(o, 0, vm->id), *as_source = find(o, 1, vm->id);
    if (!as_subject && !as_source)
        return VP_OK;
    if (value && !(value = keep(o, value)))
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
    o->snap = snap;
    o->borrow = !snap->lazy_source;
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
    const subject *s = o && resource_id ? find(o, 0, resource_id) : NULL;
    if (source)
        *source = s && s->owner ? s->source : VP_OWNER_NONE;
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
    vpc_arena_free(&o->arena);
    free(o);
}
