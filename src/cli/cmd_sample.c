/* vaultproof sample: a reproducible audit sample of jobs, items, VMs or findings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/render.h"
#include "vaultproof/fileio.h"
#include "vaultproof/sample.h"

static const char synopsis[] =
    "usage: vaultproof sample --population jobs|items|vms|findings --size N --seed S\n"
    "                         (--jobs FILE | --snapshot FILE | --findings FILE)\n"
    "                         --out-csv FILE [--out-xlsx FILE] [--strata vault]\n"
    "\n"
    "Draws a reproducible sample of N members for an auditor: every member's draw value\n"
    "is SHA-256(seed, 0x00, its key) and the N smallest are the sample (per vault with\n"
    "--strata vault), so anyone can re-draw it from the same file and seed\n"
    "(docs/sampling.md; tests/tools/redraw_sample.py does it in Python). Writes the\n"
    "sample as CSV and its record - method, seed, the population file's SHA-256 and\n"
    "size, every drawn key - beside it as JSON (sample.csv -> sample.json).\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"population", "NAME", 0, "what to sample: jobs (the job lines of a jobs.jsonl), items\n"
                              "(protected items of a snapshot), vms (its VMs) or findings"},
    {"size", "N", 0, "how many members to draw (N >= 1; N at least the population\n"
                     "draws everyone)"},
    {"seed", "S", 0, "the seed: 1 to 128 printable characters without spaces, used as\n"
                     "its bytes (\"42\", \"ACME-2026-Q3\"; \"042\" is another seed)"},
    {"strata", "vault", 0, "draw per vault: N allocated by the largest-remainder method,\n"
                           "at least one per vault when N allows"},
    {"jobs", "FILE", 0, "the jobs.jsonl (collect --jobs-out) of --population jobs"},
    {"snapshot", "FILE", 0, "the snapshot of --population items or vms"},
    {"findings", "FILE", 0, "the findings.json of --population findings"},
    {"out-csv", "FILE", 0, "the sample (RFC 4180, UTF-8, CRLF); its record is written\n"
                           "beside it (.csv replaced by .json)"},
    {"out-xlsx", "FILE", 0, "also a workbook with one Sample sheet (the record's facts in\n"
                            "its first rows, then the table)"},
    {"now", "TIME", 0, "pin the workbook's date (RFC 3339 UTC or @EPOCH);\n"
                       "SOURCE_DATE_EPOCH too"},
    {"quiet", NULL, 0, "no summary on stderr"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 written; 2 usage (a missing or mismatched option, size 0, a bad seed);\n"
    "3 invalid input (the file is not that population; it is named); 6 I/O.\n"
    "\n"
    "Example:\n"
    "  vaultproof sample --population items --size 25 --seed 20261001 --strata vault \\\n"
    "      --snapshot snapshot.json --out-csv sample.csv --out-xlsx sample.xlsx\n";

const vp_cli_help vp_help_sample = {"sample", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

/* The file option each population reads: one fact, one place. */
static const char *const file_option[VP_SAMPLE_POPULATION_COUNT] = {
    [VP_SAMPLE_JOBS] = "jobs", [VP_SAMPLE_ITEMS] = "snapshot", [VP_SAMPLE_VMS] = "snapshot",
    [VP_SAMPLE_FINDINGS] = "findings"};

static vp_status parse_size(const char *v, size_t *out, vp_error *err)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = v ? strtoull(v, &end, 10) : 0;
    if (!v || !isdigit((unsigned char)v[0]) || *end || errno || n == 0 || n > (unsigned long long)INT_MAX)
        return vp_error_set(err, VP_ERR_USAGE, "sample: --size '%s': expected a number from 1 to %d",
                            v ? v : "", INT_MAX);
    *out = (size_t)n;
    return VP_OK;
}

