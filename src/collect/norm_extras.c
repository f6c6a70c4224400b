/* Normalizers for the resources format 2 added: DPM / Azure Backup Server engines,
 * soft-deleted vaults and resource guards. (Skeleton: filled in by issue 13's work.) */
#include "collect/internal.h"

vp_status vpo_norm_engine(vp_res_ctx *c)
{
    return c->r->status;
}

vp_status vpo_norm_deleted_vault(vp_res_ctx *c)
{
    return c->r->status;
}

vp_status vpo_norm_resource_guard(vp_res_ctx *c)
{
    return c->r->status;
}
