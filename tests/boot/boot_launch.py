"""Start a target's command on 127.0.0.1, probe its routes, and stop its whole process group."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Optional, Union

# Wrappers that run the rest of the line as the real command.
_WRAPPERS = {"exec", "ddtrace-run", "opentelemetry-instrument", "nohup"}
_RUN_PREFIXES = {
    ("poetry", "run"),
    ("pipenv", "run"),
    ("pdm", "run"),
    ("newrelic-admin", "run-program"),
}
_SHELLS = {"sh", "bash", "/bin/sh", "/bin/bash", "/usr/bin/env"}
_OPERATORS = {"&&", "||", ";", "|", "&"}
# Options whose value we drop because we supply our own address.
_BIND_OPTIONS = {
    "gunicorn": ({"-b", "--bind"}, ["-b", "127.0.0.1:{port}"]),
    "hypercorn": ({"-b", "--bind"}, ["-b", "127.0.0.1:{port}"]),
    "uvicorn": ({"--host", "--port", "--uds", "--fd"}, ["--host", "127.0.0.1", "--port", "{port}"]),
    "granian": ({"--host", "--port"}, ["--host", "127.0.0.1", "--port", "{port}"]),
    "daphne": (
        {"-b", "--bind", "-p", "--port", "-u", "--unix-socket", "-e", "--endpoint"},
        ["-b", "127.0.0.1", "-p", "{port}"],
    ),
    "waitress-serve": (
        {"--host", "--port", "--listen", "--unix-socket"},
        ["--listen=127.0.0.1:{port}"],
    ),
    "flask": ({"-h", "--host", "-p", "--port"}, ["--host", "127.0.0.1", "--port", "{port}"]),
    "fastapi": ({"--host", "--port"}, ["--host", "127.0.0.1", "--port", "{port}"]),
    "streamlit": (
        {"--server.port", "--server.address"},
        ["--server.address", "127.0.0.1", "--server.port", "{port}"],
    ),
}
NON_HTTP_SERVERS = {"celery", "rq", "dramatiq", "huey_consumer", "arq"}
_PORT_VAR = re.compile(r"\$\{PORT(?::?-[^}]*)?\}|\$PORT\b")
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")
_NOT_FOUND_PROGRAM = re.compile(
    r"(?:^|\n)(?:/bin/sh: \d+: |sh: \d+: |bash: )(?:exec: )?([\w.\-/]+): "
    r"(?:not found|command not found)"
)
_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


class NotBootable(Exception):
    """The command cannot be observed over HTTP (a worker, an unknown program)."""


@dataclass(frozen=True)
class Launch:
    argv: tuple[str, ...]  # what Popen runs (a shell command is ("/bin/sh", "-c", text))
    server: str  # the program that serves: gunicorn, uvicorn, python ...
    shown: str  # human-readable command after rebinding


def _server_index(words: list[str]) -> int:
    """Index of the real program in a simple command, after env prefixes and wrappers."""
    i = 0
    while i < len(words):
        word = words[i]
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word) or word in _WRAPPERS:
            i += 1
        elif i + 1 < len(words) and (word, words[i + 1]) in _RUN_PREFIXES:
            i += 2
        elif word == "uv" and i + 1 < len(words) and words[i + 1] == "run":
            i += 2
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in {"--with", "--python", "--extra", "--group", "-p"} else 1
        elif word == "opentelemetry-instrument" or word == "newrelic-admin":
            i += 1
        else:
            return i
    return i


def _program_name(words: list[str], i: int) -> tuple[str, int]:
    """('gunicorn', index of its first argument); `python -m X` counts as X."""
    prog = os.path.basename(words[i]) if i < len(words) else ""
    if re.fullmatch(r"python[0-9.]*", prog):
        if i + 2 < len(words) and words[i + 1] == "-m":
            return words[i + 2].replace("_", "-") if words[i + 2] == "waitress" else words[
                i + 2
            ], i + 3
        if i + 1 < len(words) and os.path.basename(words[i + 1]) == "manage.py":
            return "manage.py", i + 2
        return "python", i + 1
    if prog == "waitress":
        prog = "waitress-serve"
    return prog, i + 1


def _strip_options(args: list[str], names: set[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in names:
            skip = "=" not in arg
            continue
        if any(arg.startswith(n) and len(n) == 2 and len(arg) > 2 for n in names if len(n) == 2):
            continue  # -b0.0.0.0:80 glued form
        kept.append(arg)
    return kept


def rebind_simple(words: list[str], port: int) -> tuple[list[str], str]:
    """Rebind one simple command to 127.0.0.1:port; returns (words, server name)."""
    i = _server_index(words)
    if i >= len(words):
        return words, ""
    server, first_arg = _program_name(words, i)
    head, args = words[:first_arg], words[first_arg:]
    if server in {"sh", "bash"} and args[:1] == ["-c"] and len(args) >= 2:
        inner, inner_server = rebind_shell(args[1], port)
        return [*head, "-c", inner, *args[2:]], inner_server
    if server in _BIND_OPTIONS:
        names, added = _BIND_OPTIONS[server]
        kept = _strip_options(args, names)
        extra = [a.format(port=port) for a in added]
        if server in {"flask", "fastapi"}:  # options belong after the sub-command
            sub = next((k for k, a in enumerate(kept) if a in {"run", "dev"}), None)
            if sub is not None:
                return [*head, *kept[: sub + 1], *extra, *kept[sub + 1 :]], server
        return [*head, *extra, *kept], server
    if server == "manage.py":
        if args[:1] == ["runserver"]:
            rest = [a for a in args[1:] if a.startswith("-")]
            return [*head, "runserver", *rest, f"127.0.0.1:{port}"], "manage.py runserver"
        return words, "manage.py " + (args[0] if args else "")
    return words, server


def _quote(word: str) -> str:
    if word in _OPERATORS:
        return word
    if "$" in word:  # keep variable expansion, as the original shell would
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`") + '"'
    return shlex.quote(word)


def rebind_shell(text: str, port: int) -> tuple[str, str]:
    """Rebind every server in a shell line (chains included); returns (text, last server)."""
    text = _PORT_VAR.sub(str(port), text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    words = list(lexer)
    out: list[str] = []
    server = ""
    segment: list[str] = []
    for word in [*words, ";"]:
        if word in _OPERATORS:
            if segment:
                rebound, name = rebind_simple(segment, port)
                out.extend(_quote(w) for w in rebound)
                server = name or server
            out.append(word)
            segment = []
        else:
            segment.append(word)
    return " ".join(out[:-1]), server


def plan_launch(command: str, port: int) -> Launch:
    """A command as the descriptor writes it -> what we run (exec JSON form or shell form)."""
    stripped = command.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(w, str) for w in parsed):
            words, server = rebind_simple([_PORT_VAR.sub(str(port), w) for w in parsed], port)
            return Launch(tuple(words), server, shlex.join(words))
    text, server = rebind_shell(stripped, port)
    return Launch(("/bin/sh", "-c", text), server, text)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_status(port: int, route: str, timeout: float) -> Optional[int]:
    """The status of GET route, or None when nothing answered over HTTP."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", route, headers={"Host": "localhost"})
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def missing_module_groups(log: str) -> list[tuple[str, ...]]:
    """Names from `No module named 'x'`, grouped per exception chain (one chain = one failure)."""
    groups: list[list[str]] = []
    for block in re.split(r"\n(?=Traceback \(most recent call last\):)", log):
        names = _MISSING_MODULE.findall(block)
        if not names:
            continue
        before = log[: log.find(block)][-200:]
        if groups and any(marker in before for marker in _CHAINED):
            groups[-1].extend(names)
        else:
            groups.append(list(names))
    unique: list[tuple[str, ...]] = []
    for group in groups:
        key = tuple(dict.fromkeys(group))
        if key not in unique:
            unique.append(key)
    return unique


