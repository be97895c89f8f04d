"""Pyramid: `config.include(...)` and `config.scan(...)`, the modules a Configurator imports by name."""

from __future__ import annotations

import ast
from typing import Optional

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import Collector, FrameworkContext, module_name
from importaudit.frameworks.values import Seq, Text
from importaudit.frameworks.walk import FileScan, Placed, phase_of
from importaudit.model import Location

_INCLUDE = "Pyramid config.include"
_SCAN = "Pyramid config.scan"


def pyramid_imports(ctx: FrameworkContext, out: Collector) -> None:
    """Each `<config>.include("x")` imports x and calls its `includeme(config)`; each
    `<config>.scan("x")` imports x and, for a package, every module under it (venusian).

    Names are resolved as Pyramid does: a leading dot is relative to the package of the file
    that calls (the Configurator's or the included module's package); `a.b:f` names a function."""
    for path in candidates(ctx).pyramid:
        scan = ctx.scan(path)
        module = module_name(ctx, path)
        if scan is None or module is None:
            continue
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        uses_pyramid = _uses_pyramid(scan)
        for placed, call in scan.calls():
            method = _method(call)
            if method is None or not _is_configurator_call(placed, call, uses_pyramid):
                continue
            for text in _names(scan, placed, call, module, method):
                name = _absolute(text.value, package)
                if name is None:
                    continue
                where = Location(text.file or path, text.line, text.col)
                if method == "include":
                    _include(ctx, out, name, where, placed)
                else:
                    _scan(ctx, out, name, where, placed, _ignored(scan, placed, call, name))


def _method(call: ast.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("include", "scan"):
        return func.attr
    return None


def _is_configurator_call(placed: Placed, call: ast.Call, uses_pyramid: bool) -> bool:
    """`config.include` in a file that uses Pyramid, or inside an `includeme(config)` hook:
    not Django's `include()` (a plain name) nor any other object's `include` method."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    if not isinstance(func.value, ast.Name):
        return False
    if placed.function is not None and placed.function.rsplit(".", 1)[-1] == "includeme":
        return True
    return uses_pyramid


def _uses_pyramid(scan: FileScan) -> bool:
    return any(
        isinstance(item.node, (ast.Import, ast.ImportFrom)) and any(
            name.split(".")[0] == "pyramid" for name in _imported(item.node))
        for item in scan.placed
    )


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""] if node.level == 0 else []
    return [alias.name for alias in node.names]


def _names(scan: FileScan, placed: Placed, call: ast.Call, module: str, method: str) -> list[Text]:
    """The dotted names a call passes: `include` takes one; `scan()` with no argument scans
    the caller's package (here: ".")."""
    first = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg in ("callable", "package")), None)
    if first is None:
        return [Text(".", scan.path, call.lineno, call.col_offset)] if method == "scan" else []
    if isinstance(first, ast.Name) and first.id == "__name__":
        return [Text(module, scan.path, first.lineno, first.col_offset)]
    value = scan.evaluator(placed).value(first)
    if isinstance(value, Text) and value.value:
        return [value]
    return []  # a callable or module object, or a name importaudit cannot read: nothing claimed


def _absolute(name: str, package: str) -> Optional[str]:
    """`.views` / `..x` relative to `package`; `a.b:f` stays as written."""
    if not name.startswith("."):
        return name if _is_spec(name) else None
    level = len(name) - len(name.lstrip("."))
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = ".".join(parts[: len(parts) - (level - 1)])
    rest = name[level:]
    full = f"{base}.{rest}" if base and rest else (base or rest)
    return full if full and _is_spec(full) else None


def _is_spec(name: str) -> bool:
    module, _, attr = name.partition(":")
    return all(part.isidentifier() for part in module.split(".")) and (not attr or attr.isidentifier())


def _include(ctx: FrameworkContext, out: Collector, name: str, where: Location, placed: Placed) -> None:
    module, _, attr = name.partition(":")
    if not attr and module not in ctx.modules and module.rpartition(".")[0] in ctx.modules:
        module, _, attr = module.rpartition(".")  # "pkg.mod.setup": a function of a project module
    out.add(module, where, _INCLUDE, phase_of(placed), placed=placed)
    out.callbacks.append((out.imports[-1], attr or "includeme"))


def _scan(
    ctx: FrameworkContext, out: Collector, name: str, where: Location, placed: Placed, ignored: Optional[list[str]]
) -> None:
    module = name.partition(":")[0]
    out.add(module, where, _SCAN, phase_of(placed), placed=placed)
    path = ctx.modules.get(module)
    if path is None or not path.endswith("__init__.py"):
        return  # a module (or another distribution's package): importing it is all we know
    if ignored is None:
        out.notes.append(
            f"{where.file}:{where.line}: config.scan({module!r}) ignores what importaudit cannot read: "
            "the modules it imports under the package were not followed"
        )
        return
    prefix = module + "."
    for sub in sorted(m for m in ctx.modules if m.startswith(prefix)):
        if not any(sub == skip or sub.startswith(skip + ".") for skip in ignored):
            out.add(sub, where, _SCAN, phase_of(placed), placed=placed)


def _ignored(scan: FileScan, placed: Placed, call: ast.Call, package: str) -> Optional[list[str]]:
    """`ignore=` of scan(): dotted names (relative ones to the scanned package); None when it holds
    something else (a callable), which could skip any module."""
    node = next((k.value for k in call.keywords if k.arg == "ignore"), None)
    if node is None:
        return []
    value = scan.evaluator(placed).value(node)
    items = value.items if isinstance(value, Seq) else (value,)
    names: list[str] = []
    for item in items:
        if not isinstance(item, Text):
            return None
        absolute = _absolute(item.value, package) if item.value.startswith(".") else item.value
        if absolute is None:
            return None
        names.append(absolute.partition(":")[0])
    return names


def includes_of(text: str) -> list[str]:
    """`pyramid.includes` of a PasteDeploy section: names separated by whitespace or newlines."""
    return [name for name in text.split() if _is_spec(name)]

