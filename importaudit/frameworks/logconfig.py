"""logging.config.dictConfig dictionaries: handler classes, `()` factories and `ext://` values."""

from __future__ import annotations

from typing import Optional

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import Collector, FrameworkContext
from importaudit.frameworks.values import Dict, Seq, Text, Value, dotted, resolve_env
from importaudit.frameworks.walk import Placed, phase_of

_DICT_CONFIG = frozenset({"logging.config.dictConfig", "config.dictConfig", "dictConfig"})
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
        logconfig = scan.module_namespace.get("logconfig_dict")
        if isinstance(logconfig, Dict):
            # gunicorn applies it in the master before loading the app: boot, module scope
            configs.append((logconfig, "gunicorn logconfig_dict", None))
    result = ctx.run.memo[key] = tuple(configs)
    return result


def _emit(
    out: Collector, config: Optional[Value], env: dict[str, str], via: str, placed: Optional[Placed]
) -> None:
    phase = phase_of(placed) if placed is not None else "boot"
    for module, text in dictconfig_strings(config, env):
        out.add_text(module, text, via, phase, placed=placed)
