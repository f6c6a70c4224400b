"""`cmake --install` puts the tool, its man page, the public headers and the static
library where a caller finds them, and the installed API is usable on its own.

The build directory is the one holding $VAULTPROOF (ctest runs the binary from there).
"""
import filecmp
import os
import shutil
import subprocess
import tempfile
import unittest

from vptest import BINARY, SOURCE, TempDirTest, main

BUILD = os.path.dirname(os.path.abspath(BINARY))
HEADERS = os.path.join(SOURCE, "include", "vaultproof")
# what the engine links (CMakeLists.txt); a caller of libvaultproof.a links them too
SYSTEM_LIBS = ["-lcjson", "-lhpdf", "-lxlsxwriter", "-lcurl", "-lcrypto", "-lz", "-lpthread", "-lm"]



def sanitized():
    """Whether the build instruments its objects (VP_SANITIZE): a caller must link the runtime."""
    with open(os.path.join(BUILD, "CMakeCache.txt"), encoding="utf-8", errors="replace") as f:
        return any(line.strip() in ("VP_SANITIZE:BOOL=ON", "VP_SANITIZE:BOOL=1") for line in f)


CALLER = r"""
#include <stdio.h>
#include <string.h>
#include <vaultproof/error.h>
#include <vaultproof/version.h>

int main(void)
{
    printf("%s\n", vp_version());
    return strlen(vp_commit()) ? 0 : 1;
}
"""


class Install(TempDirTest):
    # one install for the class: it copies the sample estate (39 MB) too
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
            raise unittest.SkipTest("%s is not a CMake build directory" % BUILD)
        cmake = shutil.which("cmake")
        if not cmake:
            raise unittest.SkipTest("cmake not on PATH")
        cls.top = tempfile.mkdtemp(prefix="vp-install-")
        cls.prefix = os.path.join(cls.top, "prefix")
        p = subprocess.run([cmake, "--install", BUILD, "--prefix", cls.prefix], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.top, ignore_errors=True)

    def installed(self, *parts):
        return os.path.join(self.prefix, *parts)

    def test_binary_runs(self):
        exe = self.installed("bin", "vaultproof")
        self.assertTrue(os.access(exe, os.X_OK), exe)
        p = subprocess.run([exe, "--version"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^vaultproof \d+\.\d+\.\d+ ")

    def test_man_page(self):
        self.assertTrue(filecmp.cmp(self.installed("share", "man", "man1", "vaultproof.1"),
                                    os.path.join(SOURCE, "docs", "vaultproof.1"), shallow=False))

    def test_every_public_header(self):
        want = sorted(n for n in os.listdir(HEADERS) if n.endswith(".h"))
        self.assertTrue(want)
        got = sorted(os.listdir(self.installed("include", "vaultproof")))
        self.assertEqual(got, want)
        for name in want:
            self.assertTrue(filecmp.cmp(self.installed("include", "vaultproof", name), os.path.join(HEADERS, name),
                                        shallow=False), name)

    def test_static_library(self):
        lib = self.installed("lib", "libvaultproof.a")
        self.assertTrue(os.path.isfile(lib), lib)
        with open(lib, "rb") as f:
            self.assertEqual(f.read(8), b"!<arch>\n")

    def test_headers_stand_alone_and_library_links(self):
        # each installed header compiles by itself from the install tree (no reach into
        # src/), and a caller links against the installed library
        cc = shutil.which("cc")
        if not cc:
            self.skipTest("no C compiler")
        inc = self.installed("include")
        for name in sorted(os.listdir(os.path.join(inc, "vaultproof"))):
            p = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I", inc, "-x", "c",
                                "-"], input="#include <vaultproof/%s>\n" % name, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, "%s does not compile on its own:\n%s" % (name, p.stderr))
        src, exe = self.path("caller.c"), self.path("caller")
        with open(src, "w", encoding="utf-8") as f:
            f.write(CALLER)
        # a caller of the sanitizer build links as that build does (CMakeLists.txt, VP_SANITIZE)
        flags = ["-fsanitize=address,undefined", "-static-libubsan", "-no-pie"] if sanitized() else []
        p = subprocess.run([cc, "-std=c11"] + flags + ["-I", inc, src, "-L", self.installed("lib"), "-lvaultproof"] +
                           SYSTEM_LIBS + ["-o", exe], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([exe], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^\d+\.\d+\.\d+\n$")


if __name__ == "__main__":
    main()
