"""A fast path for plain requirement lines: pip-requirements-parser's records without its per-line work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple, Optional

import pip_requirements_parser as prp
from packaging.markers import InvalidMarker, Marker

# A plain line (`name[extras] <specifiers> ; marker`, pip-compile's `--hash` options allowed) is
# read here with one regex: this grammar is a strict subset of PEP 508 and of packaging's version
# specifiers, so whatever it accepts, packaging accepts too and reads the same way; whatever it
# does not accept (URLs, paths, options, `@`, `$VAR`, epochs, odd spellings, invalid text) goes
# through pip-requirements-parser as before. tests/test_requirements_fastlines.py holds the two
# paths to identical records over real files and generated lines.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_RELEASE = r"[0-9]+(?:\.[0-9]+)*"
_SUFFIX = r"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
_LOCAL = r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?"
# One specifier, with the version rules packaging applies per operator (`===`, `v1`, epochs,
# `1.0-1`, `1.0.*` after `>=` and local versions after `<` are left to the slow path).
_SPEC = (
    rf"(?:(?:==|!=)[ \t]*{_RELEASE}(?:\.\*|{_SUFFIX}{_LOCAL})"
    rf"|~=[ \t]*[0-9]+(?:\.[0-9]+)+{_SUFFIX}"
    rf"|(?:>=|<=|<|>)[ \t]*{_RELEASE}{_SUFFIX})"
)
# packaging's own whitespace is spaces and tabs only (`\s` would let other spaces through)
_REQUIREMENT = re.compile(
    rf"[ \t]*(?P<name>{_NAME})[ \t]*"
    rf"(?:\[[ \t]*(?P<extras>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)[ \t]*\][ \t]*)?"
    rf"(?P<specs>{_SPEC}(?:[ \t]*,[ \t]*{_SPEC})*)?[ \t]*"
)
_EXTRA_SPLIT = re.compile(r"[ \t]*,[ \t]*")
# pip-compile / uv export `--hash=sha256:...` options (whatever optparse and shlex read as is).
_HASHES = re.compile(r"(?:--hash(?:=| +)[A-Za-z0-9]+:[A-Za-z0-9]+ *)+")
_ARCHIVES = tuple(prp.ARCHIVE_EXTENSIONS)


class PlainRequirement(NamedTuple):
    """The parts of pip-requirements-parser's InstallRequirement that the reader uses."""

    line_number: int
    line: str
    name: str
    specifier: str  # str(SpecifierSet): deduplicated and sorted, as packaging writes it
    extras: frozenset[str]
    marker: Optional[str]  # str(Marker)

    @property
    def link(self) -> None:
        return None

    @property
    def is_editable(self) -> bool:
        return False


class ParsedFile(NamedTuple):
    """What pip_requirements_parser.RequirementsFile holds, plain lines as PlainRequirement."""

    requirements: list[Any]
    options: list[Any]
    invalid_lines: list[Any]
    comments: list[Any]


@lru_cache(maxsize=4096)
def _marker(text: str) -> Optional[str]:
    """str(Marker(text)), or None when packaging rejects it (the slow path then says why)."""
    try:
        return str(Marker(text))
    except InvalidMarker:
        return None


def plain(line_number: int, line: str) -> Optional[PlainRequirement]:
    """The record of a plain requirement line (comments already split off), or None."""
    head = line
    cut = line.find(" --hash")
    if cut > 0:  # pip-compile's hashes: the only options the fast path reads (and ignores)
        if not _HASHES.fullmatch(line, cut + 1):
            return None
        head = line[:cut]
    if head.startswith(("-", ".")) or " -" in head:
        return None  # options: break_args_options splits at the first token starting with "-"
    if ":" in head or "@" in head or "/" in head or "\\" in head:
        return None  # URLs, paths, `name @ url`: pip-requirements-parser's own rules
    return _requirement(line_number, line, head)


def _requirement(line_number: int, line: str, text: str) -> Optional[PlainRequirement]:
    requirement, semicolon, marker_text = text.partition(";")
    marker: Optional[str] = None
    if semicolon and marker_text.strip():
        marker = _marker(marker_text.strip())
        if marker is None:
            return None
    match = _REQUIREMENT.fullmatch(requirement)
    if match is None:
        return None
    bare = requirement.strip()
    specs = match["specs"]
    # pip reads `name.zip` (or `x==1+local.tar`) as a file to install. Only a name or a local
    # version can end like an archive; those few go through pip-requirements-parser's own test.
    if (match["name"].lower().endswith(_ARCHIVES) or (specs and "+" in specs)) and prp.is_archive_file(
        prp._strip_extras(bare)[0]
    ):
        return None
    specifier = ""
    if specs:
        if "," not in specs:
            specifier = _written(specs)
        else:
            written = sorted(_written(piece) for piece in specs.split(","))
            if len({_operator(one) for one in written}) < len(written):
                return None  # packaging's own equality would decide which of two stays
            specifier = ",".join(written)
    extras: frozenset[str] = frozenset()
    if match["extras"]:
        names = _EXTRA_SPLIT.split(match["extras"])
        # pip-requirements-parser: extras at the end of the line are lowercased, extras before a
        # specifier go through safe_extra (which also folds runs of "_")
        trailing = bare.endswith("]")
        extras = frozenset(name.lower() if trailing else prp.safe_extra(name) for name in names)
    return PlainRequirement(line_number, line, match["name"], specifier, extras, marker)


