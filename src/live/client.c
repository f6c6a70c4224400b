/* One authenticated request to an Azure endpoint (vaultproof/azclient.h).
 * TODO(lead): being written; this placeholder only links. */
#include <stdlib.h>
#include <string.h>

#include "vaultproof/azclient.h"

vp_status vp_az_client_new(const vp_az_client_options *opt, vp_az_client **out, vp_error *err)
{
    (void)opt;
    *out = NULL;
    return vp_error_set(err, VP_ERR_INTERNAL, "vp_az_client: not written yet");
}
void vp_az_client_free(vp_az_client *c) { (void)c; }
const char *vp_az_client_credential(const vp_az_client *c) { (void)c; return ""; }
const char *vp_az_client_principal(const vp_az_client *c) { (void)c; return ""; }
const char *vp_az_response_header(const vp_az_response *r, const char *name) { (void)r; (void)name; return NULL; }
void vp_az_response_free(vp_az_response *r) { if (r) { free(r->body); memset(r, 0, sizeof *r); } }
vp_status vp_az_request(vp_az_client *c, const char *method, const char *url, const vp_az_header *headers, size_t n,
                        const void *body, size_t body_len, vp_az_response *resp, vp_error *err)
{
    (void)c; (void)method; (void)url; (void)headers; (void)n; (void)body; (void)body_len; (void)resp;
    return vp_error_set(err, VP_ERR_INTERNAL, "vp_az_client: not written yet");
}
void vp_az_url_label(const char *url, char *out, size_t size) { (void)url; if (size) out[0] = '\0'; }
