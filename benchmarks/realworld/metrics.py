"""Per-app corpus metrics: entry resolved, the unknown reason's category, and the results table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

# A held-out app is one importaudit was never run on before its manifest was written (README.md).
HELD_OUT_PREFIX = "held-out"

# The first `unknown` reason, sorted into the few causes issue 9's table asks about. Matched on the
# wording of importaudit's reasons (pipeline._verdict, judge/audit, frameworks/django); the first
# category whose pattern matches wins, so the order matters.
CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("evidence: a declared distribution not in the table", re.compile(r"not known to be installed")),
    ("settings not found", re.compile(
        r"DJANGO_SETTINGS_MODULE|settings module|INSTALLED_APPS|settings the deploy")),
    ("start command not followed", re.compile(
        r"could not tell|cannot find in the project|not in the project|no entry point known|no such target")),
    ("other: installs unreadable", re.compile(r"installs what importaudit cannot read")),
    ("other: installs assumed", re.compile(r"depending on")),
)


def split_entry(spec: str) -> tuple[str, Optional[str]]:
    """(module, attr) of an entry: `pkg.mod:attr`, `pkg.mod:attr()` and `pkg.mod:attr(x=1)` are the
    same entry; a script path `pkg/mod.py` is module pkg.mod; `pkg/__init__.py` is pkg."""
    module, _, attr = spec.strip().partition(":")
    module = module.strip()
    if module.endswith(".py"):
        module = module[:-3].replace("/", ".").lstrip(".")
    module = module.removesuffix(".__init__")
    name = attr.split("(", 1)[0].strip() or None
    return module, name


def _same_module(want: str, got: str) -> bool:
    # a package prefix may differ when the server runs from a subfolder (--chdir, --app-dir, WORKDIR)
    return got == want or got.endswith("." + want) or want.endswith("." + got)


def entry_found(wanted: str, entries: list[str]) -> Optional[str]:
    """The target entry that is the manifest's entry (module, and attr when both name one), or None;
    one naming the same attr is preferred to a bare module (a script path, a package)."""
    want_mod, want_attr = split_entry(wanted)
    found = [entry for entry in entries if _same_module(want_mod, split_entry(entry)[0])
             and (want_attr is None or split_entry(entry)[1] in (None, want_attr))]
    same_attr = [entry for entry in found if split_entry(entry)[1] == want_attr]
    return (same_attr or found or [None])[0]


def module_file(copy: Path, module: str) -> Optional[str]:
    """The file of MODULE in the local copy (at the root or under a folder the server may cd to):
    `mod.py` or a package's `mod/__init__.py`."""
    tail = module.replace(".", "/")
    base = tail.rsplit("/", 1)[-1]
    found = [*copy.rglob(base + ".py"), *(d / "__init__.py" for d in copy.rglob(base) if d.is_dir())]
    for path in sorted(found):
        rel = path.relative_to(copy).as_posix()
        wanted = (tail + ".py", tail + "/__init__.py")
        if path.is_file() and any(rel == c or rel.endswith("/" + c) for c in wanted):
            return rel
    return None


def entry_resolved(manifest_entry: str, entries: list[str], reason: str, notes: list[str],
                   copy: Path) -> dict[str, Any]:
    """Issue 9's "entry resolved": the expected entry is among the main target's entries and the
    app module was reached, i.e. its file is in the project and importaudit did not report that
    entry as one it could not find (an unresolved entry is named in the reason or the notes)."""
    match = entry_found(manifest_entry, entries)
    if match is None:
        return {"entry_found": False, "entry_reached": False, "entry_file": None}
    module = split_entry(match)[0]
    found = module_file(copy, module)
    said = " ".join([reason, *notes])
    unresolved = bool(re.search(re.escape(match) + r", which (importaudit cannot find|is not in the project)",
                                said))
    return {"entry_found": True, "entry_reached": found is not None and not unresolved, "entry_file": found}


def score(result: dict[str, Any], copy: Path) -> None:
    """Add the entry and unknown-reason columns to one app's result (from what the run stored)."""
    verdict, reason = result["verdict"], result.get("reason") or ""
    notes = result.get("notes", [])
    result.update(entry_resolved(result["entry_expected"], result["entries"], reason, notes, copy))
    # issue 9's "entry resolved": the entry is found and its module reached, whatever the verdict
    result["entry_resolved"] = result["entry_found"] and result["entry_reached"]
    # last session's stricter number (comparable with its table): also a verdict other than unknown
    result["entry_resolved_strict"] = result["entry_resolved"] and verdict not in ("unknown", "no such target")
    result["unknown_category"] = unknown_category(verdict, reason)


def unknown_category(verdict: str, reason: str) -> str:
    """Why the main target is `unknown` (or has no target at all), as one category; "" otherwise."""
    if verdict == "no such target":
        return "start command not followed"
    if verdict != "unknown":
        return ""
    for name, pattern in CATEGORIES:
        if pattern.search(reason or ""):
            return name
    return "other"


def is_held_out(result: dict[str, Any]) -> bool:
    return str(result.get("set") or "").startswith(HELD_OUT_PREFIX)


def table(results: list[dict[str, Any]]) -> str:
    head = ("| app | framework | installer | main target | entry resolved | verdict | why unknown "
            "| entry resolved and not unknown | errors on clean app | warnings | mutants caught | time (s) |")
    rows = [head, "|" + "---|" * 12]
    tot = {"apps": 0, "resolved": 0, "strict": 0, "errors": 0, "unexpected": 0, "warnings": 0,
           "caught": 0, "mutants": 0}
    for r in results:
        if "skipped" in r:
            rows.append(f"| {r['slug']} | | | | | **skipped**: {r['skipped']} | | | | | | |")
            continue
        unexpected = sum(not e["known"] for e in r["errors"])
        muts = r.get("mutants")
        caught = sum(m["caught"] for m in muts) if muts is not None else 0
        tot["apps"] += 1
        tot["resolved"] += r["entry_resolved"]
        tot["strict"] += r["entry_resolved_strict"]
        tot["errors"] += len(r["errors"])
        tot["unexpected"] += unexpected
        tot["warnings"] += r["warnings"]
        tot["caught"] += caught
        tot["mutants"] += len(muts or [])
        errs = f"{len(r['errors'])}" + (f" (**{unexpected} not in manifest**)" if unexpected else "")
        rows.append(
            f"| {r['slug']} | {r['framework']} | {r['installer']} | `{r['main_target']}` | "
            f"{'yes' if r['entry_resolved'] else '**no**'} | {r['verdict']} | {r['unknown_category']} | "
            f"{'yes' if r['entry_resolved_strict'] else '**no**'} | {errs} | {r['warnings']} | "
            f"{f'{caught}/{len(muts)}' if muts is not None else '-'} | {r['seconds']} |")
    rows.append(f"| **total** ({tot['apps']} apps) | | | | {tot['resolved']}/{tot['apps']} | | | "
                f"{tot['strict']}/{tot['apps']} | {tot['errors']} ({tot['unexpected']} not in manifest) | "
                f"{tot['warnings']} | {tot['caught']}/{tot['mutants']} | |")
    return "\n".join(rows)


def tables(results: list[dict[str, Any]]) -> str:
    """The whole table, then each held-out set's table on its own: a set stops being held out once its
    apps were used to fix bugs, so a later set is the unbiased measure and must not be mixed in."""
    out = table(results)
    for name in sorted({str(r["set"]) for r in results if is_held_out(r)}):
        held = [r for r in results if r.get("set") == name]
        if len(held) != len(results):
            out += f"\n\nheld-out apps only, set {name}:\n\n" + table(held)
    return out
