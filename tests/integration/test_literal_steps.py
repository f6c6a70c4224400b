"""The printed verification steps work as printed, and standard tools alone catch tampering.

A demo bundle is packed as scripts/demo does (keygen, pack --ca). Every "$ " command and
"  -> " expectation is taken from the three places that print them: the bundle's
README.txt, the report's "How to verify" pages (pdftotext) and the workbook's README
sheet (openpyxl). Each set is run literally, as one `sh -e` script, in a fresh directory
holding only the bundle and ca.pem, with PATH holding only the system's tools and the
built vaultproof's directory. On the good bundle every command must succeed and every
expected line appear in its command's output.

Tampered bundles are re-tarred with plain tar, as an attacker would; vaultproof verify
refuses any archive not encoded as pack writes it, so on those the steps are run
without the vaultproof lines: the standard tools alone must fail (a command exits
non-zero or an expected line is missing). A plain re-tar of the untouched bundle must
pass the same standard-tool steps, so each failure is the tampering's, not tar's.

`vaultproof reperform` is another helper's command (issue 14): its line is skipped
only when `vaultproof reperform --help` fails, i.e. the command is not built yet, and the
test says so on stderr.
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

from vptest import light_sample, BINARY, PINNED, SAMPLE, TempDirTest, main, run

SYSTEM_PATH = "/usr/bin:/bin"
MARK = "@@vp-literal-step "


def parse_steps(lines):
    """[(command, [expected, ...])] from text lines: "$ " starts a command, "-> " (after
    the indentation, which pdftotext drops) an expectation of the command before it."""
    steps = []
    for line in lines:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.lstrip().startswith("-> ") and steps:
            steps[-1][1].append(line.lstrip()[3:].rstrip())
    return steps


def readme_steps(bundle):
    with tarfile.open(bundle) as t:
        name = next(n for n in t.getnames() if n.endswith("/README.txt"))
        text = t.extractfile(name).read().decode("utf-8")
    return parse_steps(text.splitlines())


def pdf_steps(pdf):
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, check=True).stdout
    text = out.decode("utf-8")
    # the appendix section, not the table of contents' line of the same name
    at = text.rindex("\nHow to verify\n")
    return parse_steps(text[at:].splitlines())


def workbook_steps(xlsx):
    code = ("import sys, openpyxl\n"
            "ws = openpyxl.load_workbook(sys.argv[1], read_only=True)['README']\n"
            "on = False\n"
            "for row in ws.iter_rows(values_only=True):\n"
            "    if row and row[0] == 'How to verify': on = True\n"
            "    elif on and row and row[0] and not str(row[0])[:1].isdigit(): break\n"
            "    if on and len(row) > 1 and isinstance(row[1], str): print(row[1])\n")
    # openpyxl is installed for the system Python (tests/CMakeLists.txt runs this with it)
    out = subprocess.run(["/usr/bin/python3", "-c", code, xlsx], capture_output=True, check=True).stdout
    return parse_steps(out.decode("utf-8").splitlines())


def run_readme_literally(bundle, ca, work, env=None, skip=("vaultproof reperform",)):
    """Runs the bundle's README.txt steps as printed (sh -e) in work, a fresh directory that
    gets only the bundle and ca.pem: the check any bundle gets, whatever key signed it.
    Returns (exit status, everything printed, the steps run); commands starting with one
    of skip are left out (re-performance is no key matter)."""
    shutil.copy(bundle, work)
    shutil.copy(ca, os.path.join(work, "ca.pem"))
    steps = [s for s in readme_steps(bundle) if not s[0].startswith(tuple(skip))]
    script = "".join("%s\necho '@@step %d'\n" % (cmd, i) for i, (cmd, _) in enumerate(steps))
    full_env = dict(env or {}, PATH=SYSTEM_PATH + ":" + os.path.dirname(os.path.abspath(BINARY)), HOME=work,
                    LC_ALL="C")
    p = subprocess.run(["sh", "-e", "-c", script], cwd=work, env=full_env, capture_output=True, text=True,
                       timeout=300)
    return p.returncode, p.stdout + p.stderr, steps


def assert_readme_steps_pass(test, bundle, ca, work, env=None, outputs=None):
    """run_readme_literally, asserting on test that every step ran and printed what it must."""
    rc, printed, steps = run_readme_literally(bundle, ca, work, env=env)
    if outputs is not None:
        outputs.append(printed)
    test.assertEqual(rc, 0, printed)
    test.assertGreater(len(steps), 5, "the README.txt steps were found")
    for cmd, expected in steps:
        for e in expected:
            test.assertIn(e, printed, cmd)


def is_vaultproof(command):
    return command.startswith("vaultproof ")


def reperform_built():
    try:
        return run(["reperform", "--help"])[0] == 0
    except OSError:
        return False


class LiteralSteps(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-literal-")
        keys = os.path.join(cls.dir, "keys")
        rc, _, err = run(["keygen", "--out", keys, "--now", PINNED])
        assert rc == 0, err
        cls.ca = os.path.join(keys, "ca.pem")

        def pack(archive, *label):
            rc, out, err = run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay",
                                light_sample(), "--out", os.path.join(cls.dir, archive), "--key",
                                os.path.join(keys, "signer.key"), "--cert", os.path.join(keys, "signer.pem"),
                                "--ca", cls.ca, "--now", PINNED] + list(label))
            assert rc == 0, err
            return out.splitlines()[0]

        cls.bundle = pack("archive", "--period", "2026-Q3")
        # another report, validly signed by the same signer: what a swap would put in
        cls.other = pack("archive-other", "--request-id", "AUDIT-7")
        cls.stem = os.path.basename(cls.bundle)[:-len(".tar.gz")]
        cls.tree = os.path.join(cls.dir, "tree")
        os.mkdir(cls.tree)
        with tarfile.open(cls.bundle) as t:
            t.extractall(cls.tree)
        with tarfile.open(cls.other) as t:
            top = t.getnames()[0].split("/")[0]
            cls.other_pdf = t.extractfile(top + "/report/report.pdf").read()
        top = os.path.join(cls.tree, cls.stem)
        cls.sets = {
            "README.txt": readme_steps(cls.bundle),
            "report.pdf": pdf_steps(os.path.join(top, "report", "report.pdf")),
            "workbook.xlsx": workbook_steps(os.path.join(top, "report", "workbook.xlsx")),
        }
        cls.reperform = reperform_built()
        if not cls.reperform:
            sys.stderr.write("test_literal_steps: `vaultproof reperform --help` fails (the command is not built "
                             "here): its line is skipped in every run\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- running a set ----

    def run_steps(self, steps, bundle_bytes, with_vaultproof=True):
        """Runs the steps as one sh -e script in a fresh directory holding only the
        bundle and ca.pem: (exit status, [output of each step run], steps run)."""
        work = tempfile.mkdtemp(prefix="vp-literal-run-", dir=self.tmp)
        with open(os.path.join(work, self.stem + ".tar.gz"), "wb") as f:
            f.write(bundle_bytes)
        shutil.copy(self.ca, os.path.join(work, "ca.pem"))
        chosen = [s for s in steps if (with_vaultproof or not is_vaultproof(s[0])) and
                  (self.reperform or not s[0].startswith("vaultproof reperform"))]
        script = "".join("echo '%s%d'\n%s\n" % (MARK, i, cmd) for i, (cmd, _) in enumerate(chosen))
        with open(os.path.join(work, ".steps.sh"), "w") as f:
            f.write(script)
        env = {"PATH": SYSTEM_PATH + ":" + os.path.dirname(os.path.abspath(BINARY)), "HOME": work, "LC_ALL": "C"}
        p = subprocess.run(["sh", "-e", ".steps.sh"], cwd=work, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        os.unlink(os.path.join(work, ".steps.sh"))
        parts = re.split(r"^%s(\d+)\n" % re.escape(MARK), p.stdout.decode("utf-8", "replace"), flags=re.M)
        outputs = parts[2::2]
        return p.returncode, outputs, chosen

    def failures(self, steps, bundle_bytes, with_vaultproof=True):
        """What went wrong: the failing command, or each expectation not printed."""
        rc, outputs, chosen = self.run_steps(steps, bundle_bytes, with_vaultproof)
        problems = []
        if rc != 0:
            problems.append("exit %d at: %s\n%s" % (rc, chosen[len(outputs) - 1][0] if outputs else "?",
                                                     outputs[-1] if outputs else ""))
        for (cmd, expected), out in zip(chosen, outputs):
            for e in expected:
                if e not in out:
                    problems.append("%r: expected %r in:\n%s" % (cmd, e, out))
        return problems

    def bundle_bytes(self):
        with open(self.bundle, "rb") as f:
            return f.read()

    def retar(self, change=None):
        """The bundle's tree, changed by change(top), as plain tar writes it."""
        work = tempfile.mkdtemp(prefix="vp-literal-tamper-", dir=self.tmp)
        shutil.copytree(os.path.join(self.tree, self.stem), os.path.join(work, self.stem))
        if change:
            change(os.path.join(work, self.stem))
        out = os.path.join(work, "out.tar.gz")
        subprocess.run(["tar", "-czf", out, "-C", work, self.stem], check=True)
        with open(out, "rb") as f:
            return f.read()

    # ---- the sets themselves ----

    def test_every_set_names_the_sound_steps(self):
        """Each place prints the steps that make the standard-tool path sound, for this bundle."""
        needed = ["tar -xzf %s.tar.gz" % self.stem, "cd %s" % self.stem,
                  "openssl x509 -in ca.pem -noout -fingerprint -sha256",
                  "-in SHA256SUMS.p7s -content SHA256SUMS -CAfile ../ca.pem",
                  "sha256sum -c --strict", "! -path ./SHA256SUMS ! -path ./SHA256SUMS.p7s",
                  "-in manifest.json.p7s -content manifest.json -CAfile ../ca.pem",
                  "pdfsig -nssdir sql:../nssdb report/report.pdf", "mutool sign -v report/report.pdf",
                  "vaultproof verify %s.tar.gz --trust ca.pem" % self.stem,
                  "vaultproof reperform %s.tar.gz --trust ca.pem" % self.stem]
        fingerprint = subprocess.run(["openssl", "x509", "-in", self.ca, "-noout", "-fingerprint", "-sha256"],
                                     capture_output=True, check=True).stdout.decode().strip()
        for where, steps in self.sets.items():
            with self.subTest(where=where):
                commands = "\n".join(c for c, _ in steps)
                for n in needed:
                    self.assertIn(n, commands)
                self.assertNotIn("MANIFEST.sha256", commands)
                self.assertNotIn("BUNDLE", commands)
                # the NSS database is made beside the bundle folder, never inside it
                self.assertTrue(all("nssdb" not in c or "../nssdb" in c for c, _ in steps), commands)
                expected = [e for _, es in steps for e in es]
                self.assertIn(fingerprint, expected, "the CA's fingerprint as openssl prints it")
                self.assertIn("bundle: VERIFIED", expected)

    def test_rendered_outside_a_bundle_the_texts_say_they_are_a_template(self):
        """vaultproof render has no bundle: BUNDLE stands for it, the texts say so, and no
        fingerprint is claimed."""
        top = os.path.join(self.tree, self.stem)
        out = os.path.join(self.tmp, "render")
        os.mkdir(out)
        rc, _, err = run(["render", "--snapshot", os.path.join(top, "data", "snapshot.json"), "--findings",
                          os.path.join(top, "data", "findings.json"), "--pdf", os.path.join(out, "report.pdf"),
                          "--xlsx", os.path.join(out, "workbook.xlsx"), "--period", "2026-Q3", "--now", PINNED])
        self.assertEqual(rc, 0, err)
        pdf_text = subprocess.run(["pdftotext", os.path.join(out, "report.pdf"), "-"], capture_output=True,
                                  check=True).stdout.decode()
        for where, steps in (("report.pdf", pdf_steps(os.path.join(out, "report.pdf"))),
                             ("workbook.xlsx", workbook_steps(os.path.join(out, "workbook.xlsx")))):
            with self.subTest(where=where):
                commands = "\n".join(c for c, _ in steps)
                self.assertIn("tar -xzf BUNDLE.tar.gz", commands)
                self.assertNotIn(self.stem, commands)
                self.assertFalse(any(e.startswith("sha256 Fingerprint=") for _, es in steps for e in es))
        self.assertIn("not runnable as", pdf_text)

    def test_good_bundle_passes_every_step_as_printed(self):
        for where, steps in self.sets.items():
            with self.subTest(where=where):
                self.assertEqual(self.failures(steps, self.bundle_bytes()), [])

    def test_plain_retar_of_the_good_bundle_passes_the_standard_tools(self):
        """The control for the tampered runs below: re-tarring alone breaks no standard step."""
        data = self.retar()
        for where, steps in self.sets.items():
            with self.subTest(where=where):
                self.assertEqual(self.failures(steps, data, with_vaultproof=False), [])

    def assert_caught(self, change):
        data = self.retar(change)
        for where, steps in self.sets.items():
            with self.subTest(where=where):
                self.assertNotEqual(self.failures(steps, data, with_vaultproof=False), [],
                                    "the standard-tool steps of %s pass a tampered bundle" % where)

    @staticmethod
    def rewrite_sum(top, rel):
        """Replaces rel's line in SHA256SUMS with the hash of its present bytes."""
        digest = subprocess.run(["sha256sum", rel], cwd=top, capture_output=True, check=True).stdout.decode().split()[0]
        path = os.path.join(top, "SHA256SUMS")
        with open(path) as f:
            lines = f.read().splitlines()
        with open(path, "w") as f:
            for line in lines:
                f.write(("%s  %s" % (digest, rel) if line.endswith("  " + rel) else line) + "\n")

    def test_edited_findings_with_its_sum_rewritten_is_caught(self):
        def change(top):
            p = os.path.join(top, "data", "findings.json")
            with open(p) as f:
                text = f.read()
            self.assertIn('"fail"', text)
            with open(p, "w") as f:
                f.write(text.replace('"fail"', '"pass"', 1))
            self.rewrite_sum(top, "data/findings.json")
        self.assert_caught(change)

    def test_edited_manifest_with_its_sum_rewritten_is_caught(self):
        def change(top):
            p = os.path.join(top, "manifest.json")
            with open(p) as f:
                text = f.read()
            self.assertIn('"result": "fail"', text)
            with open(p, "w") as f:
                f.write(text.replace('"result": "fail"', '"result": "pass"', 1))
            self.rewrite_sum(top, "manifest.json")
        self.assert_caught(change)

    def test_swapped_report_is_caught(self):
        """Another validly signed report (same signer, another pack): its own signature
        verifies, so only the signed SHA256SUMS can tell."""
        for rewrite in (False, True):
            with self.subTest(sums_rewritten=rewrite):
                def change(top):
                    with open(os.path.join(top, "report", "report.pdf"), "wb") as f:
                        f.write(self.other_pdf)
                    if rewrite:
                        self.rewrite_sum(top, "report/report.pdf")
                self.assert_caught(change)

    def test_added_file_is_caught(self):
        def change(top):
            with open(os.path.join(top, "data", "exceptions-approved.json"), "w") as f:
                f.write("{}\n")
        self.assert_caught(change)


if __name__ == "__main__":
    main()
