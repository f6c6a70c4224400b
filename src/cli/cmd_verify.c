/* vaultproof verify: every check of a bundle's README.txt, with a precise list of failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "vaultproof/audit.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/pack.h"
#include "vaultproof/verify.h"

static const char synopsis[] =
    "usage: vaultproof verify BUNDLE.tar.gz [--trust CA.pem] [--tsa-trust TSA-CA.pem] [--ledger FILE]\n"
    "                         [--json]\n"
    "       vaultproof verify --ledger ARCHIVE/ledger.jsonl --trust CA.pem [--json]\n"
    "       vaultproof verify --ledger https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX\n"
    "                         --trust CA.pem [--archive-sas-env NAME] [--ca-bundle FILE] [--json]\n"
    "\n"
    "Reads the bundle once as a stream and writes nothing to disk (unsafe archives - '..',\n"
    "absolute names, links, duplicates - are refused), hashing every file, and checks: the\n"
    "archive is well formed; manifest.json is present and vaultproof-manifest/1; every\n"
    "listed file is present with its size and SHA-256 and nothing is unlisted; SHA256SUMS\n"
    "agrees and covers every file; SHA256SUMS.p7s is a CMS signature over exactly\n"
    "SHA256SUMS by the manifest's signer (a bundle made before it existed says so in a\n"
    "\"note:\" line, its sums-signature row skipped); the CMS signature over manifest.json is\n"
    "valid; the signer chains to --trust; report/report.pdf carries a valid PAdES signature\n"
    "(ETSI.CAdES.detached) covering the whole file, by a signer that chains to --trust; any\n"
    "RFC 3161 time-stamp (manifest.json.tsr over manifest.json.p7s, the tokens inside\n"
    "manifest.json.p7s and SHA256SUMS.p7s, the PDF signature's token) matches what it\n"
    "stamps, is signed, and its TSA chains to --tsa-trust for time-stamping - and a bundle\n"
    "whose manifest says it is time-stamped must have all of them; with --ledger, the\n"
    "ledger verifies and records this bundle's SHA-256 and manifest. Time-stamp times\n"
    "(genTime) are printed. When manifest.json says the clock was pinned (--now,\n"
    "SOURCE_DATE_EPOCH) and no time-stamp backs the bundle, the clock row says WARNING and\n"
    "a \"warning:\" line says why (not a failure: the capture window is the evidence of when\n"
    "the data was read).\n"
    "When manifest.json says raw/ was sealed at capture (\"recording\"), the seal row checks\n"
    "seal/recording-seal.json: its CMS signature, its signer's chain to --trust (the same\n"
    "file), any time-stamp, its file list against raw/ (sizes, SHA-256) and its capture\n"
    "window against the manifest's. An unsealed replay shows \"seal WARNING (unsealed\n"
    "replay)\": raw/ is proven from pack time only (not a failure); a bundle made before\n"
    "seals gets a \"note:\" line.\n"
    "The last lines: \"evidence result: FAIL (N failing findings)\" (what the evidence\n"
    "says, from the signed manifest) and \"bundle: VERIFIED\" or \"bundle: NOT VERIFIED\"\n"
    "(whether the bundle is intact and authentic).\n"
    "The manifest signature is checked as soon as it is read; after that every entry\n"
    "must have the size the manifest declares before it is inflated, and the first\n"
    "integrity failure stops verification (later checks show skipped). Bounds: 100 times\n"
    "the compressed size, 64 GiB in all. Only the exact encoding pack writes verifies\n"
    "(gzip header, deflate stream, tar headers, order): see docs/security.md.\n"
    "\n"
    "Without a BUNDLE, audits the whole archive from its ledger: the hash chain, every\n"
    "line's signature (ledger.jsonl.sig/, against --trust), every bundle the ledger records\n"
    "that is beside it (all the checks above, and that it is the bundle its line names),\n"
    "and any *.tar.gz beside it that no line records. A recorded bundle that is not there\n"
    "(moved to other storage) is listed as a note, not a failure.\n"
    "With an archive URL (what `pack --archive-url` uploads), the archive is listed and\n"
    "downloaded into a new private temporary directory (removed afterwards) and audited the\n"
    "same way; a blob name that could write outside it ('..', absolute, backslash) fails.\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"trust", "CA.pem", 0, "trusted CA certificates. Without it the signature is still checked\n"
                           "but the signer is untrusted, and that is a failed check (exit 1):\n"
                           "the certificate inside a bundle proves nothing by itself"},
    {"tsa-trust", "FILE", 0, "trusted CA certificates of time-stamping authorities (default:\n"
                             "the --trust file, which may hold both)"},
    {"ledger", "FILE|URL", 0, "the archive's ledger.jsonl, or without a BUNDLE an archive URL\n"
                              "https://<account>.blob.core.windows.net/<container>/<prefix>\n"
                              "(docs/archive-storage.md)"},
    {"archive-sas-env", "NAME", 0, "with an archive URL: a SAS (read, list) from environment variable\n"
                                   "NAME instead of an Entra token for Storage"},
    {"archive-token-file", "FILE", 0, "with an archive URL: a token for https://storage.azure.com\n"
                                      "(`az account get-access-token` JSON) instead of the chain"},
    {"ca-bundle", "FILE", 0, "with an archive URL: PEM CA certificates for https (default: system CAs)"},
    {"authority-host", "URL", 0, "with an archive URL: Entra ID authority (default: AZURE_AUTHORITY_HOST)"},
    {"json", NULL, 0, "print the verdict as JSON on stdout"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 every check passed; 1 a check failed (each failure is listed); 2 usage;\n"
    "3 the bundle or the trust file cannot be read; 6 I/O.\n";

const vp_cli_help vp_help_verify = {"verify", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

/* "key": [ "line", ... ] */
static void json_lines(vp_jsonw *w, const char *key, const char (*lines)[512], size_t count)
{
    vp_jw_key(w, key);
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < count; i++)
        vp_jw_string(w, lines[i]);
    vp_jw_end(w);
}

