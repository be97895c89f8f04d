"""Shell text to simple commands: quoting, comments, chains, redirections, variable expansion."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Callable, Optional

# Tokens that end one simple command and start the next (shlex punctuation_chars output).
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "|&", "(", ")", "((", "))"})
_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|"})
# Shell keywords that may precede a command on the same line; dropping them keeps the command.
_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-=+?])?(?P<word>[^}]*)\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def expand_vars(text: str, env: Mapping[str, str], *, unknown: Optional[str] = None) -> str:
    """Substitute $VAR, ${VAR}, ${VAR:-default}; unknown ones stay as written unless `unknown`."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        op = match.group("op") or ""
        word = match.group("word") or ""
        value = env.get(name)
        if op in (":-", ":="):
            return value if value else word
        if op in ("-", "="):
            return value if value is not None else word
        if op in (":+", "+"):
            return word if value else ""
        if value is not None:
            return value
        return match.group(0) if unknown is None else unknown

    return _VAR.sub(substitute, text)


def _strip_comments(text: str) -> str:
    """Drop `# ...` comments and join backslash-newline continuations, honouring quotes."""
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and quote != "'" and i + 1 < len(text):
            if text[i + 1] == "\n":
                i += 2
                continue
            out.append(text[i : i + 2])
            i += 2
            continue
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif char == "\n":
            out.append(" ; ")
            i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def split_words(text: str) -> list[str]:
    """Shell-style words without running a shell (compose string commands); [] when unbalanced."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return []


def split_commands(text: str) -> tuple[list[list[str]], Optional[str]]:
    """The simple commands of a shell text, in order, and an error when its quoting is broken."""
    lexer = shlex.shlex(_strip_comments(text), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError as exc:
        return [], f"could not split the shell command: {exc}"
    commands: list[list[str]] = []
    current: list[str] = []
    skip_next = False
    for index, token in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        if token in _SEPARATORS:
            if current:
                commands.append(current)
            current = []
            continue
        if token in _REDIRECTS:
            # `2>&1`: the descriptor number was already taken as a word; drop it with the target.
            if current and current[-1].isdigit() and index > 0 and tokens[index - 1] == current[-1]:
                current.pop()
            skip_next = True
            continue
        if not current and token in _KEYWORDS:
            continue
        current.append(token)
    if current:
        commands.append(current)
    return [command for command in commands if command], None


def split_assignments(words: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """`FOO=bar BAZ=1 cmd args` -> ([("FOO","bar"), ("BAZ","1")], ["cmd", "args"])."""
    assignments: list[tuple[str, str]] = []
    index = 0
    while index < len(words) and _ASSIGNMENT.match(words[index]):
        key, _, value = words[index].partition("=")
        assignments.append((key, value))
        index += 1
    return assignments, words[index:]


def program_name(word: str) -> str:
    """`/usr/local/bin/gunicorn` -> `gunicorn`; `./manage.py` -> `manage.py`."""
    return word.rstrip("/").rsplit("/", 1)[-1]


def is_python(word: str) -> bool:
    """python, python3, python3.12, /opt/venv/bin/python."""
    return re.fullmatch(r"python(?:[23](?:\.\d+)?)?", program_name(word)) is not None


_PARAM = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*|[0-9@*#]))")


_ARRAY = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\[[@*]\]$")
# `${@:2}`, `${@:$n:3}`: a slice of the positional parameters.
_SLICE = re.compile(r"^[@*]:(?P<start>[^:]+)(?::(?P<length>[^:]+))?$")


def _array(value: Optional[str]) -> list[str]:
    """A shell array kept as its assignment's text, `(a "b c")`, -> its items."""
    if not value:
        return []
    if value.startswith("(") and value.endswith(")"):
        return split_words(value[1:-1])
    return [value]


def expand_word(raw: str, env: Mapping[str, str], args: Sequence[str], zero: str = "sh") -> list[str]:
    """One word as written -> its fields: quotes removed, parameters expanded, unquoted expansions
    split on blanks, "$@" one field per argument; unknown variables and `$(...)` stay as written."""
    fields: list[str] = []
    current: list[str] = []
    started = False  # a quoted empty string still makes a field
    vanished = False  # "$@" (or "${a[@]}") with nothing in it: no field at all, even quoted

    def emit() -> None:
        nonlocal started
        if current or started:
            fields.append("".join(current))
        current.clear()
        started = False

    def param(text: str, quoted: bool) -> None:
        nonlocal started, vanished
        match = _PARAM.fullmatch(text)
        name = (match.group("braced") or match.group("plain")) if match else None
        array = _ARRAY.match(name or "")
        items = _array(env.get(array.group("name"))) if array else list(args)
        sliced = _SLICE.match(name or "")
        if sliced:
            bounds = [expand_vars(sliced.group(key) or "", env).strip() for key in ("start", "length")]
            if not bounds[0].isdigit() or not (bounds[1].isdigit() or not bounds[1]):
                current.append(text)  # a slice by what only the run knows
                return
            start = int(bounds[0])
            items = [zero, *args][start : start + int(bounds[1]) if bounds[1] else None]
        if name in ("@", "*") or array or sliced:
            spread = name == "@" or (name or "").startswith("@:") or bool(array and (name or "").endswith("@]"))
            if quoted and spread:
                vanished = vanished or not items
                for index, arg in enumerate(items):
                    if index:
                        emit()
                    current.append(arg)
                    started = True
                return
            value = " ".join(items)
        elif name is not None and name.isdigit():
            value = args[int(name) - 1] if 0 < int(name) <= len(args) else ("" if int(name) else zero)
        elif name == "#":
            value = str(len(args))
        else:
            value = expand_vars(text, env)
        if quoted or value == text:
            current.append(value)
            started = started or quoted
            return
        parts = value.split()
        if value[:1].isspace():
            emit()
        for index, part in enumerate(parts):
            if index:
                emit()
            current.append(part)
        if value[-1:].isspace():
            emit()

    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "'":
            end = raw.find("'", i + 1)
            end = len(raw) if end < 0 else end
            current.append(raw[i + 1 : end])
            started = True
            i = end + 1
        elif char == '"':
            was_started, before, vanished = started, len(current), False
            started = True
            i += 1
            while i < len(raw) and raw[i] != '"':
                if raw[i] == "\\" and i + 1 < len(raw) and raw[i + 1] in '"\\$`':
                    current.append(raw[i + 1])
                    i += 2
                    continue
                i = _dollar(raw, i, current, lambda text: param(text, True))
            i += 1
            if vanished and not was_started and len(current) == before:
                started = False
        elif char == "\\":
            current.append(raw[i + 1 : i + 2])
            i += 2
        else:
            i = _dollar(raw, i, current, lambda text: param(text, False))
    emit()
    return fields


def _dollar(raw: str, i: int, current: list[str], param: Callable[[str], None]) -> int:
    """At raw[i]: a parameter (handed to `param`), a `$(...)` kept as written, or one character."""
    if raw[i] != "$":
        current.append(raw[i])
        return i + 1
    if raw.startswith("$(", i):
        depth, j = 0, i + 1
        while j < len(raw):
            depth += {"(": 1, ")": -1}.get(raw[j], 0)
            j += 1
            if depth == 0:
                break
        current.append(raw[i:j])
        return j
    match = _PARAM.match(raw, i)
    if match is None:
        current.append("$")
        return i + 1
    param(match.group(0))
    return match.end()
