/* vp_pack: collect -> evaluate -> render -> manifest -> sign -> archive -> ledger. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pack/pack_internal.h"
#include "vaultproof/archive.h"
#include "vaultproof/catalog.h"
#include "vaultproof/collect.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/fileio.h"
#include "vaultproof/history.h"
#include "vaultproof/ledger.h"
#include "vaultproof/pack.h"
#include "vaultproof/pipeline.h"
#include "vaultproof/render.h"
#include "vaultproof/cms.h"
#include "vaultproof/keys.h"
#include "vaultproof/period.h"
#include "vaultproof/seal.h"
#include "vaultproof/version.h"

/* Everything one pack holds; released by pack_free whatever happened. */
typedef struct {
    const vp_pack_options *opt;
    int archive_fd;     /* --out, opened once (vpk_archive_open); -1 when not */
    vpk_staging stg;    /* everything staged goes through stg.fd (staging.c) */
    vp_signer *signer;
    vp_config *cfg;      /* the user's config, then (stage_config) the bundled copy evaluated with */
    vp_config *user_cfg; /* the user's config once cfg is the bundled copy: the signer's strings */
    vp_worm_catalog *worm;
    vp_catalog *cat;
    vp_snapshot *snap;
    vp_findings *findings;
    vp_vault_counts vault_counts; /* evaluate's count of findings.json per vault, for the renderers */
    vp_pipeline_baselines *bases;
    char snap_sha[65], findings_sha[65];
    char stem[200];
    char ledger[4096];
    int lock_fd;        /* ARCHIVE/.pack.lock, held for the whole pack; -1 when not taken */
    char pending[4096]; /* ARCHIVE/.pending-NAME while it is not yet recorded, else "" */
    char kept[4096];    /* the baseline snapshot kept for this bundle while not yet recorded */
    double *stage_seconds;  /* vp_pack_result's, filled by lap() */
    const char *tsa_url;    /* --tsa, else the config's signer/tsa, else NULL */
    vp_trust_anchor anchor; /* the CA README.txt and manifest.json name (load_anchor) */
    struct timespec mark;   /* when the current stage started */
    vp_seal_loaded replay_seal; /* --replay: the recording's seal as checked (doc NULL: unsealed) */
    vp_seal *seal;          /* the seal the bundle carries in seal/ (borrowed from replay_seal, or
                               parsed from what live collection wrote), NULL: unsealed */
    vp_seal *live_seal;     /* owned: the parsed seal of a live collection */
    char sealed_by[512];    /* the seal's signer */
    vp_sample *sample;      /* pack --sample-size: the staged audit sample, else NULL */
    vp_period period;       /* --period as the collection's window (manifest "period_window") */
    char jobs[4096];        /* the staged data/jobs.jsonl by path (the collector and readers take paths) */
    int has_period;
    vpk_archive_record *archive; /* --archive-url (or the config's): checked before signing; NULL: none */
    struct oscal_job *oscal;     /* the OSCAL document being written (oscal_start), or NULL */
} pack_state;

/* The jobs population of the period, staged beside the snapshot (docs/period-evidence.md). */

static const char *const stage_names[VP_PACK_STAGE_COUNT] = {"collect", "evaluate", "render",
                                                              "sign",    "archive",  "publish",
                                                              "upload"};

const char *vp_pack_stage_name(vp_pack_stage st)
{
    return (unsigned)st < VP_PACK_STAGE_COUNT ? stage_names[st] : "?";
}

/* Ends a stage: its wall time (monotonic, for the operator only) is added to the result. */
static void lap(pack_state *s, vp_pack_stage st)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    s->stage_seconds[st] += (double)(now.tv_sec - s->mark.tv_sec) + (double)(now.tv_nsec - s->mark.tv_nsec) / 1e9;
    s->mark = now;
}

static void oscal_free(pack_state *s);

static void pack_free(pack_state *s)
{
    oscal_free(s); /* its thread reads the findings */
    vp_pipeline_baselines_free(s->bases);
    vp_findings_free(s->findings);
    vp_vault_counts_free(&s->vault_counts);
    vp_snapshot_free(s->snap);
    vp_catalog_free(s->cat);
    vp_worm_catalog_free(s->worm);
    vp_config_free(s->cfg);
    vp_config_free(s->user_cfg);
    vp_signer_free(s->signer);
    vp_seal_loaded_free(&s->replay_seal);
    vp_seal_free(s->live_seal);
    vp_sample_free(s->sample);
    free(s->archive);
    vpk_staging_close(&s->stg);
    if (s->pending[0]) { /* written but never recorded in the ledger: not published */
        unlink(s->pending);
        if (s->kept[0])
            unlink(s->kept);
    }
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    if (s->archive_fd >= 0)
        close(s->archive_fd);
}

static vp_status check_options(const vp_pack_options *o, vp_error *err)
{
    if (!o->config_path || !o->archive_dir)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --config and --out are required");
    if (o->replay_dir && o->concurrency)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --concurrency is for live collection; it cannot be combined "
                            "with --replay");
    if (o->upload_only)
        return VP_OK;
    if (!o->period && !o->request_id)
        return vp_error_set(err, VP_ERR_USAGE, "pack: give --period YYYY-Qn or --request-id ID");
    vp_status st = vp_pipeline_check_period(o->period, "pack", err);
    if (st)
        return st;
    if (o->request_id && (!o->request_id[0] || strlen(o->request_id) > VP_LEDGER_REQUEST_MAX))
        return vp_error_set(err, VP_ERR_USAGE, "pack: --request-id must be 1 to %d bytes", VP_LEDGER_REQUEST_MAX);
    return vpk_sample_check(o, err);
}

/* Lowercase ASCII letters and digits; every other run of bytes becomes one dash. */
static void slug(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) && c < 128)
            out[n++] = (char)tolower(c);
        else if (n && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = '\0';
}

static void bundle_stem(pack_state *s)
{
    char org[64], label[72], stamp[32];
    const char *name = vp_config_organization(s->cfg);
    slug(name ? name : "vaultproof", org, sizeof org);
    slug(s->opt->period ? s->opt->period : s->opt->request_id, label, sizeof label);
    vp_time_format(s->opt->clock.epoch, stamp, sizeof stamp); /* 2026-09-30T06:00:00Z */
    char compact[32];
    size_t n = 0;
    for (const char *p = stamp; *p; p++)
        if (*p != '-' && *p != ':')
            compact[n++] = *p;
    compact[n] = '\0';
    snprintf(s->stem, sizeof s->stem, "%s-%s-%s", org[0] ? org : "vaultproof", label[0] ? label : "bundle", compact);
}

/* Whether NAME.json is the snapshot of a bundle NAME.tar.gz that the ledger records. */
static int is_recorded(const vp_ledger_entry *v, size_t n, const char *json_name)
{
    size_t stem = strlen(json_name) - 5;
    for (size_t i = 0; i < n; i++)
        if (strncmp(v[i].bundle, json_name, stem) == 0 && strcmp(v[i].bundle + stem, ".tar.gz") == 0)
            return 1;
    return 0;
}

