"""An image under construction: its stages, what COPY/ADD put where, container paths to repo paths."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.model import Install, SourceWarning
from importaudit.targets.dockerfile_syntax import Instruction, instruction_words

# Directories every Debian/Alpine-based image already has: `COPY x /tmp` puts x inside them.
BASE_IMAGE_DIRS = frozenset(
    {
        "/",
        "/tmp",
        "/opt",
        "/srv",
        "/home",
        "/root",
        "/usr",
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/lib",
        "/usr/src",
        "/var",
        "/etc",
        "/bin",
        "/mnt",
    }
)


@dataclass(frozen=True)
class Copy:
    dest: str  # absolute container path
    source: str  # repo-relative ("" = the root), or a glob pattern for kind "glob"
    kind: str  # "dir", "file", "glob"


def path_map(
    copies: Sequence[Copy], files: frozenset[str], dirs: frozenset[str]
) -> Callable[[str], Optional[str]]:
    """Container path -> repo path, through the COPY/ADD instructions seen so far (last wins)."""

    def resolve(path: str) -> Optional[str]:
        for copy in reversed(copies):
            dest = copy.dest.rstrip("/")
            if copy.kind == "file" and path == copy.dest:
                return copy.source
            if copy.kind == "glob" and posixpath.dirname(path) == (dest or "/"):
                folder, pattern = posixpath.split(copy.source)
                name = posixpath.basename(path)
                candidate = posixpath.join(folder, name) if folder else name
                if fnmatch.fnmatch(name, pattern) and candidate in files:
                    return candidate
            if copy.kind == "dir":
                if path == (dest or "/"):
                    return copy.source
                if path.startswith(dest + "/"):
                    rest = path[len(dest) + 1 :]
                    candidate = posixpath.join(copy.source, rest) if copy.source else rest
                    if candidate in files or candidate in dirs:
                        return candidate
        # `COPY app.txt /data` where /data turned out to be a directory: later commands say so.
        for copy in reversed(copies):
            if copy.kind == "file" and path == posixpath.join(copy.dest, posixpath.basename(copy.source)):
                return copy.source
        return _parent_of_copies(copies, path, dirs)

    return resolve


def _parent_of_copies(copies: Sequence[Copy], path: str, dirs: frozenset[str]) -> Optional[str]:
    """A folder nothing was copied to as a whole, but whose entries were, each keeping its repo name
    (`WORKDIR /srv` + `COPY app ./app`, or `COPY app.py .`): it stands for their common repo folder,
    so the server's working directory there is a sys.path root."""
    prefix = path.rstrip("/") + "/"
    found: set[str] = set()
    for copy in copies:
        if copy.kind not in ("dir", "file") or not copy.dest.startswith(prefix):
            continue
        rest = copy.dest[len(prefix):].rstrip("/")
        if copy.source != rest and not copy.source.endswith("/" + rest):
            return None  # renamed on the way in: the folder has no repo counterpart
        found.add(copy.source[: len(copy.source) - len(rest)].rstrip("/"))
    if len(found) != 1:
        return None
    (folder,) = found
    return folder if folder == "" or folder in dirs else None


def copies_under(copies: Sequence[Copy], source: str, dest: str, files: frozenset[str]) -> list[Copy]:
    """What `COPY --from=stage SOURCE DEST` carries from the repo: the stage's copies under SOURCE."""
    source = source.rstrip("/") or "/"
    dest = dest.rstrip("/") or "/"
    moved: list[Copy] = []
    for copy in copies:
        here = copy.dest.rstrip("/") or "/"
        if here == source:
            moved.append(Copy(dest, copy.source, copy.kind))
        elif here.startswith(source.rstrip("/") + "/"):
            moved.append(Copy(posixpath.join(dest, here[len(source.rstrip("/")) + 1 :]), copy.source, copy.kind))
        elif copy.kind == "dir" and source.startswith(here.rstrip("/") + "/"):
            # COPY --from=builder /app/src /src where the builder copied the repo to /app.
            rest = source[len(here.rstrip("/")) + 1 :]
            inner = posixpath.join(copy.source, rest) if copy.source else rest
            kind = "file" if inner in files else "dir"
            moved.append(Copy(dest, inner, kind))
    return moved


