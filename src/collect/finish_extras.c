/* The back half for engines, soft-deleted vaults and resource guards (internal.h,
 * vpo_finish_extras). (Skeleton: filled in by issue 13's work.) */
#include "collect/internal.h"

vp_status vpo_finish_extras(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    (void)err;
#define TAKE(dst, cnt, vec) (snap->dst = (vec).v, snap->cnt = (vec).n, (vec).v = NULL, (vec).n = 0)
    TAKE(resource_guards, resource_guard_count, n->resource_guards);
    TAKE(engines, engine_count, n->engines);
    TAKE(deleted_vaults, deleted_vault_count, n->deleted_vaults);
#undef TAKE
    return VP_OK;
}
