"""Generate importaudit/data/stdlib.json: standard-library module names of CPython 3.7-3.14."""

from __future__ import annotations

# Run with a Python that has stdlib-list installed (a scratch venv; it is not a dependency):
#   python -m venv /tmp/sl && /tmp/sl/bin/pip install stdlib-list
#   /tmp/sl/bin/python scripts/gen_stdlib.py
# It asks each CPython 3.7-3.13 in INTERPRETERS for its names (sys.stdlib_module_names from 3.10,
# a scan of its stdlib directory before), takes 3.14 from stdlib-list, and checks the notable
# submodules' presence in every version.
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

# Interpreters on the generating machine; 3.14 comes from the stdlib-list package instead.
INTERPRETERS = {
    (3, 7): "/root/.pyenv/versions/3.7.16/bin/python",
    (3, 8): "/root/.pyenv/versions/3.8.18/bin/python",
    (3, 9): "/root/.pyenv/versions/3.9.18/bin/python",
    (3, 10): "/root/.pyenv/versions/3.10.13/bin/python",
    (3, 11): "/root/.pyenv/versions/3.11.7/bin/python",
    (3, 12): "/root/.pyenv/versions/3.12.1/bin/python",
    (3, 13): "/root/.pyenv/versions/3.13.0/bin/python",
}
FROM_STDLIB_LIST = (3, 14)

# Submodules whose presence changed across versions (or that a generated list is known to miss).
NOTABLE_SUBMODULES = """
importlib.metadata importlib.resources importlib.resources.abc importlib.readers importlib.simple
importlib.abc importlib.machinery importlib.util wsgiref.types asyncio.taskgroups asyncio.timeouts
asyncio.runners asyncio.graph asyncio.tools dbm.sqlite3 dbm.dumb dbm.gnu dbm.ndbm tkinter.tix
tkinter.ttk string.templatelib concurrent.futures concurrent.interpreters
concurrent.futures.interpreter pathlib.types xml.etree.cElementTree xml.etree.ElementTree
collections.abc unittest.mock unittest.async_case email.mime json.tool sqlite3.dump
compression.zstd compression.gzip compression.bz2 compression.lzma compression.zlib
re._parser re._compiler os.path
""".split()  # noqa: SIM905 (one string reads better than 41 literals)
# stdlib-list 0.12's 3.14 list omits collections.abc although CPython 3.14 has it.
STDLIB_LIST_OMISSIONS = {"collections.abc", "os.path"}
# Scans also see CPython's own test and build artefacts, which sys.stdlib_module_names leaves out.
NOT_STDLIB = re.compile(r"^(_?test.*|_?xx.*|_sysconfigdata.*|__p?hello__.*|_ctypes_test)$")

PROBE = r"""
import json, os, sys, sysconfig
std = sysconfig.get_paths()["stdlib"]
names = set(sys.builtin_module_names)
for folder in (std, os.path.join(std, "lib-dynload")):
    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        if entry.endswith(".py"):
            names.add(entry[:-3])
        elif os.path.isdir(path) and os.path.exists(os.path.join(path, "__init__.py")):
            names.add(entry)
        elif entry.endswith((".so", ".pyd")):
            names.add(entry.split(".")[0])
def present(dotted):
    if dotted == "os.path":
        return True
    base = os.path.join(std, *dotted.split("."))
    return os.path.exists(base + ".py") or os.path.exists(os.path.join(base, "__init__.py"))
subs = {name: present(name) for name in sys.argv[1:]}
official = sorted(getattr(sys, "stdlib_module_names", ()))
print(json.dumps({"official": official, "scan": sorted(names), "submodules": subs}))
"""


def probe(python: str) -> dict[str, object]:
    done = subprocess.run(
        [python, "-I", "-c", PROBE, *NOTABLE_SUBMODULES], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def vtext(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default_out = Path(__file__).parents[1] / "importaudit/data/stdlib.json"
    parser.add_argument("--out", default=str(default_out))
    args = parser.parse_args()
    # A generator run by hand in a scratch venv with stdlib-list installed; never a runtime dependency.
    from stdlib_list import stdlib_list  # importaudit: ignore[missing-at-request]

    probes = {version: probe(python) for version, python in INTERPRETERS.items()}
    names: dict[tuple[int, int], set[str]] = {}
    # Where sys.stdlib_module_names exists it is the truth; it also lists other platforms' modules
    # (winreg, msvcrt...), which a Linux scan cannot see: add those to the older scans.
    first_official = min(v for v, p in probes.items() if p["official"])
    official_ref = set(probes[first_official]["official"])  # type: ignore[arg-type]
    scan_ref = set(probes[first_official]["scan"])  # type: ignore[arg-type]
    platform_only = official_ref - scan_ref
    for version, data in probes.items():
        if data["official"]:
            names[version] = set(data["official"])  # type: ignore[arg-type]
        else:
            scanned = {n for n in data["scan"] if not NOT_STDLIB.match(n)}  # type: ignore[attr-defined]
            names[version] = scanned | platform_only
    # 3.14: apply stdlib-list's own 3.13 -> 3.14 difference to the real 3.13 set.
    listed = {v: set(stdlib_list(vtext(v))) for v in ((3, 13), FROM_STDLIB_LIST)}
    tops = {v: {n.split(".")[0] for n in listed[v]} for v in listed}
    added = tops[FROM_STDLIB_LIST] - tops[(3, 13)]
    removed = tops[(3, 13)] - tops[FROM_STDLIB_LIST]
    names[FROM_STDLIB_LIST] = (names[(3, 13)] | added) - removed

    versions = sorted(names)
    presence: dict[str, list[bool]] = {}
    for sub in NOTABLE_SUBMODULES:
        row = [bool(probes[v]["submodules"][sub]) for v in versions if v in probes]  # type: ignore[index]
        row.append(sub in listed[FROM_STDLIB_LIST] or (row[-1] and sub in STDLIB_LIST_OMISSIONS))
        presence[sub] = row
    submodules: dict[str, dict[str, str]] = {"added": {}, "removed": {}}
    always: list[str] = []
    for sub, row in sorted(presence.items()):
        changes = [i for i in range(1, len(row)) if row[i] != row[i - 1]]
        if len(changes) > 1 or not any(row):
            raise SystemExit(f"{sub}: presence is not one added/removed step: {row}")
        if not changes:
            always.append(sub)
        else:
            submodules["added" if row[changes[0]] else "removed"][sub] = vtext(versions[changes[0]])
    deltas = {}
    for before, after in zip(versions, versions[1:]):
        deltas[vtext(after)] = {
            "added": sorted(names[after] - names[before]),
            "removed": sorted(names[before] - names[after]),
        }

    def dump(value: object) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    lines = [
        '"comment":' + dump("generated by scripts/gen_stdlib.py; top-level names, all platforms"),
        '"base_version":' + dump(vtext(versions[0])),
        '"base":' + dump(sorted(names[versions[0]])),
        '"deltas":{\n' + ",\n".join(f"{dump(k)}:{dump(v)}" for k, v in deltas.items()) + "}",
        '"submodules_always":' + dump(always),
        '"submodules_added":' + dump(submodules["added"]),
        '"submodules_removed":' + dump(submodules["removed"]),
    ]
    Path(args.out).write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    for version in versions[1:]:
        delta = deltas[vtext(version)]
        print(vtext(version), "+", " ".join(delta["added"]), "-", " ".join(delta["removed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