/* Earlier snapshots of the period (ARCHIVE_DIR/snapshots/<period>/NAME.json), sorted. */
static vp_status load_baselines(pack_state *s, vp_error *err)
{
    char dir[4096], **names = NULL, **paths = NULL, **labels = NULL;
    size_t n = 0, kept = 0;
    struct stat sb;
    if (!s->opt->period)
        return VP_OK;
    snprintf(dir, sizeof dir, "%s/snapshots/%s", s->opt->archive_dir, s->opt->period);
    if (stat(dir, &sb) && errno == ENOENT)
        return VP_OK;
    vp_ledger_entry *recorded = NULL;
    size_t recorded_n = 0;
    vp_status st = vp_list_files(dir, 0, NULL, &names, &n, err);
    if (!st && !(stat(s->ledger, &sb) && errno == ENOENT))
        st = vp_ledger_entries(s->ledger, &recorded, &recorded_n, err);
    if (!st && (!(paths = calloc(n + 1, sizeof *paths)) || !(labels = calloc(n + 1, sizeof *labels))))
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !st; i++) {
        char path[4096], label[4096];
        if (strchr(names[i], '/') || strlen(names[i]) < 6 || strcmp(names[i] + strlen(names[i]) - 5, ".json"))
            continue;
        if (!is_recorded(recorded, recorded_n, names[i]))
            continue; /* kept by a pack that was interrupted before its ledger entry */
        if ((st = vpk_join(path, sizeof path, dir, names[i], err)))
            break;
        snprintf(label, sizeof label, "snapshots/%s/%s", s->opt->period, names[i]);
        if (!(paths[kept] = strdup(path)) || !(labels[kept++] = strdup(label)))
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    if (!st)
        st = vp_pipeline_baselines_load((const char *const *)paths, (const char *const *)labels, kept, &s->bases,
                                        err);
    vp_list_free(paths, kept);
    vp_list_free(labels, kept);
    vp_list_free(names, n);
    free(recorded);
    return st;
}

/* --replay of a sealed recording: the recording must be exactly what was sealed
 * (vp_seal_check_recording), checked before anything is written; an altered one is
 * refused. An unsealed one is packed and labelled so (manifest.json "recording"). */
static vp_status check_replay_seal(pack_state *s, vp_error *err)
{
    int present = 0;
    if (!s->opt->replay_dir)
        return VP_OK;
    vp_status st = vp_collect_replay_dir_check(s->opt->replay_dir, err);
    if (st)
        return vp_error_prefix(err, "pack: --replay");
    st = vp_seal_check_recording(s->opt->replay_dir, &s->replay_seal, &present, err);
    if (st)
        return vp_error_prefix(err, "pack: --replay %s", s->opt->replay_dir);
    if (present) {
        s->seal = s->replay_seal.seal;
        snprintf(s->sealed_by, sizeof s->sealed_by, "%s", s->replay_seal.signer_subject);
    }
    return VP_OK;
}

/* The staged copy of raw/ against the seal checked before copying: the files could have
 * changed in between, and what the bundle holds is what must match. */
static vp_status check_staged_raw(pack_state *s, size_t copied, vp_error *err)
{
    const vp_seal *seal = s->replay_seal.seal;
    for (size_t i = 0; i < seal->file_count; i++) {
        char rel[4096];
        snprintf(rel, sizeof rel, "raw/%s", seal->files[i].path);
        const vpk_staged_file *f = vpk_staged_lookup(&s->stg, rel);
        if (!f || f->size != seal->files[i].size || strcmp(f->sha256, seal->files[i].sha256))
            return vp_error_set(err, VP_ERR_CHECK, "pack: --replay %s: %s %s while it was copied: the recording was "
                                "changed after it was sealed", s->opt->replay_dir, seal->files[i].path,
                                f ? "changed" : "disappeared");
    }
    if (copied != seal->file_count)
        return vp_error_set(err, VP_ERR_CHECK, "pack: --replay %s: %zu response files copied, the seal lists %zu: the "
                            "recording was changed after it was sealed", s->opt->replay_dir, copied, seal->file_count);
    return VP_OK;
}

/* The seal's bytes as checked, into seal/: never read from the recording again. */
static vp_status carry_seal(pack_state *s, vp_error *err)
{
    const vp_seal_loaded *l = &s->replay_seal;
    vp_status st = vpk_staged_write(&s->stg, "seal/" VP_SEAL_DOC, l->doc, l->doc_len, err);
    if (!st)
        st = vpk_staged_write(&s->stg, "seal/" VP_SEAL_SIG, l->sig, l->sig_len, err);
    if (!st && l->tsr)
        st = vpk_staged_write(&s->stg, "seal/" VP_SEAL_TSR, l->tsr, l->tsr_len, err);
    return st;
}

/* raw/ copied by several threads: ~9,000 files at 100k items, ~90,000 at 1M, where
 * creating each file (kernel time) and hashing it kept one core busy while the other
 * waited. Files are taken in list order, a directory's run of them at a time (at most
 * RUN_MAX): creating a file locks its directory, and two threads creating files side by
 * side in one directory spent a quarter of both cores spinning on that lock (perf, 100k
 * items: 2.2 CPU s of pack's collect). Each thread reads, puts and hashes its files, and
 * the record is made afterwards in list order on pack's thread. The error reported is
 * the first file's in list order that failed, whatever the threads' timing: files before
 * it are all still copied, none after it is started once it has failed. */
#define RUN_MAX 64
typedef struct {
    const pack_state *s;
    char **paths;
    size_t n, next;
    struct raw_copied {
        char sha256[65];
        long long size; /* -1: not a response file (vp_seal_response_file), not copied */
    } *out;
    pthread_mutex_t mu;
    size_t failed_at; /* n: none */
    vp_status st;
    vp_error err;
} raw_copy;

