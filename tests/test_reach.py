"""reach.compute_boot: which first-party files and functions a target runs at boot, and the chains."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Optional

import pytest

from importaudit.judge.reach import BootGraph, FileIndex, Unit, compute_boot, runs_at_import
from importaudit.source.conditions import TargetEnv
from importaudit.source.discover import ModuleIndex
from importaudit.source.imports import parse_source


def build(
    sources: Mapping[str, str],
    entries: Sequence[str],
    python: tuple[int, int] = (3, 12),
    main: Sequence[str] = (),
) -> tuple[BootGraph, dict[str, FileIndex]]:
    """Parse each snippet with the real imports stage and walk from `entries` ("a.py" or "a.py:func")."""
    modules = ModuleIndex(list(sources))
    files: dict[str, FileIndex] = {}
    for path, src in sources.items():
        _, parsed = parse_source(
            textwrap.dedent(src), path, modules.module_for(path), path.endswith("__init__.py")
        )
        assert parsed.syntax_error is None, parsed.syntax_error
        files[path] = FileIndex.build(parsed)
    units: list[tuple[Unit, Optional[str]]] = []
    for spec in entries:
        path, _, function = spec.partition(":")
        units.append(((path, None), None))
        if function:
            units.append(((path, function), path))
    graph = compute_boot(files, units, modules.resolve, TargetEnv(python), main_files=main)
    return graph, files


def boot_imports(graph: BootGraph, files: Mapping[str, FileIndex]) -> set[str]:
    """Every non-first-party module imported by code that runs at boot."""
    out: set[str] = set()
    for path, function in graph.units:
        index = files[path]
        for imp in index.imports_by_unit.get(function, ()):
            if runs_at_import(imp, TargetEnv((3, 12)), as_main=path in graph.main_files):
                out.add(imp.module)
    return {m for m in out if m.startswith("ext_")}


CASES = [
    pytest.param(
        {"app.py": "import ext_a\nimport helpers\n", "helpers.py": "import ext_b\n", "other.py": "import ext_c\n"},
        ["app.py"],
        {"app.py", "helpers.py"},
        {"ext_a", "ext_b"},
        id="module-level-import",
    ),
    pytest.param(
        {
            "app.py": "import a.b.c\n",
            "a/__init__.py": "import ext_a\n",
            "a/b/__init__.py": "import ext_b\n",
            "a/b/c.py": "import ext_c\n",
            "a/b/d.py": "import ext_d\n",
        },
        ["app.py"],
        {"app.py", "a/__init__.py", "a/b/__init__.py", "a/b/c.py"},
        {"ext_a", "ext_b", "ext_c"},
        id="package-init-chain",
    ),
    pytest.param(
        {
            "app.py": "from pkg import sub, CONST\n",
            "pkg/__init__.py": "CONST = 1\n",
            "pkg/sub.py": "import ext_sub\n",
            "pkg/other.py": "import ext_other\n",
        },
        ["app.py"],
        {"app.py", "pkg/__init__.py", "pkg/sub.py"},
        {"ext_sub"},
        id="from-pkg-import-submodule",
    ),
    pytest.param(
        {
            "pkg/__init__.py": "from . import sub\n",
            "pkg/sub.py": "import ext_sub\n",
            "app.py": "import pkg\n",
        },
        ["app.py"],
        {"app.py", "pkg/__init__.py", "pkg/sub.py"},
        {"ext_sub"},
        id="relative-from-dot-import-sub",
    ),
    pytest.param(
        {
            "app.py": """
                import ext_top
                from views import register

                def create_app():
                    import ext_factory
                    register()

                def unused():
                    import ext_unused
            """,
            "views.py": """
                def register():
                    import ext_register

                def other():
                    import ext_other
            """,
        },
        ["app.py:create_app"],
        {"app.py", "views.py"},
        {"ext_top", "ext_factory", "ext_register"},
        id="factory-entry-and-what-it-calls",
    ),
    pytest.param(
        {
            "app.py": """
                def create_app():
                    from extensions import init_extensions
                    init_extensions()
            """,
            "extensions.py": """
                def init_extensions():
                    import ext_init
            """,
        },
        ["app.py:create_app"],
        {"app.py", "extensions.py"},
        {"ext_init"},
        id="call-to-name-imported-inside-the-running-function",
    ),
    pytest.param(
        {
            "app.py": """
                from factory import build

                def setup():
                    import ext_setup

                setup()
                app = build()
            """,
            "factory.py": """
                def build():
                    import ext_build
            """,
        },
        ["app.py"],
        {"app.py", "factory.py"},
        {"ext_setup", "ext_build"},
        id="module-level-calls-local-and-imported",
    ),
    pytest.param(
        {
            "app.py": """
                import services

                services.start()
            """,
            "services.py": """
                def start():
                    import ext_start
            """,
        },
        ["app.py"],
        {"app.py", "services.py"},
        {"ext_start"},
        id="module-level-call-through-module-attribute",
    ),
    pytest.param(
        {
            "app.py": """
                from svc import Service

                class Local:
                    import ext_class_body

                    def __init__(self):
                        import ext_local_init

                    def method(self):
                        import ext_method

                Local()
                Service()
            """,
            "svc.py": """
                class Service:
                    def __init__(self):
                        import ext_service_init
            """,
        },
        ["app.py"],
        {"app.py", "svc.py"},
        {"ext_class_body", "ext_local_init", "ext_service_init"},
        id="class-instantiation-runs-init",
    ),
    pytest.param(
        {
            "app.py": """
                from decos import register

                def local_deco(f):
                    import ext_local_deco
                    return f

                @local_deco
                @register
                def view():
                    import ext_view
            """,
            "decos.py": """
                def register(f):
                    import ext_register
                    return f
            """,
        },
        ["app.py"],
        {"app.py", "decos.py"},
        {"ext_local_deco", "ext_register"},
        id="decorators-run-decorated-body-does-not",
    ),
    pytest.param(
        {
            "app.py": """
                def outer():
                    import ext_outer

                    def inner():
                        import ext_inner
                    return inner

                outer()
            """,
        },
        ["app.py"],
        {"app.py"},
        {"ext_outer"},
        id="nested-function-not-run",
    ),
    pytest.param(
        {
            "app.py": """
                def outer():
                    def inner():
                        import ext_inner
                    inner()

                outer()
            """,
        },
        ["app.py"],
        {"app.py"},
        {"ext_inner"},
        id="nested-function-called-by-its-running-parent-runs",
    ),
    pytest.param(
        {
            "app.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    import ext_tc
                    import typed_only
                import ext_a
            """,
            "typed_only.py": "import ext_typed\n",
        },
        ["app.py"],
        {"app.py"},
        {"ext_a"},
        id="type-checking-not-followed",
    ),
    pytest.param(
        {
            "app.py": """
                import ext_a
                if __name__ == '__main__':
                    import ext_main
                    import cli
            """,
            "cli.py": "import ext_cli\n",
        },
        ["app.py"],
        {"app.py"},
        {"ext_a"},
        id="main-guard-not-followed-when-imported",
    ),
    pytest.param(
        {
            "app.py": """
                def run():
                    import ext_run

                if __name__ == "__main__":
                    run()
            """,
        },
        ["app.py"],
        {"app.py"},
        set(),
        id="main-guard-call-not-followed-when-imported",
    ),
    pytest.param(
        {
            "wsgi.py": "import app\n",
            "app.py": """
                import helpers

                def run():
                    import ext_run

                if __name__ == "__main__":
                    run()
            """,
            "helpers.py": "import ext_helpers\n",
        },
        ["wsgi.py"],
        {"wsgi.py", "app.py", "helpers.py"},
        {"ext_helpers"},
        id="main-guard-call-in-imported-module-not-followed",
    ),
    pytest.param(
        {
            "sys_guard.py": """
                import sys
                if sys.version_info < (3, 11):
                    import old_helpers
                else:
                    import new_helpers
                if sys.platform == "win32":
                    import ext_win
            """,
            "old_helpers.py": "import ext_old\n",
            "new_helpers.py": "import ext_new\n",
        },
        ["sys_guard.py"],
        {"sys_guard.py", "new_helpers.py"},
        {"ext_new"},
        id="version-and-platform-branches-for-target",
    ),
    pytest.param(
        {
            "a.py": "import b\nimport ext_a\n",
            "b.py": "import a\nimport c\n",
            "c.py": "import b\nimport ext_c\n",
        },
        ["a.py"],
        {"a.py", "b.py", "c.py"},
        {"ext_a", "ext_c"},
        id="import-cycle",
    ),
    pytest.param(
        {
            "a.py": """
                def f():
                    g()
                def g():
                    import ext_g
                    f()
                f()
            """,
        },
        ["a.py"],
        {"a.py"},
        {"ext_g"},
        id="call-cycle",
    ),
    pytest.param(
        {
            "app.py": "import ns.mod\n",
            "ns/mod.py": "import ext_ns\n",
        },
        ["app.py"],
        {"app.py", "ns/mod.py"},
        {"ext_ns"},
        id="namespace-package-portion",
    ),
]


