"""The types the pipeline stages speak: frozen dataclasses and contract enums."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from enum import Enum
from typing import Optional


class AuditError(Exception):
    """The tool cannot do its job (bad argument, unreadable PATH, invalid config): exit 2."""


class Rule(str, Enum):
    MISSING_AT_BOOT = "missing-at-boot"
    MISSING = "missing"
    MISSING_AT_REQUEST = "missing-at-request"
    TRANSITIVE = "transitive"
    DEV_ONLY = "dev-only"
    UNUSED = "unused"
    STDLIB_REMOVED = "stdlib-removed"
    SYNTAX_ERROR = "syntax-error"
    NOT_INSTALLED = "not-installed"
    VERSION_CONFLICT = "version-conflict"
    # Not in the contract's table: a project file the tool could not fully read.
    UNREADABLE = "unreadable"
    # A string that names a module only at run time (an env var with no default): info only.
    UNRESOLVED = "unresolved"
    # A requirement or descriptor fact worth knowing (conflicting sources, requires-python...).
    CONFIG = "config"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Context(str, Enum):
    BOOT = "boot"
    REQUEST = "request"
    MODULE = "module"
    GUARDED = "guarded"
    TYPE_CHECKING = "type-checking"
    STRING = "string"


class Scope(str, Enum):
    MODULE = "module"  # module body (runs at import)
    CLASS = "class"  # class body (runs at import when the class is at module level)
    FUNCTION = "function"  # inside a def/lambda (runs when called)


class GuardKind(str, Enum):
    EXCEPT_IMPORT = "except-import"  # try: ... except ImportError/ModuleNotFoundError/Exception/bare
    SUPPRESS = "suppress"  # with contextlib.suppress(ImportError)
    TYPE_CHECKING = "type-checking"  # if TYPE_CHECKING:
    CONDITION = "condition"  # if <sys.version_info / sys.platform / os.name / platform.system()>:
    HANDLER = "handler"  # inside the except ImportError: handler itself (the fallback import)
    # `if ujson is not None:`, `if HAS_X:`, `if find_spec("x")`-flag: the branch runs only when
    # the modules in `condition` (comma-separated) all import (`negated`: when one of them fails).
    AVAILABLE = "available"


@dataclass(frozen=True)
class Guard:
    kind: GuardKind
    # For CONDITION: the test's source (ast.unparse); `negated` is True in the else branch.
    # For AVAILABLE: the modules whose import decides the branch, comma-separated.
    condition: Optional[str] = None
    negated: bool = False
    line: int = 0


class How(str, Enum):
    STATEMENT = "import"  # import a.b
    FROM = "from"  # from a.b import c
    IMPORT_MODULE = "import_module"  # importlib.import_module("a.b")
    DUNDER_IMPORT = "__import__"  # __import__("a")
    STRING = "string"  # a dotted path in a string that a framework or server imports


@dataclass(frozen=True)
class Location:
    file: str  # relative to the root, "/" separators
    line: int
    col: int = 0


@dataclass(frozen=True)
class Import:
    """One import as the code writes it; no judgement.

    A stable record: any other scanner (a fast path) must fill the same fields the same way,
    `guards` included (outermost first; see GuardKind for what each kind means).
    """

    module: str  # absolute dotted module (relative imports resolved where possible)
    location: Location
    how: How = How.STATEMENT
    names: tuple[str, ...] = ()  # `from module import names` (each may be a submodule)
    scope: Scope = Scope.MODULE
    function: Optional[str] = None  # enclosing function's qualified name ("create_app", "A.m")
    guards: tuple[Guard, ...] = ()
    level: int = 0  # relative level as written (0 = absolute)
    # None: no inline ignore; empty frozenset: ignore every rule; else the rule names to ignore
    ignore: Optional[frozenset[str]] = None
    via: Optional[str] = None  # for STRING imports: what names it ("INSTALLED_APPS", "gunicorn -k")
    # For framework strings: "boot" or "request" (or "migrate"); None for statements.
    phase: Optional[str] = None
    # For framework strings: the distribution known to provide it (a DB driver), if any
    distribution_hint: Optional[str] = None


@dataclass(frozen=True)
class Call:
    """A call the code makes to a name: lets `reach` follow functions that run at import."""

    callee: str  # dotted text of the called expression ("create_app", "app.factory.build")
    caller: Optional[str]  # qualified name of the function making the call; None = module level
    line: int
    guards: tuple[Guard, ...] = ()  # as for imports: a call under `if __name__ == "__main__":`


@dataclass(frozen=True)
class SyntaxProblem:
    location: Location
    message: str
    # True when the file was never read (an OSError, over the size limit): its code is unknown, not bad.
    unread: bool = False


@dataclass(frozen=True)
class ParsedFile:
    """What one pass over one source file found."""

    path: str  # relative, "/" separators
    module: Optional[str]  # dotted module name ("pkg.sub.mod"; "pkg" for pkg/__init__.py)
    is_package: bool  # an __init__.py
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    functions: tuple[str, ...] = ()  # qualified names of the functions it defines
    # name bound at module level by `from X import name [as alias]` -> "X.name"
    bindings: tuple[tuple[str, str], ...] = ()
    syntax_error: Optional[SyntaxProblem] = None
    is_test: bool = False
    is_notebook: bool = False
    # Oldest Python (major, minor) whose grammar this file needs (match -> 3.10, except* -> 3.11)
    # with the construct's name and line; None when nothing version-specific was seen.
    needs_python: Optional[tuple[tuple[int, int], str, int]] = None
    # Module-level flags other modules may import: (name, condition text) for version/platform
    # flags (`PY311 = sys.version_info >= (3, 11)`), (name, "available:mod1,mod2") for import flags.
    flags: tuple[tuple[str, str], ...] = ()
    # Only the imports were read (a test file the fast scan could answer for): calls, functions,
    # bindings, flags and syntax are not known. Looking the file up in the workspace's facts by
    # its path reads the rest (source.parsing.FileFacts).
    partial: bool = False


@dataclass(frozen=True)
class Requirement:
    """One declared requirement, with where it was declared."""

    name: str  # as written
    key: str  # packaging.utils.canonicalize_name(name)
    source: str  # file it came from, relative
    line: int
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: Optional[str] = None
    # "main"; "extra:NAME" (optional-dependencies / Poetry extras); "group:NAME"; "dev"
    group: str = "main"
    dev: bool = False  # True for dev/test/lint/docs/ci groups and files
    url: Optional[str] = None
    editable: bool = False
    # Locks: the full resolved set; a locked entry that nobody lists directly is transitive
    locked: bool = False
    direct: bool = True
    # Installed with `pip install --no-deps` (or `uv pip install --no-deps`): its own
    # requirements do not come with it
    no_deps: bool = False


@dataclass(frozen=True)
class SourceWarning:
    """Something in a project file the tool could not read or fully understand."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class RequirementSet:
    """Everything read from one requirement source (a file, or a table inside pyproject)."""

    source: str  # file, relative
    kind: str  # "requirements", "pyproject", "poetry", "setup.py", "setup.cfg", "pipfile", ...
    requirements: tuple[Requirement, ...] = ()
    warnings: tuple[SourceWarning, ...] = ()
    includes: tuple[str, ...] = ()  # files pulled in with -r/-c
    dev: bool = False  # the whole source is for development
    requires_python: Optional[str] = None


