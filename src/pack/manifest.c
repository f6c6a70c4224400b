/* File trees for the bundle: listing, copying, removing, and the manifest + SHA256SUMS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack/pack_internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/pack.h"
#include "vaultproof/seal.h"
#include "vaultproof/version.h"

typedef struct {
    char **items;
    size_t count, cap;
} path_list;

static vp_status push(path_list *l, const char *rel, vp_error *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        l->items = items;
        l->cap = cap;
    }
    if (!(l->items[l->count] = strdup(rel)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    l->count++;
    return VP_OK;
}

/* Recursion depth is bounded by PATH_MAX-length names; trees here are shallow. */
static vp_status walk(const char *root, const char *rel, path_list *l, vp_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    vp_status st = VP_OK;
    struct dirent *de;
    while (!st && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char child[4096], full[4096];
        struct stat sb;
        if ((size_t)snprintf(child, sizeof child, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof child) {
            st = vp_error_set(err, VP_ERR_INPUT, "%s/%s: path too long", dir, de->d_name);
            break;
        }
        if ((st = vpk_join(full, sizeof full, root, child, err)))
            break;
        if (lstat(full, &sb))
            st = vp_error_set(err, VP_ERR_IO, "%s: %s", full, strerror(errno));
        else if (S_ISDIR(sb.st_mode))
            st = walk(root, child, l, err);
        else if (S_ISREG(sb.st_mode))
            st = push(l, child, err);
        else
            st = vp_error_set(err, VP_ERR_INPUT, "%s: not a regular file or directory (symlinks are refused)", full);
    }
    closedir(d);
    return st;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

vp_status vpk_list_files(const char *root, char ***paths, size_t *count, vp_error *err)
{
    path_list l = {0};
    vp_status st = walk(root, "", &l, err);
    if (st) {
        vpk_free_list(l.items, l.count);
        return st;
    }
    if (l.count)
        qsort(l.items, l.count, sizeof *l.items, by_bytes);
    *paths = l.items;
    *count = l.count;
    return VP_OK;
}

void vpk_free_list(char **paths, size_t count)
{
    for (size_t i = 0; paths && i < count; i++)
        free(paths[i]);
    free(paths);
}

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

static const char readme_text[] =
    "vaultproof evidence bundle\n"
    "==========================\n\n"
    "Contents\n"
    "  raw/        the Azure Resource Manager responses the evidence was built from\n"
    "  config/     vaultproof.json: the configuration the findings were evaluated with\n"
    "              (signer left out); vaultproof reperform re-derives data/ from it and raw/\n"
    "  data/       snapshot.json, findings.json, assessment-results.json (NIST OSCAL)\n"
    "  report/     report.pdf (the evidence report, with its own embedded PAdES signature),\n"
    "              workbook.xlsx (full populations)\n"
    "  certs/      signer.pem (and chain.pem): the certificate that signed the manifest\n"
    "  manifest.json      every other file with its size and SHA-256, and what was packed\n"
    "  SHA256SUMS         sha256sum list of every file except itself, manifest.json.p7s and\n"
    "                     manifest.json.tsr\n"
    "  manifest.json.p7s  detached CMS signature (DER) over manifest.json\n"
    "  manifest.json.tsr  only when time-stamped (manifest.json says \"timestamped\": true):\n"
    "                     an RFC 3161 time-stamp response over the bytes of manifest.json.p7s\n\n"
    "How to verify, step by step (in the folder this README is in)\n"
    "  1. tar -tzf BUNDLE.tar.gz             lists the files; nothing outside one top folder\n"
    "  2. sha256sum -c SHA256SUMS            every file, manifest.json included, is intact\n"
    "  3. openssl cms -verify -binary -inform DER -in manifest.json.p7s \\\n"
    "         -content manifest.json -CAfile ca.pem -purpose any -out /dev/null\n"
    "                                        the manifest was signed by a certificate that\n"
    "                                        chains to ca.pem (your trusted CA, obtained\n"
    "                                        separately - not the copy in certs/)\n"
    "  4. compare manifest.json \"files\" with the folder: every file listed, sizes and\n"
    "     SHA-256 as listed, nothing unlisted\n"
    "  5. pdfsig report/report.pdf           the report's own signature; BOTH lines must say\n"
    "                                        \"Signature Validation: Signature is Valid.\" and\n"
    "                                        \"Total document signed\" (pdfsig exits 0 even for\n"
    "                                        a digest mismatch, so read its output). For the\n"
    "                                        chain, import ca.pem into an NSS database:\n"
    "       mkdir nssdb; certutil -N -d sql:nssdb --empty-password\n"
    "       certutil -A -d sql:nssdb -n ca -t CT,C,C -i ca.pem\n"
    "       pdfsig -nssdir sql:$PWD/nssdb report/report.pdf   -> \"Certificate is Trusted.\"\n"
    "  6. mutool sign -v report/report.pdf   a second verifier: \"The document is unchanged\n"
    "                                        since signing.\"\n"
    "  7. only when manifest.json.tsr is present (tsa-ca.pem: the TSA's CA, obtained\n"
    "     separately):\n"
    "       openssl ts -verify -in manifest.json.tsr -data manifest.json.p7s -CAfile tsa-ca.pem\n"
    "                                        -> \"Verification: OK\"; the signed manifest existed\n"
    "                                        at the time openssl ts -reply -in manifest.json.tsr\n"
    "                                        -text prints. manifest.json.p7s and the PDF\n"
    "                                        signature also carry time-stamp tokens of their\n"
    "                                        own (CAdES-T / PAdES B-T) over their signature\n"
    "                                        values; vaultproof verify checks those.\n"
    "Or all of it at once:\n"
    "  vaultproof verify BUNDLE.tar.gz --trust ca.pem [--tsa-trust tsa-ca.pem] [--ledger ledger.jsonl]\n"
    "                                        -> last line \"bundle: VERIFIED\" (exit 0), else\n"
    "                                        \"bundle: NOT VERIFIED\" and what failed. The line\n"
    "                                        \"evidence result: FAIL (N failing findings)\" is\n"
    "                                        what the findings say, not the verification.\n\n"
    "Times\n"
    "  When the data was read: manifest.json \"collection\" captured_from .. captured_to, from\n"
    "  the Azure responses' own Date headers. When the bundle was signed: the signing times\n"
    "  (manifest.json.p7s, the PDF's /M, \"generated_at\") are pack's clock; when manifest.json\n"
    "  says \"clock\": {\"pinned\": true} they are a pinned time, not when the signatures were\n"
    "  made, and only an RFC 3161 time-stamp (manifest.json.tsr) shows when the bundle existed\n"
    "  (vaultproof verify then shows \"clock  WARNING\" unless a time-stamp backs it).\n";

vp_status vpk_write_readme(vpk_staging *staging, vp_error *err)
{
    return vpk_staged_write(staging, "README.txt", readme_text, sizeof readme_text - 1, err);
}

/* Whether raw/ was sealed at capture, so integrity reaches back before pack: an
 * unsealed replay's raw/ is only proven from generated_at (docs/replay-format.md). */
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
    vp_jw_kstring(w, "request_id", m->request_id);
    vp_jw_kstring(w, "generated_at", m->generated_at);
    vp_jw_tool(w, VP_JW_PRETTY, m->tool_version, m->tool_commit);
    vp_jw_kstring(w, "catalog_version", m->catalog_version);
    vp_jw_kstring(w, "config_sha256", m->config_sha256);
    vp_jw_kstring(w, "signer", m->signer_subject);
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
        vpk_free_list(paths, n);
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
    vpk_free_list(paths, n);
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

vp_status vpk_write_sums(vpk_staging *staging, vp_error *err)
{
    char **paths = NULL;
    size_t n = 0;
    membuf m;
    vp_status st = vpk_staged_list(staging, &paths, &n, err);
    if (st || (st = mem_open(&m, VP_BUNDLE_SUMS, err))) {
        vpk_free_list(paths, n);
        return st;
    }
    for (size_t i = 0; !st && i < n; i++) {
        char hex[65];
        long long size;
        if (!strcmp(paths[i], VP_BUNDLE_SIGNATURE))
            continue;
        if (!(st = vpk_staged_hash(staging, paths[i], hex, &size, err)))
            fprintf(m.fp, "%s  %s\n", hex, paths[i]); /* two spaces: text mode, as sha256sum writes */
    }
    vpk_free_list(paths, n);
    if (!(st = mem_close(&m, st, VP_BUNDLE_SUMS, err))) {
        st = vpk_staged_write(staging, VP_BUNDLE_SUMS, m.data, m.len, err);
        free(m.data);
    }
    return st;
}
