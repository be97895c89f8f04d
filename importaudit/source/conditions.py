"""The target interpreter: evaluate version/platform tests and requirement markers for it."""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from importaudit.model import Guard, GuardKind

# The Python versions judged when a target declares none: 3.9 (importaudit's own floor) to the
# newest its standard-library and grammar tables know. Never the host's version (CONTRACT).
SUPPORTED_PYTHONS: tuple[tuple[int, int], ...] = tuple((3, minor) for minor in range(9, 15))
UNDECLARED = "no Python version declared"

_PLATFORM_SYSTEM = {"linux": "Linux", "win32": "Windows", "darwin": "Darwin"}
_OS_NAME = {"linux": "posix", "win32": "nt", "darwin": "posix"}


@dataclass(frozen=True)
class TargetEnv:
    """The interpreter a target runs: a Linux CPython X.Y unless the target says otherwise.

    `versions` is set when the target declares no version: `python` is then only the newest of
    them, and version tests are judged on each (`at`).
    """

    python: tuple[int, int]
    platform: str = "linux"  # sys.platform
    micro: int = 0
    machine: str = "x86_64"
    versions: tuple[tuple[int, int], ...] = ()
    # What the target's descriptor sets (Dockerfile ENV, compose environment): os.environ tests.
    environ: tuple[tuple[str, str], ...] = ()
    # The target's Django settings with literal values (frameworks/django_settings reads them).
    settings: tuple[tuple[str, object], ...] = ()

    def at(self, version: tuple[int, int]) -> TargetEnv:
        """The same target on one Python version."""
        return replace(self, python=version, versions=())

    @property
    def os_name(self) -> str:
        return _OS_NAME.get(self.platform, "posix")

    @property
    def system(self) -> str:
        return _PLATFORM_SYSTEM.get(self.platform, self.platform.capitalize())

    @property
    def version_text(self) -> str:
        if self.versions:
            return f"{versions_text(self.versions)}"
        return f"{self.python[0]}.{self.python[1]}"


def versions_text(versions: tuple[tuple[int, int], ...]) -> str:
    """(3,9),(3,10),(3,11) -> '3.9-3.11'; gaps listed: '3.9, 3.12'."""
    if not versions:
        return ""
    ordered = sorted(versions)
    consecutive = all(b == (a[0], a[1] + 1) for a, b in zip(ordered, ordered[1:]))
    if len(ordered) > 2 and consecutive:
        return f"{ordered[0][0]}.{ordered[0][1]}-{ordered[-1][0]}.{ordered[-1][1]}"
    return ", ".join(f"{major}.{minor}" for major, minor in ordered)


def parse_version(text: str) -> Optional[tuple[int, int]]:
    """'3.11', '3.11.4', 'python-3.11.4', 'python311' -> (3, 11); None when it is not one."""
    raw = text.strip().lower()
    for prefix in ("python-", "python", "cpython-", "py"):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
            break
    parts = raw.split(".")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return int(parts[0]), int(parts[1])
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) >= 2 and parts[0][0] in "23":
        return int(parts[0][0]), int(parts[0][1:])
    return None


def marker_environment(env: TargetEnv, extra: str = "") -> dict[str, str]:
    """The PEP 508 environment of the target (never the host's)."""
    major, minor = env.python
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{major}.{minor}.{env.micro}",
        "os_name": env.os_name,
        "platform_machine": env.machine,
        "platform_release": "",
        "platform_system": env.system,
        "platform_version": "",
        "python_full_version": f"{major}.{minor}.{env.micro}",
        "platform_python_implementation": "CPython",
        "python_version": f"{major}.{minor}",
        "sys_platform": env.platform,
        "extra": extra,
    }


def marker_holds(marker: Optional[str], env: TargetEnv, extras: tuple[str, ...] = ()) -> bool:
    """Whether a requirement marker is true on the target; an unreadable marker counts as true."""
    if not marker:
        return True
    try:
        parsed = Marker(marker)
    except InvalidMarker:
        return True
    names = extras or ("",)
    try:
        return any(parsed.evaluate(marker_environment(env, extra)) for extra in names)
    except (UndefinedComparison, UndefinedEnvironmentName):  # `os_name === "posix"`: packaging
        return True  # parses it but cannot compare it; like an unreadable marker, it counts as true


class _Unknown(Exception):
    pass


_MISSING = object()


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        return _dotted(node.func) + "()"
    raise _Unknown


