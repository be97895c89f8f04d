"""Boot truth for a process with no route (a worker): it boots if it is still running after a window."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Optional

from boot_launch import Launch, Observation, missing_module_groups, missing_programs, start

# A line a server prints once it is up: seeing it ends the window early (verified by hand:
# a celery 5.4 worker on a memory:// broker logs "[...: INFO/MainProcess] celery@vm ready.").
READY_LINES = {"celery": re.compile(r"celery@\S+ ready\.")}


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, read from /proc."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether the group still exists
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members: list[int] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it exited while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return sorted(members)


def _wait_group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while group_members(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def stop_process_group(proc: subprocess.Popen[bytes]) -> list[int]:
    """SIGTERM the group (a worker's pool children included), then SIGKILL; the pids left."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        if _wait_group_gone(proc.pid, grace):
            return []
    return group_members(proc.pid)


def _ready(pattern: Optional[re.Pattern[str]], log_path: Path) -> bool:
    if pattern is None:
        return False
    return bool(pattern.search(log_path.read_text("utf-8", "replace")))


def observe_process(
    launch: Launch, *, cwd: Path, env: dict[str, str], log_path: Path, window: float
) -> Observation:
    """Run; an exit within the window is a failed boot, still running after it (or ready) boots."""
    started = time.monotonic()
    pattern = READY_LINES.get(launch.server.split(" ")[0])
    with open(log_path, "wb") as log_file:
        proc = start(launch, cwd=cwd, env=env, log_file=log_file, probe="process")
        if isinstance(proc, Observation):
            return proc
        ready = False
        try:
            while time.monotonic() - started < window and proc.poll() is None:
                if _ready(pattern, log_path):
                    ready = True
                    break
                time.sleep(0.2)
            returncode = proc.poll()
        finally:
            leftover = stop_process_group(proc)
    obs = Observation("boots" if returncode is None else "fails-at-boot", probe="process")
    obs.returncode = returncode
    obs.seconds = round(time.monotonic() - started, 1)
    obs.log = log_path.read_text("utf-8", "replace")
    if returncode is None:
        how = "printed its ready line" if ready else f"still running after {window:.0f}s"
        obs.note = how
    else:
        obs.note = f"exited within the {window:.0f}s window"
        obs.boot_failures = missing_module_groups(obs.log)
        obs.programs_missing = missing_programs(obs.log)
        obs.syntax_error = "SyntaxError:" in obs.log
    if leftover:
        obs.problems.append(f"processes {leftover} still run after the process group was killed")
    return obs
