"""Cloud Foundry app manifests (`cf push`): each Python application and process is a target."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import yaml

from importaudit.model import InstallKind, Location, SourceWarning, Target
from importaudit.safeload import load_yaml
from importaudit.targets import commands
from importaudit.targets.assemble import command_target
from importaudit.targets.buildpacks import platform_installs, project_python_version

# The file names READERS hands here; only a YAML file with an `applications:` list is a manifest.
MANIFEST_NAMES = ("manifest*.yml", "manifest*.yaml")
_PROCFILE_WEB = re.compile(r"^web\s*:\s*(?P<command>.+)$", re.MULTILINE)


def _scalar(value: Any) -> Optional[str]:
    return str(value) if isinstance(value, (str, int, float)) and str(value).strip() else None


def _buildpacks(app: dict[str, Any]) -> list[str]:
    """`buildpacks: [...]`, or the older single `buildpack:`."""
    packs = app.get("buildpacks")
    if isinstance(packs, list):
        return [str(pack) for pack in packs if isinstance(pack, (str, int))]
    single = _scalar(app.get("buildpack"))
    return [single] if single else []


def _is_python(packs: Sequence[str]) -> Optional[bool]:
    """True/False when the manifest names buildpacks (the last one runs the app); None: auto-detected."""
    if not packs:
        return None
    return "python" in packs[-1].lower()


def _folder(relpath: str, app: dict[str, Any]) -> Optional[str]:
    """The repo folder `cf push` uploads: `path` relative to the manifest's folder (default: that
    folder). None when it leaves the repo or names an archive (a prebuilt .zip/.jar)."""
    base = posixpath.dirname(relpath)
    path = _scalar(app.get("path")) or "."
    joined = posixpath.normpath(posixpath.join(base, path))
    if joined.startswith("..") or posixpath.isabs(joined) or joined.endswith((".zip", ".jar", ".war")):
        return None
    return "" if joined == "." else joined


def _procfile_web(root: Path, files: Sequence[str], folder: str) -> Optional[str]:
    """With no `command`, the Python buildpack starts the Procfile's web process from the app folder."""
    path = posixpath.join(folder, "Procfile") if folder else "Procfile"
    if path not in set(files):
        return None
    try:
        match = _PROCFILE_WEB.search((root / path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None
    return match.group("command").strip() if match else None


def _processes(app: dict[str, Any]) -> list[tuple[str, Optional[str]]]:
    """(process type, command): the app's `command` is its web process; `processes:` add or override."""
    runs: dict[str, Optional[str]] = {"web": _scalar(app.get("command"))}
    for process in app.get("processes") or []:
        if isinstance(process, dict) and _scalar(process.get("type")):
            runs[str(process["type"])] = _scalar(process.get("command")) or runs.get(str(process["type"]))
    return sorted(runs.items(), key=lambda item: (item[0] != "web", item[0]))


def read_cf_manifest(root: Path, relpath: str, files: Sequence[str]) -> list[Target]:
    """Targets for a Cloud Foundry manifest's Python applications; any other YAML named like one
    (no `applications:` list) is not a deploy descriptor and yields nothing."""
    try:
        data = load_yaml((root / relpath).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        if "applications:" not in _peek(root, relpath):
            return []
        warning = SourceWarning(relpath, 0, f"could not read: {str(exc)[:200]}")
        return [Target(name=relpath, kind="platform", file=relpath, warnings=(warning,),
                       notes=("could not read the descriptor",))]
    apps = data.get("applications") if isinstance(data, dict) else None
    if not isinstance(apps, list):
        return []
    apps = [app for app in apps if isinstance(app, dict) and "docker" not in app]
    runs: list[tuple[str, str, dict[str, Any], Optional[str]]] = []
    for index, app in enumerate(apps):
        label = _scalar(app.get("name")) or str(index)
        for process, command in _processes(app):
            runs.append((label, process, app, command))
    targets = []
    for label, process, app, command in runs:
        name = relpath
        if len(apps) > 1:
            name = f"{relpath}:{label}" + ("" if process == "web" else f":{process}")
        elif process != "web":
            name = f"{relpath}:{process}"
        target = _app_target(root, files, relpath, name, app, command)
        if target is not None:
            targets.append(target)
    return targets


def _peek(root: Path, relpath: str) -> str:
    try:
        return (root / relpath).read_text(encoding="utf-8-sig", errors="replace")[:20000]
    except OSError:
        return ""


def _app_target(
    root: Path, files: Sequence[str], relpath: str, name: str, app: dict[str, Any], command: Optional[str]
) -> Optional[Target]:
    """One process of an application: the buildpack's installs from its folder, its command run
    there, and the manifest's `env` in its environment."""
    python = _is_python(_buildpacks(app))
    folder = _folder(relpath, app)
    if python is False:
        return None
    location = Location(relpath, 0)
    if folder is None:
        return Target(name=name, kind="platform", file=relpath,
                      notes=(f"`path: {app.get('path')}` is not a folder of the repo",))
    installs, notes = platform_installs(files, folder, "cf", location)
    if any(install.kind is InstallKind.REQUIREMENTS for install in installs):
        # The CF Python buildpack turns a Pipfile.lock into requirements.txt only when there is none.
        installs = [install for install in installs if install.kind is InstallKind.REQUIREMENTS]
    if python is None and not installs:
        return None  # auto-detection would not pick the Python buildpack: not a Python app
    env = {str(k): str(v) for k, v in (app.get("env") or {}).items() if _scalar(v) is not None} if isinstance(
        app.get("env"), dict) else {}
    all_notes = [f"Cloud Foundry pushes {folder or '.'} and builds it with the Python buildpack", *notes]
    if command is None:
        command = _procfile_web(root, files, folder)
        if command is not None:
            all_notes.append("no command: the buildpack starts the Procfile's web process")
    start = None
    if command is not None:
        start = commands.parse_start_command(
            command, root=root, files=files, workdir=folder, env=env, location=location
        )
    version = project_python_version(root, files, folder)
    target = command_target(
        name=name,
        kind="platform",
        file=relpath,
        line=0,
        start=start,
        command_text=[command] if command else [],
        installs=installs,
        env=sorted(env.items()),
        python=version[0] if version else None,
        python_source=version[1] if version else None,
        notes=all_notes,
    )
    return dataclasses.replace(target, ships=(folder,)) if folder else target
