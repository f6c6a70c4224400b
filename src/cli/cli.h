/* The command-line tool: a thin layer over the engine. One file per subcommand. */
#ifndef VP_CLI_H
#define VP_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/clock.h"
#include "vaultproof/error.h"

#define VP_OPT_MAX_VALUES 64

/* What an option is besides its name (vp_opt_spec.flags). */
enum {
    VP_OPT_REPEATABLE = 1 << 0, /* may appear several times */
    VP_OPT_LIVE = 1 << 1,       /* only for live collection: help prefixes "live: " */
    VP_OPT_HIDDEN = 1 << 2,     /* accepted but not listed (--help itself) */
};

/* One option a command accepts, and what `vaultproof help CMD` says about it: the parser,
 * the help's option list and the man-page test (`vaultproof help --options`) all read
 * this one entry, so they cannot disagree. */
typedef struct {
    const char *name;    /* long name without dashes: "replay" */
    const char *metavar; /* the value in help ("DIR"): --name VALUE or --name=VALUE; NULL: a flag */
    unsigned flags;      /* VP_OPT_* */
    const char *help;    /* one line per '\n', wrapped by hand to fit 88 columns; NULL if hidden */
} vp_opt_spec;

#define VP_OPT_MAX_SPECS 48 /* options one command may define (pack has 33 with the archive options) */

/* Parsed options: values[i] holds the occurrences of specs[i]. */
typedef struct {
    const vp_opt_spec *specs;
    size_t spec_count;
    const char *values[VP_OPT_MAX_SPECS][VP_OPT_MAX_VALUES];
    size_t counts[VP_OPT_MAX_SPECS];
    const char *positional[16];
    size_t positional_count;
} vp_opts;

/* Parses argv (after the command name). "--" ends options. Errors: VP_ERR_USAGE naming
 * the offending argument. */
vp_status vp_opts_parse(vp_opts *o, const vp_opt_spec *specs, size_t spec_count, int argc, char **argv,
                        const char *command, vp_error *err);
/* The last value of an option, or NULL. */
const char *vp_opts_get(const vp_opts *o, const char *name);
/* All values of a repeatable option. */
const char *const *vp_opts_all(const vp_opts *o, const char *name, size_t *count);
int vp_opts_has(const vp_opts *o, const char *name);
/* The first option given that is marked VP_OPT_LIVE (in spec order), or NULL: what a
 * replay run refuses and what asks for live collection. */
const char *vp_opts_live_given(const vp_opts *o);
/* An integer option in min..max: *out is left alone when the option is absent.
 * Errors: VP_ERR_USAGE naming the command, the option and the range. */
vp_status vp_opts_int(const vp_opts *o, const char *command, const char *name, long min, long max, int *out,
                      vp_error *err);

/* Shared by commands: resolve the clock from --now and SOURCE_DATE_EPOCH. */
vp_status vp_cli_clock(const vp_opts *o, vp_clock *clock, vp_error *err);

/* The --period value, with "last-quarter" (VP_PERIOD_LAST_QUARTER) resolved by clock into
 * buf as "YYYY-Qn"; NULL when --period was not given. Errors: VP_ERR_USAGE when clock
 * names no earlier quarter. */
vp_status vp_cli_period(const vp_opts *o, const char *command, const vp_clock *clock, char buf[8], const char **period,
                        vp_error *err);

/* The key passphrase from --passphrase-file or --passphrase-env (neither: *pass NULL);
 * release with vp_passphrase_free. Errors: VP_ERR_USAGE when both are given, as
 * vp_passphrase_from_file / _env. */
vp_status vp_cli_passphrase(const vp_opts *o, const char *command, char **pass, vp_error *err);

/* Whether to show progress: stderr is a terminal and --quiet was not given. */
int vp_cli_show_progress(const vp_opts *o);

/* A command's help: `vaultproof CMD --help` and `vaultproof help CMD` print the
 * synopsis, the options generated from specs (in their order), then the epilogue. */
typedef struct {
    const char *command;      /* "collect" */
    const char *synopsis;     /* usage and description, ending in a blank line */
    const vp_opt_spec *specs; /* every option the command accepts */
    size_t spec_count;
    const char *epilogue;     /* exit status and examples, starting with a blank line */
} vp_cli_help;

/* Prints the whole help of one command. */
void vp_cli_help_print(FILE *to, const vp_cli_help *h);
/* Prints "COMMAND --NAME [METAVAR]" for every listed option, one per line: the list
 * tests hold docs/vaultproof.1 against. */
void vp_cli_help_options(FILE *to, const vp_cli_help *h);

/* The common shape of a command: parse options, answer --help, refuse stray
 * arguments, run, print any error as "vaultproof: <message>" and return the exit code
 * (run's own code when it succeeds). */
typedef vp_status (*vp_cli_run_fn)(const vp_opts *o, int *exit_code, vp_error *err);
int vp_cli_main(int argc, char **argv, const vp_cli_help *help, vp_cli_run_fn run);

typedef struct {
    const char *name;
    const char *summary;
    const vp_cli_help *help;
    int (*run)(int argc, char **argv);
} vp_command;

int vp_cmd_collect(int argc, char **argv);
int vp_cmd_evaluate(int argc, char **argv);
int vp_cmd_controls(int argc, char **argv);
int vp_cmd_render(int argc, char **argv);
int vp_cmd_keygen(int argc, char **argv);
int vp_cmd_pack(int argc, char **argv);
int vp_cmd_verify(int argc, char **argv);
int vp_cmd_reperform(int argc, char **argv);
int vp_cmd_sample(int argc, char **argv);
int vp_cmd_doctor(int argc, char **argv);
extern const vp_cli_help vp_help_collect;
extern const vp_cli_help vp_help_evaluate;
extern const vp_cli_help vp_help_controls;
extern const vp_cli_help vp_help_render;
extern const vp_cli_help vp_help_keygen;
extern const vp_cli_help vp_help_pack;
extern const vp_cli_help vp_help_verify;
extern const vp_cli_help vp_help_reperform;
extern const vp_cli_help vp_help_sample;
extern const vp_cli_help vp_help_doctor;

#endif
