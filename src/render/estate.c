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
static const char *subscription_of(const char *id, char *buf, size_t size)
{
    static const char prefix[] = "/subscriptions/";
    if (!id || strncasecmp(id, prefix, sizeof prefix - 1))
        return NULL;
    id += sizeof prefix - 1;
    size_t n = strcspn(id, "/");
    if (!n || n >= size)
        return NULL;
    memcpy(buf, id, n);
    buf[n] = 0;
    return buf;
}

static const char *tenant_of(const vp_snapshot *s, const char *subscription)
{
    for (size_t i = 0; subscription && i < s->subscription_count; i++)
        if (s->subscriptions[i].subscription_id && !strcasecmp(s->subscriptions[i].subscription_id, subscription))
            return s->subscriptions[i].tenant_id;
    return NULL;
}

const char *vpr_guard_isolation(const vp_snapshot *s, const vp_vault *v, const char *guard_subscription,
                                const char *guard_id)
{
    char buf[128];
    const char *gs = guard_subscription ? guard_subscription : subscription_of(guard_id, buf, sizeof buf);
    if (!gs || !v->subscription_id)
        return NULL;
    if (!strcasecmp(gs, v->subscription_id))
        return "same subscription";
    const char *vt = tenant_of(s, v->subscription_id), *gt = tenant_of(s, gs);
    if (!vt || !gt)
        return "other subscription (tenant not known)";
    return strcasecmp(vt, gt) ? "other tenant" : "other subscription";
}

const vp_resource_guard *vpr_proxy_guard(const vp_snapshot *s, const vp_guard_proxy *proxy)
{
    return proxy->resource_guard_id ? vp_snapshot_find_resource_guard(s, proxy->resource_guard_id) : NULL;
}
