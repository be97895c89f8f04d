"""Generate a synthetic web-app tree of N Python files with a realistic mix of code, reproducibly."""

from __future__ import annotations

import random
from pathlib import Path

THIRD_PARTY = ["flask", "requests", "sqlalchemy", "yaml", "redis", "jinja2", "click", "boto3"]
STDLIB = ["os", "sys", "json", "re", "typing", "collections", "dataclasses", "pathlib", "logging"]
REQUIREMENTS = (
    "flask==3.1.0\nrequests==2.32.3\nSQLAlchemy==2.0.36\nPyYAML==6.0.2\nredis==5.2.1\n"
    "Jinja2==3.1.4\nclick==8.1.7\nboto3==1.35.0\ngunicorn==23.0.0\n"
)
DOCKERFILE = (
    "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
    'RUN pip install -r requirements.txt\nCOPY . .\nCMD ["gunicorn", "app.wsgi:app"]\n'
)
PER_PACKAGE = 40


def _module_text(rng: random.Random, name: str, siblings: list[str], modules: list[str]) -> str:
    """One module: docstring, top-level, relative and guarded imports, functions and classes."""
    lines = [f'"""Module {name}: generated for the benchmark.\n\nIt imports, defines and calls."""', ""]
    lines += [f"import {m}" for m in sorted(set(rng.sample(STDLIB, 3)))]
    lines += [f"from {rng.choice(STDLIB)} import *" if rng.random() < 0.02 else "from typing import Optional"]
    lines += [f"import {m}" for m in sorted(set(rng.sample(THIRD_PARTY, 2)))]
    lines += [f"from . import {rng.choice(siblings)}" for _ in range(2)]
    lines += [f"from .{rng.choice(siblings)} import helper_0 as h{i}" for i in range(2)]
    lines += [f"import {rng.choice(modules)}"]
    lines += ["", "try:", "    import ujson as fastjson", "except ImportError:  # optional speed-up",
              "    fastjson = None", ""]  # fmt: skip
    if rng.random() < 0.1:
        lines += ["if sys.version_info >= (3, 11):", "    import tomllib", "else:",
                  "    import tomli as tomllib", ""]  # fmt: skip
    if rng.random() < 0.1:
        lines += ["from typing import TYPE_CHECKING", "if TYPE_CHECKING:",
                  "    from sqlalchemy.orm import Session", ""]  # fmt: skip
    lines += ["LOG = logging.getLogger(__name__)", f'NAME = "{name}"  # a string, not an import', ""]
    for f in range(rng.randint(3, 8)):
        lines += [f"def helper_{f}(value: Optional[int] = None) -> int:",
                  f'    """Helper {f}: returns a number; says "import this" in a string."""',
                  "    total = 0", "    for item in range(value or 3):", "        total += item * 2",
                  '    LOG.debug("total %s", total)', "    return total", ""]  # fmt: skip
    if rng.random() < 0.2:
        lines += ["def lazy():", "    import markdown", "    return markdown.markdown('x')", ""]
    for c in range(rng.randint(1, 3)):
        lines += [f"class Model{c}:", f'    """A class with methods ({c})."""', "",
                  "    def __init__(self, data: dict) -> None:", "        self.data = dict(data)", "",
                  "    def save(self) -> str:",
                  "        return json.dumps(self.data, sort_keys=True)", ""]  # fmt: skip
    return "\n".join(lines) + "\n"


def make_tree(root: Path, files: int, seed: int = 7) -> int:
    """Write the tree under root (a package per 40 modules) and return its number of .py files."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "Dockerfile").write_text(DOCKERFILE)
    packages = max(1, files // PER_PACKAGE)
    per = max(1, files // packages - 1)
    layout: list[tuple[Path, str, list[str]]] = []
    modules: list[str] = []
    for p in range(packages):
        pkg = root / "app" / f"pkg{p}"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text(f'"""Package {p}."""\n\nfrom . import mod0\n')
        names = [f"mod{m}" for m in range(per)]
        modules += [f"app.pkg{p}.{n}" for n in names]
        layout += [(pkg / f"{n}.py", f"app.pkg{p}.{n}", names) for n in names]
    (root / "app" / "__init__.py").write_text("")
    entry = modules[:: max(1, len(modules) // 100)]
    (root / "app" / "wsgi.py").write_text(
        "from flask import Flask\n\n" + "".join(f"import {m}\n" for m in entry) + "\napp = Flask(__name__)\n"
    )
    for path, name, siblings in layout:
        path.write_text(_module_text(rng, name, siblings, modules))
    return sum(1 for _ in root.rglob("*.py"))
