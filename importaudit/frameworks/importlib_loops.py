"""`for name in [...]: importlib.import_module(name)`: each literal name is an import."""

from __future__ import annotations

import ast

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import Collector, FrameworkContext
from importaudit.frameworks.evaluate import Evaluator
from importaudit.frameworks.values import HOLE, Seq, Text, dotted
from importaudit.frameworks.walk import FileScan, Placed, phase_of
from importaudit.model import How, Import, Location

_IMPORTERS = {
    "importlib.import_module": How.IMPORT_MODULE,
    "import_module": How.IMPORT_MODULE,
    "__import__": How.DUNDER_IMPORT,
}


def loop_imports(ctx: FrameworkContext, out: Collector) -> None:
    """Imports of each item of a literal (or module-constant) list looped over."""
    for path in candidates(ctx).loops:
        out.imports.extend(_file_loop_imports(ctx, path))


def _file_loop_imports(ctx: FrameworkContext, path: str) -> tuple[Import, ...]:
    """They depend on the file only: found once per run."""
    key = "loops:" + path
    found = ctx.run.memo.get(key)
    if isinstance(found, tuple):
        return found
    out = Collector()
    scan = ctx.scan(path)
    if scan is not None:
        for loop in scan.placed:
            if isinstance(loop.node, ast.For):
                _loop(scan, loop, out)
    result = ctx.run.memo[key] = tuple(out.imports)
    return result


def _loop(scan: FileScan, loop: Placed, out: Collector) -> None:
    node = loop.node
    assert isinstance(node, ast.For)
    if not isinstance(node.target, ast.Name):
        return
    evaluator = scan.evaluator(loop)
    items = evaluator.value(node.iter)
    if not isinstance(items, Seq):
        return
    names = [item for item in items.items if isinstance(item, Text)]
    inside = {id(stmt) for stmt in ast.walk(node) if isinstance(stmt, ast.stmt) and stmt is not node}
    for placed, expr in scan.calls():
        if id(placed.node) not in inside or not expr.args:
            continue
        how = _IMPORTERS.get(dotted(expr.func) or "")
        if how is None or _keyword(expr, "package"):
            continue
        for name in names:
            bound = Evaluator(scan.path, {**evaluator.namespace, node.target.id: name})
            module = bound.value(expr.args[0])
            if not isinstance(module, Text) or HOLE in module.value:
                continue
            if module.value.startswith(".") or not module.value:
                continue  # relative to a package argument: not knowable here
            where = Location(name.file, name.line, name.col)
            out.add(
                module.value,
                where,
                "importlib.import_module loop",
                phase_of(placed),
                placed=placed,
                how=how,
            )


def _keyword(call: ast.Call, name: str) -> bool:
    return any(keyword.arg == name for keyword in call.keywords)
