/*
 * The archive's crash safety: one pack at a time, and whatever an interrupted pack
 * left behind is finished or discarded by the next one.
 *
 * Publishing order (pack.c): the bundle is written as ARCHIVE/.pending-NAME (fsynced),
 * its baseline snapshot is kept, the ledger line is appended (the commit point), and
 * only then is .pending-NAME renamed to NAME. So a kill before the ledger append leaves
 * an unrecorded pending file, which is discarded here; a kill after it leaves a
 * recorded one, which is renamed here once its SHA-256 matches the ledger. A visible
 * NAME.tar.gz is therefore always complete and always recorded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack/pack_internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/ledger.h"

vp_status vpk_archive_lock(const char *archive_dir, int *fd, vp_error *err)
{
    char path[4200];
    *fd = -1;
    if ((size_t)snprintf(path, sizeof path, "%s/.pack.lock", archive_dir) >= sizeof path)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --out path too long");
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open the archive lock: %s", path, strerror(errno));
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(f);
        if (e == EWOULDBLOCK)
            return vp_error_set(err, VP_ERR_IO, "%s: another vaultproof pack is running on this archive", archive_dir);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot lock the archive: %s", path, strerror(e));
    }
    *fd = f; /* the kernel releases the lock when the process ends, however it ends */
    return VP_OK;
}

/* vp_output's temporary names: "<name>.tmp.XXXXXX". */
static int is_output_temp(const char *name)
{
    size_t n = strlen(name);
    return n > 11 && memcmp(name + n - 11, ".tmp.", 5) == 0;
}

/* A pending bundle: renamed into place when the ledger records it with this hash,
 * removed when the ledger does not record it (it was never published). */
static vp_status settle_pending(const char *dir, const char *name, const vp_ledger_entry *v, size_t n,
                                vp_error *err)
{
    char pending[4200], final[4200], sha[65];
    const char *bundle = name + strlen(VPK_PENDING_PREFIX);
    const vp_ledger_entry *e = vp_ledger_entry_by_bundle(v, n, bundle);
    snprintf(pending, sizeof pending, "%s/%s", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, bundle);
    if (!e) {
        if (unlink(pending) && errno != ENOENT)
            return vp_error_set(err, VP_ERR_IO, "%s: cannot remove: %s", pending, strerror(errno));
        return VP_OK;
    }
    vp_status st = vp_sha256_file(pending, sha, err);
    if (st)
        return st;
    if (strcmp(sha, e->bundle_sha256) != 0)
        return vp_error_set(err, VP_ERR_CHECK,
                            "%s: the ledger records %s with SHA-256 %s but the pending file has %s; left as it is",
                            pending, bundle, e->bundle_sha256, sha);
    if (!access(final, F_OK))
        return vp_error_set(err, VP_ERR_CHECK, "%s: both the bundle and a pending copy exist; left as they are", final);
    if (rename(pending, final))
        return vp_error_set(err, VP_ERR_IO, "%s: cannot rename to %s: %s", pending, final, strerror(errno));
    return vp_sync_dir(dir, err);
}

vp_status vpk_archive_recover(const char *archive_dir, const char *ledger, vp_error *err)
{
    vp_ledger_entry *entries = NULL;
    size_t n = 0;
    struct stat sb;
    vp_status st = VP_OK;
    if (!(stat(ledger, &sb) && errno == ENOENT) && (st = vp_ledger_entries(ledger, &entries, &n, err)))
        return st;
    DIR *d = opendir(archive_dir);
    if (!d) {
        free(entries);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot list: %s", archive_dir, strerror(errno));
    }
    struct dirent *de;
    while (!st && (de = readdir(d))) {
        char path[4200];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", archive_dir, de->d_name) >= sizeof path ||
            lstat(path, &sb))
            continue;
        if (S_ISDIR(sb.st_mode) && strncmp(de->d_name, ".staging-", 9) == 0)
            vp_remove_tree(path, NULL);
        else if (S_ISREG(sb.st_mode) && is_output_temp(de->d_name))
            unlink(path);
        else if (S_ISREG(sb.st_mode) && strncmp(de->d_name, VPK_PENDING_PREFIX, strlen(VPK_PENDING_PREFIX)) == 0)
            st = settle_pending(archive_dir, de->d_name, entries, n, err);
    }
    closedir(d);
    free(entries);
    return st;
}