@dataclass(frozen=True)
class StartSpec:
    """CMD or ENTRYPOINT as written: an exec-form argv or shell text."""

    exec_form: Optional[tuple[str, ...]]
    text: str
    line: int


@dataclass
class Stage:
    """The image state after each instruction of one stage (inherited by `FROM <stage>`)."""

    name: Optional[str]
    image: str
    line: int
    parent: Optional[int] = None
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)
    unset_args: set[str] = field(default_factory=set)  # `ARG X` without a default or a build value
    workdir: str = "/"
    copies: list[Copy] = field(default_factory=list)
    installs: list[Install] = field(default_factory=list)
    install_roots: list[str] = field(default_factory=list)
    wheel_dirs: dict[str, tuple[Install, ...]] = field(default_factory=dict)
    exports: dict[str, Install] = field(default_factory=dict)
    cmd: Optional[StartSpec] = None
    entrypoint: Optional[StartSpec] = None
    cmd_here: bool = False  # CMD set in this stage (an ENTRYPOINT here resets an inherited one)
    notes: list[str] = field(default_factory=list)
    # (repo path a file lands at, repo file copied there) for `RUN cp deploy/x.py app/settings/local.py`
    placed: list[tuple[str, str]] = field(default_factory=list)
    # (line, text) of each RUN, as written with its variables expanded: which step made a file
    runs: list[tuple[int, str]] = field(default_factory=list)
    # The base image may have set WORKDIR (an external image, no WORKDIR of ours yet): COPYs to a
    # relative destination are kept with the workdir assumed for them, to match absolute paths.
    workdir_unknown: bool = False
    loose: list[tuple[str, Copy]] = field(default_factory=list)


@dataclass
class Image:
    """What the Dockerfile builds for one stage: the pipeline's view of an image."""

    file: str
    stage: Stage
    files: frozenset[str]
    dirs: frozenset[str]
    python: Optional[str] = None
    python_source: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)

    def path_map(self, copies: Optional[Sequence[Copy]] = None) -> Callable[[str], Optional[str]]:
        mapped = path_map(self.stage.copies if copies is None else copies, self.files, self.dirs)
        if copies is not None or not self.stage.loose:
            return mapped
        from importaudit.targets.inherited_workdir import loose_match

        def resolve(path: str) -> Optional[str]:
            found = mapped(path)
            if found is None:
                found = loose_match(path, self.stage.loose, self.files, self.dirs)
                if found is not None:
                    note = (
                        f"{path} is taken to be {found}: the base image {self.stage.image} sets the WORKDIR "
                        "that a relative COPY put it under, and only that repo file fits the path"
                    )
                    if note not in self.notes:
                        self.notes.append(note)
            return found

        return resolve

    def made_by(self, path: str) -> Optional[str]:
        """`Dockerfile:58 (kinto init --ini /etc/kinto/kinto.ini)`: the last RUN that names the
        absolute `path`, which so is made at build time rather than taken from the repo."""
        if not path.startswith("/"):
            return None
        named = re.compile(rf"(?<![\w./-]){re.escape(path)}(?![\w.-])")
        found = [(line, text) for line, text in self.stage.runs if named.search(text)]
        if not found:
            return None
        line, text = found[-1]
        short = " ".join(text.split())
        return f"{self.file}:{line} (`{short[:100]}{'...' if len(short) > 100 else ''}`)"

    def os_package(self, name: str) -> Optional[str]:
        """`Dockerfile:13`: the RUN that installs the OS package `name` (`apt-get install -y uwsgi`)."""
        for line, text in self.stage.runs:
            for segment in _SEPARATORS.split(text.replace("\\\n", " ")):
                words = segment.split()
                manager = any(w in _OS_MANAGERS for w in words[:3])
                installs = manager and any(w in ("install", "add") for w in words[:6])
                if installs and name in words:
                    return f"{self.file}:{line}"
        return None


_OS_MANAGERS = frozenset({"apt-get", "apt", "apk", "yum", "dnf", "microdnf"})
_SEPARATORS = re.compile(r"&&|\|\||;|\||\n")


