"""Entrypoint scripts read as a shell reads them: the branch `$1` selects, functions, heredocs, eval, wrappers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from targets_support import DJANGO_MANAGE, check_start, write_files

from importaudit.targets.commands import StartCommand, parse_start_command
from importaudit.targets.shell import expand_word
from importaudit.targets.shell_syntax import Case, Command, Function, If, parse_shell

FILES = {
    "app.py": "",
    "manage.py": DJANGO_MANAGE,
    "proj/__init__.py": "",
    "proj/wsgi.py": "",
    "proj/celery.py": "",
    "pkg/__init__.py": "",
    "pkg/__main__.py": "",
    "case.sh": """\
        #!/bin/sh
        set -e
        case "$1" in
          server)
            shift
            python manage.py migrate
            exec gunicorn proj.wsgi:application "$@"
            ;;
          worker|celery)
            exec celery -A proj worker
            ;;
          *)
            exec "$@"
            ;;
        esac
    """,
    "if.sh": """\
        #!/bin/bash
        if [ "$1" = "worker" ]; then
            exec celery -A proj worker
        elif [ "$1" == "beat" ]; then
            exec celery -A proj beat
        else
            exec gunicorn proj.wsgi
        fi
    """,
    "functions.sh": """\
        #!/bin/bash
        # the server's start; don't edit by hand
        server() {
          exec gunicorn -w ${WORKERS:-4} proj.wsgi:application
        }
        worker () {
          exec celery -A proj worker
        }
        cat <<EOF > /etc/app.cfg
        it's a config file, with an apostrophe
        EOF
        case "$1" in
          server) shift; server ;;
          worker) shift; worker ;;
        esac
    """,
    "eval.sh": """\
        #!/bin/sh
        cmd="exec gunicorn app:app \\
             -b 0.0.0.0:$PORT \\
             $@"
        if [ "$PUID" -ne 0 ]; then
             cmd="su - abc -c '$cmd'"
        fi
        eval "$cmd"
    """,
    "setargs.sh": """\
        #!/bin/sh
        if [ "${1#-}" != "$1" ]; then
          set -- gunicorn "$@"
        fi
        exec "$@"
    """,
    "unknown.sh": """\
        #!/bin/sh
        case "$ROLE" in
          web) exec gunicorn app:app ;;
          jobs) exec celery -A proj worker ;;
        esac
    """,
    "pyheredoc.sh": """\
        #!/bin/sh
        python << END
        import sys
        END
        exec gunicorn app:app
    """,
    "bin/start-web": """\
        #!/usr/bin/env bash
        exec gunicorn app:app
    """,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scripts")
    write_files(root, FILES)
    return root


def parse(root: Path, command: Any, **kwargs: Any) -> StartCommand:
    return parse_start_command(command, root=root, files=sorted(FILES), **kwargs)


GUNICORN = ("proj.wsgi:application", "app", "gunicorn", "worker")
CELERY = [("proj", "app", "celery", "master"), ("proj.celery", "app", "celery", "master")]
CASES: list[tuple[Any, dict[str, Any]]] = [
    # case "$1": the CMD selects one branch, not the union
    (
        ["./case.sh", "server"],
        {"server": "gunicorn", "entries": [("manage.py", "module", "pre-start", "master"), GUNICORN]},
    ),
    (["./case.sh", "worker"], {"server": "celery", "entries": CELERY}),
    (["./case.sh", "celery"], {"server": "celery", "entries": CELERY}),
    (["./case.sh", "uvicorn", "app:app"], {"entries": [("app:app", "app", "uvicorn", "master")]}),
    # if / elif / else on "$1"
    (["./if.sh", "worker"], {"server": "celery", "entries": CELERY}),
    (["./if.sh", "beat"], {"server": "celery", "entries": CELERY}),
    (["./if.sh"], {"server": "gunicorn", "entries": [("proj.wsgi:application", "app", "gunicorn", "worker")]}),
    # functions called from the branch; a heredoc and a comment with apostrophes do not break it
    (["./functions.sh", "server"], {"server": "gunicorn", "entries": [GUNICORN], "notes": []}),
    (["./functions.sh", "worker"], {"server": "celery", "entries": CELERY}),
    # eval "$cmd" where cmd is built from literals (and wrapped in su -c on one branch)
    (["./eval.sh"], {"server": "gunicorn", "entries": [("app:app", "app", "gunicorn", "worker")]}),
    # set -- in a branch that may not run does not change what `exec "$@"` runs
    (["./setargs.sh", "uvicorn", "app:app"], {"server": "uvicorn"}),
    # a selector only the environment knows: every branch, and the note says where
    ("./unknown.sh", {"notes": ['could not tell which branch of `case "$ROLE"` (unknown.sh:2)']}),
    ("./unknown.sh", {"env": []}),
    # ...unless the environment fixes it
    ("ROLE=jobs ./unknown.sh", {"server": "celery"}),
    # python reading its program from a heredoc: its top-level imports run before the server
    (
        "./pyheredoc.sh",
        {
            "server": "gunicorn",
            "entries": [("sys", "app", "pre-start", "master"), ("app:app", "app", "gunicorn", "worker")],
            "notes": [],
        },
    ),
    # a wrapper script in the repo that execs a server
    ("bin/start-web", {"server": "gunicorn", "entries": [("app:app", "app", "gunicorn", "worker")]}),
    # sh -c over several lines
    (
        "sh -c 'python manage.py migrate &&\n  exec gunicorn app:app'",
        {
            "server": "gunicorn",
            "entries": [("manage.py", "module", "pre-start", "master"), ("app:app", "app", "gunicorn", "worker")],
        },
    ),
    # servers started in unusual ways
    ("python -m gunicorn.app.wsgiapp app:app", {"server": "gunicorn", "entries": [("app:app", *GUNICORN[1:])]}),
    ("python -m pkg", {"entries": [("pkg.__main__", "module", "python -m", "master")]}),
    ("/wait-for-it.sh db:5432 -t 30 -- gunicorn app:app", {"server": "gunicorn"}),
    ("wait-for db:5432 -- gunicorn app:app", {"server": "gunicorn"}),
    ("dockerize -wait tcp://db:5432 -timeout 30s gunicorn app:app", {"server": "gunicorn"}),
    ("su - app -c 'exec gunicorn app:app'", {"server": "gunicorn"}),
    ("sudo -E -u app gunicorn app:app", {"server": "gunicorn"}),
    ("env X=1 ddtrace-run gunicorn app:app", {"server": "gunicorn", "needs": ["ddtrace", "gunicorn"]}),
    ('CMD="gunicorn app:app"; $CMD', {"server": "gunicorn"}),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[str(c)[:50] for c, _ in CASES])
def test_script(project: Path, command: Any, expected: dict[str, Any]) -> None:
    check_start(parse(project, command), expected)


def test_union_when_selector_unknown(project: Path) -> None:
    """Both branches' apps are followed (the earlier one as a command that runs first)."""
    start = parse(project, "./unknown.sh")
    assert [e.spec for e in start.entries] == ["app:app", "proj", "proj.celery"]


