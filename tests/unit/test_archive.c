/* The bundle archive: determinism, interoperability with GNU tar/gzip, hostile input. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "vaultproof/archive.h"
#include "vaultproof/fileio.h"
#include "vp_test.h"

#define MTIME 1790733600LL /* 2026-09-30T02:00:00Z */
#define BIG (3 * 1024 * 1024)
#define LONG_DIR "raw/subscriptions/0b7e7c54-1f2a-4d3b-9c8e-5a6f7e8d9c0b/vaults/contoso-health-rsv-prod-eastus2"
#define LONG_FILE LONG_DIR "/backupProtectedItems.page-0002.meta.json"
#define UTF8_FILE "notes/r\xc3\xa9sum\xc3\xa9-\xe2\x9c\x93.txt"

static void put_file(const char *root, const char *rel, const char *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void mkdirs(const char *root, const char *rel)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", root, rel);
    ck_assert_int_eq(system(cmd), 0);
}

/* A small bundle-like tree: nested dirs, a >100-byte path, UTF-8, empty and 3 MB files. */
static void make_tree(const char *root)
{
    mkdirs(root, LONG_DIR);
    mkdirs(root, "notes");
    mkdirs(root, "empty-dir");
    put_file(root, LONG_FILE, "{\"page\":2}\n", 11);
    put_file(root, UTF8_FILE, "caf\xc3\xa9\n", 6);
    put_file(root, "empty.txt", "", 0);
    put_file(root, "a-b.txt", "dash sorts before slash\n", 24);
    char *big = malloc(BIG);
    ck_assert_ptr_nonnull(big);
    unsigned x = 12345;
    for (size_t i = 0; i < BIG; i++) {
        x = x * 1103515245u + 12345u;
        big[i] = (char)(i % 7 ? 'a' + (int)(i % 26) : (int)(x >> 24)); /* compressible, not trivial */
    }
    put_file(root, "big.bin", big, BIG);
    free(big);
}

static void make_base(char *base)
{
    strcpy(base, "/tmp/vp_archive_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base));
}

static void cleanup(const char *base)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    ck_assert_int_eq(system(cmd), 0);
}

static vp_status archive_to(const char *src, long long mtime, const char *path, vp_error *err)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    vp_status st = vp_archive_write(src, "bundle", mtime, f, err);
    ck_assert_int_eq(fclose(f), 0);
    return st;
}

static char *slurp(const char *path, size_t *len)
{
    char *d = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_read_file(path, &d, len, &e), VP_OK);
    return d;
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *da = slurp(a, &la), *db = slurp(b, &lb);
    int same = la == lb && !memcmp(da, db, la);
    free(da);
    free(db);
    return same;
}

START_TEST(write_is_deterministic)
{
    char base[64], src[128], a[128], b[128], c[128];
    vp_error e = {0};
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/a.tar.gz", base);
    snprintf(b, sizeof b, "%s/b.tar.gz", base);
    snprintf(c, sizeof c, "%s/c.tar.gz", base);
    mkdirs(base, "src");
    make_tree(src);
    ck_assert_int_eq(archive_to(src, MTIME, a, &e), VP_OK);
    /* Different on-disk metadata must not matter: only names and bytes do. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "chmod 0600 '%s/empty.txt' && touch -d @5 '%s/big.bin'", src, src);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(archive_to(src, MTIME, b, &e), VP_OK);
    ck_assert(same_file(a, b));
    ck_assert_int_eq(archive_to(src, MTIME + 1, c, &e), VP_OK);
    ck_assert(!same_file(a, c));
    /* gzip header: magic, deflate, no flags, mtime 0, XFL 0 (default level), OS 3 (Unix). */
    size_t len;
    unsigned char *d = (unsigned char *)slurp(a, &len);
    static const unsigned char gzh[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    ck_assert_mem_eq(d, gzh, 10);
    free(d);
    cleanup(base);
}
END_TEST

/* Reads `tar -tvzf` output and checks each line: mode, 0/0, size, UTC mtime. */
static void check_tar_listing(const char *archive)
{
    char cmd[512], line[1024];
    int n = 0, saw_long = 0, saw_utf8 = 0, saw_big = 0;
    snprintf(cmd, sizeof cmd, "TZ=UTC tar --numeric-owner -tvzf '%s'", archive);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof line, p)) {
        char perm[16], owner[32], date[16], tm[16], name[600];
        unsigned long long size;
        line[strcspn(line, "\n")] = 0;
        ck_assert_int_eq(sscanf(line, "%15s %31s %llu %15s %15s %599[^\n]", perm, owner, &size, date, tm, name), 6);
        ck_assert_str_eq(owner, "0/0");
        ck_assert_str_eq(date, "2026-09-30");
        ck_assert_str_eq(tm, "02:00");
        ck_assert_str_eq(perm, name[strlen(name) - 1] == '/' ? "drwxr-xr-x" : "-rw-r--r--");
        ck_assert(!strncmp(name, "bundle/", 7));
        saw_long += !strcmp(name, "bundle/" LONG_FILE) && size == 11;
        saw_utf8 += !strcmp(name, "bundle/" UTF8_FILE) && size == 6;
        saw_big += !strcmp(name, "bundle/big.bin") && size == BIG;
        n++;
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_int_eq(saw_long + saw_utf8 + saw_big, 3);
    ck_assert_int_eq(n, 13); /* bundle/ + 7 dirs below it + 5 files */
}

