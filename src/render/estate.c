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