@pytest.mark.parametrize(
    ("word", "args", "env", "fields"),
    [
        ('"$@"', ["a", "b c"], {}, ["a", "b c"]),
        ("$@", ["a", "b c"], {}, ["a", "b", "c"]),
        ('"$1"', [], {}, [""]),
        ("$1", [], {}, []),
        ("$CMD", [], {"CMD": "gunicorn app:app"}, ["gunicorn", "app:app"]),
        ('"$CMD"', [], {"CMD": "gunicorn app:app"}, ["gunicorn app:app"]),
        ("${PORT:-8000}", [], {}, ["8000"]),
        ("$UNSET", [], {}, ["$UNSET"]),
        ("'$HOME'", [], {"HOME": "/root"}, ["$HOME"]),
        ('"$(cat x)"', [], {}, ["$(cat x)"]),
        ("it\\'s", [], {}, ["it's"]),
        ("$#", ["a", "b"], {}, ["2"]),
    ],
)
def test_expand_word(word: str, args: list[str], env: dict[str, str], fields: list[str]) -> None:
    assert expand_word(word, env, args) == fields


def test_syntax_tree() -> None:
    nodes, problem = parse_shell(
        "f() { echo hi; }\n# don't\ncat <<'EOF'\nit's\nEOF\n"
        'if [ -z "$X" ]; then a; else b; fi\ncase $1 in a|b) x;; *) y;; esac\nlast'
    )
    assert problem is None
    assert [type(n) for n in nodes] == [Function, Command, If, Case, Command]
    assert isinstance(nodes[1], Command) and nodes[1].heredoc == "it's"
    assert isinstance(nodes[3], Case) and [p for p, _ in nodes[3].items] == [["a", "b"], ["*"]]
    assert isinstance(nodes[4], Command) and nodes[4].line == 8