START_TEST(gnu_tools_read_it)
{
    char base[64], src[128], a[128], cmd[1024];
    vp_error e = {0};
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/a.tar.gz", base);
    mkdirs(base, "src");
    make_tree(src);
    ck_assert_int_eq(archive_to(src, MTIME, a, &e), VP_OK);
    check_tar_listing(a);
    snprintf(cmd, sizeof cmd, "gzip -t '%s' && gzip -l '%s' >/dev/null", a, a);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "mkdir '%s/x' && tar -xzf '%s' -C '%s/x' && diff -r '%s' '%s/x/bundle' && "
             "tar --compare -zf '%s' -C '%s/x' >/dev/null",
             base, a, base, src, base, a, base);
    ck_assert_int_eq(system(cmd), 0);
    /* The uncompressed stream equals GNU tar's own deterministic ustar output. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mv src bundle && tar --sort=name --format=ustar --mtime=@%lld --owner=0 --group=0 "
             "--numeric-owner --mode=u=rw,go=r,a+X -cf gnu.tar bundle && gzip -dc '%s' | cmp -s - gnu.tar",
             base, MTIME, a);
    ck_assert_int_eq(system(cmd), 0);
    cleanup(base);
}
END_TEST

typedef struct {
    int files, dirs;
    unsigned long long bytes;
    int saw_long, saw_utf8;
} tally;

static vp_status count_cb(const vp_archive_entry *en, void *ctx, vp_error *err)
{
    tally *t = ctx;
    (void)err;
    if (en->kind == VP_ARCHIVE_DIR)
        t->dirs++;
    else
        t->files++;
    t->bytes += en->size;
    t->saw_long += !strcmp(en->name, "bundle/" LONG_FILE);
    t->saw_utf8 += !strcmp(en->name, "bundle/" UTF8_FILE);
    return VP_OK;
}

START_TEST(list_and_extract_round_trip)
{
    char base[64], src[128], a[128], dst[128], cmd[512];
    vp_error e = {0};
    tally lt = {0}, xt = {0};
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/a.tar.gz", base);
    snprintf(dst, sizeof dst, "%s/out", base);
    mkdirs(base, "src");
    make_tree(src);
    ck_assert_int_eq(archive_to(src, MTIME, a, &e), VP_OK);
    ck_assert_int_eq(vp_archive_list(a, count_cb, &lt, &e), VP_OK);
    ck_assert_int_eq(lt.files, 5);
    ck_assert_int_eq(lt.dirs, 8);
    ck_assert_uint_eq(lt.bytes, BIG + 11 + 6 + 24);
    ck_assert_int_eq(lt.saw_long + lt.saw_utf8, 2);
    ck_assert_int_eq(vp_archive_extract(a, dst, count_cb, &xt, &e), VP_OK);
    ck_assert_mem_eq(&lt, &xt, sizeof lt);
    snprintf(cmd, sizeof cmd, "diff -r '%s' '%s/bundle'", src, dst);
    ck_assert_int_eq(system(cmd), 0);
    struct stat st;
    char p[600];
    snprintf(p, sizeof p, "%s/bundle/empty.txt", dst);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0644);
    snprintf(p, sizeof p, "%s/bundle/empty-dir", dst);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0755);
    /* A second extraction into the now non-empty destination is refused. */
    ck_assert_int_eq(vp_archive_extract(a, dst, NULL, NULL, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "not empty"));
    cleanup(base);
}
END_TEST

