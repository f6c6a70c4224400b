/* vaultproof reperform: re-derive a bundle's snapshot, findings and OSCAL document from
 * its raw/ and config/ and compare the bytes (vp_reperform). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "vaultproof/reperform.h"

static const char synopsis[] =
    "usage: vaultproof reperform BUNDLE [--trust CA.pem] [--ledger FILE] [--keep DIR]\n"
    "\n"
    "Re-performs an evidence bundle from the bundle alone: replays its raw/ responses\n"
    "with the configuration it was evaluated with (config/vaultproof.json) at the bundle's\n"
    "own clock (manifest.json generated_at), evaluates with this build's control catalog,\n"
    "writes the OSCAL document, and compares the bytes with data/snapshot.json,\n"
    "data/findings.json and data/assessment-results.json - and, when manifest.json has a\n"
    "\"period_window\" (pack --period), replays over that window and compares the period's\n"
    "jobs stream data/jobs.jsonl too. BUNDLE is the .tar.gz (extracted\n"
    "into a private temporary directory by the safe archive reader, removed afterwards) or\n"
    "its extracted top folder (only read). One line per file, \"IDENTICAL\" or \"DIFFERENT\"\n"
    "with the first differing byte and the JSON pointer of the recorded value there; the\n"
    "last line is \"reperform: IDENTICAL\" or \"reperform: DIFFERENT\". A \"note:\" line says\n"
    "when the findings were made by another vaultproof or control catalog than this one\n"
    "(the bytes may then legitimately differ) and where each baseline was found.\n"
    "\n"
    "Findings of drift rules compare with earlier snapshots of the period (findings.json\n"
    "\"baselines\", each named with its SHA-256): each was an earlier bundle's\n"
    "data/snapshot.json, looked for by that hash among the bundles --ledger records (in the\n"
    "ledger's directory). A baseline that cannot be found stops re-performance (exit 1,\n"
    "\"cannot re-perform without the baseline snapshot ...\"); nothing is evaluated without\n"
    "it. The same steps by hand: docs/user-guide.md, \"Re-performing a bundle by hand\".\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"trust", "CA.pem", 0, "verify the .tar.gz first (as 'vaultproof verify --trust'); nothing is\n"
                           "re-performed unless it verifies. Not with a folder"},
    {"ledger", "FILE", 0, "the archive's ledger.jsonl: where baseline snapshots are found"},
    {"keep", "DIR", 0, "keep the work in DIR (new or empty): bundle/ (the extraction),\n"
                       "baselines/N/, derived/data/ (the re-derived files)"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 every file identical; 1 a file differs, the bundle does not verify\n"
    "(--trust) or a baseline cannot be found; 2 usage; 3 not a bundle that can be re-\n"
    "performed (no config/vaultproof.json: packed before bundles carried it; raw/ or a\n"
    "data file missing or malformed; an unsafe archive); 6 I/O.\n"
    "\n"
    "Examples:\n"
    "  vaultproof reperform contoso-health-2026-q3-20260930T060000Z.tar.gz --trust ca.pem\n"
    "  vaultproof reperform archive/contoso-health-2026-q3-20261001T060000Z.tar.gz \\\n"
    "      --ledger archive/ledger.jsonl\n";

const vp_cli_help vp_help_reperform = {"reperform", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static void print_report(const vp_reperform_report *r)
{
    for (size_t i = 0; i < r->note_count; i++)
        printf("reperform: note: %s\n", r->notes[i]);
    for (int i = 0; i < VP_REPERFORM_FILE_COUNT; i++) {
        const vp_reperform_file *f = &r->files[i];
        if (f->absent) /* data/jobs.jsonl of a bundle without a period window */
            continue;
        if (f->identical)
            printf("reperform: %s  IDENTICAL\n", vp_reperform_files[i]);
        else
            printf("reperform: %s  DIFFERENT at byte %lld, JSON pointer %s (recorded %lld bytes, re-derived %lld)\n",
                   vp_reperform_files[i], f->offset, f->pointer[0] ? f->pointer : "\"\" (top level)",
                   f->recorded_size, f->derived_size);
    }
    printf("reperform: %s\n", r->identical ? "IDENTICAL" : "DIFFERENT");
}

/* Not vp_cli_main: reperform takes its bundle as a positional argument. */
int vp_cmd_reperform(int argc, char **argv)
{
    vp_opts o;
    vp_error err = {0};
    vp_status st = vp_opts_parse(&o, specs, sizeof specs / sizeof specs[0], argc, argv, "reperform", &err);
    if (!st && vp_opts_has(&o, "help")) {
        vp_cli_help_print(stdout, &vp_help_reperform);
        return 0;
    }
    if (!st && o.positional_count != 1)
        st = vp_error_set(&err, VP_ERR_USAGE, "reperform: expected one BUNDLE argument (a .tar.gz or its extracted "
                          "folder); see 'vaultproof help reperform'");
    if (st) {
        fprintf(stderr, "vaultproof: %s\n", err.message);
        return vp_exit_code(st);
    }
    vp_reperform_options opt = {o.positional[0], vp_opts_get(&o, "trust"), vp_opts_get(&o, "ledger"),
                                vp_opts_get(&o, "keep")};
    vp_reperform_report *rep = malloc(sizeof *rep);
    if (!rep) {
        fprintf(stderr, "vaultproof: reperform: out of memory\n");
        return vp_exit_code(VP_ERR_NOMEM);
    }
    st = vp_reperform(&opt, rep, &err);
    if (rep->compared) {
        print_report(rep);
    } else if (st) {
        for (size_t i = 0; i < rep->note_count; i++)
            printf("reperform: note: %s\n", rep->notes[i]);
        fprintf(stderr, "vaultproof: reperform: %s\n", err.message);
    }
    free(rep);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "vaultproof: reperform: writing to stdout failed\n");
        return vp_exit_code(VP_ERR_IO);
    }
    return st ? vp_exit_code(st) : 0;
}
