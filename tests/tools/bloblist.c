/* bloblist - vp_blob_list from the command line, for tests/integration/test_blob_archive.py:
 * the listing's paging (NextMarker) with a small page size against Azurite.
 *
 *   bloblist URL PAGE_SIZE [--ca FILE] [--sas-env NAME]
 *
 * Prints each name (relative to the URL's prefix) on its own line; on failure the message
 * on stderr and vp_exit_code's exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/blob.h"

int main(int argc, char **argv)
{
    vp_az_client_options o = {0};
    vp_az_client *c = NULL;
    vp_blob_url u;
    vp_error err = {0};
    char **names = NULL;
    size_t n = 0;
    if (argc < 3 || (argc - 3) % 2)
        return fprintf(stderr, "usage: bloblist URL PAGE_SIZE [--ca FILE] [--sas-env NAME]\n"), 2;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ca"))
            o.ca_bundle = argv[i + 1];
        else if (!strcmp(argv[i], "--sas-env"))
            o.sas_env = argv[i + 1];
        else
            return fprintf(stderr, "bloblist: unknown option %s\n", argv[i]), 2;
    }
    o.resource = "https://storage.azure.com";
    vp_status st = vp_blob_url_parse(argv[1], &u, &err);
    if (!st)
        st = vp_az_client_new(&o, &c, &err);
    if (!st)
        st = vp_blob_list(c, &u, (unsigned)atoi(argv[2]), &names, &n, &err);
    for (size_t i = 0; !st && i < n; i++)
        printf("%s\n", names[i]);
    vp_blob_list_free(names, n);
    vp_az_client_free(c);
    if (st)
        fprintf(stderr, "bloblist: %s\n", err.message);
    return st ? vp_exit_code(st) : 0;
}