/* Text goes through stdio: a full disk or a closed pipe shows only at the flush. */
static int stdout_ok(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "vaultproof: verify: writing the verdict to stdout failed\n");
    return vp_exit_code(VP_ERR_IO);
}

static const char *state_text(vp_check_state s)
{
    return s == VP_CHECK_PASSED ? "ok" : s == VP_CHECK_FAILED ? "FAILED" : s == VP_CHECK_WARNING ? "WARNING" : "skipped";
}

static void print_text(const char *bundle, const vp_verify_report *r)
{
    char shown[96];
    printf("bundle: %s\nsha256: %s\n", bundle, r->bundle_sha256);
    for (int c = 0; c < VP_CHECK_COUNT; c++)
        printf("  %-14s %s%s\n", vp_verify_check_name((vp_verify_check)c), state_text(r->state[c]),
               c == VP_CHECK_SEAL && r->state[c] == VP_CHECK_WARNING && !r->recording_sealed ? " (unsealed replay)" : "");
    if (r->signer_subject[0])
        printf("signer: %s\n", r->signer_subject);
    /* what the signed manifest says: a fact once its signer is trusted, like the result */
    if (r->signer_key_kind[0])
        printf("%ssigner key: %s%s%s\n", r->manifest_verified ? "" : "unverified ", r->signer_key_kind,
               r->signer_key_ref[0] ? " " : "", r->signer_key_ref);
    if (r->seal_signer_subject[0])
        printf("recording sealed by: %s%s%s%s\n", r->seal_signer_subject, r->sealed_at[0] ? " (at " : "",
               r->sealed_at, r->sealed_at[0] ? ")" : "");
    if (r->pdf_signer_subject[0])
        printf("pdf signer: %s (claimed time %s)\n", r->pdf_signer_subject,
               r->pdf_claimed_time[0] ? r->pdf_claimed_time : "none");
    if (r->timestamp_gen_time[0])
        printf("manifest time-stamp: %s\n", r->timestamp_gen_time);
    if (r->pdf_timestamp_gen_time[0])
        printf("pdf time-stamp: %s\n", r->pdf_timestamp_gen_time);
    if (r->archive_container[0])
        printf("archive container: %s\n", r->archive_container);
    /* what manifest.json says is a fact only once its signer is trusted */
    /* the evidence's own result (what the findings say) is not the bundle's verification */
    if (r->manifest_result[0] && r->manifest_verified)
        printf("evidence result: %s\n", vp_pack_evidence_result(r->manifest_result, r->manifest_failing, shown,
                                                                 sizeof shown));
    else if (r->manifest_result[0])
        printf("unverified evidence result (manifest.json's signer is not trusted): %s\n",
               vp_pack_evidence_result(r->manifest_result, r->manifest_failing, shown, sizeof shown));
    for (size_t i = 0; i < r->note_count; i++)
        printf("note: %s\n", r->notes[i]);
    for (size_t i = 0; i < r->warning_count; i++)
        printf("warning: %s\n", r->warnings[i]);
    for (size_t i = 0; i < r->problem_count; i++)
        printf("FAILED: %s\n", r->problems[i]);
    if (r->problems_dropped)
        printf("FAILED: ... and %zu more\n", r->problems_dropped);
    printf("bundle: %s\n", r->problem_count || r->problems_dropped ? "NOT VERIFIED" : "VERIFIED");
}

