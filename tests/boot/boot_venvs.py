"""Fresh virtualenvs holding exactly what a target installs, cached by what went into them."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from importaudit.model import Install, InstallKind, Target

CACHE_ROOT = Path(
    os.environ.get("IMPORTAUDIT_BOOT_CACHE", "~/.cache/importaudit-boot")
).expanduser()
PYENV = Path("/root/.pyenv/versions")
PYTHONS = {
    "3.8": "3.8.18",
    "3.9": "3.9.18",
    "3.10": "3.10.13",
    "3.11": "3.11.7",
    "3.12": "3.12.1",
    "3.13": "3.13.0",
}
INSTALL_TIMEOUT = float(os.environ.get("IMPORTAUDIT_BOOT_INSTALL_TIMEOUT", "900"))
# Pinned so a rerun resolves the same tool; used when the target does not install it itself.
TOOL_PINS = {"poetry": "poetry==1.8.5", "uv": "uv==0.5.31"}
# Files whose content decides what gets installed (a change invalidates the cached venv).
_INSTALL_INPUTS = (".txt", ".in", ".toml", ".lock", ".cfg", "setup.py", "Pipfile")
_SIMPLE_INDEX_SOURCE = (
    '\n[[tool.poetry.source]]\nname = "importaudit-boot-simple"\n'
    'url = "https://pypi.org/simple/"\npriority = "primary"\n'
)
_PIP = ("--disable-pip-version-check", "--no-input")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class Unsupported(Exception):
    """An install the harness cannot reproduce faithfully: the case is skipped with this reason."""


class BuildFailed(Exception):
    """The target's own install steps failed (a broken sample or an unreachable index)."""


@dataclass(frozen=True)
class Step:
    argv: tuple[str, ...]  # program (relative to the venv's bin/ when it starts with "@") + args
    cwd: str  # relative to the project copy
    shown: str
    whole_project: bool = False  # it installs the project itself: every source file matters


def interpreter_for(version: str) -> Path:
    if "-" in version:
        # No declared version: importaudit judged every version of the range ("3.9-3.14"), so its
        # verdict must hold on any of them; boot on the newest one this machine has.
        low, high = (tuple(int(x) for x in end.split(".")) for end in version.split("-", 1))
        inside = [v for v in PYTHONS if low <= tuple(int(x) for x in v.split(".")) <= high
                  and (PYENV / PYTHONS[v] / "bin" / "python").exists()]
        if inside:
            version = max(inside, key=lambda v: tuple(int(x) for x in v.split(".")))
    full = PYTHONS.get(version)
    path = PYENV / full / "bin" / "python" if full else None
    if path is None or not path.exists():
        raise Unsupported(f"Python {version} is not available on this machine")
    return path


def _extras(install: Install) -> str:
    return f"[{','.join(install.extras)}]" if install.extras else ""