@pytest.mark.parametrize("text", ["if", "case", "case x in", "f() {", "((", "a ) b", "esac fi done", "$(", "x=("])
def test_odd_text_never_hangs(text: str) -> None:
    parse_shell(text)


def test_unclosed_quote_is_named() -> None:
    assert "could not split" in (parse_shell("echo 'oops")[1] or "")


SUPERVISED = {
    "app.py": "",
    "deploy/supervisord.conf": """\
        [supervisord]
        nodaemon=true
        [program:web]
        command=gunicorn app:app --bind 0.0.0.0:%(ENV_PORT)s
        directory=/srv
        [program:worker]
        command=celery -A app worker
        environment=C_FORCE_ROOT="1"
    """,
    "rootfs/etc/s6-overlay/s6-rc.d/web/run": """\
        #!/command/with-contenv sh
        exec s6-setuidgid app gunicorn app:app
    """,
    "rootfs/etc/s6-overlay/s6-rc.d/web/type": "longrun\n",
    "unused/etc/services.d/other/run": "#!/bin/sh\nexec uvicorn app:app\n",
}


def in_image(path: str) -> str | None:
    """The repo copied to /srv, and rootfs/ copied to / (COPY rootfs/ /)."""
    if path == "/srv" or path.startswith("/srv/"):
        return path[len("/srv/") :]
    if path.startswith("/etc/"):
        return "rootfs" + path
    return None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # supervisord started by the container: every program's command is followed
        (
            ["supervisord", "-c", "/srv/deploy/supervisord.conf"],
            {
                "server": "supervisord",
                "entries": [
                    ("app:app", "app", "supervisord [program:web] (deploy/supervisord.conf)", "master"),
                    ("app", "app", "supervisord [program:worker] (deploy/supervisord.conf)", "master"),
                ],
            },
        ),
        # s6-overlay: the service run scripts copied into the image (not those left out of it)
        (
            ["/init"],
            {
                "server": "s6-overlay",
                "entries": [
                    ("app:app", "app", "s6-overlay service web (rootfs/etc/s6-overlay/s6-rc.d/web/run)", "master")
                ],
            },
        ),
    ],
)
def test_supervisors(tmp_path: Path, command: list[str], expected: dict[str, Any]) -> None:
    write_files(tmp_path, SUPERVISED)
    start = parse_start_command(
        command, root=tmp_path, files=sorted(SUPERVISED), container_workdir="/srv", path_map=in_image
    )
    check_start(start, expected)


@pytest.mark.parametrize(
    ("command", "server"),
    [
        # a shell-form ENTRYPOINT sees the CMD as $0 $@ (docker runs `/bin/sh -c TEXT CMD...`)
        (["/bin/sh", "-c", "exec $0 $@", "gunicorn", "app:app"], "gunicorn"),
        # an empty array expands to nothing, even quoted
        ('PRE=(); exec "${PRE[@]}" gunicorn app:app', "gunicorn"),
        ('PRE=(ddtrace-run); exec "${PRE[@]}" gunicorn app:app', "gunicorn"),
        # reloaders run the command they watch
        ("watchmedo auto-restart --directory=./src --pattern=*.py --recursive -- gunicorn app:app", "gunicorn"),
        ("watchmedo auto-restart -d . -p '*.py' gunicorn app:app", "gunicorn"),
        ("watchfiles --filter python 'uvicorn app:app' .", "uvicorn"),
        # a slice of the arguments kept whole in a variable, then run (a buildpack's start-nginx)
        (
            "set -- gunicorn app:app; n=1; while getopts :f o ${@:1:2}; do n=$((n+1)); done; CMD=${@:$n}; $CMD",
            "gunicorn",
        ),
    ],
)
def test_arguments_and_reloaders(project: Path, command: Any, server: str) -> None:
    assert parse(project, command).server == server


def test_functions_calling_functions_stay_linear(project: Path) -> None:
    """Ten functions each calling the next one three times: 3**10 calls if walked naively."""
    lines = [f"f{i}() {{ f{i + 1}; f{i + 1}; f{i + 1}; }}" for i in range(10)] + [
        "f10() { echo x; }",
        "f0",
        "exec gunicorn app:app",
    ]
    start = parse(project, "\n".join(lines))
    assert any("followed its first" in note for note in start.notes)