static vp_status print_json(const char *bundle, const vp_verify_report *r, vp_error *err)
{
    vp_jsonw *w = malloc(sizeof *w); /* 64 KiB buffer: not on the stack */
    if (!w)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vp_jw_init(w, stdout);
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "bundle", bundle);
    vp_jw_kstring(w, "sha256", r->bundle_sha256);
    vp_jw_kbool(w, "verified", !r->problem_count && !r->problems_dropped);
    vp_jw_key(w, "checks");
    vp_jw_object(w, VP_JW_PRETTY);
    for (int c = 0; c < VP_CHECK_COUNT; c++)
        vp_jw_kstring(w, vp_verify_check_name((vp_verify_check)c),
                      r->state[c] == VP_CHECK_PASSED    ? "pass"
                      : r->state[c] == VP_CHECK_FAILED  ? "fail"
                      : r->state[c] == VP_CHECK_WARNING ? "warning"
                                                        : "skipped");
    vp_jw_end(w);
    vp_jw_kstring(w, "signer", r->signer_subject[0] ? r->signer_subject : NULL);
    vp_jw_key(w, "signer_key"); /* null when the manifest has none */
    if (r->signer_key_kind[0]) {
        vp_jw_object(w, VP_JW_PRETTY);
        vp_jw_kstring(w, "kind", r->signer_key_kind);
        vp_jw_kstring(w, "ref", r->signer_key_ref[0] ? r->signer_key_ref : NULL);
        vp_jw_end(w);
    } else {
        vp_jw_null(w);
    }
    vp_jw_kstring(w, "pdf_signer", r->pdf_signer_subject[0] ? r->pdf_signer_subject : NULL);
    vp_jw_kstring(w, "pdf_claimed_time", r->pdf_claimed_time[0] ? r->pdf_claimed_time : NULL);
    vp_jw_kbool(w, "timestamped", r->timestamped);
    vp_jw_kstring(w, "manifest_timestamp", r->timestamp_gen_time[0] ? r->timestamp_gen_time : NULL);
    vp_jw_kstring(w, "pdf_timestamp", r->pdf_timestamp_gen_time[0] ? r->pdf_timestamp_gen_time : NULL);
    vp_jw_kbool(w, "manifest_verified", r->manifest_verified);
    vp_jw_kstring(w, "result", r->manifest_verified && r->manifest_result[0] ? r->manifest_result : NULL);
    vp_jw_kstring(w, "period", r->manifest_verified && r->manifest_period[0] ? r->manifest_period : NULL);
    if (r->manifest_verified && r->manifest_failing >= 0)
        vp_jw_kint(w, "failing_findings", r->manifest_failing);
    else
        {
        vp_jw_key(w, "failing_findings");
        vp_jw_null(w);
    }
    if (r->clock_pinned >= 0)
        vp_jw_kbool(w, "clock_pinned", r->clock_pinned);
    else
        {
        vp_jw_key(w, "clock_pinned");
        vp_jw_null(w);
    }
    json_lines(w, "notes", r->notes, r->note_count);
    json_lines(w, "warnings", r->warnings, r->warning_count);
    /* pack --archive-url: the container and its policy as recorded; null without one */
    vp_jw_kstring(w, "archive_container", r->archive_container[0] ? r->archive_container : NULL);
    /* the recording's seal: sealed true/false, null when the manifest predates it */
    vp_jw_key(w, "recording");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_key(w, "sealed");
    if (r->recording_sealed >= 0)
        vp_jw_bool(w, r->recording_sealed);
    else
        vp_jw_null(w);
    vp_jw_kstring(w, "sealed_by", r->seal_signer_subject[0] ? r->seal_signer_subject : NULL);
    vp_jw_kstring(w, "sealed_at", r->sealed_at[0] ? r->sealed_at : NULL);
    vp_jw_end(w);
    vp_jw_kint(w, "ledger_seq", r->ledger_seq);
    json_lines(w, "problems", r->problems, r->problem_count);
    vp_jw_kint(w, "problems_dropped", (long long)r->problems_dropped);
    vp_jw_end(w);
    vp_status st = vp_jw_finish(w, "stdout", err);
    free(w);
    return st;
}

