"""docker-compose / compose files: each service built here is a target on its Dockerfile stage."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Optional, Union

import yaml

from importaudit.model import SourceWarning, Target
from importaudit.safeload import LoadError, compose_yaml, construct, is_file
from importaudit.targets.assemble import image_target
from importaudit.targets.dockerfile import read_image
from importaudit.targets.shell import expand_vars


def _interpolate(value: object, env: dict[str, str]) -> object:
    """Compose interpolation: ${VAR}, ${VAR:-default} from the project's `.env` (the shell's own
    environment is unknown here); unset ones stay as written; `$$` is a literal `$`."""
    if isinstance(value, str):
        return expand_vars(value.replace("$$", "\0"), env).replace("\0", "$")
    if isinstance(value, list):
        return [_interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: _interpolate(item, env) for key, item in value.items()}
    return value


def _interpolation_env(root: Path, folder: str) -> dict[str, str]:
    """The `.env` beside the compose file: Compose reads it for ${VAR} in the file itself."""
    try:
        return dict(parse_dotenv((root / folder / ".env").read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError):
        return {}


_UNSET = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _environment(value: object) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                pairs.append((str(key), str(item)))
    elif isinstance(value, list):
        for item in value:
            key, eq, text = str(item).partition("=")
            if eq:
                pairs.append((key, text))
    return pairs


def _command(value: object) -> Optional[Union[str, list[str]]]:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [str(item) for item in value]
    return None


def _service_lines(node: object) -> dict[str, int]:
    """Each service's line: its own key under the top-level `services:` (1-based), read from the
    YAML nodes, so a name that is also a key elsewhere (an `x-` block, a long-form depends_on)
    does not lend its line to the service."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "services" and isinstance(value, yaml.MappingNode):
            return {
                str(name.value): name.start_mark.line + 1
                for name, _service in value.value
                if isinstance(name, yaml.ScalarNode)
            }
    return {}


def _unfollowed(relpath: str, service: str, line: int, why: str) -> Target:
    """A built service whose image cannot be read from the repo: a target that only says why."""
    where = f"{relpath}:{line}: " if line else f"{relpath}: "
    return Target(
        name=f"{relpath}:{service}",
        kind="compose",
        file=relpath,
        line=line,
        notes=(why,),
        unfollowed=(where + why,),
    )


def read_compose(root: Path, relpath: str, files: Sequence[str]) -> list[Target]:
    """One target per service with a `build:`; image-only services are not this repo's code."""
    folder = posixpath.dirname(relpath)
    try:
        text = (root / relpath).read_text(encoding="utf-8-sig")
        node = compose_yaml(text)
        data = construct(node)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, LoadError) as exc:
        return [
            Target(
                name=relpath,
                kind="compose",
                file=relpath,
                notes=("could not read the compose file",),
                warnings=(SourceWarning(relpath, _error_line(exc), str(exc)[:200]),),
            )
        ]
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    lines = _service_lines(node)
    targets = []
    env = _interpolation_env(root, folder)
    for name in sorted(services, key=str):
        service = _interpolate(services[name], env)
        if not isinstance(service, dict) or "build" not in service:
            continue
        line = lines.get(str(name), 0)
        build = service["build"]
        context, dockerfile, stage, args = ".", "Dockerfile", None, {}
        if isinstance(build, str):
            context = build
        elif isinstance(build, dict):
            context = str(build.get("context", "."))
            dockerfile = str(build.get("dockerfile", "Dockerfile"))
            stage = str(build["target"]) if build.get("target") else None
            args = dict(_environment(build.get("args")))
            if "dockerfile_inline" in build:
                targets.append(_unfollowed(relpath, str(name), line, "dockerfile_inline is not followed"))
                continue
        context_path = posixpath.normpath(posixpath.join(folder, context))
        context_path = "" if context_path == "." else context_path
        docker_path = posixpath.normpath(posixpath.join(context_path, dockerfile))
        unset = sorted(set(_UNSET.findall(f"{context} {dockerfile}")))
        if unset:
            names = ", ".join(f"${{{n}}}" for n in unset)
            where = posixpath.join(folder, ".env")
            why = f"the build path `{docker_path}` names {names}, which {where} does not set (from the shell?)"
            targets.append(_unfollowed(relpath, str(name), line, why))
            continue
        if context.startswith(("http://", "https://", "git@")) or docker_path not in files:
            targets.append(_unfollowed(relpath, str(name), line, f"build file `{docker_path}` is not in the repo"))
            continue
        image = read_image(root, docker_path, files, stage, context_path, args)
        # Compose puts env_file values in first; `environment:` wins over them.
        from_files, unread = _env_files(root, folder, service.get("env_file"), files)
        target = image_target(
            root,
            image,
            name=f"{relpath}:{name}",
            kind="compose",
            file=relpath,
            command=_command(service.get("command")),
            entrypoint=_command(service.get("entrypoint")),
            extra_env=[*from_files, *_environment(service.get("environment"))],
            line=line,
            binds=_bind_mounts(service.get("volumes"), folder),
            workdir=str(service["working_dir"]) if service.get("working_dir") else None,
        )
        for missing in unread:
            target = _with_note(target, f"env_file {missing} is not in the repo: its variables are unknown")
        if _binds_code(service.get("volumes")):
            target = replace(target, ships=None)  # the code comes from the host, not the image
        targets.append(target)
    return targets


