"""Jupyter notebooks: their code cells, with IPython-only lines blanked so line numbers stay stable.

Line numbers of a notebook are lines of the text made by joining its code cells in order (each
cell's source ending with a newline): cell 2 of a notebook whose first code cell has 3 lines
starts at line 4. Markdown and raw cells take no lines.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Optional, Union

from importaudit.model import SyntaxProblem
from importaudit.safeload import load_json
from importaudit.source.syntax import parse_python, syntax_problem

# `files = !ls`, `t = %timeit f()`: IPython assignments from a shell command or a line magic.
_MAGIC_ASSIGNMENT = re.compile(r"^\s*[A-Za-z_][\w\s,.]*=\s*[!%]")
# `obj?`, `np.*load*??`: IPython help, not a line that merely ends in "?" inside a comment.
_HELP = re.compile(r"^[\w.*\[\]]+\?\??$")


@dataclass(frozen=True)
class NotebookCell:
    first_line: int  # 1-based line of the cell's first line in the joined code cells
    source: str  # the cell, IPython-only lines replaced by blank (or `pass`) lines


class NotebookError(ValueError):
    """Not a notebook this tool can read: bad JSON or an unexpected shape."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def _blank_ipython(source: str) -> str:
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "\n" * len(lines)  # a cell magic: the whole cell is not Python
    kept: list[str] = []
    continued = False
    for line in lines:
        stripped = line.strip()
        continuation = continued
        dropped = continuation or (
            stripped.startswith(("%", "!", "?"))
            or _HELP.match(stripped) is not None
            or _MAGIC_ASSIGNMENT.match(line) is not None
        )
        continued = dropped and stripped.endswith("\\")
        if not dropped:
            kept.append(line)
            continue
        # An indented magic becomes `pass` so the block around it still parses.
        indent = line[: len(line) - len(line.lstrip())]
        kept.append(indent + "pass" if indent and stripped and not continuation else "")
    return "".join(line + "\n" for line in kept)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return ""


def _is_python(notebook: dict[str, object]) -> bool:
    """False only when the notebook says it is another language; no metadata means Python."""
    metadata = notebook.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict):
            language = section.get(field)
            if isinstance(language, str) and language.strip():
                return language.strip().lower() in ("python", "python3", "ipython", "python2")
    return True


def read_notebook(data: Union[bytes, str]) -> tuple[NotebookCell, ...]:
    """The code cells of an .ipynb (nbformat 3 or 4); raises NotebookError on unreadable input."""
    try:
        notebook = load_json(data if isinstance(data, str) else data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise NotebookError(f"invalid notebook JSON: {exc.msg}", exc.lineno) from exc
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotebookError(f"invalid notebook JSON: {exc}") from exc
    if not isinstance(notebook, dict):
        raise NotebookError("invalid notebook: the top level is not a JSON object")
    if not _is_python(notebook):
        return ()
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3 keeps cells in worksheets, code under "input"
        worksheets = notebook.get("worksheets")
        cells = []
        if isinstance(worksheets, list):
            for sheet in worksheets:
                if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
                    cells.extend(sheet["cells"])
    if not isinstance(cells, list):
        raise NotebookError("invalid notebook: 'cells' is not a list")
    found: list[NotebookCell] = []
    line = 1
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _blank_ipython(_text(cell.get("source", cell.get("input"))))
        found.append(NotebookCell(line, source))
        line += source.count("\n")
    return tuple(found)


def parse_notebook(data: bytes, path: str) -> tuple[Optional[ast.Module], Optional[SyntaxProblem], bytes]:
    """One module made of the cells that parse; the first cell that does not is the problem."""
    try:
        cells = read_notebook(data)
    except NotebookError as exc:
        return None, syntax_problem(path, exc.line, str(exc)), b""
    module = ast.Module(body=[], type_ignores=[])
    problem: Optional[SyntaxProblem] = None
    for cell in cells:
        tree, error = parse_python(cell.source.encode("utf-8"), path)
        if tree is None:
            if problem is None and error is not None:
                line = error.location.line + cell.first_line - 1
                problem = syntax_problem(path, line, error.message)
            continue
        module.body.extend(ast.increment_lineno(tree, cell.first_line - 1).body)
    text = "".join(cell.source for cell in cells).encode("utf-8")
    return module, problem, text