static int verify_and_print(const char *bundle, const vp_opts *o, vp_verify_report *rep)
{
    vp_error err = {0};
    vp_status st = vp_verify_bundle(bundle, vp_opts_get(o, "trust"), vp_opts_get(o, "tsa-trust"),
                                    vp_opts_get(o, "ledger"), rep, &err);
    if (st && st != VP_ERR_CHECK) {
        fprintf(stderr, "vaultproof: verify: %s\n", err.message);
        return vp_exit_code(st);
    }
    if (vp_opts_has(o, "json")) {
        vp_error jerr;
        if (print_json(bundle, rep, &jerr)) {
            fprintf(stderr, "vaultproof: %s\n", jerr.message);
            return vp_exit_code(VP_ERR_IO);
        }
    } else {
        print_text(bundle, rep);
        int io = stdout_ok();
        if (io)
            return io;
    }
    return st ? vp_exit_code(st) : 0;
}

static void print_audit_text(const char *ledger, const vp_ledger_audit *a)
{
    printf("ledger: %s\nentries: %lld\n", ledger, a->entries);
    printf("  chain+signatures %s\n", a->chain_ok ? "ok" : "FAILED");
    printf("  bundles          %zu verified, %zu failed, %zu not found, %zu unrecorded\n", a->bundles_verified,
           a->bundles_failed, a->bundles_missing, a->bundles_unrecorded);
    for (size_t i = 0; i < a->note_count; i++)
        printf("note: %s\n", a->notes[i]);
    if (a->notes_dropped)
        printf("note: ... and %zu more\n", a->notes_dropped);
    for (size_t i = 0; i < a->problem_count; i++)
        printf("FAILED: %s\n", a->problems[i]);
    if (a->problems_dropped)
        printf("FAILED: ... and %zu more\n", a->problems_dropped);
    printf("archive: %s\n", a->problem_count || a->problems_dropped ? "NOT VERIFIED" : "VERIFIED");
}

