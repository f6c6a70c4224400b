"""Module order: no module reaches a module listed after it in docs/modules.txt, and no
module includes another module's private header.

Two independent views of the same rule:
  - include lines of src/ and include/vaultproof/ ("vaultproof/X.h" belongs to the
    module that owns header X; "mod/..." belongs to mod), each with file:line;
  - the built objects (nm): a module's undefined symbols must be defined by itself or a
    module before it, which also catches a call through a declaration that sits in a
    lower header than the code it calls.
Both name the file and the edge, so a failure says what to move. Unit tests (tests/)
are outside the order: they may test any module from the inside.
"""
import fnmatch
import glob
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from vptest import BINARY, SOURCE, main  # noqa: E402

TABLE = os.path.join(SOURCE, "docs", "modules.txt")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


class Table:
    """docs/modules.txt: the order, and who owns which header and generated source."""

    def __init__(self, path):
        self.order, self.public, self.shared, self.generated, self.prefix = [], {}, [], {}, {}
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                words = line.split("#", 1)[0].split()
                if not words:
                    continue
                mod = words[0]
                if mod in self.order:
                    raise ValueError("%s:%d: module %s listed twice" % (path, n, mod))
                self.order.append(mod)
                for w in words[1:]:
                    if w.startswith("prefix="):
                        self.prefix[mod] = w[len("prefix="):]
                    elif w.startswith("src/"):
                        self.shared.append(w)
                    elif w.startswith("generated/"):
                        self.generated[w[len("generated/"):]] = mod
                    elif w.endswith(".h") and "/" not in w:
                        self.public[w] = mod
                    else:
                        raise ValueError("%s:%d: %r: expected prefix=P, a header name, src/MOD/*.h or generated/FILE.c"
                                         % (path, n, w))
        self.rank = {m: i for i, m in enumerate(self.order)}

    def header_owner(self, name):
        """Module owning include/vaultproof/<name>, or None."""
        if name in self.public:
            return self.public[name]
        stem = name[:-2] if name.endswith(".h") else name
        return stem if stem in self.rank else None

    def is_shared(self, src_path):
        return any(fnmatch.fnmatch(src_path, pat) for pat in self.shared)

    def describe(self, a, b):
        return "%s (position %d) -> %s (position %d)" % (a, self.rank[a] + 1, b, self.rank[b] + 1)


def module_of(rel, table, problems):
    """Module of a source path relative to the tree (src/... or include/vaultproof/...)."""
    parts = rel.split("/")
    if parts[0] == "src":
        if parts[1] not in table.rank:
            problems.append("%s: directory src/%s/ is not a module of docs/modules.txt; add it in its place"
                            % (rel, parts[1]))
            return None
        return parts[1]
    owner = table.header_owner(parts[-1])
    if owner is None:
        problems.append("%s: no module owns this public header; add %s to its module's line in docs/modules.txt"
                        % (rel, parts[-1]))
    return owner


def check_includes(rel, text, table, problems):
    """Appends a problem for each include line of one file that breaks the order."""
    mod = module_of(rel, table, problems)
    if mod is None:
        return
    here = os.path.dirname(rel)
    for n, line in enumerate(text.splitlines(), 1):
        m = INCLUDE_RE.match(line)
        if not m:
            continue
        quote, target = m.groups()
        where = "%s:%d: %s" % (rel, n, line.strip())
        if target.startswith("vaultproof/"):
            to = table.header_owner(target.split("/", 1)[1])
            if to is None:
                problems.append("%s: no module owns %s; add it to its module's line in docs/modules.txt"
                                % (where, target))
                continue
        elif quote == "<":
            continue  # system and third-party headers
        elif ".." in target.split("/"):
            problems.append("%s: relative include across directories; include it as \"MODULE/FILE.h\"" % where)
            continue
        elif "/" not in target:
            if os.path.exists(os.path.join(SOURCE, here, target)):
                problems.append("%s: include it as \"%s/%s\" so its module is visible"
                                % (where, here.split("/", 1)[-1], target))
            continue  # a header CMake generates into the build tree (buildinfo.h)
        else:
            to = target.split("/", 1)[0]
            if to not in table.rank:
                problems.append("%s: %s is not a module of docs/modules.txt" % (where, to))
                continue
        why = []
        if table.rank[to] > table.rank[mod]:
            why.append("backward edge %s: %s comes after %s in docs/modules.txt" % (table.describe(mod, to), to, mod))
        if quote == '"' and not target.startswith("vaultproof/") and to != mod and not table.is_shared("src/" + target):
            why.append("%s -> %s: src/%s is private to module %s; use a public header" % (mod, to, target, to))
        if why:
            problems.append("%s: %s" % (where, "; ".join(why)))


def source_files():
    files = []
    for pattern in ("src/*/*.c", "src/*/*.h", "include/vaultproof/*.h"):
        files.extend(sorted(glob.glob(os.path.join(SOURCE, pattern))))
    return [os.path.relpath(f, SOURCE) for f in files]


def public_names():
    """Every vp_ name the installed headers declare."""
    public = set()
    for h in glob.glob(os.path.join(SOURCE, "include", "vaultproof", "*.h")):
        with open(h, encoding="utf-8") as f:
            public |= set(re.findall(r"\bvp_[A-Za-z0-9_]+\b", f.read()))
    return public


