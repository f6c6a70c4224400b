#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "vaultproof/snapshot.h"

const char *vp_list_status_name(vp_list_status s)
{
    switch (s) {
    case VP_LIST_MISSING: return "missing";
    case VP_LIST_UNVERIFIED: return "unverified";
    case VP_LIST_INCOMPLETE: return "incomplete";
    case VP_LIST_COMPLETE: return "complete";
    }
    return "missing";
}

void vp_snapshot_free(vp_snapshot *snap)
{
    if (!snap)
        return;
    free(snap->subscriptions);
    free(snap->vaults);
    free(snap->policies);
    free(snap->items);
    free(snap->vms);
    free(snap->regions);
    free(snap->collection.lists);
    free(snap->collection.files);
    free(snap->collection.warnings);
    if (snap->internal) {
        vp_arena_free(snap->internal);
        free(snap->internal);
    }
    free(snap);
}

/* Entities are sorted by id compared case-insensitively. */
#define FIND_BY_ID(arr, count, T, id)                                                                        \
    do {                                                                                                     \
        size_t lo = 0, hi = (count);                                                                         \
        while (id && (arr) && lo < hi) { /* a lazy snapshot has no items or VMs in memory */               \
            size_t mid = lo + (hi - lo) / 2;                                                                 \
            int c = strcasecmp((arr)[mid].id, id);                                                          \
            if (c == 0)                                                                                      \
                return &(arr)[mid];                                                                          \
            if (c < 0)                                                                                       \
                lo = mid + 1;                                                                                \
            else                                                                                             \
                hi = mid;                                                                                    \
        }                                                                                                    \
        return NULL;                                                                                         \
    } while (0)

const vp_vault *vp_snapshot_find_vault(const vp_snapshot *snap, const char *id)
{
    FIND_BY_ID(snap->vaults, snap->vault_count, vp_vault, id);
}

const vp_item *vp_snapshot_find_item(const vp_snapshot *snap, const char *id)
{
    FIND_BY_ID(snap->items, snap->item_count, vp_item, id);
}

const vp_policy *vp_snapshot_find_policy(const vp_snapshot *snap, const char *id)
{
    FIND_BY_ID(snap->policies, snap->policy_count, vp_policy, id);
}

const vp_vm *vp_snapshot_find_vm(const vp_snapshot *snap, const char *id)
{
    FIND_BY_ID(snap->vms, snap->vm_count, vp_vm, id);
}