static vp_status print_audit_json(const char *ledger, const vp_ledger_audit *a, vp_error *err)
{
    vp_jsonw *w = malloc(sizeof *w);
    if (!w)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vp_jw_init(w, stdout);
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "ledger", ledger);
    vp_jw_kbool(w, "verified", !a->problem_count && !a->problems_dropped);
    vp_jw_kint(w, "entries", a->entries);
    vp_jw_kbool(w, "chain_and_signatures", a->chain_ok);
    vp_jw_kint(w, "bundles_verified", (long long)a->bundles_verified);
    vp_jw_kint(w, "bundles_failed", (long long)a->bundles_failed);
    vp_jw_kint(w, "bundles_not_found", (long long)a->bundles_missing);
    vp_jw_kint(w, "bundles_unrecorded", (long long)a->bundles_unrecorded);
    json_lines(w, "notes", a->notes, a->note_count);
    json_lines(w, "problems", a->problems, a->problem_count);
    vp_jw_kint(w, "problems_dropped", (long long)a->problems_dropped);
    vp_jw_end(w);
    vp_status st = vp_jw_finish(w, "stdout", err);
    free(w);
    return st;
}

static int audit_ledger(const vp_opts *o)
{
    const char *ledger = vp_opts_get(o, "ledger");
    vp_error err = {0};
    vp_ledger_audit *a = malloc(sizeof *a); /* ~260 KiB of problem text */
    if (!a) {
        fprintf(stderr, "vaultproof: verify: out of memory\n");
        return vp_exit_code(VP_ERR_NOMEM);
    }
    vp_status st;
    if (!strncasecmp(ledger, "https://", 8)) {
        vp_az_client_options az = {0};
        az.sas_env = vp_opts_get(o, "archive-sas-env");
        az.token_file = vp_opts_get(o, "archive-token-file");
        az.ca_bundle = vp_opts_get(o, "ca-bundle");
        az.authority_host = vp_opts_get(o, "authority-host");
        st = vp_verify_ledger_url(ledger, &az, vp_opts_get(o, "trust"), a, &err);
    } else {
        st = vp_verify_ledger(ledger, vp_opts_get(o, "trust"), a, &err);
    }
    int code = st ? vp_exit_code(st) : 0;
    if (st && st != VP_ERR_CHECK) {
        fprintf(stderr, "vaultproof: verify: %s\n", err.message);
    } else if (vp_opts_has(o, "json")) {
        vp_error jerr;
        if (print_audit_json(ledger, a, &jerr)) {
            fprintf(stderr, "vaultproof: %s\n", jerr.message);
            code = vp_exit_code(VP_ERR_IO);
        }
    } else {
        print_audit_text(ledger, a);
        int io = stdout_ok();
        code = io ? io : code;
    }
    free(a);
    return code;
}

/* Not vp_cli_main: verify takes its bundle as a positional argument. */
int vp_cmd_verify(int argc, char **argv)
{
    vp_opts o;
    vp_error err = {0};
    vp_status st = vp_opts_parse(&o, specs, sizeof specs / sizeof specs[0], argc, argv, "verify", &err);
    if (!st && vp_opts_has(&o, "help")) {
        vp_cli_help_print(stdout, &vp_help_verify);
        return 0;
    }
    if (!st && o.positional_count == 0 && vp_opts_has(&o, "ledger"))
        return audit_ledger(&o);
    if (!st && o.positional_count != 1)
        st = vp_error_set(&err, VP_ERR_USAGE, "verify: expected one BUNDLE argument (or only --ledger); see 'vaultproof help "
                          "verify'");
    if (st) {
        fprintf(stderr, "vaultproof: %s\n", err.message);
        return vp_exit_code(st);
    }
    const char *bundle = o.positional[0];
    vp_verify_report *rep = malloc(sizeof *rep); /* ~35 KiB of problem text: not on the stack */
    if (!rep) {
        fprintf(stderr, "vaultproof: verify: out of memory\n");
        return vp_exit_code(VP_ERR_NOMEM);
    }
    int code = verify_and_print(bundle, &o, rep);
    free(rep);
    return code;
}
