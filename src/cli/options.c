#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vaultproof/keys.h"
#include "vaultproof/period.h"

static int find_spec(const vp_opts *o, const char *name, size_t len)
{
    for (size_t i = 0; i < o->spec_count; i++)
        if (strlen(o->specs[i].name) == len && strncmp(o->specs[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

vp_status vp_opts_parse(vp_opts *o, const vp_opt_spec *specs, size_t spec_count, int argc, char **argv,
                        const char *command, vp_error *err)
{
    memset(o, 0, sizeof *o);
    o->specs = specs;
    /* a command with more options than fit must fail loudly, not forget the last ones */
    if (spec_count > VP_OPT_MAX_SPECS)
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: %zu options defined, at most %d supported", command,
                            spec_count, VP_OPT_MAX_SPECS);
    o->spec_count = spec_count;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                if (o->positional_count < 16)
                    o->positional[o->positional_count++] = argv[i];
            break;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (a[0] == '-' && a[1] != '\0' && strcmp(a, "-h") != 0)
                return vp_error_set(err, VP_ERR_USAGE, "%s: unknown option '%s'; see 'vaultproof help %s'", command, a,
                                    command);
            if (strcmp(a, "-h") == 0) {
                int h = find_spec(o, "help", 4);
                if (h >= 0) {
                    o->counts[h]++;
                    continue;
                }
            }
            if (o->positional_count >= 16)
                return vp_error_set(err, VP_ERR_USAGE, "%s: too many arguments", command);
            o->positional[o->positional_count++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int s = find_spec(o, name, len);
        if (s < 0)
            return vp_error_set(err, VP_ERR_USAGE, "%s: unknown option '--%.*s'; see 'vaultproof help %s'", command,
                                (int)len, name, command);
        const char *value = NULL;
        if (specs[s].metavar) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return vp_error_set(err, VP_ERR_USAGE, "%s: option '--%s' needs a value", command, specs[s].name);
            if (!*value)
                return vp_error_set(err, VP_ERR_USAGE, "%s: option '--%s' has an empty value", command, specs[s].name);
        } else if (eq) {
            return vp_error_set(err, VP_ERR_USAGE, "%s: option '--%s' takes no value", command, specs[s].name);
        }
        if (o->counts[s] > 0 && !(specs[s].flags & VP_OPT_REPEATABLE))
            return vp_error_set(err, VP_ERR_USAGE, "%s: option '--%s' given more than once", command, specs[s].name);
        if (o->counts[s] >= VP_OPT_MAX_VALUES)
            return vp_error_set(err, VP_ERR_USAGE, "%s: option '--%s' given too many times", command, specs[s].name);
        o->values[s][o->counts[s]++] = value;
    }
    return VP_OK;
}

const char *vp_opts_get(const vp_opts *o, const char *name)
{
    int s = find_spec(o, name, strlen(name));
    return s >= 0 && o->counts[s] ? o->values[s][o->counts[s] - 1] : NULL;
}

const char *const *vp_opts_all(const vp_opts *o, const char *name, size_t *count)
{
    int s = find_spec(o, name, strlen(name));
    *count = s >= 0 ? o->counts[s] : 0;
    return s >= 0 ? o->values[s] : NULL;
}

int vp_opts_has(const vp_opts *o, const char *name)
{
    int s = find_spec(o, name, strlen(name));
    return s >= 0 && o->counts[s] > 0;
}

const char *vp_opts_live_given(const vp_opts *o)
{
    for (size_t i = 0; i < o->spec_count; i++)
        if ((o->specs[i].flags & VP_OPT_LIVE) && o->counts[i])
            return o->specs[i].name;
    return NULL;
}

vp_status vp_opts_int(const vp_opts *o, const char *command, const char *name, long min, long max, int *out,
                      vp_error *err)
{
    const char *v = vp_opts_get(o, name);
    char *end = NULL;
    if (!v)
        return VP_OK;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max)
        return vp_error_set(err, VP_ERR_USAGE, "%s: --%s '%s': expected a number from %ld to %ld", command, name, v,
                            min, max);
    *out = (int)n;
    return VP_OK;
}

vp_status vp_cli_clock(const vp_opts *o, vp_clock *clock, vp_error *err)
{
    return vp_clock_resolve(vp_opts_get(o, "now"), getenv("SOURCE_DATE_EPOCH"), clock, err);
}

vp_status vp_cli_period(const vp_opts *o, const char *command, const vp_clock *clock, char buf[8], const char **period,
                        vp_error *err)
{
    *period = vp_opts_get(o, "period");
    if (!*period || strcmp(*period, VP_PERIOD_LAST_QUARTER) != 0)
        return VP_OK;
    vp_period_last_quarter(clock->epoch, buf);
    if (!buf[0])
        return vp_error_set(err, VP_ERR_USAGE, "%s: --period %s: the clock (%s) names no earlier quarter", command,
                            VP_PERIOD_LAST_QUARTER, clock->from ? clock->from : "system clock");
    *period = buf;
    return VP_OK;
}

/* Options are listed as git does: the name and value in a column as wide as the longest
 * of the command, then the help; its further lines are indented to that column. */
void vp_cli_help_print(FILE *to, const vp_cli_help *h)
{
    int width = 0;
    for (size_t i = 0; i < h->spec_count; i++) {
        const vp_opt_spec *s = &h->specs[i];
        int w = 2 + (int)strlen(s->name) + (s->metavar ? 1 + (int)strlen(s->metavar) : 0);
        if (!(s->flags & VP_OPT_HIDDEN) && w > width)
            width = w;
    }
    fputs(h->synopsis, to);
    for (size_t i = 0; i < h->spec_count; i++) {
        const vp_opt_spec *s = &h->specs[i];
        if (s->flags & VP_OPT_HIDDEN)
            continue;
        int w = fprintf(to, "  --%s%s%s", s->name, s->metavar ? " " : "", s->metavar ? s->metavar : "");
        fprintf(to, "%*s%s", width + 4 - w, "", s->flags & VP_OPT_LIVE ? "live: " : "");
        for (const char *p = s->help; *p; p++) {
            fputc(*p, to);
            if (*p == '\n' && p[1])
                fprintf(to, "%*s", width + 4, "");
        }
        fputc('\n', to);
    }
    fputs(h->epilogue, to);
}

void vp_cli_help_options(FILE *to, const vp_cli_help *h)
{
    for (size_t i = 0; i < h->spec_count; i++)
        if (!(h->specs[i].flags & VP_OPT_HIDDEN))
            fprintf(to, "%s --%s%s%s\n", h->command, h->specs[i].name, h->specs[i].metavar ? " " : "",
                    h->specs[i].metavar ? h->specs[i].metavar : "");
}

int vp_cli_main(int argc, char **argv, const vp_cli_help *help, vp_cli_run_fn run)
{
    vp_opts o;
    vp_error err = {0};
    int code = 0;
    const char *command = help->command;
    vp_status st = vp_opts_parse(&o, help->specs, help->spec_count, argc, argv, command, &err);
    if (!st && vp_opts_has(&o, "help")) {
        vp_cli_help_print(stdout, help);
        return 0;
    }
    if (!st && o.positional_count)
        st = vp_error_set(&err, VP_ERR_USAGE, "%s: unexpected argument '%s'; see 'vaultproof help %s'", command,
                          o.positional[0], command);
    if (!st)
        st = run(&o, &code, &err);
    if (st) {
        fprintf(stderr, "vaultproof: %s\n", err.message);
        return vp_exit_code(st);
    }
    return code;
}

int vp_cli_show_progress(const vp_opts *o)
{
    return !vp_opts_has(o, "quiet") && isatty(STDERR_FILENO);
}

vp_status vp_cli_passphrase(const vp_opts *o, const char *command, char **pass, vp_error *err)
{
    const char *file = vp_opts_get(o, "passphrase-file"), *env = vp_opts_get(o, "passphrase-env");
    *pass = NULL;
    if (file && env)
        return vp_error_set(err, VP_ERR_USAGE, "%s: give --passphrase-file or --passphrase-env, not both", command);
    if (file)
        return vp_passphrase_from_file(file, pass, err);
    return env ? vp_passphrase_from_env(env, pass, err) : VP_OK;
}
