/* pack's staging directory in a shared archive directory (issue 12, point 2): the race
 * made deterministic. The staging directory is renamed away and a look-alike put in its
 * place between two staging steps; what follows must keep writing into the original and
 * the archive must hold only the bytes pack wrote. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack/pack_internal.h"
#include "vaultproof/archive.h"
#include "vaultproof/fileio.h"
#include "vaultproof/pipeline.h"
#include "vp_test.h"

typedef struct {
    char base[256], archive[300], moved[400], lookalike[400], bundle[300];
    int archive_fd;
    vpk_staging s;
} place;

static void place_open(place *p)
{
    const char *tmp = getenv("TMPDIR");
    vp_error e = {0};
    memset(p, 0, sizeof *p);
    snprintf(p->base, sizeof p->base, "%s/vp-staging-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(p->base));
    snprintf(p->archive, sizeof p->archive, "%s/archive", p->base);
    snprintf(p->bundle, sizeof p->bundle, "%s/bundle.tar.gz", p->base);
    ck_assert_msg(vpk_archive_open(p->archive, &p->archive_fd, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vpk_staging_open(&p->s, p->archive_fd, p->archive, &e) == VP_OK, "%s", e.message);
    snprintf(p->moved, sizeof p->moved, "%s/moved-away", p->archive);
    snprintf(p->lookalike, sizeof p->lookalike, "%s/%s", p->archive, p->s.name);
}

static void place_close(place *p)
{
    vpk_staging_close(&p->s);
    close(p->archive_fd);
    vp_remove_tree(p->base, NULL);
}

static void put(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
}

static char *slurp(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    vp_error e = {0};
    return vp_read_file(path, &data, &len, &e) == VP_OK ? data : NULL;
}

/* The neighbour's move: the staging directory renamed away, a look-alike with a
 * substitute data/a.json in its place. */
static void swap(place *p)
{
    char path[600];
    ck_assert_int_eq(rename(p->lookalike, p->moved), 0);
    ck_assert_int_eq(mkdir(p->lookalike, 0755), 0);
    snprintf(path, sizeof path, "%s/data", p->lookalike);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/data/a.json", p->lookalike);
    put(path, "{\"forged\": true}\n");
}

typedef struct {
    char names[8][128];
    char texts[8][64];
    size_t n;
} members;

static vp_status keep_all(const vp_archive_entry *en, int *keep, void *ctx, vp_error *err)
{
    (void)ctx;
    (void)err;
    *keep = en->size < 64;
    return VP_OK;
}

static vp_status collect_member(const vp_archive_entry *en, const char *sha, unsigned char **data, size_t len,
                                void *ctx, vp_error *err)
{
    members *m = ctx;
    (void)sha;
    (void)err;
    if (en->kind == VP_ARCHIVE_FILE && m->n < 8) {
        snprintf(m->names[m->n], sizeof m->names[0], "%s", en->name);
        snprintf(m->texts[m->n], sizeof m->texts[0], "%.*s", (int)len, *data ? (const char *)*data : "");
        m->n++;
    }
    return VP_OK;
}

static vp_status archive(place *p, vp_error *e)
{
    FILE *fp = fopen(p->bundle, "wb");
    ck_assert_ptr_nonnull(fp);
    char written[65];
    vp_status st = vpk_staged_archive(&p->s, "top", 0, fp, written, e);
    ck_assert_int_eq(fclose(fp), 0);
    return st;
}

