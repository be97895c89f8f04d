"""Start an image's own CMD in a container with no network and observe its boot from inside."""

from __future__ import annotations

import json
import posixpath
import re
import subprocess
import time
import uuid
from typing import Optional

from boot_launch import Observation, missing_module_groups, missing_programs

DOCKER = "/usr/bin/docker"
# runc's words when the CMD's program is not in the image (docker run exits 127, nothing started).
_NOT_STARTED = re.compile(r'exec: "([^"]+)": (?:executable file not found|stat [^:]*: no such file)')
# Platforms that run images set PORT (Cloud Run, Zeabur, Heroku): a CMD that binds $PORT needs it.
PORT = "8000"
# Runs inside the container with its own python: the listening TCP ports from /proc (the CMD
# chooses its port, so none is guessed), and the status of GET route on each, as JSON.
_PROBE = r"""
import http.client, json, sys
route = sys.argv[1]
ports = set()
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        lines = open(name).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        fields = line.split()
        if len(fields) > 3 and fields[3] == "0A":
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
out = {}
for port in sorted(ports):
    status = None
    for host in ("127.0.0.1", "::1"):
        conn = http.client.HTTPConnection(host, port, timeout=float(sys.argv[2]))
        try:
            conn.request("GET", route, headers={"Host": "localhost"})
            status = conn.getresponse().status
            break
        except Exception:
            pass
        finally:
            conn.close()
    out[port] = status
print(json.dumps(out))
"""


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)


def _state(name: str) -> tuple[bool, Optional[int]]:
    """(running, exit code once it stopped)."""
    done = _docker("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", name)
    running, _, code = done.stdout.strip().partition(" ")
    if done.returncode != 0 or running != "true":
        return False, int(code) if code.lstrip("-").isdigit() else None
    return True, None


def _logs(name: str) -> str:
    done = subprocess.run([DOCKER, "logs", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60)
    return done.stdout.decode("utf-8", "replace")


def probe_routes(name: str, route: str, timeout: float) -> dict[int, Optional[int]]:
    """{listening port: status of GET route (None: no HTTP answer)} seen from inside."""
    try:
        done = _docker("exec", name, "python3", "-c", _PROBE, route, str(timeout), timeout=timeout * 4 + 30)
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return {}
    return {int(port): status for port, status in answer.items()}


def observe_container(tag: str, routes: list[str], *, probe: str, timeout: float, window: float) -> Observation:
    """Run the image's CMD unchanged; HTTP probe: boots once a route answers < 500 on a port it
    listens on; process probe: boots when still running after the window. Always removed."""
    name = f"importaudit-boot-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    run = _docker("run", "-d", "--name", name, "--network", "none", "-e", f"PORT={PORT}", tag)
    if run.returncode != 0:
        _docker("rm", "-f", name)
        program = _NOT_STARTED.search(run.stderr)
        if program:  # an exec-form CMD naming a program the image never installed: a failed boot
            return Observation("fails-at-boot", programs_missing=[posixpath.basename(program.group(1))],
                               log=run.stderr.strip(), returncode=run.returncode, probe=probe)
        return Observation("fails-at-boot", log=f"docker run failed: {run.stderr.strip()}", problems=[
            f"docker run {tag} failed: {run.stderr.strip()[-500:]}"])
    obs = Observation("fails-at-boot", probe=probe)
    try:
        port = _wait(name, routes, probe, timeout if probe == "http" else window)
        running, code = _state(name)
        obs.returncode = code
        if probe == "process":
            obs.outcome = "boots" if running else "fails-at-boot"
            obs.note = f"still running after {window:.0f}s" if running else f"exited {code} within {window:.0f}s"
        elif port is not None:
            for route in routes:
                before = len(_logs(name))
                status = probe_routes(name, route, 10.0).get(port)
                obs.statuses[route] = status
                time.sleep(0.3)  # let the server write its traceback
                names = [n for g in missing_module_groups(_logs(name)[before:]) for n in g]
                if status is not None and status >= 500 and names:
                    obs.request_failures[route] = names
            answered = [s for s in obs.statuses.values() if s is not None and s < 500]
            obs.outcome = "boots" if answered else "error-on-every-route"
        obs.log = _logs(name)
    finally:
        _docker("rm", "-f", name)
    obs.seconds = round(time.monotonic() - started, 1)
    if obs.outcome == "fails-at-boot":
        obs.boot_failures = missing_module_groups(obs.log)
        obs.programs_missing = missing_programs(obs.log)
        obs.syntax_error = "SyntaxError:" in obs.log
    if _docker("inspect", name).returncode == 0:
        obs.problems.append(f"container {name} is still there after docker rm -f")
    return obs


def _wait(name: str, routes: list[str], probe: str, seconds: float) -> Optional[int]:
    """The port that answered HTTP on the first route (http probe), while the container runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        running, _ = _state(name)
        if not running:
            return None
        if probe == "http":
            answered = {p: s for p, s in probe_routes(name, routes[0], 2.0).items() if s is not None}
            if answered:
                return min(answered)
        time.sleep(0.5)
    return None