static vp_status check_options(const vp_opts *o, vp_sample_options *so, vp_error *err)
{
    const char *pop = vp_opts_get(o, "population"), *strata = vp_opts_get(o, "strata");
    int p = vp_sample_population_parse(pop);
    if (p < 0)
        return vp_error_set(err, VP_ERR_USAGE, "sample: --population%s%s: expected jobs, items, vms or findings; "
                            "see 'vaultproof help sample'", pop ? " " : "", pop ? pop : "");
    so->population = (vp_sample_population)p;
    vp_status st = parse_size(vp_opts_get(o, "size"), &so->size, err);
    if (st || (st = vp_sample_check_seed(vp_opts_get(o, "seed"), err)))
        return st;
    so->seed = vp_opts_get(o, "seed");
    if (strata) {
        int s = vp_sample_strata_parse(strata);
        if (s < 0)
            return vp_error_set(err, VP_ERR_USAGE, "sample: --strata %s: expected vault", strata);
        so->strata = (vp_sample_strata)s;
    }
    const char *want = file_option[p];
    static const char *const files[] = {"jobs", "snapshot", "findings"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(files[i], want) != 0 && vp_opts_has(o, files[i]))
            return vp_error_set(err, VP_ERR_USAGE, "sample: --population %s reads --%s FILE, not --%s", pop, want,
                                files[i]);
    if (!(so->path = vp_opts_get(o, want)))
        return vp_error_set(err, VP_ERR_USAGE, "sample: --population %s needs --%s FILE", pop, want);
    if (!vp_opts_get(o, "out-csv"))
        return vp_error_set(err, VP_ERR_USAGE, "sample: --out-csv FILE is required");
    return VP_OK;
}

typedef enum { OUT_CSV, OUT_RECORD, OUT_XLSX } out_kind;

/* Each output appears only when complete (vp_output: a temporary file renamed). */
static vp_status write_out(const vp_sample *s, const vp_clock *clock, out_kind kind, const char *path, vp_error *err)
{
    vp_output *out = NULL;
    vp_status st = vp_output_open(path, &out, err);
    if (st)
        return st;
    FILE *fp = vp_output_stream(out);
    st = kind == OUT_CSV      ? vp_sample_write_csv(s, fp, path, err)
         : kind == OUT_RECORD ? vp_sample_write_json(s, fp, path, err)
                              : vp_render_sample_xlsx(s, clock, fp, path, err);
    if (st) {
        vp_output_abort(out);
        return st;
    }
    return vp_output_commit(out, err);
}

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    vp_sample_options so = {0};
    vp_sample *s = NULL;
    vp_clock clock;
    char record[4096];
    const char *csv = vp_opts_get(o, "out-csv"), *xlsx = vp_opts_get(o, "out-xlsx");
    vp_status st = check_options(o, &so, err);
    if (st || (st = vp_sample_record_path(csv, record, sizeof record, err)) || (st = vp_cli_clock(o, &clock, err)))
        return st;
    const char *outs[] = {so.path, csv, record, xlsx};
    for (size_t i = 0; i < 4; i++) /* an output over the population, or over another output, loses evidence */
        for (size_t j = i + 1; j < 4; j++)
            if (outs[i] && outs[j] && strcmp(outs[i], outs[j]) == 0)
                return vp_error_set(err, VP_ERR_USAGE, "sample: '%s' is given as two of the population, --out-csv, "
                                    "its record and --out-xlsx; expected distinct files", outs[i]);
    if ((st = vp_sample_draw(&so, &s, err)))
        return st;
    if (!(st = write_out(s, &clock, OUT_CSV, csv, err)) && !(st = write_out(s, &clock, OUT_RECORD, record, err)) &&
        xlsx)
        st = write_out(s, &clock, OUT_XLSX, xlsx, err);
    if (!st && !vp_opts_has(o, "quiet")) {
        vp_sample_view v;
        vp_sample_get(s, &v);
        fprintf(stderr, "sample: %zu of %zu %s (seed %s%s) -> %s, %s%s%s\n", v.member_count, v.population_size,
                vp_sample_population_name(v.population), v.seed, v.strata ? ", per vault" : "", csv, record,
                xlsx ? ", " : "", xlsx ? xlsx : "");
    }
    vp_sample_free(s);
    *code = 0;
    return st;
}

int vp_cmd_sample(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_sample, run);
}
