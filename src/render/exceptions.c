/* The exceptions' follow-up columns, worded once for the PDF and the workbook. */
#include "render/exceptions.h"
#include "vaultproof/config.h"

const char *vpr_first_seen(const vp_render_input *in, const char *rule, const char *resource_id)
{
    if (!in->history)
        return VPR_FIRST_SEEN_UNKNOWN;
    const char *when = vp_history_first_seen(in->history, rule, resource_id);
    return when && *when ? when : VPR_FIRST_SEEN_NOW;
}

const char *vpr_owner(const vp_render_input *in, const char *resource_id, const char **from)
{
    vp_owner_source src = VP_OWNER_NONE;
    const char *owner = vp_owners_get(in->owners, resource_id, &src);
    if (from)
        *from = src == VP_OWNER_VM ? "VM" : src == VP_OWNER_VAULT ? "vault" : NULL;
    return owner ? owner : VP_OWNER_UNASSIGNED;
}

const char *vpr_owner_tag(const vp_render_input *in)
{
    const char *tag = vp_owners_tag(in->owners);
    return tag ? tag : VP_CONFIG_DEFAULT_OWNER_TAG;
}

const char *vpr_remediation(const vp_render_input *in, const char *rule)
{
    const vp_rule *r = in->catalog && rule ? vp_catalog_find_rule(in->catalog, rule) : NULL;
    return r ? r->remediation : NULL;
}
