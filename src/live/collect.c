/* vp_live_collect: endpoints and credentials, then the transfer loop on a curl multi
 * handle. At most `concurrency` requests are in flight across all subscriptions and
 * vaults; connections are reused (and multiplexed over HTTP/2 where offered). A
 * response is retried (backoff with jitter, Retry-After honored) or handed to calls.c,
 * which records it. Requests to a subscription are spaced out when ARM's remaining
 * read budget runs low, before ARM starts answering 429. */
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live/engine.h"
#include "vaultproof/fileio.h"

typedef struct {
    CURL *h;
    vl_call *call;
    vl_response resp;
    struct curl_slist *headers;
    unsigned generation; /* of the token the request carried */
    int busy;
} slot;


static void trim_slash(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '/')
        s[--n] = '\0';
}

/* url as messages may show it: scheme://host[:port]/path, never user info, query or
 * fragment (an endpoint given on the command line may carry a secret there). */
static void url_label(const char *url, char *out, size_t size)
{
    vpv_url_scrub(url, out, size);
    out[strcspn(out, "?")] = '\0';
}

static vl_pace *pace_for(vl_engine *e, const char *sub)
{
    for (size_t i = 0; i < e->pace_count; i++)
        if (!strcmp(e->paces[i].id, sub))
            return &e->paces[i];
    if (e->pace_count == e->pace_cap) {
        size_t cap = e->pace_cap ? e->pace_cap * 2 : 16;
        vl_pace *p = realloc(e->paces, cap * sizeof *p);
        if (!p)
            return NULL;
        e->paces = p;
        e->pace_cap = cap;
    }
    vl_pace *p = &e->paces[e->pace_count++];
    snprintf(p->id, sizeof p->id, "%s", sub);
    p->remaining = -1;
    p->next_at = 0;
    return p;
}

static void start(vl_engine *e, CURLM *multi, slot *s, vl_call *c)
{
    const char *token;
    char corr[96];
    if (vpv_auth_token(e->auth, 0, &token, &s->generation, e->err)) {
        e->fatal = e->err->status;
        vpv_call_free(c);
        return;
    }
    size_t len = strlen(token) + sizeof "Authorization: Bearer ";
    char *hdr = malloc(len);
    if (!hdr) {
        e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
        vpv_call_free(c);
        return;
    }
    snprintf(hdr, len, "Authorization: Bearer %s", token);
    snprintf(corr, sizeof corr, "x-ms-correlation-request-id: %s", e->correlation);
    s->headers = curl_slist_append(NULL, hdr);
    s->headers = curl_slist_append(s->headers, "Accept: application/json");
    s->headers = curl_slist_append(s->headers, corr);
    OPENSSL_cleanse(hdr, len);
    free(hdr);
    vpv_response_reset(&s->resp);
    if (c->body)
        s->headers = curl_slist_append(s->headers, "Content-Type: application/json");
    vpv_http_setup(s->h, &e->http, c->url, s->headers, &s->resp);
    if (c->body) { /* BackupCrrJobs_List: a POST, on every page of it */
        curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
        curl_easy_setopt(s->h, CURLOPT_COPYPOSTFIELDS, c->body);
    } else {
        curl_easy_setopt(s->h, CURLOPT_HTTPGET, 1L);
    }
    if (c->attempt == 0)
        c->requested_ms = vpv_wall_ms();
    c->attempt++;
    s->call = c;
    s->busy = 1;
    e->requests++;
    e->in_flight++;
    vl_pace *p = pace_for(e, c->sub);
    if (p)
        p->next_at = vpv_now_ms() + vpv_pace_ms(p->remaining);
    curl_multi_add_handle(multi, s->h);
}

/* Decides what a finished transfer means: refresh and retry, back off and retry, or
 * hand the final outcome to calls.c. */