class InstallKind(str, Enum):
    REQUIREMENTS = "requirements"  # pip install -r FILE
    PACKAGE = "package"  # pip install NAME[extra]==v
    PROJECT = "project"  # pip install . / .[extra] / -e . ; poetry/uv/pipenv/pdm install
    UNKNOWN = "unknown"  # something it cannot see into (a wheel built elsewhere, a URL)


@dataclass(frozen=True)
class Install:
    """One thing a target installs."""

    kind: InstallKind
    spec: str  # file path (relative to root), requirement string, or "." / "path/to/project"
    location: Optional[Location] = None
    extras: tuple[str, ...] = ()  # for PROJECT: extras asked for
    groups: tuple[str, ...] = ()  # for PROJECT: dependency groups included (poetry --with, uv)
    include_dev: bool = False  # for PROJECT: dev groups included (uv sync without --no-dev)
    tool: str = "pip"  # pip, uv, poetry, pipenv, pdm, conda, platform
    no_deps: bool = False
    # For PROJECT: whether the project's main dependencies come too (False for `pip install
    # --group g`, `uv sync --only-group g`, `poetry install --only g`, `pdm install --no-default`).
    main: bool = True
    without: tuple[str, ...] = ()  # for PROJECT: groups left out (`--without`, `--no-group`)
    # Not stated by any descriptor: importaudit's assumption of what an environment holds (a
    # systemd or supervisord program's virtualenv). Evidence only when nothing else competes with it.
    assumed: bool = False
    # Why importaudit cannot tell what an opaque step installs ("build argument X has no default")
    why: str = ""