def missing_programs(log: str) -> list[str]:
    return sorted({os.path.basename(p) for p in _NOT_FOUND_PROGRAM.findall(log)})


@dataclass
class Observation:
    """What really happened when the command ran."""

    outcome: str  # boots, fails-at-boot, error-on-every-route
    statuses: dict[str, Optional[int]] = field(default_factory=dict)
    boot_failures: list[tuple[str, ...]] = field(default_factory=list)  # module-name chains
    programs_missing: list[str] = field(default_factory=list)
    syntax_error: bool = False
    request_failures: dict[str, list[str]] = field(default_factory=dict)  # route -> modules
    returncode: Optional[int] = None
    seconds: float = 0.0
    log: str = ""
    problems: list[str] = field(default_factory=list)  # harness-level failures (port, leftovers)
    probe: str = "http"  # how it was observed: "http" (routes) or "process" (still running)
    note: str = ""  # what the process probe saw ("still running after 8s", "exited 1 ...")


def _wait_closed(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not port_is_listening(port):
            return True
        time.sleep(0.1)
    return not port_is_listening(port)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _stop_group(proc: subprocess.Popen[bytes], port: int) -> None:
    """SIGTERM the whole group (a shell's children included), then SIGKILL whatever is left."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5.0)
    # The leader may be a shell that died first: give the server itself time to shut down.
    _wait_closed(port, 5.0)
    _signal_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5.0)
    _wait_closed(port, 3.0)


def start(
    launch: Launch, *, cwd: Path, env: dict[str, str], log_file: IO[bytes], probe: str = "http"
) -> Union[subprocess.Popen[bytes], Observation]:
    """The server in its own session, its output in the log; a program that is not there is
    already the observation (an exec form naming a program the target never installed)."""
    try:
        return subprocess.Popen(
            list(launch.argv),
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return Observation(
            "fails-at-boot",
            programs_missing=[launch.argv[0]],
            log=f"{type(exc).__name__}: {exc}",
            probe=probe,
        )


def observe(
    launch: Launch,
    *,
    cwd: Path,
    env: dict[str, str],
    port: int,
    routes: list[str],
    log_path: Path,
    timeout: float,
) -> Observation:
    """Run, wait for HTTP on the first route, request every route, then stop everything."""
    started = time.monotonic()
    with open(log_path, "wb") as log_file:
        proc = start(launch, cwd=cwd, env=env, log_file=log_file)
        if isinstance(proc, Observation):
            return proc
        first: Optional[int] = None
        obs = Observation("fails-at-boot")
        try:
            while time.monotonic() - started < timeout and proc.poll() is None:
                first = http_status(port, routes[0], timeout=2.0)
                if first is not None:
                    break
                time.sleep(0.3)
            if first is not None:
                for route in routes:
                    before = log_path.stat().st_size
                    status = http_status(port, route, timeout=10.0)
                    obs.statuses[route] = status
                    time.sleep(0.3)  # let the server write its traceback
                    added = log_path.read_bytes()[before:].decode("utf-8", "replace")
                    names = [n for g in missing_module_groups(added) for n in g]
                    if status is not None and status >= 500 and names:
                        obs.request_failures[route] = names
                answered = [s for s in obs.statuses.values() if s is not None and s < 500]
                obs.outcome = "boots" if answered else "error-on-every-route"
        finally:
            obs_rc = proc.poll()
            _stop_group(proc, port)
    obs.returncode = obs_rc
    obs.seconds = round(time.monotonic() - started, 1)
    obs.log = log_path.read_text("utf-8", "replace")
    if obs.outcome == "fails-at-boot":
        obs.boot_failures = missing_module_groups(obs.log)
        obs.programs_missing = missing_programs(obs.log)
        obs.syntax_error = "SyntaxError:" in obs.log
    if port_is_listening(port):
        obs.problems.append(f"port {port} still answers after the process group was killed")
    return obs


def run_release(
    commands: list[str], *, cwd: Path, env: dict[str, str], timeout: float
) -> Optional[Observation]:
    """Run release commands in order; the failed deploy's observation, or None when all pass."""
    for command in commands:
        started = time.monotonic()
        try:
            done = subprocess.run(
                ["/bin/sh", "-c", command],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired:
            return Observation("fails-at-boot", log=f"release `{command}` timed out")
        if done.returncode != 0:
            log = f"release `{command}` exited {done.returncode}\n{done.stdout}{done.stderr}"
            return Observation(
                "fails-at-boot",
                boot_failures=missing_module_groups(log),
                programs_missing=missing_programs(log),
                syntax_error="SyntaxError:" in log,
                returncode=done.returncode,
                seconds=round(time.monotonic() - started, 1),
                log=log,
            )
    return None