def _operator(spec: str) -> str:
    """The operator of a specifier the grammar above accepted (one or two characters)."""
    return spec[:2] if spec[1] == "=" else spec[:1]


def _written(spec: str) -> str:
    """str(Specifier(spec)): the operator and the version, without the spaces."""
    spec = spec.strip()
    operator = _operator(spec)
    return operator + spec[len(operator) :].lstrip()


def read_file(filename: str, *, fast: bool = True) -> ParsedFile:
    """Read a requirements file like RequirementsFile.from_file(filename, include_nested=False).

    Raises what pip-requirements-parser raises on the same file (an undecodable file, a line it
    cannot split), so the caller's warning is the same."""
    content = prp.get_file_content(filename)
    parsed = ParsedFile([], [], [], [])
    slow: list[tuple[int, str]] = []
    for numbered in _preprocess(content):
        line_number, line = numbered
        if type(numbered) is prp.CommentLine:
            parsed.comments.append(numbered)
            continue
        made = plain(line_number, line) if fast else None
        if made is None:
            slow.append((line_number, line))
        else:
            parsed.requirements.append(made)
    if slow:
        _read_slow(filename, slow, parsed)
    return parsed


def _preprocess(content: str) -> Iterator[tuple[int, str]]:
    """prp.preprocess: join `\\` continuations, split off comments, drop empty lines. A line with
    no `#` skips prp's comment split, which is most of the cost."""
    split, text_line = prp.split_comments, prp.TextLine
    for number, line in _join_lines(content.splitlines()):
        if "#" in line:
            yield from split([(number, line)])
        else:
            stripped = line.strip()
            if stripped:
                yield text_line(number, stripped)


def _join_lines(lines: list[str]) -> list[tuple[int, str]]:
    """prp.join_lines as a loop over a list (its generator chain costs a microsecond a line)."""
    comment = prp.COMMENT_RE.match
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if line.endswith("\\") and not comment(line):
            if not pending:
                first = number
            pending.append(line.strip("\\"))
        elif pending:
            # a comment line ending a continuation gets a space, so that it splits off later
            pending.append(" " + line if comment(line) else line)
            joined.append((first, "".join(pending)))
            pending = []
        else:
            joined.append((number, line))
    if pending:  # the last line ends with a backslash
        joined.append((first, "".join(pending)))
    return joined


def _read_slow(filename: str, lines: list[tuple[int, str]], parsed: ParsedFile) -> None:
    """pip-requirements-parser's own per-line path (RequirementsFileParser._parse_file, then
    parse_requirements and RequirementsFile.parse), for the lines the fast path leaves."""
    line_parser = prp.get_line_parser()
    for line_number, line in lines:
        requirement_line = prp.RequirementLine(line=line, line_number=line_number, filename=filename)
        try:
            requirement_string, options, arguments = line_parser(line)
            parsed_line = prp.ParsedLine(
                requirement_string=requirement_string,
                options=options,
                is_constraint=False,
                requirement_line=requirement_line,
                arguments=arguments,
            )
        except Exception as exc:  # as pip-requirements-parser: the offending line is reported
            parsed.invalid_lines.append(
                prp.InvalidRequirementLine(requirement_line=requirement_line, error_message=str(exc))
            )
            continue
        for item in prp.handle_line(parsed_line=parsed_line):
            if item is not None:
                _add(item, parsed)


def _add(item: Any, parsed: ParsedFile) -> None:
    if isinstance(item, prp.InvalidRequirementLine):
        parsed.invalid_lines.append(item)
    elif isinstance(item, prp.OptionLine):
        parsed.options.append(item)
        for option in item.options:
            if option in prp.LEGACY_OPTIONS_DEST:
                parsed.invalid_lines.append(
                    prp.IncorrectRequirementLine(
                        requirement_line=item.requirement_line,
                        error_message=f"Unsupported, legacy option: {prp.OPT_BY_OPTIONS_DEST[option]}",
                    )
                )
    else:
        try:
            requirement = prp.build_req_from_parsedreq(item)
        except Exception as exc:  # as pip-requirements-parser: the line becomes an invalid one
            parsed.invalid_lines.append(
                prp.InvalidRequirementLine(
                    requirement_line=item.requirement_line, error_message=str(exc).strip()
                )
            )
            return
        if requirement.invalid_options:
            options = prp.dumps_global_options(requirement.invalid_options)
            parsed.invalid_lines.append(
                prp.InvalidRequirementLine(
                    requirement_line=item.requirement_line,
                    error_message=f"Invalid global options, not supported with a requirement spec: {options}",
                )
            )
        else:
            parsed.requirements.append(requirement)