class EntryKind(str, Enum):
    APP = "app"  # the application module the server imports (gunicorn app:app)
    MODULE = "module"  # python -m mod / python file.py / manage.py: runs a module
    SERVER = "server"  # a module the server itself imports from its options (worker class)
    CONFIG = "config"  # a config file executed in the master (gunicorn.conf.py)


@dataclass(frozen=True)
class Entry:
    """Something a target imports when it starts."""

    module: str  # dotted module name ("app", "mysite.wsgi", "uvicorn.workers")
    kind: EntryKind = EntryKind.APP
    attr: Optional[str] = None  # "app", "create_app"
    call: bool = False  # the attr is a factory that the server calls (its body runs at boot)
    via: str = ""  # what named it: "gunicorn", "gunicorn -k", "Procfile web", "uvicorn --loop"
    location: Optional[Location] = None  # where it is named
    # A file path entry (python app.py, gunicorn -c gunicorn.conf.py) rather than a module
    path: Optional[str] = None
    # The distribution this entry needs when it is a server-option module ("uvicorn", "uvloop")
    distribution: Optional[str] = None
    # "master" (config, worker class, --preload) or "worker" (the app under gunicorn)
    phase: str = "worker"

    @property
    def spec(self) -> str:
        if self.path is not None:
            return self.path
        if self.attr:
            return f"{self.module}:{self.attr}{'()' if self.call else ''}"
        return self.module


@dataclass(frozen=True)
class Target:
    """One deploy: what it installs and what it runs."""

    name: str  # "Dockerfile", "Procfile:web", "docker-compose.yml:api", "project"
    kind: str  # dockerfile, procfile, compose, platform, project
    file: Optional[str]  # descriptor, relative; None for the implicit project target
    line: int = 0
    python: Optional[str] = None  # "3.11"
    python_source: Optional[str] = None  # where the version came from ("FROM python:3.11-slim")
    platform: str = "linux"  # sys.platform of the target
    installs: tuple[Install, ...] = ()
    entries: tuple[Entry, ...] = ()
    commands: tuple[str, ...] = ()  # the start command(s) as written
    env: tuple[tuple[str, str], ...] = ()  # environment it sets (ENV, compose environment, -e)
    # Directories the server puts on sys.path (gunicorn --chdir/--pythonpath, uvicorn --app-dir)
    paths: tuple[str, ...] = ()
    # Distributions the platform supplies itself (GAE adds gunicorn, EB preinstalls gunicorn)
    provided: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what it could not follow, why the verdict may be unknown
    implicit: bool = False  # the implicit "project" target (no descriptor found)
    warnings: tuple[SourceWarning, ...] = ()
    # (path, repo file): a file the build copies into place (`RUN cp deploy/x.py app/local.py`),
    # importable at `path` in the image although the repo has it elsewhere
    placed: tuple[tuple[str, str], ...] = ()
    # Repo paths (folders, files, globs) the deploy carries: an image's COPY sources inside its
    # build context. None: the whole repo (a checkout, a platform build, a bind mount, unknown).
    ships: Optional[tuple[str, ...]] = None
    # Repo files of process-manager configs this target starts (`supervisord -c conf/x.conf`): their
    # programs run inside this target, with what it installs, and are not targets of their own.
    starts: tuple[str, ...] = ()
    # Why what it serves is not known although entries were found (a server handed arguments built
    # at run time, a config file made at build time): the verdict cannot be `boots`.
    unfollowed: tuple[str, ...] = ()
    # Why what it installs is only a guess (a Procfile that a buildpack or an image may run): its
    # absences are warnings, and a boot import it may lack makes the verdict unknown.
    install_doubt: Optional[str] = None

    def carries(self, path: str) -> bool:
        """Whether this deploy has the repo file `path` at all."""
        if self.ships is None:
            return True
        for shipped in self.ships:
            if path == shipped or path.startswith(shipped + "/"):
                return True
            if any(c in shipped for c in "*?[") and fnmatch.fnmatchcase(path, shipped):
                return True
        return False