def _env_files(
    root: Path, folder: str, value: object, files: Sequence[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """The variables of a service's `env_file:` (a path, a list, or `{path, required}` items),
    resolved from the compose file's folder; and the files that are not in the repo."""
    items = value if isinstance(value, list) else [value] if value else []
    pairs: list[tuple[str, str]] = []
    unread: list[str] = []
    known = set(files)
    for item in items:
        path = item.get("path") if isinstance(item, dict) else item
        if not isinstance(path, str) or not path:
            continue
        relpath = posixpath.normpath(posixpath.join(folder, path))
        try:
            text = (root / relpath).read_text(encoding="utf-8-sig") if relpath in known or is_file(
                root / relpath) else None
        except (OSError, UnicodeDecodeError):
            text = None
        if text is None:
            unread.append(relpath)
            continue
        pairs.extend(parse_dotenv(text))
    return pairs, unread


def parse_dotenv(text: str) -> list[tuple[str, str]]:
    """KEY=VALUE lines of a .env file (`export`, quotes and trailing comments as Compose reads them)."""
    pairs: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or not key.replace("_", "a").isalnum():
            continue
        value = value.strip()
        if value[:1] in ("'", '"') and value.count(value[0]) >= 2:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = value.split(" #", 1)[0].rstrip()
        pairs.append((key, value))
    return pairs


def _bind_mounts(volumes: object, folder: str) -> list[tuple[str, str]]:
    """(container folder, repo folder) of each bind mount of a repo folder (`.:/app`, long syntax
    `{type: bind, source: ./src, target: /app/src}`), resolved from the compose file's folder."""
    found: list[tuple[str, str]] = []
    for volume in volumes if isinstance(volumes, list) else []:
        if isinstance(volume, dict):
            source, dest = volume.get("source"), volume.get("target")
        else:
            source, _, rest = str(volume).partition(":")
            dest = rest.split(":", 1)[0] if rest else None
        if not isinstance(source, str) or not isinstance(dest, str) or not source.startswith("."):
            continue
        repo = posixpath.normpath(posixpath.join(folder, source))
        if repo != ".." and not repo.startswith("../") and dest.startswith("/"):
            found.append((posixpath.normpath(dest), "" if repo == "." else repo))
    return found


def _binds_code(volumes: object) -> bool:
    """A bind mount of a host folder (`.:/app`, `./src:/app/src`): the container sees the checkout."""
    for volume in volumes if isinstance(volumes, list) else []:
        source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":", 1)[0]
        if isinstance(source, str) and source.startswith((".", "/", "~")):
            return True
    return False


def _with_note(target: Target, note: str) -> Target:
    return replace(target, notes=(*target.notes, note))


def _error_line(exc: Exception) -> int:
    mark = getattr(exc, "problem_mark", None)
    return int(getattr(mark, "line", -1)) + 1 if mark is not None else 0