def _pipfile_lock_requirements(root: Path, install: Install) -> str:
    """Pipfile.lock -> pinned requirement lines (the lock is plain JSON: no tool needed)."""
    lock_path = root / install.spec / "Pipfile.lock"
    try:
        data = json.loads(lock_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise Unsupported(f"pipenv install without a readable Pipfile.lock ({exc})") from exc
    sections = ["default", "develop"] if install.include_dev else ["default"]
    lines = []
    for section in sections:
        for name, info in sorted(data.get(section, {}).items()):
            marker = f"; {info['markers']}" if info.get("markers") else ""
            lines.append(f"{name}{info.get('version', '')}{marker}")
    return "\n".join(lines) + "\n"


def _uv_group(group: str, main: bool) -> tuple[str, ...]:
    if group == "*":
        return ("--all-groups",)
    return ("--group" if main else "--only-group", group)


def plan_steps(root: Path, target: Target) -> tuple[Step, ...]:
    """The commands that reproduce the target's installs, in order."""
    steps: list[Step] = []
    for install in target.installs:
        no_deps = ("--no-deps",) if install.no_deps else ()
        if install.kind is InstallKind.REQUIREMENTS and install.tool == "uv":
            # uv's pip interface for real: --system finds the venv's python first on PATH.
            argv = ("uv", "pip", "install", "--system", *no_deps, "-r", install.spec)
        elif install.kind is InstallKind.REQUIREMENTS:
            argv = ("@python", "-m", "pip", "install", *_PIP, *no_deps, "-r", install.spec)
        elif install.kind is InstallKind.PACKAGE:
            argv = ("@python", "-m", "pip", "install", *_PIP, *no_deps, install.spec)
        elif install.kind is InstallKind.PROJECT and install.tool == "pip" and install.groups:
            # PEP 735 groups through pip's own --group (pip >= 25.1, which the target installs).
            # The step runs in the project's folder (cwd below): its pyproject.toml is right there.
            selected = [a for g in install.groups for a in ("--group", f"pyproject.toml:{g}")]
            itself = ("." + _extras(install),) if install.main else ()
            argv = ("@python", "-m", "pip", "install", *_PIP, *no_deps, *selected, *itself)
        elif (
            install.kind is InstallKind.PROJECT
            and install.tool in {"pip", "uv", "platform"}
            and not install.groups
            and not (install.tool == "uv" and (install.include_dev or (root / install.spec / "uv.lock").exists()))
        ):
            spec = install.spec if install.spec.startswith((".", "/")) else f"./{install.spec}"
            argv = ("@python", "-m", "pip", "install", *_PIP, *no_deps, spec + _extras(install))
        elif install.kind is InstallKind.PROJECT and install.tool == "uv":
            argv = (
                "uv",
                "sync",
                "--frozen" if (root / install.spec / "uv.lock").exists() else "",
                *([] if install.include_dev else ["--no-dev"]),
                *[a for e in install.extras for a in (("--all-extras",) if e == "*" else ("--extra", e))],
                *[a for g in install.groups for a in _uv_group(g, install.main)],
                *[a for g in install.without for a in ("--no-group", g)],
            )
        elif install.kind is InstallKind.PROJECT and install.tool == "poetry":
            # Exported from poetry's own lock (see _run_step): same set as `poetry install`.
            selection = (
                ["--with", ",".join(install.groups or ("dev",))]
                if install.include_dev
                else ["--only", ",".join(install.groups or ("main",))]
            )
            argv = ("@poetry", *selection, *[a for e in install.extras for a in ("--extras", e)])
        elif install.kind is InstallKind.PROJECT and install.tool == "pipenv":
            argv = ("@pipenv-lock", install.spec, "--dev" if install.include_dev else "")
        else:
            raise Unsupported(
                f"cannot reproduce install {install.kind.value} {install.spec!r} "
                f"(tool {install.tool})"
            )
        project = install.kind is InstallKind.PROJECT
        steps.append(
            Step(
                tuple(a for a in argv if a),
                install.spec if project else ".",
                " ".join(a for a in argv if a),
                whole_project=project,
            )
        )
    for dist in target.provided:  # the platform adds these itself (GAE adds gunicorn)
        argv = ("@python", "-m", "pip", "install", *_PIP, dist)
        steps.append(Step(argv, ".", " ".join(argv)))
    return tuple(steps)


def venv_key(root: Path, python: Path, steps: tuple[Step, ...]) -> str:
    digest = hashlib.sha256(json.dumps([str(python), [s.argv for s in steps]]).encode())
    whole_project = any(s.whole_project for s in steps)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == "expected.json" or "__pycache__" in rel:
            continue
        # A project install copies the source into site-packages: then every file matters.
        if whole_project or rel.endswith(_INSTALL_INPUTS):
            digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


@contextmanager
def _exclusive(key: str) -> Iterator[None]:
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    (CACHE_ROOT / "locks").mkdir(parents=True, exist_ok=True)
    with lock, open(CACHE_ROOT / "locks" / f"{key}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another pytest session may build the same venv
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tool(name: str, venv: Path) -> str:
    """The target's own copy of poetry/uv when it installed one, else a pinned cached copy."""
    own = venv / "bin" / name
    if own.exists():
        return str(own)
    tool_venv = CACHE_ROOT / "tools" / name
    with _exclusive(f"tool-{name}"):
        if not (tool_venv / ".ready").exists():
            shutil.rmtree(tool_venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(tool_venv)], check=True)
            subprocess.run(
                [str(tool_venv / "bin" / "python"), "-m", "pip", "install", *_PIP, TOOL_PINS[name]],
                check=True,
                capture_output=True,
                env={**os.environ, "PIP_CACHE_DIR": str(CACHE_ROOT / "pip")},
            )
            (tool_venv / ".ready").write_text("ok\n")
    return str(tool_venv / "bin" / name)


def _network_env() -> dict[str, str]:
    """The host's index/proxy/CA settings: every installer must reach PyPI the way pip does here."""
    return {
        k: v
        for k, v in os.environ.items()
        if re.search(r"PROXY|CERT|CA_BUNDLE|^SSL_|^PIP_|^UV_INDEX|^UV_NATIVE_TLS", k, re.I)
    }


def _run_step(step: Step, venv: Path, project: Path, log: list[str]) -> None:
    env = {
        **_network_env(),
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(CACHE_ROOT / "home"),
        "VIRTUAL_ENV": str(venv),
        "PIP_CACHE_DIR": str(CACHE_ROOT / "pip"),
        "LANG": "C.UTF-8",
        "UV_CACHE_DIR": str(CACHE_ROOT / "uv"),
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON": str(venv / "bin" / "python"),
        "POETRY_VIRTUALENVS_CREATE": "false",
        "POETRY_CACHE_DIR": str(CACHE_ROOT / "poetry"),
        "PIP_NO_INPUT": "1",
    }
    argv = list(step.argv)
    if argv[0] == "@pipenv-lock":
        req = Path(tempfile.mkdtemp(dir=project)) / "pipfile-lock.txt"
        fake = Install(InstallKind.PROJECT, argv[1], include_dev="--dev" in argv, tool="pipenv")
        req.write_text(_pipfile_lock_requirements(project, fake))
        argv = ["@python", "-m", "pip", "install", *_PIP, "-r", str(req)]
    if argv[0] == "@poetry":
        argv = _poetry_export(argv[1:], venv, project / step.cwd, env, log)
    if argv[0] == "@python":
        argv[0] = str(venv / "bin" / "python")
    elif argv[0] in TOOL_PINS:
        argv[0] = _tool(argv[0], venv)
    log.append(f"$ {step.shown}")
    _call(argv, project / step.cwd, env, log)


def _poetry_export(
    selection: list[str], venv: Path, project: Path, env: dict[str, str], log: list[str]
) -> list[str]:
    """`poetry export` of the selected groups, then a pip install of exactly that."""
    poetry = _tool("poetry", venv)
    if not (project / "poetry.lock").exists():
        # This machine reaches PyPI's simple index only (no JSON API): lock against it.
        with open(project / "pyproject.toml", "a", encoding="utf-8") as handle:
            handle.write(_SIMPLE_INDEX_SOURCE)
        _call([poetry, "lock", "--no-interaction"], project, env, log)
    exported = project / "importaudit-boot-poetry-export.txt"
    _call(
        [
            poetry,
            "export",
            "--without-hashes",
            "-f",
            "requirements.txt",
            "-o",
            str(exported),
            *selection,
        ],
        project,
        env,
        log,
    )
    return ["@python", "-m", "pip", "install", *_PIP, "-r", str(exported)]


def _call(argv: list[str], cwd: Path, env: dict[str, str], log: list[str]) -> None:
    log.append("  " + " ".join(argv))
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildFailed("\n".join([*log, f"timed out after {INSTALL_TIMEOUT:.0f}s"])) from exc
    log.append(done.stdout[-4000:] + done.stderr[-4000:])
    if done.returncode != 0:
        raise BuildFailed("\n".join(log))


def ensure_venv(root: Path, python: Path, steps: tuple[Step, ...]) -> Path:
    """The cached venv for these steps, built in place (console scripts hard-code its path)."""
    key = venv_key(root, python, steps)
    venv = CACHE_ROOT / "venvs" / key
    with _exclusive(key):
        if (venv / ".ready").exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True, capture_output=True)
        log: list[str] = []
        with tempfile.TemporaryDirectory(prefix="importaudit-build-") as tmp:
            # Builds may write (build/, *.egg-info): never into the sample itself.
            project = Path(tmp) / "project"
            shutil.copytree(root, project, ignore=shutil.ignore_patterns("__pycache__"))
            try:
                for step in steps:
                    _run_step(step, venv, project, log)
            except BaseException:
                shutil.rmtree(venv, ignore_errors=True)
                raise
        freeze = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "freeze", *_PIP[:1]],
            capture_output=True,
            text=True,
        ).stdout
        (venv / ".ready").write_text(
            json.dumps({"steps": [s.shown for s in steps], "freeze": freeze.splitlines()}, indent=1)
        )
    return venv


def importable(
    venv: Path, modules: list[str], cwd: Path, env: dict[str, str], paths: tuple[str, ...]
) -> dict[str, Optional[bool]]:
    """Whether each module can be found from the target's environment (None: the probe broke)."""
    probe = (
        "import importlib.util, json, sys\n"
        "sys.path[1:1] = json.loads(sys.argv[1])\n"
        "out = {}\n"
        "for name in json.loads(sys.argv[2]):\n"
        "    try:\n"
        "        out[name] = importlib.util.find_spec(name) is not None\n"
        "    except ImportError:\n"
        "        out[name] = False\n"
        "    except Exception:\n"
        "        out[name] = None\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            probe,
            json.dumps([str(cwd / p) for p in paths]),
            json.dumps(modules),
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        result: dict[str, Optional[bool]] = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {name: None for name in modules}
    return result
