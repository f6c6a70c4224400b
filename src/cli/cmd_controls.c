/* vaultproof controls: the control catalog this binary evaluates. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/catalog.h"

extern const char vpt_catalog_builtin_json[];

static const char synopsis[] =
    "usage: vaultproof controls [--json]\n"
    "\n"
    "Lists the control catalog compiled into this binary (templates/controls/catalog.json):\n"
    "every rule with its severity, what it applies to, its parameters and their defaults\n"
    "(override them in vaultproof.json under \"rule_parameters\"), the HIPAA and SOX\n"
    "citations it supports, the matching Azure Policy built-in definitions and how to\n"
    "remediate a failing finding.\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"json", NULL, 0, "print the catalog itself (versioned JSON)"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

const vp_cli_help vp_help_controls = {"controls", synopsis, specs, sizeof specs / sizeof specs[0], ""};

static void print_param(const vp_param *p)
{
    printf("      %s = ", p->name);
    if (p->type == VP_PARAM_BOOL)
        printf("%s", p->bool_value ? "true" : "false");
    else if (p->type == VP_PARAM_INT)
        printf("%lld", p->int_value);
    else
        printf("\"%s\"", p->string_value);
    printf("  %s\n", p->description);
}

static void print_catalog(const vp_catalog *cat)
{
    size_t nfw, nrules;
    const vp_framework *fws = vp_catalog_frameworks(cat, &nfw);
    const vp_rule *rules = vp_catalog_rules(cat, &nrules);
    printf("control catalog %s (sha256 %.16s...), %zu rules\n\n", vp_catalog_version(cat), vp_catalog_sha256(cat), nrules);
    for (size_t r = 0; r < nrules; r++) {
        const vp_rule *ru = &rules[r];
        printf("%-36s %-8s %s\n", ru->id, vp_severity_name(ru->severity), ru->title);
        printf("    applies to: %s\n", ru->applies_to);
        printf("    remediation: %s\n", ru->remediation);
        if (ru->param_count)
            printf("    parameters:\n");
        for (size_t p = 0; p < ru->param_count; p++)
            print_param(&ru->params[p]);
        printf("    citations:");
        for (size_t k = 0; k < ru->citation_count; k++)
            printf("%s %s %s", k ? ";" : "", ru->citations[k]->framework, ru->citations[k]->id);
        printf("\n");
        if (ru->azure_policy_count) {
            printf("    Azure Policy:");
            for (size_t k = 0; k < ru->azure_policy_count; k++)
                printf(" %s", ru->azure_policy[k]);
            printf("\n");
        }
    }
    printf("\nframeworks:\n");
    for (size_t f = 0; f < nfw; f++) {
        printf("  %s: %s\n", fws[f].id, fws[f].title);
        for (size_t c = 0; c < fws[f].citation_count; c++)
            printf("    %-28s %s\n", fws[f].citations[c].id, fws[f].citations[c].title);
    }
}

static vp_status run(const vp_opts *o, int *exit_code, vp_error *err)
{
    vp_catalog *cat = NULL;
    vp_status st = vp_catalog_builtin(&cat, err);
    if (st)
        return st;
    if (vp_opts_has(o, "json"))
        fputs(vpt_catalog_builtin_json, stdout);
    else
        print_catalog(cat);
    vp_catalog_free(cat);
    *exit_code = 0;
    return VP_OK;
}

int vp_cmd_controls(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_controls, run);
}
