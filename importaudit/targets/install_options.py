"""Option tables of the installers (pip, uv, poetry, pipenv, pdm), and one option read against a table.

Each table is written from the tool's own command reference (the version is named on the
table); an option listed in neither half of a table is skipped with a note, and it never
consumes the next word: a package name is safer kept than swallowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Options:
    """One command's options: those that take a value, and flags."""

    values: frozenset[str]
    flags: frozenset[str]

    def knows(self, name: str) -> bool:
        return name in self.values or name in self.flags


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Options every pip command takes (pip 25.1 reference, "General Options").
_PIP_GENERAL_VALUES = _words(
    "--python --log --log-file --proxy --retries --timeout --exists-action --trusted-host --cert "
    "--client-cert --cache-dir --use-feature --use-deprecated --keyring-provider --resume-retries"
)
_PIP_GENERAL_FLAGS = _words(
    "-h --help --debug --isolated --require-virtualenv -v --verbose -V --version -q --quiet "
    "--no-cache-dir --disable-pip-version-check --no-color --no-input --no-python-version-warning"
)
# pip 25.1 `pip install` (and `pip wheel`, `pip download`): -r/-c/-e/--group are read by the
# installs parser itself; listed here so the tables say every option pip documents.
_PIP_INSTALL_VALUES = _words(
    "-r --requirement -c --constraint -e --editable --group -t --target --platform --python-version "
    "--implementation --abi --root --prefix --src --upgrade-strategy -C --config-settings "
    "--global-option --no-binary --only-binary --progress-bar --root-user-action --report "
    "-i --index-url --extra-index-url -f --find-links -w --wheel-dir -d --dest --build-option"
)
_PIP_INSTALL_FLAGS = _words(
    "--no-deps --pre --dry-run --user -U --upgrade --force-reinstall -I --ignore-installed "
    "--ignore-requires-python --no-build-isolation --use-pep517 --no-use-pep517 "
    "--check-build-dependencies --break-system-packages --compile --no-compile "
    "--no-warn-script-location --no-warn-conflicts --prefer-binary --require-hashes --no-clean "
    "--no-index --no-verify"
)
PIP_INSTALL = Options(_PIP_GENERAL_VALUES | _PIP_INSTALL_VALUES, _PIP_GENERAL_FLAGS | _PIP_INSTALL_FLAGS)

