"""The Debian package: CPack builds vaultproof_<version>_<arch>.deb from this build
directory exactly as scripts/package does from a Release build; its control names the
version of the project and Depends on the packages of every shared library the binary
links (checked against ldd, not against a list alone); it holds the binary, man page,
units, example config, sample estate and demo, not the library or headers; its
maintainer scripts are valid shell; and installed into a fresh root with `dpkg-deb -x`
(dpkg -i needs root and changes this machine; the issue allows a fresh prefix) the
binary runs and the demo runs from the installed files alone. The demo runs over the
installed sample with an empty quarter (vptest.light_quarter of the installed raw/):
the full quarter takes ~12 s in Debug, the light one ~1.5 s; the stages are the same.
Skipped in a sanitizer build: packaging an instrumented binary proves nothing."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import vpunits
from vptest import BINARY, SOURCE, TempDirTest, light_quarter, main

BUILD = os.path.dirname(os.path.abspath(BINARY))
# the Debian 12 packages of the libraries CMakeLists.txt links (what dpkg-shlibdeps names)
LIBRARY_PACKAGES = ("libc6", "libcurl4", "libcjson1", "libhpdf-2.3.0", "libxlsxwriter4", "zlib1g", "libssl3")


def project_version():
    with open(os.path.join(SOURCE, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(vaultproof VERSION (\d+\.\d+\.\d+)", f.read()).group(1)


def owning_packages(paths):
    """{library path: the Debian package that installed it} (one dpkg -S for all: each call
    reads dpkg's whole database). Merged /usr: dpkg may know a file by its /lib path, or
    by the path a symlink resolves to, so every spelling is asked for."""
    spellings = {}
    for path in paths:
        for c in (path, os.path.realpath(path)):
            spellings.setdefault(c, path)
            if c.startswith("/usr/lib/"):
                spellings.setdefault(c[4:], path)
    p = subprocess.run(["dpkg", "-S"] + sorted(spellings), capture_output=True, text=True)
    found = {}
    for line in p.stdout.splitlines():
        pkg, _, file = line.partition(": ")
        if file in spellings:
            found[spellings[file]] = pkg.split(":")[0].strip()
    return found


@unittest.skipIf(os.environ.get("VP_SANITIZED") == "1",
                 "sanitizer build: a package of an ASan/UBSan-instrumented binary proves nothing (the normal build "
                 "runs this test)")
class Package(TempDirTest):
    @classmethod
    def setUpClass(cls):
        for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
            if not shutil.which(tool):
                raise AssertionError("%s not found (scripts/install-deps: cmake, dpkg-dev)" % tool)
        cls.top = tempfile.mkdtemp(prefix="vp-pkg-")
        p = subprocess.run(["cpack", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", cls.top],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError("cpack failed:\n" + p.stdout + p.stderr)
        debs = [n for n in os.listdir(cls.top) if n.endswith(".deb")]
        if len(debs) != 1:
            raise AssertionError("cpack made %r" % debs)
        cls.deb = os.path.join(cls.top, debs[0])
        cls.root = os.path.join(cls.top, "root")
        subprocess.run(["dpkg-deb", "-x", cls.deb, cls.root], check=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.top, ignore_errors=True)

    def field(self, name):
        return subprocess.run(["dpkg-deb", "-f", self.deb, name], capture_output=True, text=True,
                              check=True).stdout.strip()

    def test_name_and_control(self):
        arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
        self.assertEqual(os.path.basename(self.deb), "vaultproof_%s_%s.deb" % (project_version(), arch))
        self.assertEqual(self.field("Package"), "vaultproof")
        self.assertEqual(self.field("Version"), project_version())
        self.assertEqual(self.field("Architecture"), arch)
        self.assertIn("libengine-pkcs11-openssl", self.field("Recommends"))
        self.assertNotIn("softhsm2", self.field("Depends") + self.field("Recommends") + self.field("Suggests"))

    def test_depends_match_the_linked_libraries(self):
        depends = {d.strip().split()[0] for d in self.field("Depends").split(",")}
        for name in LIBRARY_PACKAGES + ("adduser", "fonts-dejavu-core"):
            self.assertIn(name, depends)
        # every shared library the packaged binary loads comes from a package it depends on
        p = subprocess.run(["ldd", os.path.join(self.root, "usr", "bin", "vaultproof")], capture_output=True,
                           text=True, check=True)
        direct = subprocess.run(["objdump", "-p", os.path.join(self.root, "usr", "bin", "vaultproof")],
                                capture_output=True, text=True, check=True).stdout
        needed = set(re.findall(r"NEEDED\s+(\S+)", direct))
        self.assertTrue(needed)
        paths = {m.group(2): m.group(1) for m in re.finditer(r"^\s*(\S+) => (/\S+)", p.stdout, re.M)
                 if m.group(1) in needed}
        self.assertEqual(set(paths.values()), needed, p.stdout)
        owners = owning_packages(paths)
        for path, soname in paths.items():
            self.assertIn(path, owners, "no package owns %s (%s)" % (path, soname))
            self.assertIn(owners[path], depends, "%s (%s) is from %s" % (soname, path, owners[path]))

    def test_contents(self):
        listing = subprocess.run(["dpkg-deb", "-c", self.deb], capture_output=True, text=True, check=True).stdout
        files = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
        for want in ("/usr/bin/vaultproof", "/usr/share/man/man1/vaultproof.1.gz",
                     "/usr/share/doc/vaultproof/changelog.gz",
                     "/usr/lib/systemd/system/vaultproof.service", "/usr/lib/systemd/system/vaultproof.timer",
                     "/usr/share/doc/vaultproof/examples/vaultproof.json.example",
                     "/usr/share/doc/vaultproof/examples/credentials.conf.example",
                     "/usr/share/doc/vaultproof/install.md", "/usr/share/doc/vaultproof/workload-identity.md",
                     "/usr/share/vaultproof/demo", "/usr/share/vaultproof/samples/contoso-health/vaultproof.json",
                     "/usr/share/vaultproof/samples/contoso-health/raw/subscriptions.json"):
            self.assertIn(want, files)
        # the whole sample estate, file for file
        sample = os.path.join(SOURCE, "samples", "contoso-health")
        for d, _dirs, names in os.walk(sample):
            for n in names:
                rel = os.path.relpath(os.path.join(d, n), sample)
                self.assertIn("/usr/share/vaultproof/samples/contoso-health/" + rel, files)
        # the library and headers are for building from source, not in the tool's package
        self.assertFalse([f for f in files if f.startswith("/usr/include") or f.endswith(".a")])
        # templates are compiled in (CMakeLists.txt embeds templates/), none is shipped
        self.assertFalse([f for f in files if "templates" in f])
        self.assertRegex(listing, r"-rwxr-xr-x root/root +\d+ \S+ \S+ \./usr/share/vaultproof/demo\n")
        # the man page is docs/vaultproof.1, compressed as Debian's policy asks
        import gzip
        with gzip.open(os.path.join(self.root, "usr", "share", "man", "man1", "vaultproof.1.gz")) as f, \
                open(os.path.join(SOURCE, "docs", "vaultproof.1"), "rb") as g:
            self.assertEqual(f.read(), g.read())

    def test_maintainer_scripts(self):
        ctl = self.path("control")
        subprocess.run(["dpkg-deb", "-e", self.deb, ctl], check=True)
        for name in ("postinst", "prerm", "postrm"):
            path = os.path.join(ctl, name)
            self.assertTrue(os.access(path, os.X_OK), name)
            self.assertEqual(subprocess.run(["sh", "-n", path]).returncode, 0, name)
        with open(os.path.join(ctl, "postinst"), encoding="utf-8") as f:
            self.assertRegex(f.read(), r"adduser --system --group [^\n]*vaultproof")
        with open(os.path.join(ctl, "postrm"), encoding="utf-8") as f:
            self.assertNotRegex(f.read(), r"rm -r|deluser")  # the evidence archive is never removed

    def test_installed_binary_runs(self):
        p = subprocess.run([os.path.join(self.root, "usr", "bin", "vaultproof"), "--version"], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("vaultproof %s " % project_version()), p.stdout)

    def test_installed_demo_runs_from_installed_files(self):
        sample = os.path.join(self.root, "usr", "share", "vaultproof", "samples", "contoso-health")
        light_quarter(os.path.join(sample, "raw"), self.path("raw"))
        out = self.path("demo")
        env = {k: v for k, v in os.environ.items() if k not in ("VAULTPROOF", "VP_SOURCE_DIR", "SOURCE_DATE_EPOCH")}
        p = subprocess.run([os.path.join(self.root, "usr", "share", "vaultproof", "demo"), "--raw", self.path("raw"),
                            out], capture_output=True, text=True, timeout=120, cwd=self.tmp, env=env)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])
        self.assertIn("bundle: VERIFIED", p.stdout)
        self.assertIn("reperform: IDENTICAL", p.stdout)
        bundles = os.listdir(os.path.join(out, "archive"))
        self.assertIn("contoso-health-2026-q3-20260930T060000Z.tar.gz", bundles)
        # the binary the demo ran is the installed one: it names it in no output, so check
        # it ran nothing from the source tree or the build directory
        self.assertNotIn(SOURCE, p.stdout + p.stderr)
        # the signed manifest, by openssl, independently of vaultproof
        d = self.path("x")
        os.makedirs(d)
        subprocess.run(["tar", "-xzf", os.path.join(out, "archive", bundles[bundles.index(
            "contoso-health-2026-q3-20260930T060000Z.tar.gz")]), "-C", d], check=True)
        top = os.path.join(d, "contoso-health-2026-q3-20260930T060000Z")
        v = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "SHA256SUMS.p7s",
                            "-content", "SHA256SUMS", "-CAfile", os.path.join(out, "keys", "ca.pem"), "-purpose", "any",
                            "-out", "/dev/null"], cwd=top, capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)

    def test_installed_example_config_loads(self):
        # the example the admin copies to /etc/vaultproof: it loads, and doctor names what
        # the host still lacks (no Azure here: a missing token file; a TSA that refuses)
        example = os.path.join(self.root, "usr", "share", "doc", "vaultproof", "examples", "vaultproof.json.example")
        p = subprocess.run([os.path.join(self.root, "usr", "bin", "vaultproof"), "doctor", "--config", example,
                            "--token-file", self.path("absent.json"), "--tsa", "http://127.0.0.1:9/tsa"],
                           capture_output=True, text=True, timeout=60)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("ok    config "), p.stdout + p.stderr)
        self.assertIn("/run/credentials/vaultproof.service/signer-passphrase", p.stdout)
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)

    def test_units_verify_in_the_installed_root(self):
        # the package's units, binary and man page (what verify reads), not its 39 MB sample
        root = self.path("units-root")
        for rel in ("usr/lib/systemd/system", "usr/share/man/man1", "usr/bin"):
            shutil.copytree(os.path.join(self.root, rel), os.path.join(root, rel))
        vpunits.add_host_targets(root)
        rc, out = vpunits.verify(root, "vaultproof.service", "vaultproof.timer")
        self.assertEqual((rc, out), (0, ""))


if __name__ == "__main__":
    main()
