/*
 * Ledger line signatures (vaultproof/ledger.h): one detached CMS per line, in
 * "<ledger>.sig/<seq>.p7s", over the line's exact bytes. Kept beside the ledger rather
 * than inside the line so that the line format (and its hand-checkable chain) stays as
 * it is, and so that `sed` + `openssl cms -verify` check a line with no vaultproof code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/cms.h"
#include "vaultproof/fileio.h"
#include "vaultproof/ledger.h"

#include "ledger/internal.h"

vp_status vp_ledger_signature_path(const char *path, long long seq, char *buf, size_t size, vp_error *err)
{
    int n = snprintf(buf, size, "%s.sig/%06lld.p7s", path, seq);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            buf[0] = '\0';
        return vp_error_set(err, VP_ERR_USAGE, "%s: ledger path too long", path);
    }
    return VP_OK;
}

vp_status vpl_sign_line(const char *ledger, long long seq, long long time, const char *line, size_t len,
                          const vp_signer *signer, vp_error *err)
{
    char dir[4096], path[4200];
    unsigned char *der = NULL;
    size_t der_len = 0;
    vp_output *o = NULL;
    if ((size_t)snprintf(dir, sizeof dir, "%s.sig", ledger) >= sizeof dir)
        return vp_error_set(err, VP_ERR_USAGE, "%s: ledger path too long", ledger);
    vp_status st = vp_ledger_signature_path(ledger, seq, path, sizeof path, err);
    if (st)
        return st;
    if (mkdir(dir, 0755) && errno != EEXIST)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
    if ((st = vp_cms_sign_detached(signer, line, len, time, VP_CMS_DEFAULT, &der, &der_len, err))) {
        vp_error_prefix(err, "signing ledger line %lld", seq);
        return st;
    }
    if (!(st = vp_output_open(path, &o, err))) {
        if (fwrite(der, 1, der_len, vp_output_stream(o)) != der_len) {
            vp_output_abort(o);
            st = vp_error_set(err, VP_ERR_IO, "%s: write failed", path);
        } else {
            st = vp_output_commit(o, err);
        }
    }
    free(der);
    return st ? st : vp_sync_dir(dir, err);
}

/* Checks the signature of one line; VP_ERR_CHECK naming the line and the file. */
static vp_status check_line_signature(const char *ledger, long long seq, const char *line, size_t len,
                                      const char *trust, vp_error *err)
{
    char path[4200];
    char *der = NULL;
    size_t der_len = 0;
    vp_cms_verdict v;
    vp_error e = {0};
    vp_status st = vp_ledger_signature_path(ledger, seq, path, sizeof path, err);
    if (st)
        return st;
    if (vp_read_file(path, &der, &der_len, &e))
        return vp_error_set(err, VP_ERR_CHECK, "%s: line %lld: signature missing or unreadable: %s", ledger, seq,
                            e.message);
    st = vp_cms_verify_detached((const unsigned char *)der, der_len, line, len, trust, &v, &e);
    free(der);
    if (st == VP_ERR_NOMEM)
        return vp_error_set(err, st, "out of memory");
    if (st)
        return vp_error_set(err, VP_ERR_CHECK, "%s: line %lld: signature %s does not verify: %s", ledger, seq, path,
                            e.message);
    return VP_OK;
}

vp_status vp_ledger_verify_signed(const char *path, const char *trust_ca_path, vp_ledger_report *out, vp_error *err)
{
    vp_ledger_report rep;
    char *data = NULL;
    size_t len = 0;
    if (!trust_ca_path)
        return vp_error_set(err, VP_ERR_USAGE, "%s: checking ledger signatures needs a trust anchor", path);
    vp_status st = vp_ledger_verify(path, &rep, err);
    if (out)
        *out = rep;
    if (st || (st = vp_read_file(path, &data, &len, err)))
        return st;
    /* vp_ledger_verify passed: the file is whole lines, each ending in '\n'. */
    const char *p = data, *end = data + len;
    for (long long seq = 1; p < end && !st; seq++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            st = vp_error_set(err, VP_ERR_CHECK, "%s: changed while it was being verified", path);
            break;
        }
        size_t n = (size_t)(nl - p) + 1;
        if ((st = check_line_signature(path, seq, p, n, trust_ca_path, err)) == VP_ERR_CHECK && out)
            out->bad_line = seq;
        p += n;
    }
    free(data);
    return st;
}
