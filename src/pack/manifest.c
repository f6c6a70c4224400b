/* File trees for the bundle: listing, copying, removing, and the manifest + SHA256SUMS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack/pack_internal.h"
#include "vaultproof/cms.h"
#include "vaultproof/fileio.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/pack.h"
#include "vaultproof/seal.h"
#include "vaultproof/render.h"
#include "vaultproof/tsa.h"
#include "vaultproof/version.h"

vp_status vpk_join(char *out, size_t size, const char *a, const char *b, vp_error *err)
{
    if ((size_t)snprintf(out, size, "%s/%s", a, b) >= size)
        return vp_error_set(err, VP_ERR_INPUT, "%s/%s: path too long", a, b);
    return VP_OK;
}

vp_status vpk_make_parents(const char *root, const char *rel, vp_error *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, rel) >= sizeof path)
        return vp_error_set(err, VP_ERR_INPUT, "%s/%s: path too long", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        if (mkdir(path, 0755) && errno != EEXIST)
            return vp_error_set(err, VP_ERR_IO, "%s: cannot create directory: %s", path, strerror(errno));
        *p = '/';
    }
    return VP_OK;
}

vp_status vpk_staged_copy(vpk_staging *staging, const char *src, const char *rel, vp_error *err)
{
    char *data = NULL;
    size_t len = 0;
    vp_status st = vp_read_file(src, &data, &len, err);
    if (!st)
        st = vpk_staged_write(staging, rel, data, len, err);
    free(data);
    return st;
}

/* README.txt: the layout, the CA to trust, the steps (vp_render_verify_text: the list the
 * report and the workbook print too, every command one "$ " line for POSIX sh with what
 * it must print on "  -> " lines; tests/integration/test_literal_steps.py runs them as
 * printed on a good bundle and on tampered ones) and what the times mean. */
static void readme_contents(FILE *fp)
{
    fputs("Contents\n"
          "  raw/        the Azure Resource Manager responses the evidence was built from\n"
          "  seal/       only when the responses were sealed when they were captured: the\n"
          "              recording's seal (every raw/ file's SHA-256, the capture window) and\n"
          "              its CMS signature (manifest.json \"recording\" says sealed or not)\n"
          "  config/     vaultproof.json: the configuration the findings were evaluated with\n"
          "              (signer left out); vaultproof reperform re-derives data/ from it and raw/\n"
          "  data/       snapshot.json, findings.json, assessment-results.json (NIST OSCAL); with a\n"
          "              period (manifest.json \"period_window\"), jobs.jsonl: every backup job of\n"
          "              the period, one JSON line each, and jobs.csv: the same as CSV (RFC 4180)\n"
          "  report/     report.pdf (the evidence report, with its own embedded PAdES signature),\n"
          "              workbook.xlsx (full populations)\n"
          "  certs/      signer.pem (and chain.pem): the certificate that signed this bundle\n"
          "  manifest.json      every file written before it, with its size and SHA-256, and what\n"
          "                     was packed (signed by manifest.json.p7s)\n"
          "  manifest.json.p7s  detached CMS signature (DER) over manifest.json\n"
          "  manifest.json.tsr  only when time-stamped (manifest.json says \"timestamped\": true):\n"
          "                     an RFC 3161 time-stamp response over the bytes of manifest.json.p7s\n"
          "  SHA256SUMS         sha256sum list of every file except itself and SHA256SUMS.p7s\n"
          "  SHA256SUMS.p7s     detached CMS signature (DER) over SHA256SUMS, same signer\n\n",
          fp);
}

static void readme_anchor(FILE *fp, const vp_trust_anchor *a)
{
    fputs("The CA to trust\n", fp);
    if (a && a->known)
        fprintf(fp,
                "  The bundle was signed under this CA. Obtain its certificate from the signer's\n"
                "  organization, not from this bundle (certs/ holds only what the signer sent), save it\n"
                "  as ca.pem, and compare its fingerprint with the one below (step 1). Subject:\n"
                "    %s\n"
                "  SHA-256 fingerprint:\n"
                "    %s\n\n",
                a->subject, a->sha256_fingerprint);
    else
        fputs("  pack was not told which CA issued the signer. Obtain the CA certificate and its SHA-256\n"
              "  fingerprint from the signer's organization, not from this bundle, save the certificate\n"
              "  as ca.pem, and check in step 1 that the fingerprint printed is the one they gave you.\n\n",
              fp);
}

