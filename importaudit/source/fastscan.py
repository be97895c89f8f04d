"""The import statements of a file without ast.parse, or None wherever the full visitor is needed.

Strings and comments are masked, backslash and bracket continuations joined into logical lines,
and only statements that start a logical line at column 0 are read: such a statement is in the
module body, under no `try`/`if`/`with`/`def`, so it has no guard, scope or caller. Anything the
full visitor would judge differently makes the answer None: an `import` keyword anywhere else
(indented, after `;` or `:`), dynamic imports (`__import__`, `import_module`, `import_string`), non-ASCII code,
a coding cookie other than UTF-8, a statement this reader does not fully understand. The
records are identical to source.imports.parse_source's, which tests/test_fastscan.py checks
file by file over real code.
"""

from __future__ import annotations

import re
from typing import Optional

from importaudit.model import How, Import, Location
from importaudit.source.syntax import ignore_comments

# Comments and string literals (unrolled loops, no backtracking per character). A string's
# prefix letters are left as they are: only where the literal ends matters, and a backslash
# escapes the next character for that in every kind, raw strings included. A quote or `#` must
# start each match, so the search skips plain code in C.
_LITERAL = re.compile(
    rb"#[^\r\n]*"
    rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    rb'|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    rb"|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'"
    rb'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"',
    re.S,
)
_BLANK = bytes(c if c == 10 else 32 for c in range(256))
_KEYWORD = re.compile(rb"\bimport\b")
_START = re.compile(rb"^(?:import|from)\b", re.M)
# The dynamic imports source/imports.py records (import_string: Django's and Werkzeug's).
_DYNAMIC = (b"__import__", b"import_module", b"import_string")
# A module-level block or raise before an import can guard it (`if sys.platform != "win32":
# raise ImportError` guards everything after it: source/branches.py): leave those to the visitor.
_BRANCH = re.compile(rb"^(?:if|elif|else|try|except|finally|with|for|while|match|raise|assert|async)\b", re.M)
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UTF8 = frozenset({"utf-8", "utf8", "utf_8", "utf-8-sig"})
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\s*\.\s*{_NAME})*(?!\w)"
_ALIAS = re.compile(rf"\s*({_DOTTED})(?:\s+as\s+({_NAME}))?\s*")
_IMPORT = re.compile(r"import\s+(.*?)\s*")
_FROM = re.compile(
    rf"from(?:\s+|(?=\.))((?:\.\s*)*)(?:({_DOTTED})\s+|(?<=\.)\s*|(?<=\.\s))import(?!\w)\s*"
    r"(?:(\*)|\((.*?)\)|(.*?))\s*"
)
Record = tuple[str, How, tuple[str, ...], int]


def scan_imports(data: bytes, path: str, module: Optional[str], is_package: bool) -> Optional[tuple[Import, ...]]:
    """The Import records parse_source would give, or None when only the full visitor can say.

    Only for a file that parses: a syntax error is the parser's to find."""
    if any(word in data for word in _DYNAMIC) or not _cookie_ok(data):
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:  # old Mac line ends: the parser's line numbers, not ours
            return None
    masked = _LITERAL.sub(_blank, data)
    if not masked.isascii():  # identifiers are NFKC-normalised by the parser: leave it to it
        return None
    statements = _statements(masked)
    if statements is None or len(_KEYWORD.findall(masked)) != len(statements):
        return None  # an import the column-0 reading did not account for
    if statements:
        branch = _BRANCH.search(masked)
        if branch is not None and masked.count(b"\n", 0, branch.start()) + 1 < statements[-1][1]:
            return None
    package = None if module is None else (module if is_package else module.rpartition(".")[0])
    ignores = ignore_comments(data) if statements else {}
    found: list[Import] = []
    for first, last, text in statements:
        records = _records(text, package)
        if records is None:
            return None
        location = Location(path, first, 0)
        ignore = _ignore(ignores, first, last)
        found.extend(Import(module=name, location=location, how=how, names=names, level=level, ignore=ignore)
                     for name, how, names, level in records)  # fmt: skip
    return tuple(found)


