"""The byte-flip campaign: no single changed byte of a bundle verifies.

A demo bundle (keygen + pack on the sample) is changed one byte at a time and given to
`vaultproof verify --trust`; every variant must be refused (exit 1, "bundle: NOT VERIFIED"):
- content: for every file in the bundle, a byte at offsets spread over the file (its
  first and last bytes and its first 16 always among them), flipped with a seeded
  non-zero mask, then re-encoded without re-signing exactly as pack encodes (the same
  tar headers and vpbundle.pgzip), so the flipped byte is the only difference;
- tar headers: a byte of each entry's header (name, mode, owner, size, mtime, type,
  magic, names, prefix, padding), the header checksum recomputed so the archive stays
  well formed;
- the .tar.gz itself: the 10 gzip header bytes, the 8 trailer bytes, the end of the
  deflate stream, and offsets spread over it.

CI runs a seeded sample, the same every run (about 190 variants, some 10 s on 2 idle
cores): one content offset per file (its first byte, its last byte or a seeded one, in
turn), one header byte of 16 seeded entries, and the gzip header, trailer and end of the
deflate stream plus 10 spread offsets of the .tar.gz. The sanitizer pass of scripts/test
(VP_SANITIZED=1) gives every fourth variant of that sample to the ASan/UBSan build (every
other until 2026-12-04; a quarter still reaches every kind of member and the gzip frame):
the first pass has checked all of them on the same bytes, and verify under the
sanitizers on hostile bundles is fuzzed besides (tests/fuzz/verify.c).
VP_FULL_BYTEFLIP=1 runs the full campaign: up to 300 content offsets per file (every byte
of smaller files), 24 header bytes per entry and 300 offsets of the .tar.gz - about
30,000 verify runs, roughly an hour on 2 cores.
VP_BYTEFLIP_JOBS sets the number of parallel verify processes (default 2).
VP_BYTEFLIP_ONLY=TEXT keeps only the cases whose label contains TEXT (for example
VP_FULL_BYTEFLIP=1 VP_BYTEFLIP_ONLY=manifest.json.p7s: every byte of the signature).
"""
import concurrent.futures
import os
import random
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
import vpbundle  # noqa: E402
from vpbundle import BLOCK, DICT, PGZ_BLOCK, fix_checksum, members  # noqa: E402
from vptest import BINARY, SANITIZER_MARKERS, TempDirTest, main, SANITIZED  # noqa: E402

FULL = os.environ.get("VP_FULL_BYTEFLIP") == "1"
JOBS = int(os.environ.get("VP_BYTEFLIP_JOBS", "2"))
ONLY = os.environ.get("VP_BYTEFLIP_ONLY", "")
SEED = 12
# header offsets tried in full mode: inside every field of a ustar header
HEADER_OFFSETS = [0, 40, 99, 100, 103, 106, 108, 114, 116, 122, 124, 133, 135, 136, 146, 156, 157, 257, 262, 265, 297,
                  329, 345, 500]


def spread(size, count, rng):
    """Offsets of a file of size bytes: all of them when few, else the first 16, the last
    one and the rest spread evenly with a seeded jitter."""
    if size <= count:
        return list(range(size))
    picked = set(range(16)) | {size - 1}
    m, span = count - len(picked), size - 17  # one offset in each of m equal strata of 16..size-2
    for k in range(m):
        lo, hi = 16 + k * span // m, 16 + (k + 1) * span // m
        picked.add(rng.randrange(lo, max(lo + 1, hi)))
    return sorted(picked)


class Encoder:
    """pgzip() of the demo's tar with one byte changed, redoing only the 1 MiB blocks the
    change reaches (its own, and the next one when it is in that one's dictionary)."""

    def __init__(self, tar):
        self.tar = tar
        self.n = max(1, (len(tar) + PGZ_BLOCK - 1) // PGZ_BLOCK)
        self.blocks = [self.block(tar, i) for i in range(self.n)]

    def block(self, tar, i):
        s = i * PGZ_BLOCK
        zdict = tar[max(0, s - DICT):s]
        c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, **({"zdict": zdict} if zdict else {}))
        return c.compress(tar[s:s + PGZ_BLOCK]) + c.flush(zlib.Z_FINISH if i == self.n - 1 else zlib.Z_SYNC_FLUSH)

    def encode(self, tar, changed):
        blocks = list(self.blocks)
        k = changed // PGZ_BLOCK
        for i in {k, k + 1} if (changed % PGZ_BLOCK) >= PGZ_BLOCK - DICT else {k}:
            if i < self.n:
                blocks[i] = self.block(tar, i)
        return b"".join([vpbundle.GZIP_HEADER] + blocks +
                        [(zlib.crc32(tar) & 0xFFFFFFFF).to_bytes(4, "little"), len(tar).to_bytes(4, "little")])