START_TEST(swap_between_steps_is_not_followed)
{
    place p;
    vp_error e = {0};
    char path[600], *text = NULL, *read_back = NULL;
    size_t len = 0;
    members m = {0};
    place_open(&p);
    ck_assert_msg(vpk_staged_write(&p.s, "data/a.json", "{\"genuine\": 1}\n", 15, &e) == VP_OK, "%s", e.message);
    swap(&p);
    /* the steps after the swap: a pack write, a pipeline stage's write, a read back */
    ck_assert_msg(vpk_staged_write(&p.s, "data/b.json", "{\"genuine\": 2}\n", 15, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vpk_staged_mkdirs(&p.s, "report/x", &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vpk_staged_read(&p.s, "data/a.json", &read_back, &len, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(read_back, "{\"genuine\": 1}\n");
    free(read_back);

    /* the original (now renamed) directory got the writes; the look-alike none */
    snprintf(path, sizeof path, "%s/data/b.json", p.moved);
    ck_assert_ptr_nonnull(text = slurp(path));
    ck_assert_str_eq(text, "{\"genuine\": 2}\n");
    free(text);
    snprintf(path, sizeof path, "%s/data/b.json", p.lookalike);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/report", p.lookalike);
    ck_assert_int_ne(access(path, F_OK), 0);

    /* the archive (its writer takes a path: the descriptor's) holds exactly what was written */
    ck_assert_msg(archive(&p, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(vp_archive_scan(p.bundle, keep_all, collect_member, &m, NULL, &e), VP_OK);
    ck_assert_uint_eq(m.n, 2);
    ck_assert_str_eq(m.names[0], "top/data/a.json");
    ck_assert_str_eq(m.texts[0], "{\"genuine\": 1}\n");
    ck_assert_str_eq(m.names[1], "top/data/b.json");
    ck_assert_str_eq(m.texts[1], "{\"genuine\": 2}\n");

    /* cleaning up empties ours and leaves the look-alike (someone else's) alone */
    vpk_staging_close(&p.s);
    snprintf(path, sizeof path, "%s/data/a.json", p.lookalike);
    ck_assert_ptr_nonnull(text = slurp(path));
    ck_assert_str_eq(text, "{\"forged\": true}\n");
    free(text);
    snprintf(path, sizeof path, "%s/data", p.moved);
    ck_assert_int_ne(access(path, F_OK), 0);
    place_close(&p);
}
END_TEST

START_TEST(pipeline_stage_writes_through_the_descriptor)
{
    place p;
    vp_error e = {0};
    char path[600], sha[65], direct[65];
    vp_snapshot *snap = NULL;
    const char *data = getenv("VP_TEST_DATA");
    vp_worm_catalog *worm = NULL;
    vp_pipeline_collect_options co = {0};
    char sample[512];
    snprintf(sample, sizeof sample, "%s/../../samples/contoso-health/raw", data ? data : "tests/data");
    ck_assert_int_eq(vp_pipeline_worm_catalog(NULL, NULL, &worm, &e), VP_OK);
    co.worm = worm;
    co.replay_dir = sample;
    co.clock.epoch = 1790748000;
    ck_assert_msg(vp_pipeline_collect(&co, &snap, NULL, &e) == VP_OK, "%s", e.message);

    place_open(&p);
    ck_assert_msg(vpk_staged_mkdirs(&p.s, "data/snapshot.json", &e) == VP_OK, "%s", e.message);
    swap(&p);
    ck_assert_msg(vp_pipeline_write_snapshot_at(snap, p.s.fd, "data/snapshot.json", "data/snapshot.json",
                                                VP_PIPELINE_STAGED, sha, &e) == VP_OK, "%s", e.message);
    snprintf(path, sizeof path, "%s/data/snapshot.json", p.moved);
    ck_assert_msg(vp_sha256_file(path, direct, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(sha, direct);
    snprintf(path, sizeof path, "%s/data/snapshot.json", p.lookalike);
    ck_assert_int_ne(access(path, F_OK), 0);

    /* staged outputs are created exclusively and never through a symlink */
    ck_assert_int_eq(vp_pipeline_write_snapshot_at(snap, p.s.fd, "data/snapshot.json", "data/snapshot.json",
                                                   VP_PIPELINE_STAGED, NULL, &e), VP_ERR_IO);
    snprintf(path, sizeof path, "%s/data/link.json", p.moved);
    ck_assert_int_eq(symlink("/tmp/vp-nowhere.json", path), 0);
    ck_assert_int_eq(vp_pipeline_write_snapshot_at(snap, p.s.fd, "data/link.json", "data/link.json",
                                                   VP_PIPELINE_STAGED, NULL, &e), VP_ERR_IO);
    ck_assert_int_ne(access("/tmp/vp-nowhere.json", F_OK), 0);
    place_close(&p);
    vp_snapshot_free(snap);
    vp_worm_catalog_free(worm);
}
END_TEST

START_TEST(change_after_write_fails_the_archive)
{
    place p;
    vp_error e = {0};
    char path[600];
    place_open(&p);
    ck_assert_int_eq(vpk_staged_write(&p.s, "data/a.json", "{\"genuine\": 1}\n", 15, &e), VP_OK);
    /* someone able to write inside the staging directory (p.lookalike: not swapped
     * here, so still the original) changes a file after pack wrote it */
    snprintf(path, sizeof path, "%s/data/a.json", p.lookalike);
    ck_assert_int_eq(unlink(path), 0);
    put(path, "{\"genuine\": 0}\n");
    ck_assert_int_eq(archive(&p, &e), VP_ERR_IO);
    ck_assert_msg(strstr(e.message, "top/data/a.json") && strstr(e.message, "changed by someone else"), "%s",
                  e.message);
    place_close(&p);

    /* ... or adds one pack never wrote */
    place_open(&p);
    ck_assert_int_eq(vpk_staged_write(&p.s, "data/a.json", "{\"genuine\": 1}\n", 15, &e), VP_OK);
    snprintf(path, sizeof path, "%s/data/extra.json", p.lookalike);
    put(path, "{}\n");
    ck_assert_int_eq(archive(&p, &e), VP_ERR_IO);
    ck_assert_msg(strstr(e.message, "top/data/extra.json") && strstr(e.message, "did not write"), "%s", e.message);
    place_close(&p);
}
END_TEST

/* The record of what was written is looked up by name for every file staged (a million
 * items stage ~90,000 raw/ files): past the index's growth every name is found with its
 * own hash and size, a name recorded again is updated in place, an unknown one is not
 * found. (The lookup was a linear scan, quadratic over a bundle.) */
START_TEST(record_finds_every_name)
{
    place p;
    vp_error e = {0};
    char rel[64], sha[65];
    enum { N = 3000 };
    place_open(&p);
    for (int i = 0; i < N; i++) {
        snprintf(rel, sizeof rel, "raw/subscriptions/s%d/page-%d.json", i % 7, i);
        snprintf(sha, sizeof sha, "%064d", i);
        ck_assert_int_eq(vpk_staged_record(&p.s, rel, sha, i, &e), VP_OK);
    }
    snprintf(sha, sizeof sha, "%064d", 42424242);
    ck_assert_int_eq(vpk_staged_record(&p.s, "raw/subscriptions/s3/page-10.json", sha, 7, &e), VP_OK);
    ck_assert_uint_eq(p.s.count, N);
    ck_assert_uint_ge(p.s.index_cap, 2 * p.s.count);
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        snprintf(rel, sizeof rel, "raw/subscriptions/s%d/page-%d.json", i % 7, i);
        snprintf(sha, sizeof sha, "%064d", i == 10 ? 42424242 : i);
        const vpk_staged_file *f = vpk_staged_lookup(&p.s, rel);
        wrong += !f || strcmp(f->rel, rel) || strcmp(f->sha256, sha) || f->size != (i == 10 ? 7 : i);
    }
    ck_assert_int_eq(wrong, 0);
    ck_assert_ptr_null(vpk_staged_lookup(&p.s, "raw/subscriptions/s0/page-1.json"));
    ck_assert_ptr_null(vpk_staged_lookup(&p.s, "raw/"));
    place_close(&p);
}
END_TEST

START_TEST(archive_dir_others_can_write_is_refused)
{
    const char *tmp = getenv("TMPDIR");
    char base[256], dir[300];
    static const struct {
        unsigned mode;
        vp_status want;
    } cases[] = {{0777, VP_ERR_IO}, {0775, VP_ERR_IO}, {0757, VP_ERR_IO}, {01777, VP_OK}, {01770, VP_OK},
                 {0755, VP_OK},     {0700, VP_OK}};
    snprintf(base, sizeof base, "%s/vp-archdir-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(base));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vp_error e = {0};
        int fd = -1;
        char mode[16];
        snprintf(dir, sizeof dir, "%s/a%zu", base, i);
        ck_assert_int_eq(mkdir(dir, 0700), 0);
        ck_assert_int_eq(chmod(dir, cases[i].mode), 0);
        vp_status st = vpk_archive_open(dir, &fd, &e);
        ck_assert_msg(st == cases[i].want, "mode %o: %d %s", cases[i].mode, st, e.message);
        snprintf(mode, sizeof mode, "%04o", cases[i].mode);
        if (st)
            ck_assert_msg(strstr(e.message, dir) && strstr(e.message, mode) && strstr(e.message, "sticky"), "%s",
                          e.message);
        else
            close(fd);
    }
    /* a symlink to a directory is not followed */
    snprintf(dir, sizeof dir, "%s/link", base);
    ck_assert_int_eq(symlink("a6", dir), 0);
    vp_error e = {0};
    int fd = -1;
    ck_assert_int_eq(vpk_archive_open(dir, &fd, &e), VP_ERR_IO);
    vp_remove_tree(base, NULL);
}
END_TEST

Suite *pack_staging_suite(void); /* declared here and in main.c: vp_test.h is shared */

Suite *pack_staging_suite(void)
{
    Suite *s = suite_create("pack_staging");
    TCase *t = tcase_create("staging");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, swap_between_steps_is_not_followed);
    tcase_add_test(t, pipeline_stage_writes_through_the_descriptor);
    tcase_add_test(t, change_after_write_fails_the_archive);
    tcase_add_test(t, archive_dir_others_can_write_is_refused);
    tcase_add_test(t, record_finds_every_name);
    suite_add_tcase(s, t);
    return s;
}
