"""TEMPORARY stand-in for importaudit.targets while it is being written; deleted once it lands."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from boot_descriptors import final_chain, read_stages

from importaudit.model import Install, InstallKind, Location, Target


def read_targets(root: Path, files: Sequence[str]) -> tuple[Target, ...]:
    out = []
    for rel in files:
        name = rel.rsplit("/", 1)[-1]
        if name == "Dockerfile" or name.startswith("Dockerfile."):
            stages = read_stages((root / rel).read_text("utf-8"))
            installs, cmd, env = [], "", []
            for stage in final_chain(stages):
                for word, rest in stage.instructions:
                    for part in rest.split("&&") if word == "RUN" else ():
                        if "pip install" not in part:
                            continue
                        for m in re.finditer(r"-r\s+(\S+)", part):
                            installs.append(
                                Install(InstallKind.REQUIREMENTS, m.group(1), Location(rel, 1))
                            )
                        tail = re.sub(r"-r\s+\S+", "", part.split("pip install", 1)[1])
                        for word2 in tail.split():
                            if not word2.startswith("-"):
                                installs.append(
                                    Install(InstallKind.PACKAGE, word2, Location(rel, 1))
                                )
                    if word == "CMD":
                        cmd = rest
                    elif word == "ENV" and "=" in rest:
                        key, _, val = rest.partition("=")
                        env.append((key, val))
            m = re.search(r"python:(\d+\.\d+)", stages[-1].base) if stages else None
            out.append(
                Target(
                    rel,
                    "dockerfile",
                    rel,
                    python=m.group(1) if m else None,
                    installs=tuple(installs),
                    commands=(cmd,) if cmd else (),
                    env=tuple(env),
                )
            )
        elif name == "Procfile":
            for line in (root / rel).read_text("utf-8").splitlines():
                proc, _, cmd = line.partition(":")
                if cmd.strip():
                    out.append(
                        Target(
                            f"Procfile:{proc.strip()}",
                            "procfile",
                            rel,
                            installs=(Install(InstallKind.REQUIREMENTS, "requirements.txt"),),
                            commands=(cmd.strip(),),
                        )
                    )
    json.dumps([])  # keep the import list honest for the stand-in only
    return tuple(sorted(out, key=lambda t: t.name))