static void readme_times(FILE *fp)
{
    fputs("Times\n"
          "  When the data was read: manifest.json \"collection\" captured_from .. captured_to: the\n"
          "  earliest request and the latest response of the capture, as each response's sidecar in\n"
          "  raw/ records them (beside the response's own Date header, ARM's clock).\n"
          "  When the bundle was signed: the signing times (the .p7s files, the PDF's /M,\n"
          "  \"generated_at\") are pack's clock; when manifest.json says \"clock\": {\"pinned\": true}\n"
          "  they are a pinned time, not when the signatures were made, and only an RFC 3161\n"
          "  time-stamp (manifest.json.tsr) shows when the bundle existed (vaultproof verify then\n"
          "  shows \"clock  WARNING\" unless a time-stamp backs it).\n",
          fp);
}

vp_status vpk_write_readme(vpk_staging *staging, const vpk_readme_facts *facts, vp_error *err)
{
    char *data = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&data, &len);
    if (!fp)
        return vp_error_set(err, VP_ERR_NOMEM, "README.txt: cannot start: out of memory");
    int title = fprintf(fp, "vaultproof evidence bundle %s\n", facts->stem) - 1;
    for (int i = 0; i < title; i++) /* underlined as long as the title */
        fputc('=', fp);
    fputs("\n\n", fp);
    readme_contents(fp);
    readme_anchor(fp, facts->anchor);
    fputs("How to verify, step by step, with standard tools\n", fp);
    /* the steps the report and the workbook print too: one list (render) */
    vp_status st = vp_render_verify_text(fp, facts->stem, facts->anchor && facts->anchor->known
                                                              ? facts->anchor->sha256_fingerprint : NULL,
                                         facts->timestamped, err);
    fputc('\n', fp);
    readme_times(fp);
    if (facts->sample)
        vpk_readme_sample(fp, facts->sample);
    if (fclose(fp) && !st)
        st = vp_error_set(err, VP_ERR_NOMEM, "README.txt: out of memory");
    if (st) {
        free(data);
        return st;
    }
    st = vpk_staged_write(staging, "README.txt", data, len, err);
    free(data);
    return st;
}

/* Whether raw/ was sealed at capture, so integrity reaches back before pack: an
 * unsealed replay's raw/ is only proven from generated_at (docs/replay-format.md). */
/* "archive_container": the container the bundle is uploaded to (its URL without query)
 * and its immutability policy as ARM reported it before this manifest was signed; a
 * warning when it is not a locked time-based policy. */
static void archive_member(vp_jsonw *w, const vpk_archive_record *a)
{
    char at[32];
    vp_time_format(a->checked_at, at, sizeof at);
    vp_jw_key(w, "archive_container");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "url", a->label);
    vp_jw_kstring(w, "storage_account_id", a->account_id);
    vp_jw_key(w, "immutability");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "state", a->policy.has_policy ? a->policy.state : "None");
    vp_jw_kint(w, "days", a->policy.days);
    vp_jw_kbool(w, "allow_protected_append_writes", a->policy.allow_protected_append_writes);
    vp_jw_kbool(w, "version_level", a->policy.version_level);
    vp_jw_end(w);
    vp_jw_kstring(w, "checked_at", at);
    vp_jw_kstring(w, "warning", a->warning[0] ? a->warning : NULL);
    vp_jw_end(w);
}

static void recording_member(vp_jsonw *w, const vpk_manifest_meta *m)
{
    vp_jw_key(w, "recording");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kbool(w, "sealed", m->sealed);
    vp_jw_kstring(w, "seal", m->sealed ? "seal/" VP_SEAL_DOC : NULL);
    if (m->sealed) {
        vp_jw_kstring(w, "sealed_by", m->sealed_by);
        vp_jw_kstring(w, "sealed_at", m->sealed_at);
        vp_jw_kstring(w, "captured_from", m->sealed_from);
        vp_jw_kstring(w, "captured_to", m->sealed_to);
    }
    vp_jw_end(w);
}