static void finished(vl_engine *e, CURLM *multi, slot *s, CURLcode code)
{
    vl_call *c = s->call;
    char shown[1024], failure[800];
    s->resp.code = code;
    curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->resp.status);
    curl_multi_remove_handle(multi, s->h);
    vpv_headers_free(s->headers);
    s->headers = NULL;
    s->busy = 0;
    s->call = NULL;
    e->in_flight--;
    vl_pace *p = pace_for(e, c->sub);
    if (p && s->resp.ratelimit_remaining >= 0)
        p->remaining = s->resp.ratelimit_remaining;
    if (vpv_tls_failure(code)) {
        vpv_url_scrub(c->url, shown, sizeof shown);
        e->fatal = vp_error_set(e->err, VP_ERR_COLLECT, "%s: TLS verification failed: %s; expected a certificate "
                                "trusted by the system store or by --ca-bundle FILE", shown,
                                s->resp.error[0] ? s->resp.error : curl_easy_strerror(code));
        vpv_call_free(c);
        return;
    }
    if (code == CURLE_OK && s->resp.status == 401 && !c->reauthed) {
        /* one refresh and one retry; requests that carried an older token only retry */
        const char *token;
        unsigned gen;
        c->reauthed = 1;
        vp_status st = vpv_auth_token(e->auth, 0, &token, &gen, e->err);
        if (!st && gen == s->generation)
            st = vpv_auth_token(e->auth, 1, &token, &gen, e->err);
        if (st && !e->fatal)
            e->fatal = vp_error_prefix(e->err, "refreshing the token after HTTP 401");
        if (e->fatal) {
            vpv_call_free(c);
            return;
        }
        c->retries++;
        e->retries++;
        c->ready_at = 0;
        vpv_call_requeue(e, c);
        return;
    }
    const char *reason = vpv_retry_reason(&s->resp);
    if (!reason && code == CURLE_OK && s->resp.status == 200) {
        cJSON *probe = vpv_json_parse(s->resp.body.data, s->resp.body.len);
        if (!probe)
            reason = "malformed JSON body";
        cJSON_Delete(probe);
    }
    if (reason && c->attempt < e->max_attempts) {
        long long ms = vpv_retry_after_ms(s->resp.retry_after, time(NULL));
        if (ms < 0)
            ms = vpv_backoff_ms(c->attempt, 250, 30000, &e->rng);
        c->ready_at = vpv_now_ms() + ms;
        c->retries++;
        e->retries++;
        vpv_call_requeue(e, c);
        return;
    }
    if (reason || code != CURLE_OK) {
        snprintf(failure, sizeof failure, "%s after %d attempt%s%s%s", reason ? reason : curl_easy_strerror(code),
                 c->attempt, c->attempt == 1 ? "" : "s", s->resp.error[0] ? ": " : "", s->resp.error);
        vpv_call_page_done(e, c, &s->resp, failure);
    } else if (s->resp.status == 401) {
        vpv_call_page_done(e, c, &s->resp, "HTTP 401: the token was refused again after a refresh");
    } else {
        vpv_call_page_done(e, c, &s->resp, NULL);
    }
}

/* Starts every queued call that may start now; returns ms until the next one may. */
static long long dispatch(vl_engine *e, CURLM *multi, slot *slots, int n)
{
    long long now = vpv_now_ms(), wait = 1000;
    vl_call *prev = NULL, *c = e->head;
    int free_slot = 0;
    while (c && !e->fatal) {
        while (free_slot < n && slots[free_slot].busy)
            free_slot++;
        if (free_slot == n)
            break;
        vl_pace *p = pace_for(e, c->sub);
        long long at = c->ready_at > (p ? p->next_at : 0) ? c->ready_at : (p ? p->next_at : 0);
        if (at > now) {
            if (at - now < wait)
                wait = at - now;
            prev = c;
            c = c->next;
            continue;
        }
        vl_call *next = c->next;
        if (prev)
            prev->next = next;
        else
            e->head = next;
        if (e->tail == c)
            e->tail = prev;
        c->next = NULL;
        start(e, multi, &slots[free_slot], c);
        c = next;
    }
    return e->head ? wait : 1000;
}

static void progress(const vl_engine *e, size_t queued, int final)
{
    fprintf(stderr, "\rcollect: %lld requests, %lld in flight, %lld retried, %zu queued, %lld items%s", e->requests,
            e->in_flight, e->retries, queued, e->items, final ? "\n" : "   ");
}

