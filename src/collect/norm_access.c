/* Normalizers for the collecting principal's access (Microsoft.Authorization 2022-04-01):
 * the role assignments assignedTo() lists per subscription and the role definitions
 * they name. Shapes follow Microsoft's examples RoleAssignments_ListForScope.json and
 * GetRoleDefinitionById.json (tests/data/azure/SOURCES.md). What the evaluator needs of a
 * definition - whether it reads vaults, whether it can write - is judged here from its
 * permissions, so built-in and custom roles are judged alike, never by name. */
#define _GNU_SOURCE 1 /* FNM_CASEFOLD: ARM compares operations ignoring case */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"

/* A string member of obj, interned (NULL when absent, null or not a string: the
 * getter reports a wrong type). */
static const char *member(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key)
{
    const char *v = NULL;
    return obj && vp_jr_string(c->r, obj, base, key, &v) == VP_PRESENT ? vpo_intern(c->n, v) : NULL;
}

/* One entry of RoleAssignments_ListForSubscription. The list call it answered names the
 * subscription (its sidecar's scope); an offline export without a sidecar falls back on
 * the assignment's own id, and an assignment above any subscription (a management
 * group's) without a sidecar cannot be placed: it is warned and left out. */
vp_status vpo_norm_role_assignment(vp_res_ctx *c)
{
    char props_p[512];
    const char *id = NULL, *name = NULL;
    if (vpo_read_identity(c, &id, &name))
        return c->r->status;
    const char *sub = c->cap ? vpo_armid_segment(c->n, c->cap->scope, "subscriptions")
                             : vpo_armid_segment(c->n, id, "subscriptions");
    if (!sub) {
        c->n->ignored++;
        vpo_warn(c->n, "orphan-resource", c->file, c->pointer,
                 "a role assignment whose subscription nothing names (no capture sidecar, and its id is above any "
                 "subscription); left out");
        return VP_OK;
    }
    vp_pending_role_assignment *p = VP_VEC_PUSH(c->n->role_assignments);
    if (!p)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->subscription_id = sub;
    p->ra.id = id;
    p->ra.source = vpo_source_here(c);
    p->ra.reads_vaults = p->ra.writes = -1;
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    const char *scope = member(c, props, props_p, "scope");
    const char *def = member(c, props, props_p, "roleDefinitionId");
    p->ra.scope = scope ? vpo_armid_normalize(c->n, scope) : NULL;
    p->ra.role_definition_id = def ? vpo_armid_normalize(c->n, def) : NULL;
    p->ra.principal_type = member(c, props, props_p, "principalType");
    return c->r->status;
}

/* Whether the action patterns of one permission block allow operation: an action
 * matches it (ARM's '*' wildcard, ignoring case) and no notAction takes it away. */
static int allows(const cJSON *perm, const char *operation)
{
    const cJSON *actions = cJSON_GetObjectItemCaseSensitive(perm, "actions");
    const cJSON *not_actions = cJSON_GetObjectItemCaseSensitive(perm, "notActions");
    const cJSON *a;
    int allowed = 0;
    cJSON_ArrayForEach(a, actions) allowed |= cJSON_IsString(a) && !fnmatch(a->valuestring, operation, FNM_CASEFOLD);
    cJSON_ArrayForEach(a, not_actions) if (allowed && cJSON_IsString(a) && !fnmatch(a->valuestring, operation, FNM_CASEFOLD))
        allowed = 0;
    return allowed;
}

/* The operations a collector needs: the vaults list and each vault's protected items. */
static const char *const vault_reads[] = {"Microsoft.RecoveryServices/vaults/read",
                                          "Microsoft.RecoveryServices/vaults/backupProtectedItems/read"};
/* Changes to what the evidence reports on: the vault and its settings, policies, protection,
 * and who may do it. Any one allowed makes a role one that "writes" (Owner, Contributor,
 * Backup Contributor, Backup Operator, ...). Backup Reader's own monitoring writes
 * (monitoringConfigurations, monitoringAlerts) change none of it and do not count. */
static const char *const evidence_writes[] = {
    "Microsoft.RecoveryServices/vaults/write",
    "Microsoft.RecoveryServices/vaults/delete",
    "Microsoft.RecoveryServices/vaults/backupconfig/write",
    "Microsoft.RecoveryServices/vaults/backupPolicies/write",
    "Microsoft.RecoveryServices/vaults/backupPolicies/delete",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/write",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete",
    "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/write",
    "Microsoft.Authorization/roleAssignments/write",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One role definition (RoleDefinitions_GetById). */
vp_status vpo_norm_role_definition(vp_res_ctx *c)
{
    char props_p[512];
    const char *id = NULL, *name = NULL;
    if (vpo_read_identity(c, &id, &name))
        return c->r->status;
    vp_pending_role_definition *d = VP_VEC_PUSH(c->n->role_definitions);
    if (!d)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    memset(d, 0, sizeof *d);
    d->id = vpo_armid_normalize(c->n, id);
    d->source = vpo_source_here(c);
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    d->role_name = member(c, props, props_p, "roleName");
    const cJSON *perms = NULL;
    if (props)
        vp_jr_array(c->r, props, props_p, "permissions", &perms);
    int reads[COUNT(vault_reads)] = {0}, writes = 0;
    const cJSON *perm;
    cJSON_ArrayForEach(perm, perms) {
        for (size_t i = 0; i < COUNT(vault_reads); i++)
            reads[i] |= allows(perm, vault_reads[i]);
        for (size_t i = 0; i < COUNT(evidence_writes); i++)
            writes |= allows(perm, evidence_writes[i]);
    }
    /* without permissions the definition says nothing: not known rather than "none" */
    d->reads_vaults = perms ? reads[0] && reads[1] : -1;
    _Static_assert(COUNT(vault_reads) == 2, "both reads are needed");
    d->writes = perms ? writes : -1;
    return c->r->status;
}
