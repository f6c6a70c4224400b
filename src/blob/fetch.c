/* vp_blob_fetch_archive: an archive in a container, brought into a private directory for
 * the same audit as a local one. Names come from the service: each is checked before
 * anything is written, and only the layout's names are fetched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vaultproof/blob.h"

/* "ledger.jsonl.sig/NNNNNN.p7s" or "ledger/ledger.NNNNNN.jsonl": the seq, else -1. */
static long seq_of(const char *name, const char *dir, const char *stem, const char *ext)
{
    size_t dl = strlen(dir), sl = strlen(stem);
    if (strncmp(name, dir, dl) || name[dl] != '/' || strncmp(name + dl + 1, stem, sl))
        return -1;
    const char *d = name + dl + 1 + sl;
    for (int i = 0; i < 6; i++)
        if (d[i] < '0' || d[i] > '9')
            return -1;
    if (strcmp(d + 6, ext))
        return -1;
    return strtol(d, NULL, 10);
}

static int is_bundle(const char *name)
{
    size_t n = strlen(name);
    return !strchr(name, '/') && name[0] != '.' && n > 7 && !strcmp(name + n - 7, ".tar.gz");
}

vp_status vp_blob_fetch_archive(vp_az_client *c, const vp_blob_url *u, const char *dir, size_t *ignored,
                                long long *ledger_seq, vp_error *err)
{
    char **names = NULL, label[1700], path[4400];
    size_t n = 0, newest = 0;
    long newest_seq = -1;
    *ignored = 0;
    *ledger_seq = 0;
    vp_blob_url_label(u, label, sizeof label);
    vp_status st = vp_blob_list(c, u, 0, &names, &n, err);
    /* every name first: one unsafe name refuses the archive before any byte is written */
    for (size_t i = 0; i < n && !st; i++)
        if ((st = vp_blob_check_name(names[i], err)))
            vp_error_prefix(err, "%s", label);
    for (size_t i = 0; i < n && !st; i++) {
        long seq = seq_of(names[i], VP_BLOB_LEDGER_DIR, "ledger.", ".jsonl");
        if (seq > newest_seq) {
            newest_seq = seq;
            newest = i;
        }
    }
    if (!st && newest_seq < 0)
        st = vp_error_set(err, VP_ERR_CHECK, "%s: no ledger (" VP_BLOB_LEDGER_DIR "/ledger.NNNNNN.jsonl) in the "
                          "container under this prefix", label);
    snprintf(path, sizeof path, "%s/" VP_BLOB_SIG_DIR, dir);
    if (!st && mkdir(path, 0700))
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    for (size_t i = 0; i < n && !st; i++) {
        if (i == newest)
            snprintf(path, sizeof path, "%s/ledger.jsonl", dir);
        else if (is_bundle(names[i]) || seq_of(names[i], VP_BLOB_SIG_DIR, "", ".p7s") >= 0)
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        else {
            (*ignored)++; /* older ledger snapshots and anything else under the prefix */
            continue;
        }
        st = vp_blob_download(c, u, names[i], path, err);
    }
    vp_blob_list_free(names, n);
    *ledger_seq = newest_seq;
    return st;
}