def prefix_problems(defined, public, table):
    """defined: symbol -> (source label, module). The CLI is the program, not the library."""
    problems = []
    for mod in table.order:
        if mod != "cli" and mod not in table.prefix:
            problems.append("docs/modules.txt: module %s has no prefix=" % mod)
    for sym, (rel, mod) in sorted(defined.items()):
        if mod == "cli" or sym in public or sym.startswith("__"):
            continue  # "__" names are the compiler's (ASan's __odr_asan.<global>), reserved to it
        want = table.prefix.get(mod, "?")
        if not sym.startswith(want):
            problems.append("%s: %s is neither declared in include/vaultproof/ nor prefixed %s (module %s)"
                            % (rel, sym, want, mod))
    return problems


class ModuleOrder(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.table = Table(TABLE)

    def test_table_names_the_agreed_modules(self):
        for mod in ("core", "json", "sign", "archive", "ledger", "arm", "worm", "snapshot", "config", "catalog",
                    "collect", "live", "evaluate", "render", "pipeline", "pack", "verify", "cli"):
            self.assertIn(mod, self.table.rank)
        self.assertEqual(self.table.order[0], "core")
        self.assertEqual(self.table.order[-1], "cli")

    def test_the_checker_sees_a_backward_include(self):
        # the edge this test exists for: the first stage reaching into the last one's insides
        problems = []
        check_includes("src/live/jwt.c", '#include "live/internal.h"\n#include "pack/pack_internal.h"\n',
                       self.table, problems)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("src/live/jwt.c:2:", problems[0])
        self.assertIn("backward edge live", problems[0])
        self.assertIn("private to module pack", problems[0])
        problems = []
        check_includes("src/core/version.c", '#include "vaultproof/jsonw.h"\n', self.table, problems)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("backward edge core", problems[0])

    def test_include_lines_follow_the_order(self):
        problems = []
        for rel in source_files():
            with open(os.path.join(SOURCE, rel), encoding="utf-8") as f:
                check_includes(rel, f.read(), self.table, problems)
        if problems:
            self.fail("%d include line(s) break docs/modules.txt:\n  %s" % (len(problems), "\n  ".join(problems)))

    def symbols(self):
        """(objects, defined, undefined, problems) of the built objects: objects maps an
        object to (source label, module); defined maps a global symbol to (label, module)."""
        build = os.path.dirname(os.path.abspath(BINARY))
        nm = shutil.which("nm")
        if not nm or not os.path.isdir(os.path.join(build, "CMakeFiles")):
            self.skipTest("no nm or no build tree beside %s" % BINARY)
        problems, objects = [], {}  # object path -> (source label, module)
        for rel in source_files():
            if not rel.endswith(".c"):
                continue
            found = glob.glob(os.path.join(build, "CMakeFiles", "*.dir", rel + ".o"))
            if not found:
                problems.append("%s: no object in %s; build first" % (rel, build))
                continue
            mod = module_of(rel, self.table, problems)
            for obj in found:
                objects[obj] = (rel, mod)
        for obj in sorted(glob.glob(os.path.join(build, "CMakeFiles", "*.dir", "generated", "*.c.o"))):
            name = os.path.basename(obj)[:-2]
            if name not in self.table.generated:
                problems.append("generated/%s: no module owns it; add generated/%s to its module's line in "
                                "docs/modules.txt" % (name, name))
                continue
            objects[obj] = ("generated/" + name, self.table.generated[name])
        out = subprocess.run([nm, "-A", "-P"] + sorted(objects), capture_output=True, text=True, check=True).stdout
        defined, undefined = {}, []
        for line in out.splitlines():
            obj, _, rest = line.partition(": ")
            fields = rest.split()
            if len(fields) < 2 or obj not in objects:
                continue
            sym, kind = fields[0], fields[1]
            if kind == "U":
                undefined.append((obj, sym))
            elif kind.isupper():
                defined.setdefault(sym, objects[obj])
        return objects, defined, undefined, problems

    def test_symbols_follow_the_order(self):
        objects, defined, undefined, problems = self.symbols()
        for obj, sym in undefined:
            if sym not in defined:
                continue  # a library's (libc, OpenSSL, ...)
            rel, mod = objects[obj]
            at, to = defined[sym]
            if mod and to and self.table.rank[to] > self.table.rank[mod]:
                problems.append("%s: backward edge %s: uses %s, defined in %s" % (rel, self.table.describe(mod, to),
                                                                                 sym, at))
        if problems:
            problems = sorted(set(problems))
            self.fail("%d symbol reference(s) break docs/modules.txt:\n  %s" % (len(problems), "\n  ".join(problems)))

    def test_internal_symbols_carry_their_module_prefix(self):
        # The library is installed: an internal name without the module's prefix (pdf_printf,
        # or a vp_ name no public header declares) could clash with a caller's at link time.
        _, defined, _, problems = self.symbols()
        problems += prefix_problems(defined, public_names(), self.table)
        if problems:
            self.fail("%d symbol(s) without their module's prefix:\n  %s" % (len(problems), "\n  ".join(problems)))

    def test_the_prefix_check_sees_a_short_name(self):
        defined = {"pdf_printf": ("src/render/pdf.c", "render"),
                   "vpr_pdf_printf": ("src/render/pdf.c", "render"),
                   "vp_render_pdf": ("src/render/render.c", "render"),
                   "vp_made_up": ("src/pack/pack.c", "pack"),
                   "main_loop": ("src/cli/main.c", "cli"),
                   "__odr_asan.vpr_x": ("src/render/pdf.c", "render")}
        problems = prefix_problems(defined, {"vp_render_pdf"}, self.table)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("src/render/pdf.c: pdf_printf is neither declared in include/vaultproof/ nor prefixed vpr_",
                      problems[0] if "pdf_printf" in problems[0] else problems[1])
        self.assertTrue(any("vp_made_up" in p and "prefixed vpk_" in p for p in problems), problems)


if __name__ == "__main__":
    main()
