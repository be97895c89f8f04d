"""The build-step evaluator: tests, branches, loops and variables decided where statically known."""

from __future__ import annotations

from typing import Optional

import pytest

from importaudit.targets.shell_flow import flow_commands

FILES = {"/app/plugins/a/requirements.txt", "/app/plugins/a", "/app/plugins/b", "/app/requirements.txt"}


def _exists(path: str) -> Optional[bool]:
    if path.startswith("/app/"):
        return path in FILES
    return None


def _glob(pattern: str) -> Optional[list[str]]:
    if pattern == "/app/plugins/*":
        return ["/app/plugins/a", "/app/plugins/b"]
    return None


CASES = [
    # An optional install gated on a build argument that has no default: not run by default.
    ('if [ -n "$EXTRA" ]; then pip install $EXTRA; fi', {}, {"EXTRA"}, []),
    ('[ -z "$EXTRA" ] || pip install $EXTRA', {}, {"EXTRA"}, []),
    # With a value, the branch runs and the value is installed.
    ('if [ -n "$EXTRA" ]; then pip install $EXTRA; fi', {"EXTRA": "redis"}, set(), [["pip", "install", "redis"]]),
    # Unconditionally, an argument without a default stays opaque.
    ("pip install $PLUGIN_WHEELS", {}, {"PLUGIN_WHEELS"}, [["pip", "install", "$PLUGIN_WHEELS"]]),
    # A test importaudit cannot decide keeps both branches.
    ("if [ -f /etc/x ]; then pip install a; else pip install b; fi", {}, set(),
     [["pip", "install", "a"], ["pip", "install", "b"]]),
    ('if [ "$MODE" = "prod" ]; then pip install a; elif true; then pip install b; fi', {"MODE": "prod"}, set(),
     [["pip", "install", "a"]]),
    # A loop over copied plugin folders: only those that have a requirements file install it.
    ('for d in plugins/*; do [ -f "$d/requirements.txt" ] && pip install -r "$d/requirements.txt"; done',
     {}, set(), [["pip", "install", "-r", "/app/plugins/a/requirements.txt"]]),
    ("for g in web worker; do pip install --group $g; done", {}, set(),
     [["pip", "install", "--group", "web"], ["pip", "install", "--group", "worker"]]),
    # Variables set in the step itself.
    ("GROUPS=web && pip install --group $GROUPS", {}, set(), [["pip", "install", "--group", "web"]]),
    ("pip install $(cat list.txt) && echo done", {}, set(),
     [["pip", "install", "$(cat list.txt)"], ["echo", "done"]]),
    ("cd sub && pip install -r requirements.txt > /dev/null 2>&1", {}, set(),
     [["cd", "sub"], ["pip", "install", "-r", "requirements.txt"]]),
]


@pytest.mark.parametrize(("text", "env", "unset", "expected"), CASES, ids=[c[0] for c in CASES])
def test_flow(text: str, env: dict[str, str], unset: set[str], expected: list[list[str]]) -> None:
    commands, problem = flow_commands(text, env, unset=frozenset(unset), exists=_exists, glob=_glob, cwd="/app")
    assert problem is None
    assert commands == expected


def test_broken_quoting_is_a_problem_not_a_crash() -> None:
    commands, problem = flow_commands('pip install "flask', {})
    assert commands == [] and problem is not None


def test_export_to_stdout_names_its_file() -> None:
    commands, _ = flow_commands("uv export --no-dev --format requirements-txt > requirements.txt", {})
    assert commands == [
        ["uv", "export", "--no-dev", "--format", "requirements-txt", "--output-file", "requirements.txt"]
    ]


def test_group_list_built_from_literals() -> None:
    text = """
      group_flags=""
      for group in $(echo "$install_groups" | tr ',' ' '); do
        if [ "$group" != "main" ]; then
          group_flags="$group_flags --group $group"
        fi
      done
      uv sync --frozen --no-default-groups $group_flags
    """
    commands, _ = flow_commands(text, {"install_groups": "main,all_ds,dev"})
    assert commands == [["uv", "sync", "--frozen", "--no-default-groups", " --group all_ds --group dev"]]


def test_nested_loops_are_bounded() -> None:
    text = (
        "for a in *; do for b in *; do for c in *; do for d in *; do pip install $a$b$c$d; "
        "done; done; done; done"
    )
    many = [f"/app/f{i}" for i in range(64)]
    commands, _ = flow_commands(text, {}, glob=lambda _pattern: many, cwd="/app")
    assert 0 < len(commands) <= 600


LISTS = {"/app/packages.txt": "flask==3.1.0\ngunicorn\n", "/app/more.txt": "redis\n"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A file the image holds: its words are the command's (split later, as the shell does).
        ("pip install $(cat packages.txt)", [["pip", "install", "flask==3.1.0 gunicorn"]]),
        ("pip install `cat packages.txt more.txt`", [["pip", "install", "flask==3.1.0 gunicorn redis"]]),
        ('pip install "`cat /app/more.txt`"', [["pip", "install", "redis"]]),
        ("pip install $(< packages.txt)", [["pip", "install", "flask==3.1.0 gunicorn"]]),
        ("for p in $(cat more.txt); do pip install $p; done", [["pip", "install", "redis"]]),
        # Not a repo file the image holds, or not a plain cat: one opaque word, as before.
        ("pip install $(cat /etc/plugins.txt)", [["pip", "install", "$(cat /etc/plugins.txt)"]]),
        ("pip install $(grep -v '#' packages.txt)", [["pip", "install", "$(grep -v # packages.txt)"]]),
        ("pip install $(cat -n packages.txt)", [["pip", "install", "$(cat -n packages.txt)"]]),
        ("pip install `cat /etc/plugins.txt`", [["pip", "install", "`cat /etc/plugins.txt`"]]),
    ],
)
def test_cat_of_a_file_the_image_holds(text: str, expected: list[list[str]]) -> None:
    commands, problem = flow_commands(text, {}, cwd="/app", read=LISTS.get)
    assert problem is None and commands == expected