def _value(node: ast.AST, env: TargetEnv) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if env.environ and isinstance(node, (ast.Call, ast.Subscript)):
        try:
            return _environ(node, env)
        except _Unknown:
            pass
    if isinstance(node, ast.Tuple):
        return tuple(_value(elt, env) for elt in node.elts)
    if isinstance(node, ast.Subscript):
        base = _value(node.value, env)
        index = node.slice
        if isinstance(index, ast.Slice):
            lower = _value(index.lower, env) if index.lower else None
            upper = _value(index.upper, env) if index.upper else None
            # sys.version_info[:2], sys.platform[:3]; not a step: the real version_info has five
            # items, the target's three (sys.version_info[::2] is (3, 0, 0) there, (3, 0) here)
            if (
                isinstance(base, (tuple, str))
                and index.step is None
                and isinstance(lower, (int, type(None)))
                and isinstance(upper, (int, type(None)))
            ):
                return base[lower:upper]
            raise _Unknown
        key = _value(index, env)
        if isinstance(base, (tuple, str)) and isinstance(key, int):
            return base[key]  # an index past the end (sys.version_info[3]) is IndexError: undecided
        raise _Unknown
    name = _dotted(node)
    if name in ("sys.version_info", "version_info"):
        return (env.python[0], env.python[1], env.micro)
    if name in ("sys.version_info.major", "version_info.major"):
        return env.python[0]
    if name in ("sys.version_info.minor", "version_info.minor"):
        return env.python[1]
    if name in ("sys.platform",):
        return env.platform
    if name in ("os.name",):
        return env.os_name
    if name in ("platform.system()",):
        return env.system
    if name.startswith("django.conf.settings.") and env.settings:
        found = dict(env.settings).get(name[len("django.conf.settings.") :], _MISSING)
        if found is not _MISSING:
            return found
    if name == "PY2" or name.endswith(".PY2"):  # six.PY2, compat.PY2
        return env.python[0] == 2
    if name == "PY3" or name.endswith(".PY3"):
        return env.python[0] == 3
    raise _Unknown


def _environ(node: ast.AST, env: TargetEnv) -> object:
    """`os.environ.get("X", d)`, `os.getenv("X", d)`, `os.environ["X"]` where the target sets X."""
    key: object = None
    if isinstance(node, ast.Call) and node.args and not node.keywords:
        callee = _dotted(node.func) if isinstance(node.func, (ast.Name, ast.Attribute)) else ""
        if callee in ("os.environ.get", "os.getenv"):
            key = _value(node.args[0], env)
    elif (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, (ast.Name, ast.Attribute))
        and _dotted(node.value) == "os.environ"
    ):
        key = _value(node.slice, env)
    if not isinstance(key, str):
        raise _Unknown
    value = dict(env.environ).get(key)
    if value is None:
        raise _Unknown  # the platform may set it at run time: not known
    return value


def _truth(node: ast.AST, env: TargetEnv) -> bool:
    if isinstance(node, ast.BoolOp):
        results = [_truth(value, env) for value in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _truth(node.operand, env)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
        # sys.platform.startswith("win")
        if node.func.attr in ("startswith", "endswith") and len(node.args) == 1:
            base = _value(node.func.value, env)
            arg = _value(node.args[0], env)
            # a tuple holding a non-string makes str.startswith raise TypeError: undecided
            if isinstance(base, str) and (
                isinstance(arg, str) or (isinstance(arg, tuple) and all(isinstance(a, str) for a in arg))
            ):
                method = base.startswith if node.func.attr == "startswith" else base.endswith
                return bool(method(arg))
        raise _Unknown
    if isinstance(node, ast.Compare):
        left = _value(node.left, env)
        for op, comparator in zip(node.ops, node.comparators):
            right = _value(comparator, env)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    value = _value(node, env)
    if isinstance(value, (bool, str, int, tuple, type(None))):
        return bool(value)
    raise _Unknown


def _compare(op: ast.cmpop, left: object, right: object) -> bool:
    try:
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        if isinstance(op, ast.Lt):
            return bool(left < right)  # type: ignore[operator]
        if isinstance(op, ast.LtE):
            return bool(left <= right)  # type: ignore[operator]
        if isinstance(op, ast.Gt):
            return bool(left > right)  # type: ignore[operator]
        if isinstance(op, ast.GtE):
            return bool(left >= right)  # type: ignore[operator]
        if isinstance(op, ast.In):
            return left in right  # type: ignore[operator]
        if isinstance(op, ast.NotIn):
            return left not in right  # type: ignore[operator]
    except TypeError as exc:
        raise _Unknown from exc
    raise _Unknown


@lru_cache(maxsize=4096)
def evaluate(condition: str, env: TargetEnv) -> Optional[bool]:
    """True/False when the test depends only on the interpreter and platform; None otherwise."""
    if env.versions:
        results = {evaluate(condition, env.at(version)) for version in env.versions}
        return results.pop() if len(results) == 1 else None
    try:
        tree = ast.parse(condition, mode="eval")
        return _truth(tree.body, env)
    except (_Unknown, SyntaxError, ValueError, IndexError, RecursionError):
        return None


def branch_taken(guards: tuple[Guard, ...], env: TargetEnv) -> bool:
    """False when some version/platform guard is known not to hold on the target (on every
    version it may run, when it declares none)."""
    if env.versions:
        return any(branch_taken(guards, env.at(version)) for version in env.versions)
    for guard in guards:
        if guard.kind is GuardKind.CONDITION and guard.condition is not None:
            result = evaluate(guard.condition, env)
            if result is not None and result == guard.negated:
                return False
    return True
