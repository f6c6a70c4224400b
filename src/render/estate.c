/* Derived facts both renderers show (render/estate.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "render/estate.h"
#include "vaultproof/clock.h"

const char *vpr_item_policy(const vp_snapshot *s, const vp_item *it, char *buf, size_t size)
{
    const char *link = it->policy_link ? it->policy_link : "none";
    const char *id = it->policy_id.presence == VP_PRESENT ? it->policy_id.value : NULL;
    if (!strcmp(link, "resolved") && id) {
        const vp_policy *p = vp_snapshot_find_policy(s, id);
        if (p && p->name)
            return p->name;
        if (it->policy_name.presence == VP_PRESENT && it->policy_name.value)
            return it->policy_name.value;
    }
    if ((!strcmp(link, "missing") || !strcmp(link, "resolved")) && id) {
        const char *slash = strrchr(id, '/');
        const char *last = slash && slash[1] ? slash + 1 : id;
        snprintf(buf, size, "%s (not found)", last);
        return buf;
    }
    return "none";
}

int vpr_time_never(const vp_text *t)
{
    return t->presence == VP_PRESENT && vp_time_is_never(t->value);
}

const char *vpr_presence_name(unsigned char presence)
{
    static const char *const names[] = {[VP_ABSENT] = "absent", [VP_NULL] = "null", [VP_PRESENT] = "present"};
    return presence < sizeof names / sizeof *names ? names[presence] : "absent";
}

const char *vpr_region_label(const char *location, const char *display_name, char *buf, size_t size)
{
    if (!location)
        return display_name ? display_name : "";
    if (!display_name || !*display_name || !strcasecmp(display_name, location))
        return location;
    snprintf(buf, size, "%s (%s)", display_name, location);
    return buf;
}

const char *vpr_location_display(const vp_snapshot *s, const vp_worm_catalog *cat, const char *location)
{
    if (!location || !*location)
        return NULL;
    const char *name = cat ? vp_worm_catalog_display_name(cat, location) : NULL;
    if (name && *name)
        return name;
    const vp_region *r = s ? vp_snapshot_find_region(s, location) : NULL;
    return r && r->display_name && *r->display_name ? r->display_name : NULL;
}

const char *vpr_location_label(const vp_snapshot *s, const vp_worm_catalog *cat, const char *location, char *buf,
                               size_t size)
{
    return vpr_region_label(location, vpr_location_display(s, cat, location), buf, size);
}

static int is_workload_database(const char *kind)
{
    static const char *const kinds[] = {"sql_in_vm", "sap_hana_in_vm", "sap_ase_in_vm"};
    for (size_t i = 0; kind && i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

const char *vpr_item_display_name(const vp_item *it, char *buf, size_t size)
{
    const char *title = it->friendly_name.presence == VP_PRESENT && it->friendly_name.value && *it->friendly_name.value
                            ? it->friendly_name.value
                            : it->name ? it->name : "";
    if (!is_workload_database(it->kind))
        return title;
    const char *server = it->server.presence == VP_PRESENT && it->server.value && *it->server.value ? it->server.value
                                                                                                    : NULL;
    /* "<workload>;<instance>;<database>": the instance is between the first two ';' */
    const char *first = it->name ? strchr(it->name, ';') : NULL;
    const char *second = first ? strchr(first + 1, ';') : NULL;
    int instance = second && second > first + 1 ? (int)(second - first - 1) : 0;
    if (!server && !instance)
        return title;
    if (!instance)
        snprintf(buf, size, "%s (server %s)", title, server);
    else if (!server)
        snprintf(buf, size, "%s (instance %.*s)", title, instance, first + 1);
    else
        snprintf(buf, size, "%s (server %s, instance %.*s)", title, server, instance, first + 1);
    return buf;
}

int vpr_item_on_premises(const vp_item *it)
{
    return it->kind && (!strcmp(it->kind, "dpm") || !strcmp(it->kind, "azure_backup_server") || !strcmp(it->kind, "mars"));
}

/* "/subscriptions/{id}/..." -> {id} into buf; NULL when id is not such a path. */
const char *vpr_guard_isolation(const vp_snapshot *s, const vp_vault *v, const vp_resource_guard *guard,
                                const char *guard_id)
{
    static const char *const words[] = {
        [VP_GUARD_ISOLATION_UNKNOWN] = NULL,
        [VP_GUARD_ISOLATION_SAME_SUBSCRIPTION] = "same subscription",
        [VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION_TENANT_UNKNOWN] = "other subscription (tenant not known)",
        [VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION] = "other subscription",
        [VP_GUARD_ISOLATION_OTHER_TENANT] = "other tenant",
    };
    return words[vp_snapshot_guard_isolation(s, v, guard, guard_id, NULL, NULL)];
}

const vp_resource_guard *vpr_proxy_guard(const vp_snapshot *s, const vp_guard_proxy *proxy)
{
    return proxy->resource_guard_id ? vp_snapshot_find_resource_guard(s, proxy->resource_guard_id) : NULL;
}