static void copy_one(raw_copy *c, size_t i)
{
    char src[4096], rel[4096], *data = NULL;
    size_t len = 0;
    vp_error e = {0};
    c->out[i].size = -1;
    if (!vp_seal_response_file(c->paths[i]))
        return;
    snprintf(src, sizeof src, "%s/%s", c->s->opt->replay_dir, c->paths[i]);
    snprintf(rel, sizeof rel, "raw/%s", c->paths[i]);
    vp_status st = vp_read_file(src, &data, &len, &e);
    if (!st)
        st = vpk_staged_put(&c->s->stg, rel, data, len, c->out[i].sha256, &e);
    free(data);
    if (!st) {
        c->out[i].size = (long long)len;
        return;
    }
    pthread_mutex_lock(&c->mu);
    if (i < c->failed_at) {
        c->failed_at = i;
        c->st = st;
        c->err = e;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Whether path b is a file of the directory path a is in (dir_len bytes of a, 0: the top). */
static int same_dir(const char *a, size_t dir_len, const char *b)
{
    if (!dir_len)
        return !strchr(b, '/');
    return !strncmp(a, b, dir_len) && b[dir_len] == '/' && !strchr(b + dir_len + 1, '/');
}

/* The end of the run of files from i on in i's directory. */
static size_t run_end(char **paths, size_t n, size_t i)
{
    const char *slash = strrchr(paths[i], '/');
    size_t dir_len = slash ? (size_t)(slash - paths[i]) : 0, j = i + 1;
    while (j < n && j - i < RUN_MAX && same_dir(paths[i], dir_len, paths[j]))
        j++;
    return j;
}

static void *copy_some(void *arg)
{
    raw_copy *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        size_t i = c->next < c->failed_at ? c->next : c->n, end = i < c->n ? run_end(c->paths, c->n, i) : i;
        c->next = end;
        pthread_mutex_unlock(&c->mu);
        if (i >= c->n)
            return NULL;
        for (; i < end; i++) {
            pthread_mutex_lock(&c->mu);
            int go = i < c->failed_at;
            pthread_mutex_unlock(&c->mu);
            if (!go)
                break;
            copy_one(c, i);
        }
    }
}

static vp_status copy_files(pack_state *s, char **paths, size_t n, size_t *copied, vp_error *err)
{
    enum { MAX_COPIERS = 4 };
    pthread_t tid[MAX_COPIERS];
    int started = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    raw_copy c = {.s = s, .paths = paths, .n = n, .failed_at = n, .out = calloc(n ? n : 1, sizeof *c.out)};
    if (!c.out)
        return vp_error_set(err, VP_ERR_NOMEM, "pack: out of memory listing %zu raw/ files", n);
    pthread_mutex_init(&c.mu, NULL);
    while (started < MAX_COPIERS - 1 && started < cpus - 1 && pthread_create(&tid[started], NULL, copy_some, &c) == 0)
        started++;
    copy_some(&c); /* this thread copies too */
    for (int k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    pthread_mutex_destroy(&c.mu);
    vp_status st = c.st;
    if (st)
        *err = c.err;
    for (size_t i = 0; !st && i < n; i++) {
        if (c.out[i].size < 0)
            continue;
        char rel[4096];
        snprintf(rel, sizeof rel, "raw/%s", paths[i]);
        st = vpk_staged_record(&s->stg, rel, c.out[i].sha256, c.out[i].size, err);
        ++*copied;
    }
    free(c.out);
    return st;
}

/* Replay: the responses are copied into raw/ (exactly what the reader reads:
 * vp_seal_response_file, docs/replay-format.md), and a recording's seal into seal/;
 * live: raw/ is made for the collector to record into. Either way the bundle holds
 * exactly the responses its snapshot rests on. */
static vp_status copy_raw(pack_state *s, vp_error *err)
{
    char **paths = NULL;
    size_t n = 0, copied = 0;
    if (!s->opt->replay_dir) /* seal/ is made by the seal itself: no seal, no folder */
        return vpk_staged_mkdirs(&s->stg, "raw/", err);
    vp_status st = vp_list_files(s->opt->replay_dir, 0, NULL, &paths, &n, err);
    if (!st)
        st = copy_files(s, paths, n, &copied, err);
    vp_list_free(paths, n);
    if (!st && s->replay_seal.seal && !(st = check_staged_raw(s, copied, err)))
        st = carry_seal(s, err);
    return st;
}

/* Live: the seal the collector wrote into seal/ at capture end, read back for the
 * manifest and the cover. A collection that recorded nothing has none. */
static vp_status read_live_seal(pack_state *s, size_t sealed_files, vp_error *err)
{
    char *doc = NULL, subject[512];
    size_t len = 0;
    if (!sealed_files)
        return VP_OK;
    vp_status st = vpk_staged_read(&s->stg, "seal/" VP_SEAL_DOC, &doc, &len, err);
    if (!st)
        st = vp_seal_parse("seal/" VP_SEAL_DOC, doc, len, &s->live_seal, err);
    free(doc);
    if (st)
        return st;
    s->seal = s->live_seal;
    snprintf(s->sealed_by, sizeof s->sealed_by, "%s", vp_signer_subject(s->signer, subject, sizeof subject));
    return VP_OK;
}

/* Records a file a stage wrote through the staging descriptor, with the hash it read
 * back through the descriptor it wrote with. */
static vp_status record_staged(pack_state *s, const char *rel, const char sha[65], vp_error *err)
{
    struct stat sb;
    if (fstatat(s->stg.fd, rel, &sb, AT_SYMLINK_NOFOLLOW))
        return vp_error_set(err, VP_ERR_IO, "%s/%s: %s", s->stg.shown, rel, strerror(errno));
    return vpk_staged_record(&s->stg, rel, sha, (long long)sb.st_size, err);
}

/* The configuration goes into the bundle (VP_BUNDLE_CONFIG, without the signer:
 * vp_config_bundle; a WORM catalog file it names beside it), and collection and
 * evaluation then read that copy, so what the bundle says is what was evaluated and
 * `vaultproof reperform` gives the same bytes. The findings and the WORM catalog's
 * origin record it bundle-relatively. The user's config stays loaded for the signer's
 * strings (tsa_url points into it). */
static vp_status stage_config(pack_state *s, vp_error *err)
{
    vp_config_bundled b;
    vp_config *bundled = NULL;
    char path[4096];
    vp_status st = vp_config_bundle(s->cfg, s->opt->subscriptions, s->opt->subscription_count, &b, err);
    if (st)
        return st;
    st = vpk_staged_write(&s->stg, VP_BUNDLE_CONFIG, b.config, b.config_len, err);
    if (!st && b.worm_catalog)
        st = vpk_staged_write(&s->stg, VP_BUNDLE_WORM_CATALOG, b.worm_catalog, b.worm_catalog_len, err);
    vp_config_bundled_free(&b);
    snprintf(path, sizeof path, "%s/%s", s->stg.root, VP_BUNDLE_CONFIG); /* the loader takes a path */
    if (st || (st = vp_config_load_named(path, VP_BUNDLE_CONFIG, &bundled, err)))
        return st;
    vp_worm_catalog_free(s->worm);
    s->worm = NULL;
    if ((st = vp_config_worm_catalog(bundled, &s->worm, err))) {
        vp_config_free(bundled);
        return st;
    }
    s->user_cfg = s->cfg;
    s->cfg = bundled;
    return VP_OK;
}

/* The OSCAL document makes the findings again from the evaluated data (snapshot, config,
 * timeline), reading it only, so it is written on a second thread from the moment the
 * findings are made: alongside findings.json, whose hash it cites in its last part only
 * (it waits for it there), then alongside the workbook and the report, which only read
 * the shared data too. */
typedef struct oscal_job {
    pack_state *s;
    pthread_t tid;
    int started;    /* a thread writes it; joined by oscal_finish or oscal_free */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int hash_state; /* 0: findings.json being written; 1: written, s->findings_sha; -1: not */
    vp_error err;
    vp_status st;
    char sha[65];
} oscal_job;

#define OSCAL_REL "data/assessment-results.json"

static vp_status await_findings_hash(void *ctx, const char **sha256, vp_error *err)
{
    oscal_job *j = ctx;
    pthread_mutex_lock(&j->mu);
    while (!j->hash_state)
        pthread_cond_wait(&j->cv, &j->mu);
    int written = j->hash_state > 0;
    pthread_mutex_unlock(&j->mu);
    *sha256 = j->s->findings_sha;
    return written ? VP_OK : vp_error_set(err, VP_ERR_INTERNAL, OSCAL_REL ": findings.json was not written");
}

static void *write_oscal(void *arg)
{
    oscal_job *j = arg;
    j->st = vp_pipeline_write_oscal_awaiting_at(j->s->findings, await_findings_hash, j, j->s->stg.fd, OSCAL_REL,
                                                OSCAL_REL, VP_PIPELINE_STAGED, j->sha, &j->err);
    return NULL;
}

/* Starts the document on a second thread; with no thread to be had, oscal_finish writes
 * it after the reports. */
static vp_status oscal_start(pack_state *s, vp_error *err)
{
    oscal_job *j = calloc(1, sizeof *j);
    if (!j)
        return vp_error_set(err, VP_ERR_NOMEM, "pack: out of memory");
    j->s = s;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    s->oscal = j;
    j->started = pthread_create(&j->tid, NULL, write_oscal, j) == 0;
    return VP_OK;
}

/* findings.json is staged with its hash (written) or failed: the document cites the
 * hash, or gives up. Only the first call counts. */
static void oscal_hash_known(pack_state *s, int written)
{
    oscal_job *j = s->oscal;
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    if (!j->hash_state)
        j->hash_state = written ? 1 : -1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* Waits for the document (or writes it now) and records it: on this thread, as the
 * record is not shared while threads run. */
static vp_status oscal_finish(pack_state *s, vp_error *err)
{
    oscal_job *j = s->oscal;
    if (j->started)
        pthread_join(j->tid, NULL);
    else
        write_oscal(j);
    j->started = 0;
    if (j->st) {
        *err = j->err;
        return j->st;
    }
    return record_staged(s, OSCAL_REL, j->sha, err);
}

/* After a failure anywhere: the thread is told findings.json will not come, if it was
 * waiting for it, and joined before the findings it reads are freed. */
static void oscal_free(pack_state *s)
{
    oscal_job *j = s->oscal;
    if (!j)
        return;
    oscal_hash_known(s, 0);
    if (j->started)
        pthread_join(j->tid, NULL);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
    s->oscal = NULL;
}

/* data/snapshot.json is written on a second thread while the snapshot is evaluated: both
 * only read the model, and the evaluation cites the file's hash (s->snap_sha, which its
 * record points at) only when its findings are written, after the join. At 100k items the
 * write took 0.6 s with the other core idle. */
typedef struct {
    pack_state *s;
    pthread_t tid;
    int started;
    vp_status st;
    vp_error err;
} snapshot_job;

static void *write_snapshot(void *arg)
{
    snapshot_job *j = arg;
    j->st = vp_pipeline_write_snapshot_at(j->s->snap, j->s->stg.fd, "data/snapshot.json", "data/snapshot.json",
                                          VP_PIPELINE_STAGED, j->s->snap_sha, &j->err);
    return NULL;
}

static void snapshot_start(snapshot_job *j)
{
    j->started = pthread_create(&j->tid, NULL, write_snapshot, j) == 0;
    if (!j->started) /* no thread to be had: written now */
        write_snapshot(j);
}

/* Joins the writer and records the file; its failure is the one reported, whatever the
 * evaluation's outcome (st): the snapshot comes first. */
static vp_status snapshot_finish(snapshot_job *j, vp_status st, vp_error *err)
{
    if (j->started)
        pthread_join(j->tid, NULL);
    j->started = 0;
    if (j->st) {
        *err = j->err;
        return j->st;
    }
    return st ? st : record_staged(j->s, "data/snapshot.json", j->s->snap_sha, err);
}

static vp_status collect_and_evaluate(pack_state *s, vp_error *err)
{
    vp_pipeline_collect_options co = {0};
    vp_pipeline_evaluate_options eo = {0};
    vp_live_result live;
    vp_status st;
    char raw[4096], seal_dir[4096];
    size_t nbase = 0;
    snprintf(raw, sizeof raw, "%s/raw", s->stg.root); /* the collector takes paths */
    snprintf(seal_dir, sizeof seal_dir, "%s/seal", s->stg.root);
    if ((st = stage_config(s, err)) || (st = vpk_staged_mkdirs(&s->stg, "data/snapshot.json", err)))
        return st;
    co.config = s->cfg;
    co.worm = s->worm;
    co.clock = s->opt->clock;
    co.subscriptions = s->opt->subscriptions;
    co.subscription_count = s->opt->subscription_count;
    /* the snapshot is built from raw/, so the bundle holds exactly the responses it rests
     * on, and names it as it sits in the bundle ("raw"), so that replaying the bundle's
     * raw/ gives the same bytes (a live recording names its endpoint either way) */
    co.replay_dir = s->opt->replay_dir ? raw : NULL;
    co.input_label = s->opt->replay_dir ? "raw" : NULL;
    co.record_dir = s->opt->replay_dir ? NULL : raw;
    co.token_file = s->opt->token_file;
    co.arm_endpoint = s->opt->arm_endpoint;
    co.authority_host = s->opt->authority_host;
    co.ca_bundle = s->opt->ca_bundle;
    co.concurrency = s->opt->concurrency;
    /* live: the recording is sealed with the pack signer when the capture ends */
    co.seal_signer = s->opt->replay_dir ? NULL : s->signer;
    co.seal_dir = seal_dir;
    co.seal_tsa_url = s->tsa_url;
    /* --period is the collection's window: the period's backup jobs are collected and kept
     * as data/jobs.jsonl (the collector takes a path: through the staging descriptor) */
    snprintf(s->jobs, sizeof s->jobs, "%s/" VP_BUNDLE_JOBS, s->stg.root);
    co.period = s->has_period ? &s->period : NULL;
    co.jobs_path = s->has_period ? s->jobs : NULL;
    co.jobs_label = VP_BUNDLE_JOBS;
    if ((st = vp_pipeline_collect(&co, &s->snap, &live, err)) ||
        (!s->opt->replay_dir && (st = read_live_seal(s, live.sealed_files, err))) ||
        (s->snap->collection.jobs_file[0] &&
         (st = record_staged(s, VP_BUNDLE_JOBS, s->snap->collection.jobs_sha256, err))))
        return st;
    lap(s, VP_PACK_COLLECT);
    snapshot_job sj = {.s = s};
    snapshot_start(&sj);
    if (!(st = load_baselines(s, err))) {
        eo.config = s->cfg;
        eo.config_label = VP_BUNDLE_CONFIG;
        eo.catalog = s->cat;
        eo.clock = s->opt->clock;
        eo.snapshot = (vp_snapshot_ref){"data/snapshot.json", s->snap_sha, s->snap};
        eo.baselines = vp_pipeline_baselines_refs(s->bases, &nbase);
        eo.baseline_count = nbase;
        /* the period's rules read the staged stream (its hash checked against the snapshot) */
        eo.jobs_path = s->snap->collection.jobs_file[0] ? s->jobs : NULL;
        eo.jobs_label = VP_BUNDLE_JOBS;
        st = vp_pipeline_evaluate(&eo, &s->findings, NULL, err);
    }
    /* findings.json is written here rather than by vp_pipeline_evaluate, so that the OSCAL
     * document is written alongside it; counted per vault as written, for the reports */
    if ((st = snapshot_finish(&sj, st, err)) || (st = oscal_start(s, err)))
        return st;
    st = vp_pipeline_write_findings_at(s->findings, s->stg.fd, "data/findings.json", "data/findings.json",
                                       VP_PIPELINE_STAGED, &s->vault_counts, s->findings_sha, err);
    if (!st)
        st = record_staged(s, "data/findings.json", s->findings_sha, err);
    oscal_hash_known(s, !st);
    if (st)
        return st;
    lap(s, VP_PACK_EVALUATE);
    return VP_OK;
}

/* First seen: the failing findings of the bundles this archive's ledger already records
 * (the new one is not among them yet); none before the first bundle. A bundle left out
 * is named in the report (vp_history_notes). */
static vp_status load_history(pack_state *s, vp_history **out, vp_error *err)
{
    struct stat sb;
    if (stat(s->ledger, &sb) && errno == ENOENT)
        return vp_history_new(out, err);
    return vp_history_load(s->ledger, vp_config_organization(s->cfg), NULL, NULL, out, err);
}

/* data/jobs.csv: the jobs population for the auditors' own tools (RFC 4180, UTF-8), written
 * from the staged stream by the renderer's one CSV writer (Contract 3: vp_render_jobs_csv,
 * helper C). Only a pack with a period has a stream. */
static vp_status write_jobs_csv(pack_state *s, vp_error *err)
{
    if (!s->snap->collection.jobs_file[0])
        return VP_OK;
    char out[4096], sha[65];
    long long size;
    snprintf(out, sizeof out, "%s/" VP_BUNDLE_JOBS_CSV, s->stg.root);
    vp_status st = vp_render_jobs_csv(s->jobs, s->snap, out, err);
    return st ? st : vpk_staged_hash(&s->stg, VP_BUNDLE_JOBS_CSV, sha, &size, err);
}

/* The renderers read findings back from the staged findings.json. */
static vp_status render_both(pack_state *s, vp_error *err)
{
    char snapshot[4096], findings[4096];
    vp_pipeline_render_options ro = {0};
    /* read by path (the findings reader takes one): through the staging descriptor */
    snprintf(snapshot, sizeof snapshot, "%s/data/snapshot.json", s->stg.root);
    snprintf(findings, sizeof findings, "%s/data/findings.json", s->stg.root);
    ro.snapshot_path = snapshot;
    ro.snapshot = s->snap;
    ro.snapshot_sha256 = s->snap_sha;
    ro.snapshot_label = "snapshot.json";
    ro.findings_path = findings;
    ro.findings_sha256 = s->findings_sha;
    ro.findings_label = "findings.json";
    ro.xlsx_path = "report/workbook.xlsx";
    ro.xlsx_label = "report/workbook.xlsx";
    ro.xlsx_name = "workbook.xlsx";
    ro.pdf_path = VP_BUNDLE_REPORT_PDF;
    ro.pdf_label = VP_BUNDLE_REPORT_PDF;
    ro.mode = VP_PIPELINE_STAGED;
    ro.dir_fd = s->stg.fd;
    ro.clock = s->opt->clock;
    ro.period = s->opt->period;
    ro.request_id = s->opt->request_id;
    ro.population_limit = VP_PDF_POPULATION_LIMIT;
    ro.owner_tag = vp_config_owner_tag(s->cfg);
    ro.jobs_path = s->snap->collection.jobs_file[0] ? s->jobs : NULL;
    ro.jobs_label = VP_BUNDLE_JOBS;
    ro.timeline = vp_findings_timeline(s->findings); /* built over the same staged stream by evaluate */
    ro.vault_counts = &s->vault_counts;              /* counted by evaluate as it wrote findings.json */
    /* the workbook's temporary files in the staging directory: a killed pack leaves them
     * where the next pack's recovery removes them, not in $TMPDIR */
    ro.scratch_dir = s->stg.root;
    vp_history *history = NULL;
    /* the cover and the workbook say whether raw/ was sealed at capture */
    ro.recording.state = s->seal ? VP_RECORDING_SEALED : VP_RECORDING_UNSEALED;
    ro.recording.sealed_by = s->sealed_by;
    ro.recording.sealed_at = s->seal ? s->seal->sealed_at : NULL;
    /* the how-to-verify texts name the real bundle and the CA's fingerprint */
    ro.bundle_name = s->stem;
    ro.ca_fingerprint = s->anchor.known ? s->anchor.sha256_fingerprint : NULL;
    ro.timestamped = s->tsa_url != NULL;
    ro.sample = s->sample;
    vp_status st = vpk_staged_mkdirs(&s->stg, VP_BUNDLE_REPORT_PDF, err);
    if (!st && !(st = load_history(s, &history, err))) {
        ro.history = history;
        st = vp_pipeline_render(&ro, err);
    }
    vp_history_free(history);
    return st;
}

static vp_status render_reports(pack_state *s, vp_error *err)
{
#ifdef __GLIBC__
    /* collect and evaluate have freed their parse state by now, hundreds of MB at a
     * million items in the middle of the heap, which glibc keeps resident; the renderers'
     * peak would stack on top of it (bench/README.md: 328 -> 308 MB at 100k items) */
    malloc_trim(0);
#endif
    vp_status st = render_both(s, err);
    return st ? st : oscal_finish(s, err);
}

static vp_status write_certs_readme(pack_state *s, vp_error *err)
{
    /* the certificate files the signer was loaded with: --cert/--chain with --key, else
     * the config's signer object (a token's or a key file's alike) */
    const vp_signer_settings *cs = vp_config_signer(s->user_cfg ? s->user_cfg : s->cfg);
    const char *cert = s->opt->key_path ? s->opt->cert_path : cs->cert;
    const char *chain = s->opt->key_path ? s->opt->chain_path : cs->chain;
    vp_status st = vpk_staged_mkdirs(&s->stg, "certs/signer.pem", err);
    if (!st && cert)
        st = vpk_staged_copy(&s->stg, cert, "certs/signer.pem", err);
    if (!st && chain)
        st = vpk_staged_copy(&s->stg, chain, "certs/chain.pem", err);
    vpk_readme_facts facts = {s->stem, &s->anchor, s->tsa_url != NULL, s->sample};
    return st ? st : vpk_write_readme(&s->stg, &facts, err);
}

/* The previous bundle's hash from the ledger head (NULL for the first bundle). */
static vp_status ledger_head(pack_state *s, char prev[65], int *have, vp_error *err)
{
    struct stat sb;
    vp_ledger_report rep;
    *have = 0;
    if (stat(s->ledger, &sb) && errno == ENOENT)
        return VP_OK;
    vp_status st = vp_ledger_verify(s->ledger, &rep, err);
    if (st)
        return st;
    if (rep.entries > 0) {
        memcpy(prev, rep.last.bundle_sha256, 65);
        *have = 1;
    }
    return VP_OK;
}

/* manifest.json, its signature (and time-stamp), then SHA256SUMS over every file but
 * itself and its signature, then that signature: each signature covers everything
 * written before it, and SHA256SUMS + SHA256SUMS.p7s alone check the whole bundle. */
static vp_status manifest_and_sign(pack_state *s, const char *result, size_t failing, char manifest_sha[65],
                                   vp_error *err)
{
    char prev[65], gen[32], subject[512];
    int have_prev;
    const vp_collection *c = &s->snap->collection;
    vp_status st = ledger_head(s, prev, &have_prev, err);
    if (st)
        return st;
    vp_time_format(s->opt->clock.epoch, gen, sizeof gen);
    vpk_manifest_meta m = {vp_config_organization(s->cfg), s->opt->period, s->opt->request_id, gen, vp_version(),
                           vp_commit(), vp_catalog_version(s->cat), vp_config_sha256(s->cfg), c->captured_from,
                           c->captured_to, c->complete, c->verified, result, have_prev ? prev : NULL,
                           vp_signer_subject(s->signer, subject, sizeof subject), s->tsa_url != NULL,
                           s->opt->clock.pinned, s->opt->clock.from, (long long)failing, s->seal != NULL,
                           s->sealed_by, s->seal ? s->seal->sealed_at : NULL, s->seal ? s->seal->captured_from : NULL,
                           s->seal ? s->seal->captured_to : NULL,
                           VP_BUNDLE_CONFIG /* config_sha256 is the bundled copy's (stage_config) */, &s->anchor,
                           s->has_period ? &s->period : NULL, vp_signer_key_kind(s->signer),
                           vp_signer_key_ref(s->signer), s->archive};
    char *data = NULL, *sums = NULL;
    size_t len = 0, sums_len = 0;
    unsigned char *der = NULL;
    size_t der_len = 0;
    /* what is signed is the manifest's bytes as built, not a file read back */
    if ((st = vpk_write_manifest(&s->stg, &m, &data, &len, err)))
        return st;
    vp_sha256_hex(data, len, manifest_sha);
    st = vp_cms_sign_detached(s->signer, data, len, s->opt->clock.epoch, VP_CMS_DEFAULT, &der, &der_len, err);
    if (!st && s->tsa_url)
        st = vpk_timestamp_manifest(&s->stg, s->tsa_url, s->opt->ca_bundle, &der, &der_len, err);
    if (!st)
        st = vpk_staged_write(&s->stg, VP_BUNDLE_SIGNATURE, der, der_len, err);
    if (!st && !(st = vpk_write_sums(&s->stg, &sums, &sums_len, err)))
        st = vpk_sign_sums(&s->stg, s->signer, sums, sums_len, s->opt->clock.epoch, s->tsa_url, s->opt->ca_bundle,
                           err);
    free(sums);
    free(der);
    free(data);
    return st;
}

static vp_status publish(pack_state *s, vp_pack_result *out, vp_error *err)
{
    vp_output *o = NULL;
    struct stat sb;
    snprintf(out->bundle_path, sizeof out->bundle_path, "%s/%s.tar.gz", s->opt->archive_dir, s->stem);
    if (!lstat(out->bundle_path, &sb))
        return vp_error_set(err, VP_ERR_IO, "%s: already exists; a bundle is never overwritten", out->bundle_path);
    /* written under a hidden name: it becomes the bundle only once the ledger records it */
    snprintf(s->pending, sizeof s->pending, "%s/" VPK_PENDING_PREFIX "%s.tar.gz", s->opt->archive_dir, s->stem);
    vp_status st = vp_output_open(s->pending, &o, err);
    if (st) {
        s->pending[0] = '\0';
        return st;
    }
    /* only what pack wrote, as it wrote it, goes into a bundle (checked while writing) */
    char written[65];
    if ((st = vpk_staged_archive(&s->stg, s->stem, s->opt->clock.epoch, vp_output_stream(o), written, err))) {
        vp_output_abort(o);
        s->pending[0] = '\0';
        return st;
    }
    if ((st = vp_output_commit(o, err))) {
        s->pending[0] = '\0';
        return st;
    }
    /* the ledger records the file as it is now: it must be the bytes written */
    if ((st = vp_sha256_file(s->pending, out->bundle_sha256, err)))
        return st;
    if (strcmp(written, out->bundle_sha256))
        return vp_error_set(err, VP_ERR_IO, "%s: has SHA-256 %.16s... after it was written, but %.16s... was written; "
                            "it was changed by someone else", s->pending, out->bundle_sha256, written);
    if (stat(s->pending, &sb))
        return vp_error_set(err, VP_ERR_IO, "%s: %s", s->pending, strerror(errno));
    out->bundle_bytes = (long long)sb.st_size;
    return VP_OK;
}

static vp_status append_ledger(pack_state *s, vp_pack_result *out, vp_error *err)
{
    vp_ledger_entry e = {0}, written;
    e.time = s->opt->clock.epoch;
    snprintf(e.bundle, sizeof e.bundle, "%s.tar.gz", s->stem);
    memcpy(e.bundle_sha256, out->bundle_sha256, 65);
    e.bundle_bytes = out->bundle_bytes;
    memcpy(e.manifest_sha256, out->manifest_sha256, 65);
    snprintf(e.period, sizeof e.period, "%s", s->opt->period ? s->opt->period : "");
    snprintf(e.request_id, sizeof e.request_id, "%s", s->opt->request_id ? s->opt->request_id : "");
    slug(out->result, e.result, sizeof e.result); /* "pass with warnings" -> "pass-with-warnings" */
    vp_status st = vp_ledger_append_signed(s->ledger, &e, s->signer, &written, err);
    if (st)
        return st;
    out->ledger_seq = written.seq;
    /* Recorded: from here on the pending file is the bundle, even if the rename below
     * fails or we are killed before it (the next pack's recovery renames it). */
    char pending[sizeof s->pending];
    memcpy(pending, s->pending, sizeof pending);
    s->pending[0] = '\0';
    /* both names are ARCHIVE_DIR/NAME: renamed within the directory opened at the start */
    if (renameat(s->archive_fd, strrchr(pending, '/') + 1, s->archive_fd, strrchr(out->bundle_path, '/') + 1))
        return vp_error_set(err, VP_ERR_IO,
                            "%s: recorded in the ledger but cannot be renamed to %s: %s (the next pack will retry)",
                            pending, out->bundle_path, strerror(errno));
    return vp_sync_dir(s->opt->archive_dir, err);
}

/* Streams src into dst through vp_output (temp file, fsync, rename). */
static vp_status copy_durably(const char *src, const char *dst, vp_error *err)
{
    char buf[1 << 16];
    size_t n;
    vp_output *o = NULL;
    FILE *in = fopen(src, "rb");
    if (!in)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot read: %s", src, strerror(errno));
    vp_status st = vp_output_open(dst, &o, err);
    while (!st && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, vp_output_stream(o)) != n)
            st = vp_error_set(err, VP_ERR_IO, "%s: write failed", dst);
    if (!st && ferror(in))
        st = vp_error_set(err, VP_ERR_IO, "%s: read failed", src);
    fclose(in);
    if (o && st)
        vp_output_abort(o);
    else if (o)
        st = vp_output_commit(o, err);
    return st;
}

/* Keeps the snapshot as a baseline for later packs of the period. Staging and the
 * archive share a file system, so a hard link publishes it without copying ~300 MB
 * (after an fsync, so the name never points at data a crash could lose); a stale name
 * left by a killed pack is replaced. Anything else falls back to a durable copy. */
static vp_status keep_snapshot(pack_state *s, vp_error *err)
{
    char rel[1024], src[4200], dst[4096];
    if (!s->opt->period)
        return VP_OK;
    snprintf(rel, sizeof rel, "snapshots/%s/%s.json", s->opt->period, s->stem);
    snprintf(src, sizeof src, "%s/data/snapshot.json", s->stg.shown); /* for messages */
    snprintf(dst, sizeof dst, "%s/%s", s->opt->archive_dir, rel);
    vp_status st = vpk_make_parents(s->opt->archive_dir, rel, err);
    if (st)
        return st;
    int fd = openat(s->stg.fd, "data/snapshot.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot sync: %s", src, strerror(e));
    }
    close(fd);
    const char *from = "data/snapshot.json";
    int linked = linkat(s->stg.fd, from, AT_FDCWD, dst, 0) == 0 ||
                 (errno == EEXIST && unlink(dst) == 0 && linkat(s->stg.fd, from, AT_FDCWD, dst, 0) == 0);
    snprintf(src, sizeof src, "%s/data/snapshot.json", s->stg.root); /* the copy reads by path */
    if (!linked && (st = copy_durably(src, dst, err)))
        return st;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/snapshots/%s", s->opt->archive_dir, s->opt->period);
    if ((st = vp_sync_dir(dir, err)))
        return st;
    snprintf(s->kept, sizeof s->kept, "%s", dst);
    return VP_OK;
}

/* The signer and TSA (vp_pipeline_signer: --key and the rest, else the config's). */
static vp_status load_signer(pack_state *s, vp_error *err)
{
    const vp_pack_options *o = s->opt;
    vp_pipeline_signer_options so = {o->key_path, o->cert_path, o->chain_path, o->passphrase, o->tsa_url,
                                     o->ca_bundle, o->authority_host, o->pin_env, o->pkcs11_module};
    return vp_pipeline_signer(&so, s->cfg, o->config_path, "pack", 1, &s->signer, &s->tsa_url, err);
}

/* The CA auditors are told to trust: --ca, else the config's signer/ca when the signer
 * is the config's, else the chain's self-signed last certificate. Checked to have issued
 * the signer, before anything is written. */
static vp_status load_anchor(pack_state *s, vp_error *err)
{
    const char *ca = s->opt->ca_path;
    if (!ca && !s->opt->key_path)
        ca = vp_config_signer(s->cfg)->ca;
    vp_status st = vp_signer_trust_anchor(s->signer, ca, &s->anchor, err);
    if (st)
        return vp_error_prefix(err, "pack");
    return VP_OK;
}

char *vp_pack_evidence_result(const char *result, long long failing, char *buf, size_t size)
{
    size_t n = 0;
    if (!size)
        return buf;
    for (const char *p = result ? result : "unknown"; *p && n + 1 < size; p++)
        buf[n++] = (char)toupper((unsigned char)*p);
    buf[n] = '\0';
    if (failing > 0)
        snprintf(buf + n, size - n, " (%lld failing finding%s)", failing, failing == 1 ? "" : "s");
    return buf;
}

int vp_pack_demo_signer(const char *subject)
{
    return subject && strstr(subject, "NOT FOR PRODUCTION") != NULL;
}

/* A pinned clock makes every signature claim the pinned time: fine for the demo and for
 * reproducible builds asked for by name, refused otherwise (docs/signing.md). */
static vp_status check_pinned_signer(const pack_state *s, vp_error *err)
{
    char subject[512];
    if (!s->opt->clock.pinned || s->opt->reproducible ||
        vp_pack_demo_signer(vp_signer_subject(s->signer, subject, sizeof subject)))
        return VP_OK;
    return vp_error_set(err, VP_ERR_USAGE, "pack: the clock is pinned (%s) and the signer (%s) is not a demo signer: "
                        "its signatures would claim a time they were not made at; give --reproducible to pack at "
                        "a pinned clock anyway (recorded in manifest.json), or unpin the clock",
                        s->opt->clock.from ? s->opt->clock.from : "--now", subject);
}

/* With --replay, --token-file, --arm-endpoint and --authority-host only serve the archive's
 * ARM read (its container's policy). Then, before anything is written: that policy. */
static vp_status check_archive(pack_state *s, vp_pack_result *out, vp_error *err)
{
    const vp_pack_options *o = s->opt;
    int wanted = vpk_archive_wanted(o, s->cfg);
    if (o->replay_dir && !wanted && (o->token_file || o->arm_endpoint || o->authority_host))
        return vp_error_set(err, VP_ERR_USAGE, "pack: --token-file, --arm-endpoint and --authority-host are for live "
                            "collection and the archive URL's ARM read; without an archive URL they cannot be combined "
                            "with --replay");
    if (!wanted) {
        if (o->upload_only || o->archive_sas_env || o->archive_token_file || o->archive_account_id ||
            o->require_worm_archive || o->archive_block_size)
            return vp_error_set(err, VP_ERR_USAGE, "pack: --upload-only and the --archive-* options need an archive "
                                "URL (--archive-url, or archive.url in the config)");
        return VP_OK;
    }
    if (!(s->archive = calloc(1, sizeof *s->archive)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vp_status st = vpk_archive_check(o, s->cfg, s->archive, err);
    if (st)
        return st;
    snprintf(out->archive_label, sizeof out->archive_label, "%s", s->archive->label);
    snprintf(out->archive_warning, sizeof out->archive_warning, "%s", s->archive->warning);
    const vp_blob_immutability *p = &s->archive->policy;
    if (p->has_policy)
        snprintf(out->archive_policy, sizeof out->archive_policy, "%s, %lld days", p->state, p->days);
    else
        snprintf(out->archive_policy, sizeof out->archive_policy, "none");
    return VP_OK;
}

/* After the local commit: the archive's bundles, line signatures and ledger go up. The
 * local archive is complete whatever happens here; a failure says how to retry. */
static vp_status upload(pack_state *s, vp_pack_result *out, vp_error *err)
{
    if (!s->archive)
        return VP_OK;
    vp_status st = vpk_archive_upload(s->opt, s->cfg, s->archive, s->ledger, &out->uploaded, &out->already_there, err);
    if (st) {
        char cause[VP_ERROR_MSG_MAX];
        snprintf(cause, sizeof cause, "%s", err->message);
        /* the retry first: a long cause may be cut, the way out must not be */
        vp_error_set(err, st, "pack: upload to %s failed after %zu blob(s) (%s committed in %s; nothing in the "
                     "container is ever overwritten, so retry safely with: vaultproof pack --config FILE --out %s "
                     "--upload-only and the same archive options; docs/archive-storage.md): %s", s->archive->label,
                     out->uploaded, s->opt->upload_only ? "every bundle is" : "the bundle is", s->opt->archive_dir,
                     s->opt->archive_dir, cause);
    }
    return st;
}

/* pack --upload-only: what ARCHIVE_DIR's ledger records, under the pack lock, nothing packed. */
static vp_status upload_only(pack_state *s, vp_pack_result *out, vp_error *err)
{
    struct stat sb;
    vp_status st = vpk_archive_open(s->opt->archive_dir, &s->archive_fd, err);
    if (st || (st = vpk_archive_lock(s->opt->archive_dir, &s->lock_fd, err)) ||
        (st = vpk_archive_recover(s->opt->archive_dir, s->ledger, err)))
        return st;
    if (stat(s->ledger, &sb))
        return vp_error_set(err, VP_ERR_IO, "%s: no ledger: nothing to upload", s->ledger);
    vp_ledger_report rep;
    if ((st = vp_ledger_verify(s->ledger, &rep, err)))
        return st;
    out->ledger_seq = rep.entries;
    st = upload(s, out, err);
    lap(s, VP_PACK_UPLOAD);
    return st;
}

static vp_status make_staging(pack_state *s, vp_error *err)
{
    /* refused here, before anything is written, when others could rename our entries */
    vp_status st = vpk_archive_open(s->opt->archive_dir, &s->archive_fd, err);
    /* one pack at a time per archive; then finish or discard what a killed pack left */
    if (st || (st = vpk_archive_lock(s->opt->archive_dir, &s->lock_fd, err)) ||
        (st = vpk_archive_recover(s->opt->archive_dir, s->ledger, err)))
        return st;
    return vpk_staging_open(&s->stg, s->archive_fd, s->opt->archive_dir, err);
}

vp_status vp_pack(const vp_pack_options *opt, vp_pack_result *out, vp_error *err)
{
    pack_state s = {.opt = opt, .lock_fd = -1, .archive_fd = -1, .stg = {.fd = -1}, .stage_seconds = out->stage_seconds};
    size_t counts[VP_STATUS_COUNT];
    memset(out, 0, sizeof *out);
    clock_gettime(CLOCK_MONOTONIC, &s.mark);
    vp_status st = check_options(opt, err);
    if (!st && opt->period && !(st = vp_period_quarter(opt->period, "pack", &s.period, err)))
        s.has_period = 1;
    /* a sealed recording is checked before anything else: an altered one is refused */
    if (!st)
        st = check_replay_seal(&s, err);
    if (!st && (size_t)snprintf(s.ledger, sizeof s.ledger, "%s/ledger.jsonl", opt->archive_dir) >= sizeof s.ledger)
        st = vp_error_set(err, VP_ERR_USAGE, "pack: --out path too long");
    /* the config (which only reads) and then the key, before anything is written: a key
     * others can read, or a wrong passphrase, must stop us here */
    if (!st && opt->upload_only) {
        if (!(st = vp_config_load(opt->config_path, &s.cfg, err)) && !(st = check_archive(&s, out, err)))
            st = upload_only(&s, out, err);
        goto done;
    }
    /* the archive container's policy is read before the key is used or anything written */
    if (st || (st = vp_config_load(opt->config_path, &s.cfg, err)) || (st = check_archive(&s, out, err)) ||
        (st = load_signer(&s, err)) ||
        (st = load_anchor(&s, err)) || (st = check_pinned_signer(&s, err)) || (st = vp_config_worm_catalog(s.cfg, &s.worm, err)) ||
        (st = vp_catalog_builtin(&s.cat, err)) || (st = make_staging(&s, err)) || (st = copy_raw(&s, err)) ||
        (st = collect_and_evaluate(&s, err)) || (st = vpk_stage_sample(&s.stg, opt, s.snap, &s.sample, err)) ||
        (bundle_stem(&s), 0) || (st = render_reports(&s, err)) || (st = write_jobs_csv(&s, err)) ||
        (lap(&s, VP_PACK_RENDER), 0) ||
        (st = vpk_sign_report(&s.stg, s.signer, s.tsa_url, opt->ca_bundle, opt->clock.epoch, err)) ||
        (st = write_certs_readme(&s, err)))
        goto done;
    vp_findings_count(s.findings, NULL, counts);
    snprintf(out->result, sizeof out->result, "%s", vp_result_of(counts));
    out->complete = s.snap->collection.complete;
    out->verified = s.snap->collection.verified;
    vp_pipeline_baselines_refs(s.bases, &out->baseline_count);
    out->trust_anchor_known = s.anchor.known;
    /* publish writes the pending bundle; the ledger entry is the commit point (recover.c) */
    out->failing_findings = counts[VP_FAIL];
    if ((st = manifest_and_sign(&s, out->result, out->failing_findings, out->manifest_sha256, err)))
        goto done;
    lap(&s, VP_PACK_SIGN);
    if ((st = publish(&s, out, err)))
        goto done;
    lap(&s, VP_PACK_ARCHIVE);
    if (!(st = keep_snapshot(&s, err)))
        st = append_ledger(&s, out, err);
    lap(&s, VP_PACK_PUBLISH);
    if (!st)
        st = upload(&s, out, err);
    lap(&s, VP_PACK_UPLOAD);
done:
    pack_free(&s);
    return st;
}