START_TEST(write_refuses_symlinks)
{
    char base[64], src[128], a[128];
    vp_error e = {0};
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/a.tar.gz", base);
    mkdirs(base, "src/d");
    char link[256];
    snprintf(link, sizeof link, "%s/d/link", src);
    ck_assert_int_eq(symlink("/etc/passwd", link), 0);
    ck_assert_int_eq(archive_to(src, MTIME, a, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "d/link"));
    ck_assert_ptr_nonnull(strstr(e.message, "symlink"));
    ck_assert_int_eq(archive_to(src, -1, a, &e), VP_ERR_INPUT);
    FILE *f = fopen(a, "wb");
    ck_assert_int_eq(vp_archive_write(src, "a/b", MTIME, f, &e), VP_ERR_INPUT);
    fclose(f);
    cleanup(base);
}
END_TEST

/* ---- hostile archives, built by hand ---- */

typedef struct {
    unsigned char *d;
    size_t len;
} tarbuf;

static void tb_add(tarbuf *t, const void *p, size_t n)
{
    t->d = realloc(t->d, t->len + n);
    ck_assert_ptr_nonnull(t->d);
    memcpy(t->d + t->len, p, n);
    t->len += n;
}

/* One ustar entry; checksum_delta != 0 corrupts the checksum. */
static void tb_entry(tarbuf *t, const char *name, char type, const char *link, const char *data, size_t len,
                     int checksum_delta)
{
    unsigned char h[512] = {0};
    char *c = (char *)h;
    memcpy(c, name, strlen(name) < 100 ? strlen(name) : 100);
    snprintf(c + 100, 8, "%07o", type == '5' ? 0755 : 0644);
    snprintf(c + 108, 8, "%07o", 0);
    snprintf(c + 116, 8, "%07o", 0);
    snprintf(c + 124, 12, "%011zo", len);
    snprintf(c + 136, 12, "%011llo", MTIME);
    c[156] = type;
    if (link)
        memcpy(c + 157, link, strlen(link));
    memcpy(c + 257, "ustar\0" "00", 8);
    memset(c + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf(c + 148, 8, "%06o", sum + (unsigned)checksum_delta);
    c[155] = ' ';
    tb_add(t, h, 512);
    if (len) {
        static const unsigned char zero[512];
        tb_add(t, data, len);
        if (len % 512)
            tb_add(t, zero, 512 - len % 512);
    }
}

static void tb_end(tarbuf *t)
{
    static const unsigned char zero[1024];
    tb_add(t, zero, sizeof zero);
}

static void tb_gzip(tarbuf *t, const char *path, int cut)
{
    gzFile g = gzopen(path, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, t->d, (unsigned)t->len), (int)t->len);
    ck_assert_int_eq(gzclose(g), Z_OK);
    free(t->d);
    t->d = NULL;
    t->len = 0;
    if (cut) { /* keep only the first half of the compressed file */
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
    }
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));)
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

/* Extracting path must fail with VP_ERR_INPUT, mention `want`, and leave base holding
 * only the archive (dest is never created because validation comes first). */
static void expect_refused(const char *base, const char *path, const char *want)
{
    char dst[128];
    vp_error e = {0};
    snprintf(dst, sizeof dst, "%s/dest", base);
    int before = count_dir(base);
    ck_assert_int_eq(vp_archive_list(path, NULL, NULL, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, want), "list: '%s' lacks '%s'", e.message, want);
    ck_assert_int_eq(vp_archive_extract(path, dst, NULL, NULL, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, want), "extract: '%s' lacks '%s'", e.message, want);
    ck_assert_int_eq(count_dir(base), before);
    ck_assert_int_eq(count_dir(dst), -1);
    ck_assert_int_eq(unlink(path), 0);
}