def _blank(match: re.Match[bytes]) -> bytes:
    return match.group().translate(_BLANK)


def _cookie_ok(data: bytes) -> bool:
    for line in data.splitlines()[:2]:
        found = _COOKIE.match(line)
        if found is not None:
            return found.group(1).decode("ascii", "replace").lower() in _UTF8
    return True


def _statements(masked: bytes) -> Optional[list[tuple[int, int, str]]]:
    """(first line, last line, text) of each logical line that starts at column 0 with `import`
    or `from`; None when one starts inside brackets or does not end (the parser decides those).

    Only the candidate lines are visited; the brackets between them are counted in C."""
    found: list[tuple[int, int, str]] = []
    depth = line = last = 0
    for match in _START.finditer(masked):
        start = match.start()
        if start < last:
            continue  # inside the previous statement (`from x import (\nfrom ...`: not parseable)
        depth += sum(masked.count(c, last, start) for c in (b"(", b"[", b"{"))
        depth -= sum(masked.count(c, last, start) for c in (b")", b"]", b"}"))
        line += masked.count(b"\n", last, start)
        last = start
        if depth or (start >= 2 and masked[start - 2 : start] == b"\\\n"):
            continue  # the continuation of another statement
        end = masked.find(b"\n", start)
        end = len(masked) if end < 0 else end
        opened = masked.find(b"(", start, end)
        if opened >= 0:
            close = masked.find(b")", opened)
            if close < 0:
                return None
            end = masked.find(b"\n", close)
            end = len(masked) if end < 0 else end
        while masked[end - 1 : end] == b"\\":
            following = masked.find(b"\n", end + 1)
            end = len(masked) if following < 0 else following
        text = masked[start:end]
        if text.count(b"(") != text.count(b")") or b"[" in text or b"{" in text:
            return None
        flat = text.replace(b"\\\n", b" ").replace(b"\n", b" ").decode("ascii")
        found.append((line + 1, line + 1 + text.count(b"\n"), flat))
        line += text.count(b"\n")
        last = end
    return found


def _absolute(name: str, level: int, package: Optional[str]) -> str:
    """As source.imports resolves a relative name: unresolvable keeps its dots (".x")."""
    if level == 0:
        return name
    bits = package.rsplit(".", level - 1) if package else []
    if len(bits) < level:
        return "." * level + name
    return f"{bits[0]}.{name}" if name else bits[0]


def _aliases(text: str, *, dotted: bool, trailing_comma: bool) -> Optional[list[str]]:
    items = text.split(",")
    if trailing_comma and len(items) > 1 and not items[-1].strip():
        items.pop()  # `from x import (a, b,)`
    names = []
    for item in items:
        match = _ALIAS.fullmatch(item)
        if match is None or (not dotted and "." in match.group(1)):
            return None
        names.append("".join(match.group(1).split()))  # `a . b` is `a.b`
    return names


def _records(text: str, package: Optional[str]) -> Optional[list[Record]]:
    plain = _IMPORT.fullmatch(text)
    if plain is not None:
        modules = _aliases(plain.group(1), dotted=True, trailing_comma=False)
        return None if modules is None else [(name, How.STATEMENT, (), 0) for name in modules]
    match = _FROM.fullmatch(text)
    if match is None:
        return None
    dots, module, star, inside, bare = match.groups()
    level = dots.count(".")
    if star is not None:
        names: Optional[list[str]] = ["*"]
    else:
        names = _aliases(inside if inside is not None else bare, dotted=False, trailing_comma=inside is not None)
    if names is None:
        return None
    name = _absolute("".join((module or "").split()), level, package)
    return [(name, How.FROM, tuple(names), level)]


def _ignore(ignores: dict[int, Optional[frozenset[str]]], first: int, last: int) -> Optional[frozenset[str]]:
    """As the visitor reads `# importaudit: ignore[...]` over the statement's lines."""
    found: Optional[frozenset[str]] = None
    for line in range(first, last + 1):
        rules = ignores.get(line)
        if rules is not None:
            bare = not rules or found == frozenset()
            found = frozenset() if bare else (found or frozenset()) | rules
    return found
