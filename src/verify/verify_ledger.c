/* vp_verify_ledger: the chain, each line's signature, and every bundle in the archive. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vaultproof/audit.h"
#include "vaultproof/blob.h"
#include "vaultproof/fileio.h"
#include "vaultproof/ledger.h"
#include "vaultproof/verify.h"

static void __attribute__((format(printf, 4, 0))) add_line(char (*lines)[512], size_t *count, size_t *dropped,
                                                           const char *fmt, va_list ap)
{
    if (*count == VP_AUDIT_MAX_LINES) {
        (*dropped)++;
        return;
    }
    vsnprintf(lines[(*count)++], 512, fmt, ap);
}

__attribute__((format(printf, 2, 3))) static void problem(vp_ledger_audit *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(a->problems, &a->problem_count, &a->problems_dropped, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void note(vp_ledger_audit *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(a->notes, &a->note_count, &a->notes_dropped, fmt, ap);
    va_end(ap);
}

/* One recorded bundle: present -> verified in full and matched against its line. The
 * ledger itself (chain and signatures) was verified once by the caller, so the bundle
 * is checked without it and matched here. */
static vp_status check_recorded(vp_ledger_audit *a, const char *dir, const vp_ledger_entry *e, const char *trust,
                                vp_error *err)
{
    char path[4400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, e->bundle);
    if (lstat(path, &sb) && errno == ENOENT) {
        a->bundles_missing++;
        note(a, "line %lld: %s is not beside the ledger (not checked)", e->seq, e->bundle);
        return VP_OK;
    }
    vp_verify_report *rep = calloc(1, sizeof *rep);
    if (!rep)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vp_error berr = {0};
    vp_status st = vp_verify_bundle(path, trust, NULL, NULL, rep, &berr);
    if (st == VP_ERR_NOMEM || st == VP_ERR_IO) {
        free(rep);
        *err = berr;
        return st;
    }
    int bad = st != VP_OK;
    if (st && st != VP_ERR_CHECK)
        problem(a, "line %lld: %s: %s", e->seq, e->bundle, berr.message);
    for (size_t i = 0; i < rep->problem_count; i++)
        problem(a, "line %lld: %s: %s", e->seq, e->bundle, rep->problems[i]);
    if (rep->bundle_sha256[0] && strcmp(rep->bundle_sha256, e->bundle_sha256)) {
        bad = 1;
        problem(a, "line %lld: %s: its SHA-256 is %s; the line records %s", e->seq, e->bundle, rep->bundle_sha256,
                e->bundle_sha256);
    } else if (!st && strcmp(rep->manifest_sha256, e->manifest_sha256)) {
        bad = 1;
        problem(a, "line %lld: %s: manifest_sha256 differs from the bundle's manifest.json", e->seq, e->bundle);
    }
    if (bad)
        a->bundles_failed++;
    else
        a->bundles_verified++;
    free(rep);
    return VP_OK;
}

/* Visible bundles (NAME.tar.gz, not hidden) that no line records. */
static vp_status check_unrecorded(vp_ledger_audit *a, const char *dir, const vp_ledger_entry *v, size_t n,
                                  vp_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 8 || strcmp(de->d_name + len - 7, ".tar.gz"))
            continue;
        if (!vp_ledger_entry_by_bundle(v, n, de->d_name)) {
            a->bundles_unrecorded++;
            problem(a, "%s/%s: a bundle that the ledger does not record", dir, de->d_name);
        }
    }
    closedir(d);
    return VP_OK;
}

vp_status vp_verify_ledger(const char *ledger, const char *trust_ca, vp_ledger_audit *out, vp_error *err)
{
    char dir[4096];
    vp_ledger_report rep;
    vp_ledger_entry *v = NULL;
    size_t n = 0;
    vp_error lerr = {0};
    memset(out, 0, sizeof *out);
    if (!trust_ca)
        return vp_error_set(err, VP_ERR_USAGE, "verifying a ledger needs --trust CA.pem (its lines are signed)");
    vp_status st = vp_ledger_verify_signed(ledger, trust_ca, &rep, &lerr);
    if (st == VP_ERR_CHECK) {
        problem(out, "%s", lerr.message);
        return vp_error_set(err, VP_ERR_CHECK, "%s: the ledger does not verify", ledger);
    }
    if (st) {
        *err = lerr;
        return st;
    }
    if ((st = vp_ledger_entries(ledger, &v, &n, err)))
        return st;
    out->chain_ok = 1;
    out->entries = (long long)n;
    vp_path_dir(ledger, dir, sizeof dir);
    for (size_t i = 0; i < n && !st; i++)
        st = check_recorded(out, dir, &v[i], trust_ca, err);
    if (!st)
        st = check_unrecorded(out, dir, v, n, err);
    free(v);
    if (!st && out->problem_count + out->problems_dropped)
        st = vp_error_set(err, VP_ERR_CHECK, "%s: %zu problem(s) found", ledger,
                          out->problem_count + out->problems_dropped);
    return st;
}

