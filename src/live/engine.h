/* The collection engine shared by collect.c (the transfer loop) and calls.c (what
 * to fetch and what to do with each page). */
#ifndef VP_LIVE_ENGINE_H
#define VP_LIVE_ENGINE_H

#include "live/internal.h"
#include "vaultproof/arm.h"

/* One list call, page by page. */
typedef struct vl_call {
    const vp_arm_operation *op;
    char *scope;        /* ARM id the call lists under ("/" for subscriptions) */
    char *sub;          /* subscription id, for pacing ("" for the subscription list) */
    char *base;         /* recording path without extension */
    char *url;          /* the page being fetched, as sent */
    char *body;         /* a POST's request body (op->method), sent with every page; NULL: GET */
    char **seen;        /* URLs of pages fetched so far: a nextLink back to one is a loop */
    unsigned long long *seen_hash; /* their FNV-1a hashes (key_hash), compared first */
    size_t seen_count;
    int page;
    int attempt;        /* attempts made for this page */
    int reauthed;       /* this page already had its one refresh-and-retry after a 401 */
    long long retries;  /* retried attempts for this page */
    long long requested_ms; /* wall clock of the page's first attempt */
    long long ready_at; /* monotonic ms before which it must not start (backoff) */
    struct vl_call *next;
} vl_call;

typedef struct {
    char id[64];
    long long remaining; /* lowest x-ms-ratelimit-remaining-* last seen; -1 unknown */
    long long next_at;   /* monotonic ms of the next request allowed */
} vl_pace;

typedef struct {
    const vp_live_options *opt;
    vl_endpoints ep;
    vl_http_config http;
    vl_auth *auth;
    char correlation[40];  /* one x-ms-correlation-request-id for the whole run */
    vl_call *head, *tail;  /* calls waiting to start (ready or backing off) */
    vl_pace *paces;
    size_t pace_count, pace_cap;
    char **queued;         /* set of calls discovered from several places, queued once each
                            * (open addressing, NULL = free slot): "deletedVaults <sub>
                            * <location>", "resourceGuards <id>", "vault <id>" */
    size_t queued_count, queued_cap;
    unsigned long long rng;
    int max_pages, max_attempts;
    long long requests, retries, items, in_flight;
    size_t failed_calls;
    vp_status fatal;       /* stops the run: auth or TLS failure, I/O error */
    vp_error *err;
} vl_engine;

/* Queues a new call (front: runs before calls queued earlier). Sets e->fatal on OOM. */
void vpv_call_add(vl_engine *e, const vp_arm_operation *op, const char *scope, const char *sub, const char *base, const char *url,
                 int front);
void vpv_call_free(vl_call *c);
/* Puts c back in the queue, at the front. */
void vpv_call_requeue(vl_engine *e, vl_call *c);
/* The ARM form of a location ("West Europe" -> "westeurope") into out; 0 when given is
 * not one (empty, too long, anything but letters and digits once normalized): it goes
 * into a URL path and a recording path. */
int vpv_location_arm(const char *given, char *out, size_t size);
/* Queues the first calls: GET /subscriptions, or per configured subscription. */
void vpv_calls_start(vl_engine *e);
/* Handles a final response for c's current page (after retries were decided on):
 * records it, follows nextLink or discovers child calls, and frees c when the call
 * is over. attempts_note explains a failure ("after 6 attempts: server error"). */
void vpv_call_page_done(vl_engine *e, vl_call *c, const vl_response *r, const char *failure);

#endif