class ByteFlip(TempDirTest):
    def test_no_flipped_byte_verifies(self):
        bundle, ca, tar = vpbundle.demo(self)
        with open(bundle, "rb") as f:
            original = f.read()
        enc = Encoder(tar)
        self.assertEqual(enc.encode(tar, 0), original)
        rng = random.Random(SEED)
        cases = []  # (label, function making the bytes)

        def content(name, at):
            mask = rng.randrange(1, 256)

            def make():
                t = bytearray(tar)
                t[at] ^= mask
                return enc.encode(bytes(t), at)
            return make

        def head(off, at):
            mask = rng.randrange(1, 256)

            def make():
                t = bytearray(tar)
                t[off + at] ^= mask
                if not 148 <= at < 156:  # a flipped checksum stays flipped
                    h = t[off:off + BLOCK]
                    fix_checksum(h)
                    t[off:off + BLOCK] = h
                return enc.encode(bytes(t), off)
            return make

        def outer(at):
            mask = rng.randrange(1, 256)
            return lambda: original[:at] + bytes([original[at] ^ mask]) + original[at + 1:]

        files = [m for m in members(tar) if not m[0].endswith("/")]
        for i, (name, hoff, doff, size) in enumerate(files):
            offs = spread(size, 300, rng) if FULL else [(0, size - 1, rng.randrange(size))[i % 3]]
            cases += [("%s@%d" % (name, o), content(name, doff + o)) for o in offs]
        entries = members(tar)
        for name, hoff, doff, size in entries if FULL else rng.sample(entries, 16):
            offs = HEADER_OFFSETS if FULL else [rng.choice(HEADER_OFFSETS)]
            cases += [("header of %s@%d" % (name, o), head(hoff, o)) for o in offs]
        n = len(original)
        fixed = list(range(10)) + list(range(n - 8, n)) + list(range(n - 16, n - 8))
        outer_offs = sorted(set(fixed) | set(rng.sample(range(10, n - 16), 10) if not FULL else spread(n, 300, rng)))
        cases += [(".tar.gz@%d" % o, outer(o)) for o in outer_offs]

        if SANITIZED and not FULL:
            cases = cases[::4]
        cases = [c for c in cases if ONLY in c[0]]
        outer_offs = [o for o in outer_offs if any(c[0] == ".tar.gz@%d" % o for c in cases)]

        def attempt(i_case):
            i, (label, make) = i_case
            if FULL and i % 1000 == 0:
                print("byte-flip campaign: variant %d of %d" % (i, len(cases)), file=sys.stderr, flush=True)
            path = self.path("flip-%d.tar.gz" % i)
            with open(path, "wb") as f:
                f.write(make())
            p = subprocess.run([BINARY, "verify", path, "--trust", ca], capture_output=True, timeout=120)
            os.unlink(path)
            err = p.stderr.decode("utf-8", "replace")
            if any(m in err for m in SANITIZER_MARKERS):
                return label, "sanitizer: " + err
            out = p.stdout.decode("utf-8", "replace")
            if p.returncode != 1 or "bundle: NOT VERIFIED" not in out:
                return label, "exit %d\n%s%s" % (p.returncode, out, err)
            return None

        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            bad = [r for r in pool.map(attempt, enumerate(cases)) if r]
        kind = "full" if FULL else "a quarter of the sample" if SANITIZED else "sample"
        print("byte-flip campaign (%s): %d variants, %d content, %d header, %d .tar.gz; accepted or mishandled: %d"
              % (kind, len(cases), sum(1 for c in cases if "@" in c[0] and not c[0].startswith(("header", ".tar.gz"))),
                 sum(1 for c in cases if c[0].startswith("header")), len(outer_offs), len(bad)), file=sys.stderr)
        for label, why in bad:
            print("NOT REFUSED: %s: %s" % (label, why.splitlines()[0]), file=sys.stderr)
        self.assertEqual(bad[:5], [], "%d of %d variants were not refused" % (len(bad), len(cases)))


if __name__ == "__main__":
    main()