START_TEST(hostile_archives_refused)
{
    char base[64], a[128];
    tarbuf t = {0};
    make_base(base);
    snprintf(a, sizeof a, "%s/evil.tar.gz", base);
    static const struct {
        const char *name;
        char type;
        const char *link, *want;
    } cases[] = {
        {"../evil", '0', NULL, "'..' component"},
        {"/abs/x", '0', NULL, "absolute path"},
        {"a/../../x", '0', NULL, "'..' component"},
        {"link", '2', "../../outside", "symbolic link"},
        {"hard", '1', "/etc/passwd", "hard link"},
        {"dev", '3', NULL, "device"},
        {"fifo", '6', NULL, "fifo"},
        {"a\nb", '0', NULL, "control character"},
        {"x", 'V', NULL, "unsupported entry type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tb_entry(&t, "ok.txt", '0', NULL, "fine\n", 5, 0);
        tb_entry(&t, cases[i].name, cases[i].type, cases[i].link, "pwned\n", cases[i].type == '0' ? 6 : 0, 0);
        tb_end(&t);
        tb_gzip(&t, a, 0);
        expect_refused(base, a, cases[i].want);
    }
    cleanup(base);
}
END_TEST

START_TEST(malformed_archives_refused)
{
    char base[64], a[128];
    tarbuf t = {0};
    make_base(base);
    snprintf(a, sizeof a, "%s/evil.tar.gz", base);
    tb_entry(&t, "dup.txt", '0', NULL, "one\n", 4, 0);
    tb_entry(&t, "./dup.txt", '0', NULL, "two\n", 4, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "duplicate entry");

    tb_entry(&t, "a", '0', NULL, "file\n", 5, 0);
    tb_entry(&t, "a/b", '0', NULL, "child\n", 6, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "also a file");

    tb_entry(&t, "bad-sum.txt", '0', NULL, "x\n", 2, 1);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "bad-sum.txt': header checksum mismatch");

    tb_entry(&t, "d", '5', NULL, "not empty", 9, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "directory entry with a non-zero size");

    /* Truncated: the data of a 2 KB file stops early (gzip itself cut short). */
    char blob[2048];
    memset(blob, 'z', sizeof blob);
    tb_entry(&t, "cut.bin", '0', NULL, blob, sizeof blob, 0);
    tb_end(&t);
    tb_gzip(&t, a, 1);
    expect_refused(base, a, "truncated");

    /* A complete gzip stream whose tar lacks the end-of-archive blocks. */
    tb_entry(&t, "noend.txt", '0', NULL, "x\n", 2, 0);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "truncated");

    /* A second, non-empty gzip member after the archive. */
    tb_entry(&t, "ok.txt", '0', NULL, "x\n", 2, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    gzFile g = gzopen(a, "ab");
    gzputs(g, "smuggled");
    gzclose(g);
    expect_refused(base, a, "trailing bytes");

    /* Not gzip at all. */
    FILE *f = fopen(a, "wb");
    fputs("plain text, not an archive\n", f);
    fclose(f);
    expect_refused(base, a, "incorrect header check");
    cleanup(base);
}
END_TEST

/* A pax 'x' header whose one record is "key=value". */
static void tb_pax(tarbuf *t, const char *key, const char *value)
{
    char rec[600];
    size_t body = strlen(key) + strlen(value) + 3, total = body + 1;
    for (int i = 0; i < 3; i++)
        total = body + (size_t)snprintf(NULL, 0, "%zu", total);
    int n = snprintf(rec, sizeof rec, "%zu %s=%s\n", total, key, value);
    tb_entry(t, "PaxHeader", 'x', NULL, rec, (size_t)n, 0);
}

static vp_status stop_cb(const vp_archive_entry *en, void *ctx, vp_error *err)
{
    (void)ctx;
    return vp_error_set(err, VP_ERR_CHECK, "stop at %s", en->name);
}