static void run(vl_engine *e, int concurrency)
{
    CURLM *multi = curl_multi_init();
    slot *slots = calloc((size_t)concurrency, sizeof *slots);
    long long last_progress = 0;
    if (!multi || !slots) {
        e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)concurrency);
    for (int i = 0; i < concurrency; i++)
        if (!(slots[i].h = curl_easy_init())) {
            e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory (curl)");
            goto done;
        }
    vpv_calls_start(e);
    while (!e->fatal && (e->head || e->in_flight)) {
        int running = 0, left = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        while (!e->fatal && (m = curl_multi_info_read(multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            for (int i = 0; i < concurrency; i++)
                if (slots[i].busy && slots[i].h == m->easy_handle) {
                    finished(e, multi, &slots[i], m->data.result);
                    break;
                }
        }
        /* start what became ready (a next page, a retry) before waiting on sockets */
        long long wait = dispatch(e, multi, slots, concurrency);
        if (e->opt->progress && vpv_now_ms() - last_progress >= 250) {
            size_t queued = 0;
            for (vl_call *c = e->head; c; c = c->next)
                queued++;
            progress(e, queued, 0);
            last_progress = vpv_now_ms();
        }
        if (!e->fatal && (e->head || e->in_flight))
            curl_multi_poll(multi, NULL, 0, e->in_flight ? (int)(wait < 100 ? wait : 100) : (int)wait, NULL);
    }
    if (e->opt->progress)
        progress(e, 0, 1);
done:
    for (int i = 0; slots && i < concurrency; i++) {
        if (slots[i].busy) {
            curl_multi_remove_handle(multi, slots[i].h);
            vpv_call_free(slots[i].call);
        }
        vpv_headers_free(slots[i].headers);
        vpv_response_reset(&slots[i].resp);
        if (slots[i].h)
            curl_easy_cleanup(slots[i].h);
    }
    free(slots);
    if (multi)
        curl_multi_cleanup(multi);
    while (e->head) {
        vl_call *c = e->head;
        e->head = c->next;
        vpv_call_free(c);
    }
}

vp_status vp_live_collect(const vp_live_options *opt, vp_live_result *res, vp_error *err)
{
    char arm[512], authority[512], scope[600];
    vl_engine e;
    memset(&e, 0, sizeof e);
    memset(res, 0, sizeof *res);
    const char *name = opt->cloud ? opt->cloud : "AzureCloud";
    const vpv_cloud *cl = vpv_cloud_find(name);
    if (!cl)
        return vp_error_set(err, VP_ERR_USAGE, "cloud '%s' is not known; expected AzureCloud, AzureUSGovernment or "
                            "AzureChinaCloud", name);
    if (!opt->record_dir)
        return vp_error_set(err, VP_ERR_USAGE, "live collection needs a directory to record into");
    snprintf(arm, sizeof arm, "%s", opt->arm_endpoint ? opt->arm_endpoint : cl->arm);
    const char *ah = opt->authority_host ? opt->authority_host : getenv("AZURE_AUTHORITY_HOST");
    snprintf(authority, sizeof authority, "%s", ah && *ah ? ah : cl->authority);
    trim_slash(arm);
    trim_slash(authority);
    char arm_shown[512], authority_shown[512];
    url_label(arm, arm_shown, sizeof arm_shown);
    url_label(authority, authority_shown, sizeof authority_shown);
    if (strncmp(arm, "https://", 8) != 0 || strncmp(authority, "https://", 8) != 0)
        return vp_error_set(err, VP_ERR_USAGE, "ARM endpoint '%s' and authority '%s' must be https:// URLs: TLS "
                            "is always on", arm_shown, authority_shown);
    /* the token URL is the authority followed by a path: a query or fragment would end
     * up in the middle of it, and user info has no meaning for Entra ID */
    if (strcspn(authority, "?#@") != strlen(authority))
        return vp_error_set(err, VP_ERR_USAGE, "authority '%s' (query, fragment and user info not shown): expected "
                            "https://host[:port][/path] without a query, fragment or user info", authority_shown);
    if (opt->ca_bundle) { /* curl would open it blocking: a FIFO must be refused first */
        int fd = -1;
        if (vp_open_regular(opt->ca_bundle, &fd, err))
            return vp_error_prefix(err, "--ca-bundle");
        close(fd);
    }
    for (size_t i = 0; i < opt->subscription_count; i++)
        for (const char *p = opt->subscriptions[i]; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
                return vp_error_set(err, VP_ERR_USAGE, "subscription '%s': expected a subscription id (a GUID)",
                                    opt->subscriptions[i]);
    for (size_t i = 0; i < opt->deleted_vault_location_count; i++) {
        char loc[128];
        if (!vpv_location_arm(opt->deleted_vault_locations[i], loc, sizeof loc))
            return vp_error_set(err, VP_ERR_USAGE, "deleted-vault location '%s': expected an Azure location such as "
                                "westeurope (letters and digits once spaces are removed)",
                                opt->deleted_vault_locations[i] ? opt->deleted_vault_locations[i] : "(null)");
    }
    snprintf(scope, sizeof scope, "%s.default", cl->resource);

    e.opt = opt;
    e.err = err;
    e.ep.arm = arm;
    e.ep.cloud_arm = cl->arm;
    const char *api_overrides[VP_ARM_API_COUNT] = {
        [VP_ARM_API_SUBSCRIPTIONS] = opt->api_subscriptions,
        [VP_ARM_API_VAULTS] = opt->api_recoveryservices,
        [VP_ARM_API_BACKUP] = opt->api_backup,
        [VP_ARM_API_COMPUTE] = opt->api_compute,
        [VP_ARM_API_DATAPROTECTION] = opt->api_dataprotection,
        [VP_ARM_API_INSIGHTS] = opt->api_insights,
    };
    for (vp_arm_api a = 0; a < VP_ARM_API_COUNT; a++)
        e.ep.api[a] = api_overrides[a] ? api_overrides[a] : vp_arm_api_default(a);
    e.http.ca_bundle = opt->ca_bundle;
    e.http.connect_timeout_s = 20;
    e.http.transfer_timeout_s = 120;
    e.max_pages = opt->max_pages > 0 ? opt->max_pages : 1000;
    e.max_attempts = opt->max_attempts > 0 ? opt->max_attempts : 6;
    e.rng = ((unsigned long long)vpv_wall_ms() << 20) ^ (unsigned long long)getpid() ^ 0x9e3779b97f4a7c15ull;
    unsigned long long r = e.rng;
    snprintf(e.correlation, sizeof e.correlation, "%08x-%04x-4%03x-8%03x-%08x%04x", vpv_rand(&r),
             vpv_rand(&r) & 0xffff, vpv_rand(&r) & 0xfff, vpv_rand(&r) & 0xfff, vpv_rand(&r), vpv_rand(&r) & 0xffff);

    vl_auth_config ac = {.token_file = opt->token_file, .authority = authority, .scope = scope,
                         .resource = cl->resource, .http = e.http};
    /* the IMDS probe must not hang for minutes on a host without IMDS */
    ac.http.connect_timeout_s = 5;
    ac.http.transfer_timeout_s = 30;
    vp_status st = vpv_auth_new(&ac, &e.auth, err);
    if (st)
        return st;
    const char *token;
    unsigned gen;
    if ((st = vpv_auth_token(e.auth, 0, &token, &gen, err)) == VP_OK) {
        int conc = opt->concurrency > 0 ? opt->concurrency : 8;
        run(&e, conc > 64 ? 64 : conc);
        st = e.fatal;
    } else if (st == VP_ERR_COLLECT && !strcmp(vpv_auth_kind(e.auth), "managed-identity")) {
        vp_error_prefix(err, "authentication failed: no --token-file, AZURE_CLIENT_SECRET, "
                        "AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE or IDENTITY_ENDPOINT is set, so the "
                        "managed identity (IMDS) was tried");
    } else if (st == VP_ERR_COLLECT) {
        vp_error_prefix(err, "authentication (%s credential) failed", vpv_auth_kind(e.auth));
    }
    snprintf(res->principal, sizeof res->principal, "%s", vpv_auth_principal(e.auth));
    snprintf(res->credential, sizeof res->credential, "%s", vpv_auth_kind(e.auth));
    snprintf(res->arm_endpoint, sizeof res->arm_endpoint, "%s", arm);
    res->requests = e.requests;
    res->retries = e.retries;
    res->items = e.items;
    res->failed_calls = e.failed_calls;
    free(e.paces);
    for (size_t i = 0; i < e.queued_cap; i++)
        free(e.queued[i]);
    free(e.queued);
    vpv_auth_free(e.auth);
    return st;
}