# uv 0.9 global options (every uv command).
_UV_GLOBAL_VALUES = _words(
    "--cache-dir --python-preference --color --config-file --directory --project "
    "--allow-insecure-host"
)
_UV_GLOBAL_FLAGS = _words(
    "-q --quiet -v --verbose -n --no-cache --managed-python --no-managed-python "
    "--no-python-downloads --native-tls --offline --no-progress --no-config -h --help -V --version "
    "--preview --no-preview --isolated --show-settings"
)
# uv 0.9 resolver/installer options shared by `uv pip install`, `uv sync`, `uv export`.
_UV_RESOLVE_VALUES = _words(
    "--index --default-index -i --index-url --extra-index-url -f --find-links --index-strategy "
    "--keyring-provider --resolution --prerelease --fork-strategy --exclude-newer "
    "--exclude-newer-package --no-build-package --no-binary-package -C --config-setting "
    "--config-settings-package --no-build-isolation-package --link-mode -P --upgrade-package "
    "--reinstall-package --refresh-package --torch-backend --python-platform -p --python"
)
_UV_RESOLVE_FLAGS = _words(
    "-U --upgrade --reinstall --refresh --no-build --no-binary --no-build-isolation "
    "--no-sources --compile-bytecode --no-index"
)
# uv 0.9 `uv pip install`: -r/--requirements, -e, --extra, --group are read by the parser.
UV_PIP_INSTALL = Options(
    _UV_GLOBAL_VALUES
    | _UV_RESOLVE_VALUES
    | _words(
        "-r --requirements --requirement -e --editable -c --constraints --constraint --overrides "
        "--override -b --build-constraints --build-constraint --extra --group --python-version "
        "--target --prefix --only-binary --no-binary"
    ),
    _UV_GLOBAL_FLAGS
    | _UV_RESOLVE_FLAGS
    | _words(
        "--system --no-system --break-system-packages --no-break-system-packages --no-deps --deps "
        "--all-extras --strict --require-hashes --no-verify-hashes --verify-hashes --dry-run "
        "--exact --user"
    ),
)
# uv 0.9 `uv sync` dependency selection and installation options.
UV_SYNC = Options(
    _UV_GLOBAL_VALUES
    | _UV_RESOLVE_VALUES
    | _words(
        "--extra --no-extra --group --no-group --only-group --package --no-install-package "
        "--only-install-package --output-format --script"
    ),
    _UV_GLOBAL_FLAGS
    | _UV_RESOLVE_FLAGS
    | _words(
        "--all-extras --no-all-extras --dev --no-dev --only-dev --no-default-groups --all-groups "
        "--no-editable --editable --inexact --exact --active --no-active --no-install-project "
        "--only-install-project --no-install-workspace --only-install-workspace --no-install-local "
        "--only-install-local --locked --frozen --dry-run --all-packages --check --no-check"
    ),
)
# uv 0.9 `uv export`.
UV_EXPORT = Options(
    UV_SYNC.values | _words("-o --output-file --format --no-emit-package --only-emit-package"),
    UV_SYNC.flags
    | _words(
        "--no-hashes --no-header --no-annotate --no-emit-project --only-emit-project "
        "--no-emit-workspace --only-emit-workspace --no-emit-local --only-emit-local --prune"
    ),
)
# Poetry 2.1 `poetry install` / `poetry sync` (and 1.8's --no-dev / --remove-untracked).
_POETRY_GLOBAL_VALUES = _words("-C --directory -P --project")
_POETRY_GLOBAL_FLAGS = _words(
    "-h --help -q --quiet -V --version --ansi --no-ansi -n --no-interaction --no-plugins --no-cache "
    "-v -vv -vvv --verbose"
)
POETRY_INSTALL = Options(
    _POETRY_GLOBAL_VALUES | _words("--without --with --only -E --extras"),
    _POETRY_GLOBAL_FLAGS
    | _words(
        "--no-dev --no-root --no-directory --sync --dry-run --all-extras --all-groups --only-root "
        "--compile --remove-untracked"
    ),
)
# poetry-plugin-export 1.8 `poetry export`.
POETRY_EXPORT = Options(
    _POETRY_GLOBAL_VALUES | _words("-f --format -o --output --without --with --only -E --extras"),
    _POETRY_GLOBAL_FLAGS
    | _words("--without-hashes --without-urls --with-credentials --all-extras --all-groups --dev"),
)
# pipenv 2024 `pipenv install` / `pipenv sync`.
PIPENV_INSTALL = Options(
    _words(
        "--python --categories -r --requirements -e --editable -i --index --extra-pip-args "
        "--pypi-mirror --extra-index-url"
    ),
    _words(
        "-d --dev --deploy --system --ignore-pipfile --skip-lock --site-packages --pre -v --verbose "
        "--clear --three -q --quiet --keep-outdated --selective-upgrade --dev-only --no-site-packages"
    ),
)
# PDM 2.22 `pdm install` / `pdm sync`; `pdm install --no-lock` (PDM 2.x: do not lock when the
# lock file is missing or outdated; later an alias of --frozen-lockfile).
PDM_INSTALL = Options(
    _words("-G --group --without -p --project -L --lockfile --venv --skip -k"),
    _words(
        "-d --dev --prod --production --no-default --no-editable --no-self --frozen-lockfile --no-lock --check "
        "--dry-run --fail-fast -x -g --global --no-isolation --plugins -q --quiet -v --verbose "
        "--clean --only-keep --no-sync --override"
    ),
)


def read_option(words: Sequence[str], index: int, options: Options) -> tuple[str, Optional[str], int, bool]:
    """(name, value, next index, known) of the option at words[index], per the tool's table.

    `--opt=v`, `--opt v`, `-rFILE` and `-r FILE` are read; an unknown option takes no value.
    """
    word = words[index]
    if word.startswith("--") and "=" in word:
        name, value = word.split("=", 1)
        return name, value, index + 1, options.knows(name)
    if word in options.values:
        following = words[index + 1] if index + 1 < len(words) else None
        return word, following, index + 2, True
    if word in options.flags:
        return word, None, index + 1, True
    if not word.startswith("--") and len(word) > 2 and word[:2] in options.values:
        return word[:2], word[2:], index + 1, True  # -rrequirements.txt
    return word, None, index + 1, False


# uv 0.9 `uv run` options that take a value (read by start commands and by build steps alike).
UV_RUN_VALUED = frozenset({
    "--with", "--extra", "--group", "--python", "-p", "--project", "--directory", "--env-file", "--package",
    "--only-group", "--no-group", "--index", "--with-requirements", "--with-editable",
})