@pytest.mark.parametrize(("sources", "entries", "reached", "imports"), CASES)
def test_boot_set(
    sources: dict[str, str], entries: list[str], reached: set[str], imports: set[str]
) -> None:
    graph, files = build(sources, entries)
    assert set(graph.parents) == reached
    assert boot_imports(graph, files) == imports


@pytest.mark.parametrize(
    ("main", "reached", "imports"),
    [
        pytest.param((), {"app.py"}, {"ext_a"}, id="imported"),
        pytest.param(("app.py",), {"app.py", "cli.py"}, {"ext_a", "ext_main", "ext_cli"}, id="run-as-main"),
    ],
)
def test_main_guard_followed_only_for_main_files(
    main: tuple[str, ...], reached: set[str], imports: set[str]
) -> None:
    sources = {
        "app.py": """
            import ext_a
            if __name__ == "__main__":
                import ext_main
                import cli
        """,
        "cli.py": "import ext_cli\n",
    }
    graph, files = build(sources, ["app.py"], main=main)
    assert graph.main_files == frozenset(main)
    assert set(graph.parents) == reached
    assert boot_imports(graph, files) == imports


@pytest.mark.parametrize(
    ("python", "reached"),
    [
        pytest.param((3, 10), {"app.py", "compat_old.py"}, id="3.10-takes-if"),
        pytest.param((3, 12), {"app.py", "compat_new.py"}, id="3.12-takes-else"),
    ],
)
def test_version_branch_for_target_env(python: tuple[int, int], reached: set[str]) -> None:
    sources = {
        "app.py": """
            import sys
            if sys.version_info < (3, 11):
                import compat_old
            else:
                import compat_new
        """,
        "compat_old.py": "",
        "compat_new.py": "",
    }
    graph, _ = build(sources, ["app.py"], python=python)
    assert set(graph.parents) == reached


