"""The command line: a thin adapter from click options to the pipeline and a formatter."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import click

from importaudit import __version__
from importaudit.config import Config, load_config, merge_cli
from importaudit.deadline import budget
from importaudit.model import AuditError, Severity

FORMATS = ("text", "json", "sarif", "github", "markdown")


def _fail(message: str) -> None:
    click.echo(f"importaudit: {message}", err=True)
    sys.exit(2)


def _root(path: str) -> Path:
    root = Path(path)
    if not root.exists():
        raise AuditError(f"{path}: no such file or directory")
    if not root.is_dir():
        raise AuditError(f"{path}: not a directory (give the project folder)")
    try:
        next(iter(os.scandir(root)), None)
    except OSError as exc:
        raise AuditError(f"{path}: cannot read the folder ({exc.strerror})") from exc
    return root


def _use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AuditError as exc:
            _fail(str(exc))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except RecursionError:
            _fail("the project is nested too deeply to analyse (RecursionError); please report it")
        except Exception as exc:  # a bug of ours: one line, not a traceback, unless asked
            if os.environ.get("IMPORTAUDIT_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set IMPORTAUDIT_DEBUG=1 for the "
                  "traceback, and please report it)")
        return None


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    # Imported here: the table is read only when asked about (or when an audit needs it).
    from importaudit.providers.distributions import table_info

    click.echo(f"importaudit, version {__version__}\n{table_info()}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and the bundled distribution table, then exit.")
def main() -> None:
    """Will this deploy boot? Checks every import against what each deploy target installs."""


F = TypeVar("F", bound=Callable[..., Any])


def _common(f: F) -> F:
    options = [
        click.option(
            "--target", "targets", multiple=True, metavar="NAME", help="Only this deploy target (repeatable)."
        ),
        click.option(
            "--entry",
            "entries",
            multiple=True,
            metavar="SPEC",
            help='Add an entry point, e.g. "app:app" or "mysite.wsgi" (repeatable).',
        ),
        click.option(
            "--requirements",
            "requirements",
            multiple=True,
            metavar="FILE",
            help="Audit against exactly these requirement sources (repeatable).",
        ),
        click.option(
            "--dockerfile",
            "dockerfile",
            type=click.Path(exists=True, dir_okay=False),
            metavar="PATH",
            help="Read this Dockerfile as the target (named by --target, else after the file), even "
            "outside PATH: its COPY sources are PATH's files (the package copied into an image).",
        ),
        click.option("--python-version", metavar="X.Y", help="Override the target's Python version."),
        click.option(
            "--python", "python", metavar="PATH", help="Verify against that interpreter's installed environment."
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            metavar="FILE",
            help="Settings file (default: [tool.importaudit] in PATH/pyproject.toml).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _settings(path: str, config_file: Optional[str], **options: Any) -> tuple[Path, Config]:
    """The project folder and its settings: the config file's, then the command line's."""
    root = _root(path)
    return root, merge_cli(load_config(root, Path(config_file) if config_file else None), **options)


@main.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@_common
@click.option("--select", metavar="RULES", help="Only these rules (comma-separated).")
@click.option("--ignore", metavar="RULES", help="Not these rules (comma-separated).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when a target is predicted to fail.")
@click.option(
    "--verbose", "-v", is_flag=True,
    help="List every finding one by one (by default imports that no target runs are counted per folder, "
    "and repeated `transitive` imports per distribution).",
)
@click.option(
    "--strict", is_flag=True,
    help="With --python: every version-conflict is an error (by default only those of a distribution "
    "the boot imports are).",
)
@click.option(
    "--also", "also", multiple=True, metavar="FORMAT=FILE",
    help="Also write the report in FORMAT to FILE, from the same run (repeatable), "
    "e.g. --also sarif=importaudit.sarif --also markdown=summary.md.",
)
def check(
    path: str, fmt: str, config_file: Optional[str], exit_zero: bool, verbose: bool, also: tuple[str, ...],
    **options: Any,
) -> None:
    """Audit the project at PATH (default: the current folder)."""
    from importaudit.report import render
    from importaudit.report.causes import Options
    from importaudit.report.location import repo_prefix
    from importaudit.runmemo import recall

    outputs = [_also(item) for item in also]
    root, config = _settings(path, config_file, **options)
    # Nothing the last run read has changed: its report, without importing the pipeline.
    report = recall(root, config)
    if report is None:
        from importaudit.pipeline import run_audit

        report = run_audit(root, config)
    view = Options(root=root, prefix=repo_prefix(root), verbose=verbose)
    for other, file in outputs:
        try:
            Path(file).write_text(render(report, other, options=view), encoding="utf-8")
        except OSError as exc:
            _fail(f"{file}: cannot write the {other} report ({exc.strerror})")
    click.echo(render(report, fmt, color=_use_color(sys.stdout), options=view), nl=False)
    failed = any(f.severity is Severity.ERROR for f in report.findings)
    if budget.ran_out:  # a partial audit must not pass a CI gate as a clean one
        _fail(f"{budget.reason()}; the report above is partial (its unreadable warnings say what was skipped)")
    sys.exit(0 if exit_zero or not failed else 1)


def _also(item: str) -> tuple[str, str]:
    fmt, sep, file = item.partition("=")
    if not sep or fmt not in FORMATS or not file:
        raise AuditError(f"--also {item}: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}")
    return fmt, file


@main.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@_common
def targets(path: str, fmt: str, config_file: Optional[str], **options: Any) -> None:
    """List the deploy targets found at PATH: what each installs and runs."""
    from importaudit.pipeline import describe_targets

    root, config = _settings(path, config_file, **options)
    click.echo(describe_targets(root, config, fmt), nl=False)