def context_is_root(instructions: Sequence[Instruction], context: str, known: frozenset[str]) -> bool:
    """More COPY sources exist relative to the repo root than to the Dockerfile's folder."""
    here = there = 0
    for inst in instructions:
        # `RUN --mount=type=bind,source=uv.lock,...` reads from the context as COPY does.
        mounted = [
            options.get("source", options.get("src", ""))
            for name, value in inst.flags if name == "mount"
            for options in [dict(item.partition("=")[::2] for item in value.split(","))]
            if options.get("type", "bind") == "bind" and not options.get("from")
        ]
        if inst.keyword == "RUN":
            for source in mounted:
                if source and "$" not in source and source not in (".", "./"):
                    here += posixpath.join(context, posixpath.normpath(source)) in known
                    there += posixpath.normpath(source) in known
            continue
        if inst.keyword not in ("COPY", "ADD") or inst.heredocs or any(n == "from" for n, _ in inst.flags):
            continue
        for source in instruction_words(inst.args)[:-1]:
            if "$" in source or "://" in source or any(c in source for c in "*?[") or source in (".", "./"):
                continue
            path = posixpath.normpath(source)
            here += posixpath.join(context, path) in known
            there += path in known
    for source in _bind_mount_sources(instructions):  # `RUN --mount=type=bind,source=uv.lock ...`
        here += posixpath.join(context, source) in known
        there += source in known
    if here == there == 0:
        # Only `COPY . /app`: the files its RUN steps name (`pip install -r requirements.txt`,
        # `cp docker/config.py settings/`) say which folder was sent.
        for inst in instructions:
            if inst.keyword != "RUN":
                continue
            for word in inst.args.replace(";", " ").split():
                if "$" in word or word.startswith("/") or not word.endswith(_FILE_SUFFIXES):
                    continue
                path = posixpath.normpath(word)
                here += posixpath.join(context, path) in known
                there += path in known
    return there > here


def _bind_mount_sources(instructions: Sequence[Instruction]) -> list[str]:
    """The build-context files RUN steps bind-mount (`--mount=type=bind,source=X`; bind is the
    default type): like COPY sources, they are paths inside the build context."""
    sources = []
    for inst in instructions:
        if inst.keyword != "RUN":
            continue
        for name, value in inst.flags:
            if name != "mount":
                continue
            fields = dict(part.partition("=")[::2] for part in value.split(","))
            if fields.get("type", "bind") != "bind" or "from" in fields:
                continue
            source = fields.get("source") or fields.get("src") or ""
            if source and "$" not in source and source not in (".", "./"):
                sources.append(posixpath.normpath(source))
    return sources


def image_has(
    path: str, resolve: Callable[[str], Optional[str]], files: frozenset[str], dirs: frozenset[str]
) -> Optional[bool]:
    """Whether the image has `path`: known for what lies under folders copied from the repo."""
    if resolve(path) is not None:
        return True
    parent = resolve(posixpath.dirname(path))
    if parent is not None and (parent in files or parent in dirs):
        return False  # the copied folder (or a file, which holds no paths) has no such entry
    return None


def image_glob(
    pattern: str, resolve: Callable[[str], Optional[str]], files: frozenset[str], dirs: frozenset[str]
) -> Optional[list[str]]:
    """The container paths a glob matches, when its folder was copied from the repo."""
    folder, name = posixpath.split(pattern)
    repo = resolve(folder)
    if repo is None or any(c in folder for c in "*?["):
        return None
    prefix = f"{repo}/" if repo else ""
    entries = {p[len(prefix) :].split("/", 1)[0] for p in files | dirs if p.startswith(prefix) and p != repo}
    return [posixpath.join(folder, e) for e in sorted(entries) if e and fnmatch.fnmatch(e, name)]


def repo_script(
    words: Sequence[str], cwd: str, resolve: Callable[[str], Optional[str]], files: frozenset[str]
) -> Optional[str]:
    """The repo shell script a build command runs (`./install.sh`, `bash scripts/deps.sh`)."""
    program = words[0].rstrip("/").rsplit("/", 1)[-1]
    path = words[1] if program in ("sh", "bash", "dash", "ash") and len(words) > 1 else words[0]
    if path.startswith("-") or not (path.endswith(".sh") or "/" in path):
        return None
    found = resolve(posixpath.normpath(posixpath.join(cwd, path)))
    return found if found is not None and found in files and found.endswith(".sh") else None


_FILE_SUFFIXES = (".txt", ".py", ".toml", ".cfg", ".lock", ".in")
