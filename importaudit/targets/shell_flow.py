"""A build step's shell text evaluated as far as it is statically known: `if`, `&&`/`||`, tests,
`for` loops over literal words and globs of copied files, and variables with their defaults.

Nothing runs. A test importaudit can decide (`[ -n "$EXTRA" ]` with EXTRA unset, `[ -f
plugins/a/requirements.txt ]` for a copied folder) picks its branch; one it cannot decide keeps
every branch, as before. A build argument declared without a default (`ARG EXTRA`) is empty
in a default build, so a test on it is decided, but a command word naming it stays `$EXTRA`:
an install of it is one only its build knows.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.targets.shell import _strip_comments, expand_vars

# A container path -> True/False when importaudit knows whether the image has it, else None.
Exists = Callable[[str], Optional[bool]]
# An absolute glob pattern -> the container paths it matches, or None when unknown.
Glob = Callable[[str], Optional[list[str]]]
# A container path -> the text of the repo file the image holds there, or None when unknown.
Read = Callable[[str], Optional[str]]

_ENDS = frozenset({"then", "fi", "do", "done", "elif", "else", "}", ")", "esac"})
_JOIN = frozenset({";", "&", "&&", "||", "|", "|&", ";;"})
_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_ITERATIONS = 64
_MAX_STEPS = 512


@dataclass
class _Flow:
    tokens: list[str]
    env: dict[str, str]
    unset: frozenset[str]  # declared without a value: empty in a test, opaque in a command
    exists: Exists
    glob: Glob
    cwd: str
    read: Read
    out: list[list[str]] = field(default_factory=list)
    at: int = 0
    budget: int = _MAX_STEPS  # loop bodies left to evaluate: nested loops cannot blow up

    def peek(self) -> Optional[str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Optional[str]:
        token = self.peek()
        self.at += 1
        return token

    def expand(self, word: str, *, test: bool = False) -> str:
        known = {**{name: "" for name in self.unset}, **self.env} if test else self.env
        return expand_vars(word, known)


def flow_commands(
    text: str,
    env: Mapping[str, str],
    *,
    unset: frozenset[str] = frozenset(),
    exists: Exists = lambda _path: None,
    glob: Glob = lambda _pattern: None,
    cwd: str = "/",
    read: Read = lambda _path: None,
) -> tuple[list[list[str]], Optional[str]]:
    """The simple commands the text runs (expanded), in order, and an error when it cannot split."""
    lexer = shlex.shlex(_strip_comments(text), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError as exc:
        return [], f"could not split the shell command: {exc}"
    flow = _Flow(_operators(tokens), dict(env), unset, exists, glob, cwd, read)
    try:
        _list(flow, run=True, stop=frozenset())
    except RecursionError:
        return flow.out, "shell text nested too deeply"
    return flow.out, None


_OPERATORS = frozenset(
    {"&&", "||", ";;", "|&", ">>", "<<", "<<<", "((", "))", ">&", "<&", "&>", "&>>", ">|"}
)


def _operators(tokens: list[str]) -> list[str]:
    """shlex glues adjacent punctuation (`);`, `)|`): split what is no shell operator."""
    out: list[str] = []
    for token in tokens:
        if len(token) > 1 and token not in _OPERATORS and all(c in "();<>|&" for c in token):
            out.extend(token)
        else:
            out.append(token)
    return out


def _list(flow: _Flow, run: bool, stop: frozenset[str]) -> Optional[bool]:
    """Commands up to one of `stop`; the status of the last one (None when unknown)."""
    status: Optional[bool] = True
    while flow.peek() is not None and flow.peek() not in stop:
        token = flow.peek()
        if token in (";", "&", ";;"):
            flow.take()
            continue
        if token in ("&&", "||"):
            flow.take()
            skip = (token == "&&" and status is False) or (token == "||" and status is True)
            result = _command(flow, run and not skip)
            if not skip:
                status = result
            continue
        if token in ("|", "|&"):
            flow.take()
            status = _command(flow, run)
            continue
        if token in _ENDS and token not in stop:
            flow.take()  # a stray keyword: skip it, as the flat splitter did
            continue
        status = _command(flow, run)
    return status


def _command(flow: _Flow, run: bool) -> Optional[bool]:
    token = flow.peek()
    if token == "if":
        return _if(flow, run)
    if token == "for":
        return _for(flow, run)
    if token in ("while", "until"):
        flow.take()
        _list(flow, run, frozenset({"do"}))
        flow.take()
        _list(flow, run, frozenset({"done"}))
        flow.take()
        return None
    if token in ("{", "("):
        flow.take()
        status = _list(flow, run, frozenset({"}" if token == "{" else ")"}))
        flow.take()
        return status
    if token == "!":
        flow.take()
        inner = _command(flow, run)
        return None if inner is None else not inner
    return _simple(flow, run)


def _simple(flow: _Flow, run: bool) -> Optional[bool]:
    words: list[str] = []
    while flow.peek() is not None and flow.peek() not in _JOIN and flow.peek() not in (")", "}"):
        token = flow.take() or ""
        if token in ("(", "((") and words and words[-1].endswith("$"):
            inner = _group(flow)
            known = _substitute(flow, inner)
            # `$(echo "$GROUPS" | tr , ' ')` and `$(cat FILE)` of a file the image holds are known;
            # anything else stays one opaque word.
            words[-1] = words[-1][:-1] + known if known is not None else words[-1] + "(" + " ".join(inner) + ")"
            continue
        if token.startswith("`"):  # `cat FILE` in backquotes: the same as $(cat FILE)
            inner = [token]
            while not (inner[-1].endswith("`") and len("".join(inner)) > 1) and flow.peek() is not None:
                inner.append(flow.take() or "")
            quoted = " ".join(inner)
            known = _substitute(flow, quoted.strip("`").split()) if quoted.endswith("`") else None
            words.append(known if known is not None else quoted)
            continue
        if token in _REDIRECTS:
            if words and words[-1].isdigit():
                words.pop()
            target = flow.take()
            if token in (">", ">|") and words[1:2] == ["export"] and target:
                words += ["--output-file", target]  # `uv export > requirements.txt` writes that file
            continue
        if words or token not in _ENDS:
            words.append(token)
        else:
            flow.at -= 1
            break
    if not words or not run:
        return None
    if words[0] in ("[", "[[", "test"):
        return _test(flow, [flow.expand(w, test=True) for w in words[1:] if w not in ("]", "]]")])
    if words[0] in ("true", ":"):
        return True
    if words[0] == "false":
        return False
    assignments = [w for w in words if "=" in w and _NAME.match(w.split("=", 1)[0])]
    if len(assignments) == len(words):  # `X=value` alone sets a shell variable
        for word in words:
            name, _, value = word.partition("=")
            flow.env[name] = flow.expand(value)
        return True
    expanded = [flow.expand(w) for w in words]
    if expanded[0] == "cd" and len(expanded) > 1:
        flow.cwd = posixpath.normpath(posixpath.join(flow.cwd, expanded[1]))
    flow.out.append(expanded)
    return None


def _group(flow: _Flow) -> list[str]:
    """The tokens of a `$( ... )` up to its closing parenthesis (nested ones kept)."""
    depth, inner = 1, []
    while flow.peek() is not None:
        token = flow.take() or ""
        depth += token.count("(") - token.count(")") if token in ("(", "((", ")", "))") else 0
        if depth <= 0:
            break
        inner.append(token)
    return inner


def _substitute(flow: _Flow, tokens: list[str]) -> Optional[str]:
    """The output of `echo WORDS`, `echo WORDS | tr A B`, `cat FILE...` or `< FILE` when the words
    and files are known, else None."""
    parts = [[]]  # type: list[list[str]]
    for token in tokens:
        if token == "|":
            parts.append([])
        else:
            parts[-1].append(token)
    if parts[0][:1] in (["cat"], ["<"]) and len(parts) == 1:
        return _cat(flow, parts[0][1:])
    if not parts[0] or parts[0][0] != "echo":
        return None
    text = " ".join(flow.expand(w, test=True) for w in parts[0][1:] if w not in ("-n", "-e"))
    for stage in parts[1:]:
        if len(stage) != 3 or stage[0] != "tr" or len(stage[1]) != len(stage[2]):
            return None
        text = text.translate(str.maketrans(stage[1], stage[2]))
    return None if "$" in text or "`" in text else text


def _cat(flow: _Flow, paths: list[str]) -> Optional[str]:
    """`$(cat FILE)`: the words of repo files the image holds (the shell splits them into words);
    None when a path is unknown, an option, or a file the image does not take from the repo."""
    texts: list[str] = []
    for path in paths:
        path = flow.expand(path)
        if not path or path.startswith("-") or any(c in path for c in "$`*?["):
            return None
        text = flow.read(posixpath.normpath(posixpath.join(flow.cwd, path)))
        if text is None or "$" in text or "`" in text:
            return None
        texts.append(text)
    return " ".join(" ".join(texts).split()) if texts else None


def _test(flow: _Flow, args: list[str]) -> Optional[bool]:
    """`[ ... ]` / `test ...`: -n -z -f -e -d = != ! when the operands are known."""
    if args[:1] == ["!"]:
        inner = _test(flow, args[1:])
        return None if inner is None else not inner
    if any("$" in a or "`" in a for a in args) or any(a in ("-a", "-o", "&&", "||") for a in args):
        return None
    if len(args) == 1:
        return bool(args[0])
    if len(args) == 2 and args[0] in ("-n", "-z"):
        return bool(args[1]) if args[0] == "-n" else not args[1]
    if len(args) == 2 and args[0] in ("-f", "-e", "-d", "-s", "-r"):
        return flow.exists(posixpath.normpath(posixpath.join(flow.cwd, args[1])))
    if len(args) == 3 and args[1] in ("=", "==", "!="):
        return (args[0] == args[2]) == (args[1] != "!=")
    return None


def _if(flow: _Flow, run: bool) -> Optional[bool]:
    flow.take()
    decided = False  # an earlier branch surely ran
    status: Optional[bool] = None
    while True:
        condition = _list(flow, run and not decided, frozenset({"then"}))
        flow.take()
        chosen = run and not decided and condition is not False
        status = _list(flow, chosen, frozenset({"elif", "else", "fi"}))
        decided = decided or (run and condition is True)
        keyword = flow.take()
        if keyword == "elif":
            continue
        if keyword == "else":
            _list(flow, run and not decided, frozenset({"fi"}))
            flow.take()
        return status


def _for(flow: _Flow, run: bool) -> Optional[bool]:
    flow.take()
    name = flow.take() or ""
    values: Optional[list[str]] = []
    if flow.peek() == "in":
        flow.take()
        while flow.peek() not in (None, ";", "do"):
            word = flow.expand(flow.take() or "")
            if word.endswith("$") and flow.peek() == "(":
                flow.take()
                known = _substitute(flow, _group(flow))
                word = word[:-1] + known if known is not None else "$?"
            if "$" in word or "`" in word:
                values = None
            elif any(c in word for c in "*?[") and values is not None:
                found = flow.glob(posixpath.normpath(posixpath.join(flow.cwd, word)))
                values = None if found is None else values + found
            elif values is not None:
                values += word.split()
    else:
        values = None  # `for x; do`: the positional arguments
    while flow.peek() == ";":
        flow.take()
    if flow.take() != "do":
        return None
    start = flow.at
    if values is not None and len(values) > flow.budget:
        values = None  # past the budget: the body once, its variable unknown
    loops = (values or [])[:_MAX_ITERATIONS] if values is not None else [None]
    flow.budget -= len(loops)
    for value in loops or [None]:
        flow.at = start
        if value is None:
            flow.env.pop(name, None)
        else:
            flow.env[name] = value
        _list(flow, run and (value is not None or values is None), frozenset({"done"}))
    flow.take()
    return None