START_TEST(pax_records_validated)
{
    char base[64], a[128];
    vp_error e = {0};
    tarbuf t = {0};
    make_base(base);
    snprintf(a, sizeof a, "%s/evil.tar.gz", base);
    /* The pax path replaces the harmless header name and is checked like any name. */
    tb_pax(&t, "path", "../../escaped");
    tb_entry(&t, "harmless", '0', NULL, "x\n", 2, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "'..' component");

    tb_pax(&t, "size", "3");
    tb_entry(&t, "sized", '0', NULL, "x\n", 2, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "pax size record disagrees");

    tb_pax(&t, "path", "dangling");
    tb_end(&t);
    tb_gzip(&t, a, 0);
    expect_refused(base, a, "not followed by an entry");

    /* A sound pax name is used, and a callback's status stops the walk unchanged. */
    tb_pax(&t, "path", "long/name.txt");
    tb_entry(&t, "short", '0', NULL, "x\n", 2, 0);
    tb_end(&t);
    tb_gzip(&t, a, 0);
    ck_assert_int_eq(vp_archive_list(a, stop_cb, NULL, &e), VP_ERR_CHECK);
    ck_assert_str_eq(e.message, "stop at long/name.txt");
    cleanup(base);
}
END_TEST

/* Names from GNU tar's default format ("./" entries, GNU long names) are accepted. */
START_TEST(reads_gnu_tar_output)
{
    char base[64], src[128], a[128], cmd[512];
    vp_error e = {0};
    tally lt = {0};
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/gnu.tar.gz", base);
    mkdirs(base, "src");
    make_tree(src);
    snprintf(cmd, sizeof cmd, "tar --format=gnu -czf '%s' -C '%s' .", a, src);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(vp_archive_list(a, count_cb, &lt, &e), VP_OK);
    ck_assert_int_eq(lt.files, 5);
    ck_assert_int_eq(lt.dirs, 7);
    snprintf(cmd, sizeof cmd, "tar --format=pax -czf '%s' -C '%s' .", a, src);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(vp_archive_list(a, NULL, NULL, &e), VP_OK);
    cleanup(base);
}
END_TEST

/* Planted symlinks in the destination are never followed (dest itself may not be one). */
START_TEST(destination_symlink_refused)
{
    char base[64], src[128], a[128], dst[128];
    vp_error e = {0};
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/a.tar.gz", base);
    snprintf(dst, sizeof dst, "%s/dest", base);
    mkdirs(base, "src");
    mkdirs(base, "real");
    put_file(src, "f.txt", "x", 1);
    ck_assert_int_eq(archive_to(src, MTIME, a, &e), VP_OK);
    ck_assert_int_eq(symlink("real", dst), 0);
    ck_assert_int_eq(vp_archive_extract(a, dst, NULL, NULL, &e), VP_ERR_INPUT);
    char real[128];
    snprintf(real, sizeof real, "%s/real", base);
    ck_assert_int_eq(count_dir(real), 0);
    cleanup(base);
}
END_TEST

/* What vp_archive_write emits is the canonical form; anything else re-encoded is not. */
static void scan_form(const char *path, vp_status want, vp_archive_form *form)
{
    vp_error e = {0};
    ck_assert_int_eq(vp_archive_scan(path, NULL, NULL, NULL, form, &e), want);
}

START_TEST(scan_checks_canonical_form)
{
    char base[64], src[128], a[128], b[160], cmd[600];
    vp_error e = {0};
    vp_archive_form f;
    make_base(base);
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(a, sizeof a, "%s/a.tar.gz", base);
    snprintf(b, sizeof b, "%s/b.tar.gz", base);
    mkdirs(base, "src");
    make_tree(src);
    /* one name that does not split into prefix/name: a pax header */
    put_file(src, "n123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
                  "0123456789.json", "{}", 2);
    ck_assert_int_eq(archive_to(src, MTIME, a, &e), VP_OK);
    scan_form(a, VP_OK, &f);
    ck_assert_str_eq(f.deviation, "");
    ck_assert_int_eq(f.mtime, MTIME);
    /* the same tar stream through gzip -6 -n: header equal, deflate stream not */
    snprintf(cmd, sizeof cmd, "zcat '%s' | gzip -6 -n > '%s'", a, b);
    ck_assert_int_eq(system(cmd), 0);
    scan_form(b, VP_OK, &f);
    ck_assert_msg(strstr(f.deviation, "of the file differs from vaultproof's encoding"), "%s", f.deviation);
    snprintf(cmd, sizeof cmd, "zcat '%s' | gzip -9 -n > '%s'", a, b);
    ck_assert_int_eq(system(cmd), 0);
    scan_form(b, VP_OK, &f);
    ck_assert_msg(strstr(f.deviation, "gzip header byte 8 (XFL) is 0x02"), "%s", f.deviation);
    /* GNU tar of the same tree: other headers */
    snprintf(cmd, sizeof cmd, "tar --format=gnu -czf '%s' -C '%s' .", b, src);
    ck_assert_int_eq(system(cmd), 0);
    scan_form(b, VP_OK, &f);
    ck_assert_msg(f.deviation[0], "GNU tar output taken as canonical");
    cleanup(base);
}
END_TEST

