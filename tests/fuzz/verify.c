/* A bundle (.tar.gz) through vp_verify_bundle with a fixed trust anchor: the CA of the
 * demo keys made for the fuzz run (VP_FUZZ_TRUST, else the path compiled in as
 * VP_FUZZ_TRUST_DEFAULT; without the file the trust check simply fails).
 * Oracle, when a bundle verifies: read again on its own, it has one top folder; its
 * manifest.json carries a valid signature chaining to the anchor; and the files below
 * the top folder, apart from manifest.json, manifest.json.p7s, SHA256SUMS,
 * SHA256SUMS.p7s and manifest.json.tsr, are exactly the signed manifest's list, each with its size and
 * SHA-256; and its bytes are the canonical ones pack writes. Anything else is a false
 * accept: abort(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "vaultproof/archive.h"
#include "vaultproof/cms.h"
#include "vaultproof/json.h"
#include "vaultproof/pack.h"
#include "vaultproof/verify.h"

typedef struct {
    char *name, sha[65];
    unsigned long long size;
    int listed;
} seen_file;

typedef struct {
    char top[VP_ARCHIVE_MAX_NAME + 1];
    int tops;
    seen_file *files;
    size_t count;
    unsigned char *manifest, *signature;
    size_t manifest_len, signature_len;
} bundle_view;

static const char *below_top(const char *name)
{
    const char *slash = strchr(name, '/');
    return slash ? slash + 1 : NULL;
}

static vp_status keep(const vp_archive_entry *e, int *keep_it, void *ctx, vp_error *err)
{
    (void)ctx;
    (void)err;
    const char *rel = below_top(e->name);
    *keep_it = rel && e->size < (64u << 20) &&
               (!strcmp(rel, VP_BUNDLE_MANIFEST) || !strcmp(rel, VP_BUNDLE_SIGNATURE));
    return VP_OK;
}

static vp_status on_entry(const vp_archive_entry *e, const char *sha256, unsigned char **data, size_t len,
                          void *ctx, vp_error *err)
{
    bundle_view *b = ctx;
    const char *rel = below_top(e->name);
    size_t toplen = rel ? (size_t)(rel - 1 - e->name) : strlen(e->name);
    if (!b->tops || strlen(b->top) != toplen || strncmp(b->top, e->name, toplen)) {
        b->tops++;
        snprintf(b->top, sizeof b->top, "%.*s", (int)toplen, e->name);
    }
    if (e->kind != VP_ARCHIVE_FILE || !rel)
        return VP_OK;
    seen_file *grown = realloc(b->files, (b->count + 1) * sizeof *grown);
    if (!grown)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    b->files = grown;
    seen_file *f = &b->files[b->count];
    if (!(f->name = strdup(rel)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    b->count++;
    snprintf(f->sha, sizeof f->sha, "%s", sha256);
    f->size = e->size;
    f->listed = 0;
    unsigned char **dst = !strcmp(rel, VP_BUNDLE_MANIFEST) ? &b->manifest : &b->signature;
    size_t *dst_len = dst == &b->manifest ? &b->manifest_len : &b->signature_len;
    if (*data && !*dst) { /* take the kept content */
        *dst = *data;
        *data = NULL;
        *dst_len = len;
    }
    return VP_OK;
}

static int unsigned_part(const char *rel)
{
    return !strcmp(rel, VP_BUNDLE_MANIFEST) || !strcmp(rel, VP_BUNDLE_SIGNATURE) || !strcmp(rel, VP_BUNDLE_SUMS) ||
           !strcmp(rel, VP_BUNDLE_TSR) || !strcmp(rel, VP_BUNDLE_SUMS_SIGNATURE);
}

/* The oracle: every statement is what a verified bundle promises an auditor. */
static void check_verified(const char *path, const char *trust)
{
    bundle_view b = {0};
    vp_error err = {0};
    cJSON *m = NULL;
    vp_cms_verdict cms;
    vp_archive_form form;

    vp_status st = vp_archive_scan(path, keep, on_entry, &b, &form, &err);
    if (st == VP_ERR_NOMEM)
        goto done;
    if (st)
        vp_fuzz_fail("verify", "verified, but the archive does not read: %s", err.message);
    if (form.deviation[0])
        vp_fuzz_fail("verify", "verified, but the archive is not in the form pack writes: %s", form.deviation);
    if (b.tops != 1)
        vp_fuzz_fail("verify", "verified, but the archive has %d top folders", b.tops);
    if (!b.manifest || !b.signature)
        vp_fuzz_fail("verify", "verified without manifest.json or its signature");
    if (vp_cms_verify_detached(b.signature, b.signature_len, b.manifest, b.manifest_len, trust, &cms, &err))
        vp_fuzz_fail("verify", "verified, but the manifest signature does not check: %s", err.message);
    if (vp_json_parse("manifest.json", (const char *)b.manifest, b.manifest_len, &m, &err))
        vp_fuzz_fail("verify", "verified, but manifest.json is not strict JSON: %s", err.message);
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
    if (!cJSON_IsArray(files))
        vp_fuzz_fail("verify", "verified, but the manifest has no file list");
    for (const cJSON *e = files->child; e; e = e->next) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(e, "size");
        const cJSON *sha = cJSON_GetObjectItemCaseSensitive(e, "sha256");
        if (!cJSON_IsString(p) || !cJSON_IsNumber(size) || !cJSON_IsString(sha))
            vp_fuzz_fail("verify", "verified, but a manifest entry lacks path, size or sha256");
        seen_file *f = NULL;
        for (size_t i = 0; i < b.count && !f; i++)
            if (!strcmp(b.files[i].name, p->valuestring))
                f = &b.files[i];
        if (!f || unsigned_part(f->name))
            vp_fuzz_fail("verify", "verified, but signed file %s is not in the bundle", p->valuestring);
        if (f->listed++)
            vp_fuzz_fail("verify", "verified, but %s is listed twice", f->name);
        if ((double)f->size != size->valuedouble || strcmp(f->sha, sha->valuestring))
            vp_fuzz_fail("verify", "verified, but %s differs from its signed size or SHA-256", f->name);
    }
    for (size_t i = 0; i < b.count; i++)
        if (!b.files[i].listed && !unsigned_part(b.files[i].name))
            vp_fuzz_fail("verify", "verified, but %s is in the bundle and not signed", b.files[i].name);
done:
    cJSON_Delete(m);
    for (size_t i = 0; i < b.count; i++)
        free(b.files[i].name);
    free(b.files);
    free(b.manifest);
    free(b.signature);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *trust = vp_fuzz_trust();

    const char *path = vp_fuzz_file("bundle.tar.gz", data, size);
    vp_verify_report *rep = calloc(1, sizeof *rep);
    vp_error err = {0};
    if (!rep)
        return 0;
    if (vp_verify_bundle(path, trust, NULL, NULL, rep, &err) == VP_OK) {
        if (!trust)
            vp_fuzz_fail("verify", "verified without a trust anchor");
        check_verified(path, trust);
    }
    free(rep);
    return 0;
}
