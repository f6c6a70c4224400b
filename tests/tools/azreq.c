/* azreq - one vp_az_request from the command line, for tests/integration/test_azclient.py.
 *
 *   azreq METHOD URL [--ca FILE] [--sas-env NAME] [--resource R] [--token-file F]
 *         [--authority URL] [--attempts N] [--body TEXT] [-H NAME VALUE]...
 *
 * Prints "status N", "request-id ...", "error-code ...", "error-message ...", "credential
 * ...", every response header as "header NAME: VALUE" and "body-bytes N" then the body on
 * stdout; on failure the message on stderr and vp_exit_code's exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/azclient.h"

int main(int argc, char **argv)
{
    vp_az_client_options o = {0};
    vp_az_header h[16];
    size_t n = 0;
    const char *body = NULL;
    if (argc < 3) {
        fprintf(stderr, "usage: azreq METHOD URL [options]\n");
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return fprintf(stderr, "azreq: %s needs a value\n", a), 2;
        if (!strcmp(a, "--ca"))
            o.ca_bundle = v;
        else if (!strcmp(a, "--sas-env"))
            o.sas_env = v;
        else if (!strcmp(a, "--resource"))
            o.resource = v;
        else if (!strcmp(a, "--token-file"))
            o.token_file = v;
        else if (!strcmp(a, "--authority"))
            o.authority_host = v;
        else if (!strcmp(a, "--attempts"))
            o.max_attempts = atoi(v);
        else if (!strcmp(a, "--body"))
            body = v;
        else if (!strcmp(a, "-H") && i + 2 < argc && n < 16) {
            h[n].name = argv[i + 1];
            h[n++].value = argv[i + 2];
            i++;
        } else
            return fprintf(stderr, "azreq: unknown option %s\n", a), 2;
        i++;
    }
    vp_error err = {0};
    vp_az_client *c = NULL;
    vp_az_response r;
    vp_status st = vp_az_client_new(&o, &c, &err);
    if (!st)
        st = vp_az_request(c, argv[1], argv[2], h, n, body, body ? strlen(body) : 0, &r, &err);
    if (st) {
        fprintf(stderr, "azreq: %s\n", err.message);
        vp_az_client_free(c);
        return vp_exit_code(st);
    }
    printf("status %ld\nrequest-id %s\nerror-code %s\nerror-message %s\ncredential %s\n", r.status, r.request_id,
           r.error_code, r.error_message, vp_az_client_credential(c));
    for (size_t i = 0; i < r.header_count; i++)
        printf("header %s: %s\n", r.headers[i].name, r.headers[i].value);
    const char *etag = vp_az_response_header(&r, "etag");
    printf("etag %s\nbody-bytes %zu\n", etag ? etag : "-", r.body_len);
    fwrite(r.body, 1, r.body_len, stdout);
    vp_az_response_free(&r);
    vp_az_client_free(c);
    return 0;
}