static vp_status refuse_big(const vp_archive_entry *entry, int *keep, void *ctx, vp_error *err)
{
    (void)keep;
    (void)ctx;
    return entry->size > 1000 ? vp_error_set(err, VP_ERR_CHECK, "too big: %s", entry->name) : VP_OK;
}

static vp_status no_file_cb(const vp_archive_entry *entry, const char *sha256, unsigned char **data, size_t len,
                            void *ctx, vp_error *err)
{
    (void)sha256;
    (void)data;
    (void)len;
    (void)err;
    if (entry->kind == VP_ARCHIVE_FILE)
        ++*(int *)ctx;
    return VP_OK;
}

/* A ustar header for name of size bytes, then size zero bytes, then the end: gzip -9. */
static void zero_bomb(const char *path, unsigned long long size)
{
    unsigned char h[512] = {0}, zero[65536] = {0};
    unsigned sum = 0;
    gzFile g = gzopen(path, "wb9");
    ck_assert_ptr_nonnull(g);
    strcpy((char *)h, "bundle/x.json");
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011llo", size);
    snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)MTIME);
    h[156] = '0';
    memcpy(h + 257, "ustar\0" "00", 8);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    ck_assert_int_eq(gzwrite(g, h, 512), 512);
    for (unsigned long long left = size + 1024; left;) {
        unsigned n = left < sizeof zero ? (unsigned)left : (unsigned)sizeof zero;
        ck_assert_int_eq(gzwrite(g, zero, n), (int)n);
        left -= n;
    }
    ck_assert_int_eq(gzclose(g), Z_OK);
}

START_TEST(scan_bounds_hostile_archives)
{
    char base[64], a[128];
    vp_error e = {0};
    int files = 0;
    make_base(base);
    snprintf(a, sizeof a, "%s/bomb.tar.gz", base);
    /* 64 MiB of zeros in about 64 KiB: refused once past the slack, long before the end */
    zero_bomb(a, 64ULL << 20);
    ck_assert_int_eq(vp_archive_list(a, NULL, NULL, &e), VP_ERR_INPUT);
    ck_assert_msg(strstr(e.message, "refused as a decompression bomb"), "%s", e.message);
    /* the header callback refuses an entry before any of its content is inflated */
    zero_bomb(a, 4096);
    ck_assert_int_eq(vp_archive_scan(a, refuse_big, no_file_cb, &files, NULL, &e), VP_ERR_CHECK);
    ck_assert_str_eq(e.message, "too big: bundle/x.json");
    ck_assert_int_eq(files, 0);
    cleanup(base);
}
END_TEST

Suite *archive_suite(void)
{
    Suite *s = suite_create("archive");
    TCase *tc = tcase_create("archive");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, write_is_deterministic);
    tcase_add_test(tc, gnu_tools_read_it);
    tcase_add_test(tc, list_and_extract_round_trip);
    tcase_add_test(tc, write_refuses_symlinks);
    tcase_add_test(tc, hostile_archives_refused);
    tcase_add_test(tc, malformed_archives_refused);
    tcase_add_test(tc, pax_records_validated);
    tcase_add_test(tc, reads_gnu_tar_output);
    tcase_add_test(tc, destination_symlink_refused);
    tcase_add_test(tc, scan_checks_canonical_form);
    tcase_add_test(tc, scan_bounds_hostile_archives);
    suite_add_tcase(s, tc);
    return s;
}