static void meta_fields(vp_jsonw *w, const vpk_manifest_meta *m)
{
    vp_jw_kstring(w, "format", VP_MANIFEST_FORMAT);
    vp_jw_kstring(w, "organization", m->organization);
    vp_jw_kstring(w, "period", m->period);
    if (m->period_window) { /* absent in bundles packed without a period, and before */
        char from[32], to[32];
        vp_time_format(m->period_window->from, from, sizeof from);
        vp_time_format(m->period_window->to, to, sizeof to);
        vp_jw_key(w, "period_window");
        vp_jw_object(w, VP_JW_PRETTY);
        vp_jw_kstring(w, "from", from);
        vp_jw_kstring(w, "to", to);
        vp_jw_end(w);
    }
    vp_jw_kstring(w, "request_id", m->request_id);
    vp_jw_kstring(w, "generated_at", m->generated_at);
    vp_jw_tool(w, VP_JW_PRETTY, m->tool_version, m->tool_commit);
    vp_jw_kstring(w, "catalog_version", m->catalog_version);
    vp_jw_kstring(w, "config_sha256", m->config_sha256);
    vp_jw_kstring(w, "signer", m->signer_subject);
    /* which kind of key signed (a file, a token, Key Vault) and what names it: signed, so
     * an auditor can rely on "the key never left the HSM" as evidence */
    vp_jw_key(w, "signer_key");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "kind", m->signer_key_kind);
    vp_jw_kstring(w, "ref", m->signer_key_ref && m->signer_key_ref[0] ? m->signer_key_ref : NULL);
    vp_jw_end(w);
    vp_jw_key(w, "collection");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "captured_from", m->captured_from);
    vp_jw_kstring(w, "captured_to", m->captured_to);
    vp_jw_kbool(w, "complete", m->complete);
    vp_jw_kbool(w, "verified", m->verified);
    vp_jw_end(w);
    vp_jw_kstring(w, "result", m->result);
    vp_jw_kint(w, "failing_findings", m->failing_findings);
    vp_jw_kstring(w, "previous_bundle_sha256", m->previous_bundle_sha256);
    /* signed, so removing manifest.json.tsr or the tokens later is detected */
    vp_jw_kbool(w, "timestamped", m->timestamped);
    /* whether generated_at and the signatures' claimed times are a pinned clock's rather
     * than when pack ran: verify warns when they are and no time-stamp backs them */
    vp_jw_key(w, "clock");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kbool(w, "pinned", m->clock_pinned);
    vp_jw_kstring(w, "source", m->clock_source);
    vp_jw_end(w);
    recording_member(w, m);
    /* the file config_sha256 is the hash of, and what re-performance evaluates with */
    vp_jw_kstring(w, "config_file", m->config_file);
    /* SHA256SUMS is signed too, so the standard-tool path (README.txt) is sound: an
     * older bundle has no such member, and verify says so */
    vp_jw_kstring(w, "sums_signature", VP_BUNDLE_SUMS_SIGNATURE);
    /* the CA README.txt tells the auditor to trust, by fingerprint; null when pack was
     * not told it */
    vp_jw_key(w, "trust_anchor");
    if (m->anchor && m->anchor->known) {
        vp_jw_object(w, VP_JW_PRETTY);
        vp_jw_kstring(w, "subject", m->anchor->subject);
        vp_jw_kstring(w, "sha256_fingerprint", m->anchor->sha256_fingerprint);
        vp_jw_end(w);
    } else {
        vp_jw_null(w);
    }
    if (m->archive)
        archive_member(w, m->archive);
}

/* One compact line per file: {"path":..., "size":..., "sha256":...}, with the hashes
 * recorded when the files were written (so ~1.7 GB is not read again, and what is cited
 * is what pack wrote, whatever happened to the files since). */
static vp_status file_entries(vp_jsonw *w, vpk_staging *staging, char **paths, size_t n, vp_error *err)
{
    vp_jw_key(w, "files");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        long long size = 0;
        vp_status st = vpk_staged_hash(staging, paths[i], hex, &size, err);
        if (st)
            return st;
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "path", paths[i]);
        vp_jw_kint(w, "size", size);
        vp_jw_kstring(w, "sha256", hex);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    return VP_OK;
}

/* A document built in memory (open_memstream), then staged with its hash recorded. */
typedef struct {
    char *data;
    size_t len;
    FILE *fp;
} membuf;

static vp_status mem_open(membuf *m, const char *shown, vp_error *err)
{
    m->data = NULL;
    m->len = 0;
    if (!(m->fp = open_memstream(&m->data, &m->len)))
        return vp_error_set(err, VP_ERR_NOMEM, "%s: cannot start: out of memory", shown);
    return VP_OK;
}

