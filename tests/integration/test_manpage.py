"""docs/vaultproof.1 documents every option the binary accepts, under the right command.

The option list comes from the binary (`vaultproof help --options`, generated from the
same specs the parser and `--help` use), so a new option without a man-page entry fails
here. Each option must be the tag of a .TP entry in its command's subsection of OPTIONS
(".SS collect", ...), with the same value name; an entry for an option the command does
not accept fails too.
"""
import os
import re
import shutil
import subprocess
import unittest

from vptest import SOURCE, main, run

MANPAGE = os.environ.get("VP_MANPAGE", os.path.join(SOURCE, "docs", "vaultproof.1"))


def plain(roff):
    """The text of a roff line: macro name, quotes and font escapes dropped, \\- as -."""
    text = re.sub(r"^\.[A-Z]+\s*", "", roff)
    text = re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-").replace('"', " ")
    return " ".join(text.split())


def binary_commands():
    """The commands `vaultproof --help` lists (but `help`)."""
    rc, out, _ = run(["--help"])
    if rc != 0:
        raise AssertionError("vaultproof --help failed")
    block = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return sorted(m for m in re.findall(r"^  (\S+) ", block, re.M) if m != "help")


def binary_options():
    """{command: {option: metavar or None}} from the binary."""
    rc, out, err = run(["help", "--options"])
    if rc != 0:
        raise AssertionError("vaultproof help --options failed: %s" % err)
    options = {}
    for line in out.splitlines():
        m = re.fullmatch(r"(\S+) --([a-z][a-z0-9-]*)(?: (\S+))?", line)
        if not m:
            raise AssertionError("unexpected line in 'vaultproof help --options': %r" % line)
        options.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
    return options


def manpage_options(path):
    """{command: {option: tag text}} from the .TP tags of each .SS under .SH OPTIONS."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    found, section, command = {}, None, None
    for i, line in enumerate(lines):
        if line.startswith(".SH "):
            section, command = plain(line), None
        elif section == "OPTIONS" and line.startswith(".SS "):
            command = plain(line)
            found.setdefault(command, {})
        elif command and line.startswith(".TP") and i + 1 < len(lines):
            tag = plain(lines[i + 1])
            for name in re.findall(r"--([a-z][a-z0-9-]*)", tag):
                found[command][name] = tag
    return found


class ManPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = binary_options()
        cls.manpage = manpage_options(MANPAGE)

    def test_every_command_listed_and_documented(self):
        commands = binary_commands()
        self.assertTrue(commands)
        self.assertEqual(sorted(self.binary), commands)
        self.assertEqual(sorted(self.manpage), commands, "one .SS subsection of OPTIONS per command")

    def test_listed_options_are_the_help_options(self):
        # the dump and `CMD --help` are generated from one table; this keeps it honest
        for command, options in self.binary.items():
            rc, out, _ = run([command, "--help"])
            self.assertEqual(rc, 0)
            shown = re.findall(r"^  --([a-z][a-z0-9-]*)", out, re.M)
            self.assertEqual(sorted(shown), sorted(options), command)

    def test_every_option_is_in_its_commands_section(self):
        missing = []
        for command, options in sorted(self.binary.items()):
            documented = self.manpage.get(command, {})
            for name, metavar in sorted(options.items()):
                tag = documented.get(name)
                want = "--%s %s" % (name, metavar) if metavar else "--%s" % name
                if tag is None or not re.search(re.escape(want) + r"(?![\w-])", tag):
                    missing.append("%s %s%s" % (command, want, "" if tag is None else " (tag reads %r)" % tag))
        self.assertEqual(missing, [], "options missing from %s (a .TP entry under .SS COMMAND "
                         "in OPTIONS):\n  %s" % (MANPAGE, "\n  ".join(missing)))

    def test_no_entry_for_an_option_the_command_lacks(self):
        stale = ["%s --%s" % (command, name)
                 for command, documented in sorted(self.manpage.items())
                 for name in sorted(documented) if name not in self.binary.get(command, {})]
        self.assertEqual(stale, [], "%s documents options the binary does not accept" % MANPAGE)

    def test_manpage_renders_without_warnings(self):
        # groff is optional on a build host; skip rather than fail without it
        if not shutil.which("groff"):
            self.skipTest("groff not installed")
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MANPAGE], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))


if __name__ == "__main__":
    main()
