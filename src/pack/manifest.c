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

vp_status vpk_write_bytes(const char *path, const void *data, size_t len, vp_error *err)
{
    FILE *fp = fopen(path, "wbx");
    if (!fp)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    int bad = len && fwrite(data, 1, len, fp) != len;
    if (fclose(fp) || bad)
        return vp_error_set(err, VP_ERR_IO, "%s: write failed", path);
    return VP_OK;
}

vp_status vpk_copy_file(const char *src, const char *dst, vp_error *err)
{
    char *data = NULL;
    size_t len = 0;
    vp_status st = vp_read_file(src, &data, &len, err);
    if (!st)
        st = vpk_write_bytes(dst, data, len, err);
    free(data);
    return st;
}

static const char readme_text[] =
    "vaultproof evidence bundle\n"
    "==========================\n\n"
    "Contents\n"
    "  raw/        the Azure Resource Manager responses the evidence was built from\n"
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
    "  vaultproof verify BUNDLE.tar.gz --trust ca.pem [--tsa-trust tsa-ca.pem] [--ledger ledger.jsonl]\n";

vp_status vpk_write_readme(const char *staging, vp_error *err)
{
    char path[4096];
    vp_status st = vpk_join(path, sizeof path, staging, "README.txt", err);
    return st ? st : vpk_write_bytes(path, readme_text, sizeof readme_text - 1, err);
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
    vp_jw_kstring(w, "previous_bundle_sha256", m->previous_bundle_sha256);
    /* signed, so removing manifest.json.tsr or the tokens later is detected */
    vp_jw_kbool(w, "timestamped", m->timestamped);
}

/* One compact line per file: {"path":..., "size":..., "sha256":...}; the hashes are kept
 * for SHA256SUMS, so ~1.7 GB is not read and hashed twice. */
static vp_status file_entries(vp_jsonw *w, const char *staging, char **paths, size_t n, char (*sha)[65],
                              vp_error *err)
{
    vp_jw_key(w, "files");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        const char *hex = sha[i];
        struct stat sb;
        snprintf(full, sizeof full, "%s/%s", staging, paths[i]);
        vp_status st = vp_sha256_file(full, sha[i], err);
        if (st)
            return st;
        if (stat(full, &sb))
            return vp_error_set(err, VP_ERR_IO, "%s: %s", full, strerror(errno));
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "path", paths[i]);
        vp_jw_kint(w, "size", (long long)sb.st_size);
        vp_jw_kstring(w, "sha256", hex);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    return VP_OK;
}

void vpk_file_hashes_free(vpk_file_hashes *h)
{
    vpk_free_list(h->paths, h->count);
    free(h->sha);
    memset(h, 0, sizeof *h);
}

vp_status vpk_write_manifest(const char *staging, const vpk_manifest_meta *meta, vpk_file_hashes *hashes,
                             vp_error *err)
{
    char **paths = NULL, path[4096];
    size_t n = 0;
    memset(hashes, 0, sizeof *hashes);
    vp_status st = vpk_list_files(staging, &paths, &n, err);
    if (st)
        return st;
    char (*sha)[65] = calloc(n + 1, sizeof *sha);
    if (!sha) {
        vpk_free_list(paths, n);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    snprintf(path, sizeof path, "%s/%s", staging, VP_BUNDLE_MANIFEST);
    FILE *fp = fopen(path, "wbx");
    vp_jsonw *w = malloc(sizeof *w); /* 64 KiB buffer: not on the stack */
    if (!fp || !w) {
        st = vp_error_set(err, fp ? VP_ERR_NOMEM : VP_ERR_IO, "%s: cannot create", path);
    } else {
        vp_jw_init(w, fp);
        vp_jw_object(w, VP_JW_PRETTY);
        meta_fields(w, meta);
        st = file_entries(w, staging, paths, n, sha, err);
        vp_jw_end(w);
        if (!st)
            st = vp_jw_finish(w, path, err);
    }
    if (fp && fclose(fp) && !st)
        st = vp_error_set(err, VP_ERR_IO, "%s: write failed", path);
    free(w);
    *hashes = (vpk_file_hashes){paths, sha, n};
    if (st)
        vpk_file_hashes_free(hashes);
    return st;
}

/* The hash of rel when the manifest already computed it, else NULL. */
static const char *known_hash(const vpk_file_hashes *h, const char *rel)
{
    size_t lo = 0, hi = h ? h->count : 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(h->paths[mid], rel);
        if (!c)
            return h->sha[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

vp_status vpk_write_sums(const char *staging, const vpk_file_hashes *known, vp_error *err)
{
    char **paths = NULL, path[4096];
    size_t n = 0;
    vp_status st = vpk_list_files(staging, &paths, &n, err);
    if (st)
        return st;
    snprintf(path, sizeof path, "%s/%s", staging, VP_BUNDLE_SUMS);
    FILE *fp = fopen(path, "wbx");
    if (!fp)
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    for (size_t i = 0; !st && i < n; i++) {
        char full[4096], hex[65];
        if (!strcmp(paths[i], VP_BUNDLE_SIGNATURE))
            continue;
        snprintf(full, sizeof full, "%s/%s", staging, paths[i]);
        const char *have = known_hash(known, paths[i]);
        if (have)
            memcpy(hex, have, sizeof hex);
        else
            st = vp_sha256_file(full, hex, err);
        if (!st)
            fprintf(fp, "%s  %s\n", hex, paths[i]); /* two spaces: text mode, as sha256sum writes */
    }
    if (fp && (fclose(fp) && !st))
        st = vp_error_set(err, VP_ERR_IO, "%s: write failed", path);
    vpk_free_list(paths, n);
    return st;
}