/* Lines that name the private download directory name the container instead. */
static void relabel(vp_ledger_audit *a, const char *tmp, const char *label)
{
    char (*sets[2])[512] = {a->problems, a->notes};
    size_t counts[2] = {a->problem_count, a->note_count}, tl = strlen(tmp);
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < counts[s]; i++) {
            char *hit = strstr(sets[s][i], tmp), line[4096];
            if (!hit)
                continue;
            /* built whole, then cut to the line's size */
            snprintf(line, sizeof line, "%.*s%s%s", (int)(hit - sets[s][i]), sets[s][i], label, hit + tl);
            size_t n = strlen(line) < sizeof sets[s][i] ? strlen(line) : sizeof sets[s][i] - 1;
            memcpy(sets[s][i], line, n);
            sets[s][i][n] = '\0';
        }
}

vp_status vp_verify_ledger_url(const char *url, const vp_az_client_options *az, const char *trust_ca,
                               vp_ledger_audit *out, vp_error *err)
{
    vp_blob_url u;
    vp_az_client *c = NULL;
    vp_az_client_options o = *az;
    char tmp[4096], ledger[4200], label[1700];
    size_t ignored = 0;
    long long seq = 0;
    memset(out, 0, sizeof *out);
    if (!trust_ca)
        return vp_error_set(err, VP_ERR_USAGE, "verifying a ledger needs --trust CA.pem (its lines are signed)");
    if (az->sas_env && az->token_file)
        return vp_error_set(err, VP_ERR_USAGE, "verify: --archive-sas-env and --archive-token-file are two ways to "
                            "authenticate to the container: give one");
    vp_status st = vp_blob_url_parse(url, &u, err);
    if (st)
        return st;
    vp_blob_url_label(&u, label, sizeof label);
    o.resource = "https://storage.azure.com";
    const char *base = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/vaultproof-ledger-XXXXXX", base && *base ? base : "/tmp");
    if ((st = vp_az_client_new(&o, &c, err)))
        return st;
    if (!mkdtemp(tmp)) { /* 0700: what is downloaded is the caller's alone */
        vp_az_client_free(c);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create a private directory: %s", tmp, strerror(errno));
    }
    st = vp_blob_fetch_archive(c, &u, tmp, &ignored, &seq, err);
    vp_az_client_free(c);
    if (st == VP_ERR_CHECK)
        problem(out, "%s", err->message);
    snprintf(ledger, sizeof ledger, "%s/ledger.jsonl", tmp);
    if (!st) {
        st = vp_verify_ledger(ledger, trust_ca, out, err);
        relabel(out, tmp, label);
        /* the snapshot's name says how many lines it holds: a shorter one put under a
         * newer name would hide the lines after it */
        if (out->chain_ok && out->entries != seq) {
            problem(out, "%s/" VP_BLOB_LEDGER_DIR "/ledger.%06lld.jsonl holds %lld line(s), not %lld", label, seq,
                    out->entries, seq);
            if (st == VP_OK)
                st = vp_error_set(err, VP_ERR_CHECK, "%s: the ledger snapshot does not match its name", label);
        }
    }
    if ((!st || st == VP_ERR_CHECK) && ignored)
        note(out, "%s: %zu other blob(s) under the prefix were not read (older ledger snapshots or not part of the "
             "archive layout)", label, ignored);
    vp_error rerr = {0};
    vp_status rst = vp_remove_tree(tmp, &rerr);
    if (!st && rst) {
        *err = rerr;
        st = rst;
    }
    return st;
}
