"""Run importaudit on the real-world corpus (clean apps and their mutants) and tabulate the results.

    python benchmarks/realworld/run.py [--corpus /work/corpus] [--mirror /work/.mirror]
        [--only SLUG ...] [--importaudit PATH] [--label NAME] [--no-mutants]

Each app is described by benchmarks/realworld/apps/<slug>.toml (see README.md). A missing local
copy is made from the git mirror at the manifest's commit; nothing is fetched from the network.
Stdlib only (tomli on Python < 3.11, which importaudit itself installs there).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import metrics

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
FRAMEWORKS = {"django", "flask", "fastapi", "pyramid", "starlette", "quart", "litestar", "other"}
INSTALLERS = {"pip", "poetry", "uv", "pipenv", "pdm", "conda"}
MARKER = ".realworld-commit"  # written into each local copy: the commit it was made from


class ManifestError(Exception):
    pass


def load_manifest(path: Path) -> dict[str, Any]:
    """Read and check one manifest; any problem is one ManifestError line."""
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"unreadable: {exc}") from None
    for key in ("slug", "repo", "commit", "framework", "installer"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ManifestError(f"missing or empty key {key!r}")
    if data["slug"] != path.stem:
        raise ManifestError(f"slug {data['slug']!r} is not the file name {path.stem!r}")
    if not re.fullmatch(r"[0-9a-f]{40}", data["commit"]):
        raise ManifestError("commit is not 40 lowercase hex digits")
    if not isinstance(data.get("set", ""), str):
        raise ManifestError("set must be a string (e.g. held-out-2026-12-05)")
    if data["framework"] not in FRAMEWORKS or data["installer"] not in INSTALLERS:
        raise ManifestError(f"framework/installer not one of {sorted(FRAMEWORKS)} / {sorted(INSTALLERS)}")
    main = data.get("main")
    if not isinstance(main, dict) or not main.get("target") or not main.get("entry"):
        raise ManifestError("[main] needs target and entry")
    mutants = data.get("mutants", [])
    for mutant in mutants:
        if not all(isinstance(mutant.get(k), str) and mutant[k] for k in ("id", "module", "file")):
            raise ManifestError("each [[mutants]] needs id, module and file")
        edits = mutant.get("edits")
        if not isinstance(edits, list) or not edits:
            raise ManifestError(f"mutant {mutant['id']}: no edits")
        for edit in edits:
            if not isinstance(edit, dict) or not isinstance(edit.get("file"), str):
                raise ManifestError(f"mutant {mutant['id']}: an edit needs a file")
            if isinstance(edit.get("remove_key"), list) and all(isinstance(k, str) for k in edit["remove_key"]):
                continue
            kinds = [k for k in ("remove", "remove_block", "remove_value") if k in edit]
            pattern = edit[kinds[0]] if len(kinds) == 1 else None
            if not isinstance(pattern, str):
                raise ManifestError(f"mutant {mutant['id']}: an edit needs one of remove, remove_block, "
                                    "remove_value (a regex) or remove_key (a list)")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ManifestError(f"mutant {mutant['id']}: bad regex {pattern!r}: {exc}") from None
    return data


# --- local copies -------------------------------------------------------------------------------

def mirror_gitdir(mirror: Path, repo: str) -> Path | None:
    base = mirror / repo.replace("/", "+")
    if (base / "HEAD").is_file():
        return base
    found = sorted(p.parent for p in base.glob("*/HEAD") if p.is_file()) if base.is_dir() else []
    return found[0] if found else None


def git(gitdir: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], input=data, capture_output=True,
                          check=True).stdout


def materialise(dest: Path, gitdir: Path, commit: str) -> list[str]:
    """Extract COMMIT into DEST; blobs the mirror lacks (snapshots omit files >= 4 MiB) are skipped
    and returned, since git archive refuses a tree with a missing object."""
    entries = [line.split(b"\t", 1) for line in git(gitdir, "ls-tree", "-r", "-z", commit).split(b"\0") if line]
    blobs = [(meta.split()[2].decode(), path.decode()) for meta, path in entries if meta.split()[1] == b"blob"]
    checked = git(gitdir, "cat-file", "--batch-check=%(objectname)",
                  data="".join(sha + "\n" for sha, _ in blobs).encode()).decode().splitlines()
    missing = sorted(path for (sha, path), line in zip(blobs, checked) if line.endswith(" missing"))
    excludes = [f":(exclude,literal){path}" for path in missing]
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    proc = subprocess.Popen(["git", f"--git-dir={gitdir}", "archive", commit, "--", ".", *excludes],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(tmp, filter="data")
        else:  # pragma: no cover - old Pythons without extraction filters
            archive.extractall(tmp)
    if proc.wait() != 0:
        raise RuntimeError(f"git archive failed: {proc.stderr.read().decode().strip() if proc.stderr else ''}")
    (tmp / MARKER).write_text(commit + "\n" + "".join(f"missing {p}\n" for p in missing))
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return missing


# --- running importaudit --------------------------------------------------------------------------

def run_json(cmd: list[str], path: Path) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    proc = subprocess.run([*cmd, "--format", "json", str(path)], capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode not in (0, 1):
        tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        raise RuntimeError(f"{' '.join(cmd[-1:])} exited {proc.returncode}: {tail}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report, elapsed


def is_known(finding: dict[str, Any], known: list[dict[str, Any]]) -> bool:
    return any(all(finding.get(k) == v for k, v in item.items() if k in ("rule", "module", "target", "file"))
               for item in known)


def describe(finding: dict[str, Any]) -> str:
    return (f"{finding['severity']} {finding['rule']} {finding['module']} {finding['file']}:{finding.get('line')} "
            f"[{finding['target']}]")


def names_module(finding: dict[str, Any], module: str) -> bool:
    got = finding.get("module") or ""
    return got == module or got.startswith(module + ".") or module.startswith(got + ".")


def apply_edits(root: Path, edits: list[dict[str, Any]]) -> None:
    for edit in edits:
        path = root / edit["file"]
        if "remove_key" in edit:
            remove_key(path, edit["remove_key"])
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if "remove" in edit:
            pattern = re.compile(edit["remove"])
            kept = [line for line in lines if not pattern.search(line.rstrip("\n"))]
        elif "remove_value" in edit:
            kept = remove_values(lines, re.compile(edit["remove_value"]))
        else:
            kept = remove_blocks(lines, re.compile(edit["remove_block"]))
        if len(kept) == len(lines):
            raise RuntimeError(f"edit on {edit['file']} matched nothing: {edit}")
        path.write_text("".join(kept), encoding="utf-8")


def remove_key(path: Path, keys: list[str]) -> None:
    """Delete one key of a JSON file (a package of a Pipfile.lock section: ["default", "flask"])."""
    data = json.loads(path.read_text(encoding="utf-8"))
    node = data
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or keys[-1] not in node:
        raise RuntimeError(f"edit on {path.name}: no key {'/'.join(keys)}")
    del node[keys[-1]]
    path.write_text(json.dumps(data, indent=4) + "\n", encoding="utf-8")


def remove_values(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    """Remove each matching line and, when it opens a bracket it does not close (a multi-line
    `name = [` array of poetry.lock's [metadata.files]), the lines up to the closing one."""
    kept: list[str] = []
    depth = 0
    for line in lines:
        if depth == 0 and not pattern.search(line.rstrip("\n")):
            kept.append(line)
            continue
        depth += sum(line.count(c) for c in "[{(") - sum(line.count(c) for c in "]})")
        depth = max(depth, 0)
    return kept


def remove_blocks(lines: list[str], pattern: re.Pattern[str]) -> list[str]:
    """Remove each TOML [[x]] table (with its [x.sub] tables) holding a line that matches: a
    package entry of poetry.lock, uv.lock or pdm.lock, as re-locking without it would."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        head = _header(blocks[-1])
        if line.startswith("[") and not line.startswith(("[" + head + ".", "[[" + head + ".")):
            blocks.append([])
        blocks[-1].append(line)
    return [line for block in blocks
            if not (block and block[0].startswith("[[") and any(pattern.search(x.rstrip("\n")) for x in block))
            for line in block]


def _header(block: list[str]) -> str:
    return block[0].strip().strip("[]") if block and block[0].startswith("[[") else "\0"


def main_target(report: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((t for t in report["targets"] if t["name"] == name), None)


def run_mutant(cmd: list[str], copy: Path, manifest: dict[str, Any], mutant: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": mutant["id"], "module": mutant["module"], "file": mutant["file"]}
    with tempfile.TemporaryDirectory(prefix=f"realworld-{manifest['slug']}-") as tmp:
        root = Path(tmp) / manifest["slug"]
        shutil.copytree(copy, root, symlinks=True)
        try:
            apply_edits(root, mutant["edits"])
            report, _ = run_json([*cmd, "check"], root)
        except (OSError, RuntimeError, ValueError) as exc:
            return {**out, "caught": False, "error": str(exc)}
    main_name = manifest["main"]["target"]
    target = main_target(report, main_name)
    errors = [f for f in report["findings"] if f["target"] == main_name and f["severity"] == "error"]
    hit = [f for f in errors if names_module(f, mutant["module"])
           and mutant["file"] in (f["file"], (f.get("chain") or [None])[-1])]
    out["verdict"] = target["verdict"] if target else "no such target"
    out["caught"] = bool(target and target["verdict"] == "fails-at-boot" and hit)
    if not out["caught"]:
        about = [f for f in report["findings"] if names_module(f, mutant["module"])]
        on_main = [describe(f) for f in about if f["target"] == manifest["main"]["target"]]
        more = len(about) - len(on_main[:3])
        said = [*on_main[:3], f"(+{more} more about {mutant['module']})"] if more else on_main
        out["instead"] = said or [f"nothing about {mutant['module']}"]
    return out


def run_app(cmd: list[str], manifest: dict[str, Any], copy: Path, mutants: bool) -> dict[str, Any]:
    main = manifest["main"]
    report, elapsed = run_json([*cmd, "check"], copy)
    targets_report, _ = run_json([*cmd, "targets"], copy)
    target = main_target(report, main["target"])
    entries = target["entries"] if target else []
    known = manifest.get("known", [])
    errors = [{"rule": f["rule"], "module": f["module"], "where": f"{f['file']}:{f.get('line')}",
               "target": f["target"], "known": is_known(f, known), "message": f["message"]}
              for f in report["findings"] if f["severity"] == "error"]
    warnings: dict[str, int] = {}
    for f in report["findings"]:
        if f["severity"] == "warning":
            warnings[f["rule"]] = warnings.get(f["rule"], 0) + 1
    result: dict[str, Any] = {
        "slug": manifest["slug"], "repo": manifest["repo"], "commit": manifest["commit"],
        "framework": manifest["framework"], "installer": manifest["installer"],
        "main_target": main["target"], "main_found": target is not None,
        "verdict": target["verdict"] if target else "no such target",
        "reason": (target or {}).get("reason"), "entries": entries, "entry_expected": main["entry"],
        "set": manifest.get("set", ""), "notes": (target or {}).get("notes", []),
        "targets": {t["name"]: t["verdict"] for t in report["targets"]},
        "target_runs": {t["name"]: t.get("runs", []) for t in targets_report.get("targets", [])},
        "errors": errors, "warnings": report["summary"]["warnings"], "warnings_by_rule": warnings,
        "infos": report["summary"]["infos"], "files": report["summary"]["files"],
        "seconds": round(elapsed, 2),
    }
    metrics.score(result, copy)
    if mutants:
        result["mutants"] = [run_mutant(cmd, copy, manifest, m) for m in manifest.get("mutants", [])]
    return result


# --- report ---------------------------------------------------------------------------------------

def details(results: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for r in results:
        if "skipped" in r:
            continue
        groups: dict[tuple[str, str, str, bool], list[str]] = {}
        for e in r["errors"]:
            key = (e["rule"], e["module"].split(".")[0], e["target"] or "", e["known"])
            groups.setdefault(key, []).append(e["where"])
        for i, ((rule, module, target, known), where) in enumerate(sorted(groups.items())):
            if i == 8:
                out.append(f"- {r['slug']}: ... and {len(groups) - 8} more groups of errors (see the JSON)")
                break
            out.append(f"- {r['slug']}: {'known' if known else 'UNEXPECTED'} error {rule} {module} [{target}] "
                       f"x{len(where)}, first at {where[0]}")
        if not r["entry_resolved_strict"]:
            found = "entry not found" if not r["entry_found"] else (
                "entry found, module reached" if r["entry_reached"] else "entry found, module NOT reached")
            why = f" [{r['unknown_category']}]" if r["unknown_category"] else ""
            out.append(f"- {r['slug']}: main target {r['main_target']} verdict {r['verdict']}{why}, {found}: "
                       f"entries {r['entries']} (expected {r['entry_expected']}); {r.get('reason') or ''}")
        for m in r.get("mutants", []):
            if not m["caught"]:
                out.append(f"- {r['slug']}: mutant {m['id']} missed ({m.get('error') or m.get('verdict')}): "
                           f"{'; '.join(m.get('instead', []))}")
    return "\n".join(out)


def rescore(path: Path, corpus: Path) -> int:
    data = json.loads(path.read_text())
    for result in data["apps"]:
        if "skipped" not in result:
            metrics.score(result, corpus / result["slug"])
    data["rescored"] = datetime.datetime.now().isoformat(timespec="seconds")
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(metrics.tables(data["apps"]))
    print()
    print(details(data["apps"]))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/corpus"))
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--only", nargs="+", metavar="SLUG")
    parser.add_argument("--importaudit", help="path of the importaudit executable (default: this Python's)")
    parser.add_argument("--label", default=f"run-{datetime.date.today().isoformat()}")
    parser.add_argument("--no-mutants", action="store_true")
    parser.add_argument("--rescore", metavar="LABEL", help="recompute the metrics of results/LABEL.json "
                        "(after a change to metrics.py) without running importaudit again")
    args = parser.parse_args()
    if args.rescore:
        return rescore(HERE / "results" / f"{args.rescore}.json", args.corpus)
    cmd = [args.importaudit] if args.importaudit else [sys.executable, "-m", "importaudit"]
    results: list[dict[str, Any]] = []
    for path in sorted((HERE / "apps").glob("*.toml")):
        if args.only and path.stem not in args.only:
            continue
        try:
            manifest = load_manifest(path)
        except ManifestError as exc:
            print(f"{path.stem}: bad manifest: {exc}", file=sys.stderr)
            results.append({"slug": path.stem, "skipped": f"bad manifest: {exc}"})
            continue
        copy = args.corpus / manifest["slug"]
        marker = copy / MARKER
        try:
            if not marker.is_file() or marker.read_text().split()[0] != manifest["commit"]:
                gitdir = mirror_gitdir(args.mirror, manifest["repo"])
                if gitdir is None:
                    why = f"no mirror of {manifest['repo']} in {args.mirror}"
                    results.append({"slug": path.stem, "skipped": why})
                    print(f"{path.stem}: skipped, no mirror", file=sys.stderr)
                    continue
                print(f"{path.stem}: making {copy} at {manifest['commit'][:12]}", file=sys.stderr)
                materialise(copy, gitdir, manifest["commit"])
            print(f"{path.stem}: running", file=sys.stderr)
            results.append(run_app(cmd, manifest, copy, not args.no_mutants))
        except (OSError, RuntimeError, ValueError, KeyError, subprocess.CalledProcessError) as exc:
            print(f"{path.stem}: failed: {exc!r}", file=sys.stderr)
            results.append({"slug": path.stem, "skipped": f"failed: {exc!r}"})
    print(metrics.tables(results))
    print()
    print(details(results))
    out = HERE / "results" / f"{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    head = subprocess.run(["git", "-C", str(HERE), "rev-parse", "HEAD"], capture_output=True, text=True)
    out.write_text(json.dumps({"label": args.label, "date": datetime.datetime.now().isoformat(timespec="seconds"),
                               "importaudit_commit": head.stdout.strip(), "python": sys.version.split()[0],
                               "apps": results}, indent=2, sort_keys=True) + "\n")
    print(f"\nwritten {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