/* Closes the stream; on success m->data holds the document (caller frees). */
static vp_status mem_close(membuf *m, vp_status st, const char *shown, vp_error *err)
{
    if (fclose(m->fp) && !st)
        st = vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", shown);
    if (st) {
        free(m->data);
        m->data = NULL;
    }
    return st;
}

vp_status vpk_write_manifest(vpk_staging *staging, const vpk_manifest_meta *meta, char **data, size_t *len,
                             vp_error *err)
{
    char **paths = NULL;
    size_t n = 0;
    membuf m;
    *data = NULL;
    *len = 0;
    vp_status st = vpk_staged_list(staging, &paths, &n, err);
    if (st)
        return st;
    vp_jsonw *w = malloc(sizeof *w); /* 64 KiB buffer: not on the stack */
    if (!w || (st = mem_open(&m, VP_BUNDLE_MANIFEST, err))) {
        free(w);
        vp_list_free(paths, n);
        return st ? st : vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    vp_jw_init(w, m.fp);
    vp_jw_object(w, VP_JW_PRETTY);
    meta_fields(w, meta);
    st = file_entries(w, staging, paths, n, err);
    vp_jw_end(w);
    if (!st)
        st = vp_jw_finish(w, VP_BUNDLE_MANIFEST, err);
    free(w);
    vp_list_free(paths, n);
    if ((st = mem_close(&m, st, VP_BUNDLE_MANIFEST, err)))
        return st;
    if ((st = vpk_staged_write(staging, VP_BUNDLE_MANIFEST, m.data, m.len, err))) {
        free(m.data);
        return st;
    }
    *data = m.data;
    *len = m.len;
    return VP_OK;
}

vp_status vpk_write_sums(vpk_staging *staging, char **data, size_t *len, vp_error *err)
{
    char **paths = NULL;
    size_t n = 0;
    membuf m;
    *data = NULL;
    *len = 0;
    vp_status st = vpk_staged_list(staging, &paths, &n, err);
    if (st || (st = mem_open(&m, VP_BUNDLE_SUMS, err))) {
        vp_list_free(paths, n);
        return st;
    }
    /* every file written so far: the signatures over manifest.json included */
    for (size_t i = 0; !st && i < n; i++) {
        char hex[65];
        long long size;
        if (!strcmp(paths[i], VP_BUNDLE_SUMS) || !strcmp(paths[i], VP_BUNDLE_SUMS_SIGNATURE))
            continue;
        if (!(st = vpk_staged_hash(staging, paths[i], hex, &size, err)))
            fprintf(m.fp, "%s  %s\n", hex, paths[i]); /* two spaces: text mode, as sha256sum writes */
    }
    vp_list_free(paths, n);
    if ((st = mem_close(&m, st, VP_BUNDLE_SUMS, err)))
        return st;
    if ((st = vpk_staged_write(staging, VP_BUNDLE_SUMS, m.data, m.len, err))) {
        free(m.data);
        return st;
    }
    *data = m.data;
    *len = m.len;
    return VP_OK;
}

vp_status vpk_sign_sums(vpk_staging *staging, const vp_signer *signer, const char *data, size_t len,
                        long long signing_time, const char *tsa_url, const char *ca_bundle, vp_error *err)
{
    unsigned char *der = NULL, *stamped = NULL;
    size_t der_len = 0, stamped_len = 0;
    vp_status st = vp_cms_sign_detached(signer, data, len, signing_time, VP_CMS_DEFAULT, &der, &der_len, err);
    if (!st && tsa_url) {
        /* CAdES-T like manifest.json.p7s; no second .tsr: the token is inside */
        vp_tsa tsa = {tsa_url, ca_bundle, 0};
        if ((st = vp_cms_add_signature_timestamp(der, der_len, vp_tsa_token_fn, &tsa, &stamped, &stamped_len, err)))
            vp_error_prefix(err, "%s", VP_BUNDLE_SUMS_SIGNATURE);
        else {
            free(der);
            der = stamped;
            der_len = stamped_len;
        }
    }
    if (!st)
        st = vpk_staged_write(staging, VP_BUNDLE_SUMS_SIGNATURE, der, der_len, err);
    free(der);
    return st;
}
