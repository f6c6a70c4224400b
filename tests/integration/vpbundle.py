"""Crafting bundles the way an attacker would, for the verify tests: vaultproof's own
deterministic encoding reproduced in Python (src/archive/archive.c and pgzip.c), so a
test can change exactly one thing - one content byte, one header field, one gzip header
byte - and leave every other byte as pack wrote it.
"""
import os
import struct
import zlib

from vptest import PINNED, SAMPLE, copy_point_in_time, run

BLOCK = 512
RECORD = 10240
PGZ_BLOCK = 1 << 20
DICT = 32768
GZIP_HEADER = bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])


def pgzip(tar, header=GZIP_HEADER):
    """The gzip member pgzip.c writes for tar: 1 MiB blocks, each raw-deflated at level 6
    with the previous 32 KiB as dictionary, ended by a sync flush (the last by finish)."""
    out = [header]
    blocks = [tar[i:i + PGZ_BLOCK] for i in range(0, len(tar), PGZ_BLOCK)] or [b""]
    for i, blk in enumerate(blocks):
        start = i * PGZ_BLOCK
        zdict = tar[max(0, start - DICT):start]
        c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, **({"zdict": zdict} if zdict else {}))
        out.append(c.compress(blk))
        out.append(c.flush(zlib.Z_FINISH if i == len(blocks) - 1 else zlib.Z_SYNC_FLUSH))
    out.append(struct.pack("<II", zlib.crc32(tar) & 0xFFFFFFFF, len(tar) & 0xFFFFFFFF))
    return b"".join(out)


def octal(v, width):
    return b"%0*o\0" % (width - 1, v)


def checksum(h):
    return sum(h[:148]) + 8 * 32 + sum(h[156:])


def header(name, is_dir, size, mtime, mode=None, uname=b"", typeflag=None):
    """One ustar header as archive.c fills it (names <= 100 bytes only)."""
    h = bytearray(BLOCK)
    n = name.encode()
    assert len(n) <= 100
    h[0:len(n)] = n
    h[100:108] = octal(mode if mode is not None else (0o755 if is_dir else 0o644), 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = octal(size, 12)
    h[136:148] = octal(mtime, 12)
    h[156:157] = typeflag or (b"5" if is_dir else b"0")
    h[257:265] = b"ustar\x0000"
    h[265:265 + len(uname)] = uname
    h[329:337] = octal(0, 8)
    h[337:345] = octal(0, 8)
    fix_checksum(h)
    return h


def fix_checksum(h):
    h[148:156] = b"%06o\0 " % checksum(h)


def members(tar):
    """[(name, header offset, data offset, size)] of a tar stream without pax headers."""
    out, off = [], 0
    while off + BLOCK <= len(tar) and tar[off:off + BLOCK] != bytes(BLOCK):
        h = tar[off:off + BLOCK]
        assert h[156:157] in (b"0", b"5"), "pax or other entry types are not expected in the demo bundle"
        name = h[0:100].rstrip(b"\0").decode()
        prefix = h[345:500].rstrip(b"\0").decode()
        if prefix:
            name = prefix + "/" + name
        size = int(h[124:136].rstrip(b"\0 ") or b"0", 8)
        out.append((name, off, off + BLOCK, size))
        off += BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK
    return out


def tar_end(tar):
    """Two zero blocks, padded to a record, after the entries ending at len(tar)."""
    tar += bytes(2 * BLOCK)
    return tar + bytes((-len(tar)) % RECORD)


def demo(testcase, name="K"):
    """keygen + pack on the sample as captured (as test_pack.py does, but without the
    sample's quarter of jobs: the hostile-archive tests bound verify's memory and time on a
    bundle of the point-in-time sample's size, and the crafted archives hold all of it):
    (bundle path, ca.pem, tar bytes). Packed for a request (no period), so it is the
    point-in-time bundle these tests were written for: complete, no jobs stream."""
    keys = testcase.path(name)
    rc, _, err = run(["keygen", "--out", keys, "--now", PINNED])
    testcase.assertEqual(rc, 0, err)
    raw = testcase.path("raw-" + name)
    copy_point_in_time(os.path.join(SAMPLE, "raw"), raw)
    rc, out, err = run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay",
                        raw, "--out", testcase.path("archive-" + name), "--key",
                        os.path.join(keys, "signer.key"), "--cert", os.path.join(keys, "signer.pem"),
                        "--now", PINNED, "--request-id", "hostile-archive-tests"])
    testcase.assertEqual(rc, 0, err)
    bundle = out.splitlines()[0]
    with open(bundle, "rb") as f:
        data = f.read()
    tar = zlib.decompress(data, 31)
    testcase.assertEqual(pgzip(tar), data, "the Python re-encoding must reproduce pack's bytes")
    return bundle, os.path.join(keys, "ca.pem"), tar


class Zeros:
    """n zero bytes of a crafted tar stream, never materialized."""

    def __init__(self, n):
        self.n = n


def _zero_crc_step(n):
    """crc -> zlib.crc32(bytes(n), crc), as an affine map over GF(2) (so a run of many
    zero blocks costs 32 table look-ups per block, not n bytes)."""
    z = bytes(n)
    base = zlib.crc32(z, 0)
    cols = [zlib.crc32(z, 1 << k) ^ base for k in range(32)]

    def step(crc):
        out = base
        for k in range(32):
            if crc >> k & 1:
                out ^= cols[k]
        return out
    return step


def pgzip_parts(parts, header=GZIP_HEADER):
    """pgzip() of the concatenation of parts (bytes or Zeros), with long zero runs cheap:
    a 1 MiB block of zeros after 32 KiB of zeros always deflates to the same bytes."""
    segs, total = [], 0
    for p in parts:
        n = p.n if isinstance(p, Zeros) else len(p)
        if n:
            segs.append((total, p))
            total += n

    def read(s, e):
        out = []
        for off, p in segs:
            n = p.n if isinstance(p, Zeros) else len(p)
            a, b = max(s, off), min(e, off + n)
            if a < b:
                out.append(bytes(b - a) if isinstance(p, Zeros) else p[a - off:b - off])
        return b"".join(out)

    def zero_span(s, e):
        return any(isinstance(p, Zeros) and off <= s and e <= off + p.n for off, p in segs)

    out, crc, nblocks = [header], 0, max(1, (total + PGZ_BLOCK - 1) // PGZ_BLOCK)
    cache, step = {}, _zero_crc_step(PGZ_BLOCK)
    for i in range(nblocks):
        s, e = i * PGZ_BLOCK, min(total, (i + 1) * PGZ_BLOCK)
        last = i == nblocks - 1
        if e - s == PGZ_BLOCK and s >= DICT and zero_span(s - DICT, e):
            if last not in cache:
                c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, zdict=bytes(DICT))
                cache[last] = c.compress(bytes(PGZ_BLOCK)) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
            out.append(cache[last])
            crc = step(crc)
            continue
        blk, zdict = read(s, e), read(max(0, s - DICT), s)
        c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, **({"zdict": zdict} if zdict else {}))
        out.append(c.compress(blk) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        crc = zlib.crc32(blk, crc)
    out.append(struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF))
    return b"".join(out)
