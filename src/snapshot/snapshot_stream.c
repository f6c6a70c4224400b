/* vp_snapshot_each_item / _vm: a population walked once, in order, from memory or - for
 * a lazy snapshot - streamed again from its file by the line reader
 * (snapshot_read_lines.c), which converts one batch at a time and drops it. */
#include <stdlib.h>
#include <string.h>

#include "snapshot/snapshot_read_internal.h"

typedef struct {
    rd_kind kind;
    vp_item_fn item_fn;
    vp_vm_fn vm_fn;
    void *ctx;
    vp_error cb_err; /* what the caller's function said */
    size_t seen;
} stream_job;

static vp_status hand(void *arg, const void *elem)
{
    stream_job *j = arg;
    j->seen++;
    return j->kind == RD_ITEMS ? j->item_fn(j->ctx, elem, &j->cb_err) : j->vm_fn(j->ctx, elem, &j->cb_err);
}

static vp_status stream(const vp_snapshot *s, stream_job *j, size_t expected, vp_error *err)
{
    rd_input in;
    rd_ctx c;
    vp_error pending = {0};
    char *skel = NULL;
    size_t skel_len = 0;
    int other_layout = 0;
    vp_status st = vpn_rd_map_input(s->lazy_source, &in, err);
    if (st)
        return st;
    if ((st = vpn_rd_ctx_init(&c, s->lazy_source, &in, err))) {
        vpn_rd_unmap_input(&in);
        return st;
    }
    c.stream_kind = (int)j->kind;
    c.on_element = hand;
    c.on_element_ctx = j;
    st = vpn_rd_read_lines(&c, &in, &pending, &skel, &skel_len, &other_layout);
    free(skel);
    if (!st && c.status) { /* a conversion error, or the caller's function stopped us */
        st = c.status;
        if (j->cb_err.message[0])
            *err = j->cb_err;
        else if (pending.message[0])
            *err = pending;
        /* else the function stopped us without a message: err is the caller's to keep */
    } else if (!st && (other_layout || j->seen != expected)) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: changed since it was read (%zu %s now, %zu before); expected the "
                          "same file", s->lazy_source, j->seen, vpn_rd_kind_names[j->kind], expected);
    }
    vpn_rd_ctx_free(&c);
    vpn_rd_unmap_input(&in);
    return st;
}

vp_status vp_snapshot_each_item(const vp_snapshot *s, vp_item_fn fn, void *ctx, vp_error *err)
{
    if (!s->lazy_source) {
        for (size_t i = 0; i < s->item_count; i++) {
            vp_status st = fn(ctx, &s->items[i], err);
            if (st)
                return st;
        }
        return VP_OK;
    }
    stream_job j = {RD_ITEMS, fn, NULL, ctx, {0}, 0};
    return stream(s, &j, s->item_count, err);
}

vp_status vp_snapshot_each_vm(const vp_snapshot *s, vp_vm_fn fn, void *ctx, vp_error *err)
{
    if (!s->lazy_source) {
        for (size_t i = 0; i < s->vm_count; i++) {
            vp_status st = fn(ctx, &s->vms[i], err);
            if (st)
                return st;
        }
        return VP_OK;
    }
    stream_job j = {RD_VMS, NULL, fn, ctx, {0}, 0};
    return stream(s, &j, s->vm_count, err);
}
