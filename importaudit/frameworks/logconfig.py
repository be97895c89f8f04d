"""logging.config.dictConfig dictionaries and fileConfig ini files: the classes and factories they import."""

from __future__ import annotations

import configparser
import logging
import posixpath
from typing import Optional

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import Collector, FrameworkContext
from importaudit.frameworks.values import Dict, Seq, Text, Value, dotted, resolve_env
from importaudit.frameworks.walk import Placed, phase_of

_DICT_CONFIG = frozenset({"logging.config.dictConfig", "config.dictConfig", "dictConfig"})
_FILE_CONFIG = frozenset({"logging.config.fileConfig", "config.fileConfig", "fileConfig"})
# Names a fileConfig handler `class=` finds in the logging module itself (eval(klass, vars(logging))).
# logging.config itself imports logging.handlers, so `handlers.X` is found there too.
_LOGGING_NAMES = frozenset({"handlers", "config"} | {name for name in dir(logging) if not name.startswith("_")})
# dictConfig sections whose entries may name a class or a `()` factory
_SECTIONS = ("formatters", "filters", "handlers")


def dictconfig_strings(config: Optional[Value], env: dict[str, str]) -> list[tuple[str, Text]]:
    """(module, string) for every dotted path a dictConfig resolves with `__import__`.

    `BaseConfigurator.resolve` imports the first segment, then walks the attributes and
    imports submodules on AttributeError: the module is the path minus its last segment.
    """
    found: list[tuple[str, Text]] = []
    if not isinstance(config, Dict):
        return found
    for section in _SECTIONS:
        entries = config.get(section)
        if not isinstance(entries, Dict):
            continue
        for _, entry in entries.entries:
            if not isinstance(entry, Dict):
                continue
            for key in ("class", "()"):
                text = resolve_env(entry.get(key), env)
                if isinstance(text, Text) and _is_path(text.value):
                    found.append((owner(text.value), text))
    for text in _ext_values(config):
        path = text.value[len("ext://") :]
        if _is_path(path):
            found.append((owner(path), text))
    return found


def _ext_values(value: Optional[Value]) -> list[Text]:
    if isinstance(value, Text):
        return [value] if value.value.startswith("ext://") else []
    if isinstance(value, Dict):
        return [text for _, item in value.entries for text in _ext_values(item)]
    if isinstance(value, Seq):
        return [text for item in value.items for text in _ext_values(item)]
    return []


def owner(path: str) -> str:
    """The module holding a dotted class or function path ('a.b.C' -> 'a.b'; 'a' -> 'a')."""
    return path.rsplit(".", 1)[0] if "." in path else path


def _is_path(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def logging_imports(ctx: FrameworkContext, out: Collector) -> None:
    """dictConfig(...) calls anywhere and gunicorn's `logconfig_dict` in its config file."""
    env = dict(ctx.env)
    for path in candidates(ctx).logging:
        for config, via, placed in _configs(ctx, path):
            _emit(out, config, env, via, placed)


_Config = tuple[Optional[Value], str, Optional[Placed]]


def _configs(ctx: FrameworkContext, path: str) -> tuple[_Config, ...]:
    """The dictConfig dictionaries of a file (read once per run; the env applies per target)."""
    key = "logging:" + path
    found = ctx.run.memo.get(key)
    if isinstance(found, tuple):
        return found
    configs: list[_Config] = []
    scan = ctx.scan(path)
    if scan is not None:
        for placed, call in scan.calls():
            if call.args and dotted(call.func) in _DICT_CONFIG:
                configs.append((scan.evaluator(placed).value(call.args[0]), "logging.config.dictConfig", placed))
            elif call.args and dotted(call.func) in _FILE_CONFIG:
                written = scan.evaluator(placed).value(call.args[0])
                if isinstance(written, Text):
                    configs.append((_ini_config(ctx, path, written.value), "logging.config.fileConfig", placed))
        logconfig = scan.module_namespace.get("logconfig_dict")
        if isinstance(logconfig, Dict):
            # gunicorn applies it in the master before loading the app: boot, module scope
            configs.append((logconfig, "gunicorn logconfig_dict", None))
    result = ctx.run.memo[key] = tuple(configs)
    return result


def _ini_config(ctx: FrameworkContext, caller: str, written: str) -> Optional[Value]:
    """A fileConfig ini as the dictConfig shape the readers above know: formatter and handler classes.

    The file is looked for from the project root (the usual working directory) and beside the
    calling module. `fileConfig` resolves a formatter's `class` by import, and a handler's `class`
    first as a name in the logging module (`StreamHandler`, `handlers.RotatingFileHandler`).
    """
    if ctx.root is None or not written:
        return None
    beside = posixpath.normpath(posixpath.join(posixpath.dirname(caller), written))
    for relpath in (posixpath.normpath(written), beside):
        if relpath.startswith("..") or relpath.startswith("/"):
            continue
        try:
            text = (ctx.root / relpath).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(text, source=relpath)
        except configparser.Error:
            return None
        lines = text.splitlines()
        sections: dict[str, list[tuple[str, Optional[Value]]]] = {"formatters": [], "handlers": []}
        for section in parser.sections():
            kind, _, name = section.partition("_")
            klass = parser.get(section, "class", fallback="").strip()
            if kind not in ("formatter", "handler") or not klass:
                continue
            if kind == "handler" and klass.split(".")[0] in _LOGGING_NAMES:
                continue  # found in the logging module itself: nothing is imported
            # the first `class = <klass>` line: good enough to point the finding at
            line = next(
                (i for i, row in enumerate(lines, 1) if row.lstrip().startswith("class") and klass in row), 1
            )
            sections[kind + "s"].append((name, Dict((("class", Text(klass, relpath, line)),))))
        return Dict(tuple((key, Dict(tuple(entries))) for key, entries in sections.items()))
    return None


def _emit(
    out: Collector, config: Optional[Value], env: dict[str, str], via: str, placed: Optional[Placed]
) -> None:
    phase = phase_of(placed) if placed is not None else "boot"
    for module, text in dictconfig_strings(config, env):
        out.add_text(module, text, via, phase, placed=placed)