class Source(str, Enum):
    """Where a provider decision or a dependency closure came from (JSON `decided_by`)."""

    CONFIG = "config"  # [tool.importaudit.module-map]
    LOCK = "lock"  # the target's lock file (its resolved set and graph)
    INSTALLED = "installed"  # --python: that environment's installed metadata
    TABLE = "table"  # the bundled table read from real wheels, and the curated rename map
    FRAMEWORK = "framework"  # a framework setting names the distribution (Django ENGINE)
    STDLIB = "stdlib"  # the standard library, or setuptools that old images ship
    NAME = "name"  # a declared distribution of the import's own name whose files nobody knows
    GUESS = "guess"  # nothing above knows the module: the distribution is made up from its name


# Sources that know which distribution provides a module. NAME and GUESS only read names.
KNOWN_SOURCES = frozenset(
    {Source.CONFIG, Source.LOCK, Source.INSTALLED, Source.TABLE, Source.FRAMEWORK, Source.STDLIB}
)


@dataclass(frozen=True)
class Evidence:
    """What a provision decision rests on, and what it could not know.

    `provider` says how the module's distribution was decided: only a known source may name a
    distribution in a fix. `unknown` lists installed distributions whose requirements or files
    nobody knows (not in --python, a lock, or the table): any of them may bring the module in.
    `candidates` lists installed distributions linked to the module by a name resemblance only.
    A decision is definitive when neither list has anything in it: judge/rules.py lets only a
    definitive decision be an error, and turns a non-definitive one into a warning that names
    both lists, never a pass.
    """

    provider: Source
    unknown: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()

    @property
    def definitive(self) -> bool:
        return not self.unknown and not self.candidates

    @property
    def names_distribution(self) -> bool:
        """Whether the distribution it names is known to provide the module (not a name guess)."""
        return self.provider in KNOWN_SOURCES


@dataclass(frozen=True)
class Provider:
    """Which distributions provide a module, and what decided it."""

    module: str  # the dotted prefix that matched ("google.cloud.storage", "yaml")
    distributions: tuple[str, ...]  # canonical names; any one of them satisfies the import
    source: Source


@dataclass(frozen=True)
class Finding:
    rule: Rule
    severity: Severity
    module: str
    message: str
    context: Context
    target: Optional[str] = None
    file: Optional[str] = None
    line: Optional[int] = None
    distribution: Optional[str] = None
    chain: tuple[str, ...] = ()
    fix: Optional[str] = None
    provider_source: Optional[str] = None  # how the distribution was decided
    # What importaudit could not know (Evidence.unknown, .candidates, display names): a finding
    # that lists any is a warning, and its target's verdict is unknown rather than boots.
    unknown: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetResult:
    target: Target
    verdict: str  # boots, fails-at-boot, unknown
    reason: str = ""
    installed: tuple[str, ...] = ()  # canonical distribution names the target gets directly


@dataclass(frozen=True)
class Report:
    root: str
    targets: tuple[TargetResult, ...]
    findings: tuple[Finding, ...]
    files: int = 0
    imports: int = 0
    warnings: tuple[SourceWarning, ...] = ()
    version: str = "0.1.0"
    python_default: Optional[str] = None
    extra: dict[str, object] = field(default_factory=dict)