CHAIN_SOURCES = {
    "wsgi.py": "import project.app\n",
    "project/__init__.py": "",
    "project/app.py": "from project import views\n",
    "project/views.py": "import project.models\n",
    "project/models.py": "import wsgi\n",
    "project/unused.py": "",
}


@pytest.mark.parametrize(
    ("path", "chain"),
    [
        ("wsgi.py", ("wsgi.py",)),
        ("project/__init__.py", ("wsgi.py", "project/__init__.py")),
        ("project/app.py", ("wsgi.py", "project/app.py")),
        ("project/views.py", ("wsgi.py", "project/app.py", "project/views.py")),
        ("project/models.py", ("wsgi.py", "project/app.py", "project/views.py", "project/models.py")),
    ],
)
def test_chain_follows_first_importer(path: str, chain: tuple[str, ...]) -> None:
    graph, _ = build(CHAIN_SOURCES, ["wsgi.py"])
    assert graph.reached(path)
    assert graph.chain(path) == chain


def test_unreached_file_is_not_in_graph() -> None:
    graph, _ = build(CHAIN_SOURCES, ["wsgi.py"])
    assert not graph.reached("project/unused.py")


@pytest.mark.parametrize(
    ("path", "chain"),
    [
        ("app.py", ("app.py",)),
        ("views.py", ("app.py", "views.py")),
        ("models.py", ("app.py", "views.py", "models.py")),
    ],
)
def test_chain_through_factory_calls(path: str, chain: tuple[str, ...]) -> None:
    sources = {
        "app.py": """
            from views import init_views

            def create_app():
                init_views()
        """,
        "views.py": """
            from models import init_db

            def init_views():
                init_db()
        """,
        "models.py": """
            def init_db():
                import ext_db
        """,
    }
    graph, files = build(sources, ["app.py:create_app"])
    assert graph.chain(path) == chain
    assert boot_imports(graph, files) == {"ext_db"}


@pytest.mark.parametrize(
    ("unit", "runs"),
    [
        pytest.param(("app.py", None), True, id="module-body"),
        pytest.param(("app.py", "create_app"), True, id="factory"),
        pytest.param(("app.py", "helper"), True, id="called-by-factory"),
        pytest.param(("app.py", "view"), False, id="view-function"),
    ],
)
def test_units_that_run(unit: Unit, runs: bool) -> None:
    sources = {
        "app.py": """
            def helper():
                pass

            def create_app():
                helper()

            def view():
                pass
        """,
    }
    graph, _ = build(sources, ["app.py:create_app"])
    assert (unit in graph.units) is runs
