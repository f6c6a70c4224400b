"""README.md's commands run as printed: every `build/vaultproof ...` command of the README's
sh blocks (continuation lines joined) runs with sh in a fresh directory that holds
`build/vaultproof` (a link to the binary under test) and `samples` (a link to the source
tree's), in the README's order; each must exit 0, and the files the block names must
exist afterwards. scripts/demo and
scripts/test, the quick start, are run by CI itself."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import BINARY, SOURCE, TempDirTest, main  # noqa: E402


def readme_commands():
    with open(os.path.join(SOURCE, "README.md"), encoding="utf-8") as f:
        text = f.read()
    cmds = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", "", block)
        cmds += [line.split("  #")[0].strip() for line in joined.splitlines()
                 if line.startswith("build/vaultproof ")]
    return cmds


class ReadmeCommands(TempDirTest):
    def test_every_command_runs_as_printed(self):
        cmds = readme_commands()
        self.assertGreaterEqual(len(cmds), 5, cmds)
        os.makedirs(self.path("build"))
        os.symlink(os.path.abspath(BINARY), self.path("build", "vaultproof"))
        os.symlink(os.path.join(SOURCE, "samples"), self.path("samples"))
        for cmd in cmds:
            p = subprocess.run(["sh", "-c", cmd], cwd=self.tmp, capture_output=True, timeout=600)
            self.assertEqual(p.returncode, 0, "%s\n%s" % (cmd, p.stderr.decode("utf-8", "replace")))
        for name in ("snapshot.json", "jobs.jsonl", "findings.json", "assessment-results.json", "report.pdf",
                     "workbook.xlsx", "jobs.csv", "sample.csv"):
            self.assertTrue(os.path.getsize(self.path(name)) > 0, name)


if __name__ == "__main__":
    main()
