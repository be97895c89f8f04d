"""Shell text to a syntax tree (commands, if/case/loops, functions, heredocs), as a POSIX shell reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

# Operators, longest first so that `&&` is not read as two `&`.
_OPERATORS = ("&&", "||", ";;&", ";;", ";&", "|&", ";", "|", "&", "(", ")")
_REDIRECTS = ("<<<", "<<-", "&>>", "<<", ">>", ">&", "<&", "&>", ">|", "<>", ">", "<")
# Words that end a list when they start a command (the parser's terminators).
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "op", "newline", "redirect"
    text: str  # a word as written (quotes kept), an operator, or a redirect's target
    line: int
    heredoc: Optional[str] = None  # for a `<<` redirect: the body read from the lines after it


@dataclass
class Command:
    """A simple command: its words as written (quotes kept), its line, a heredoc fed to it."""

    words: list[str]
    line: int
    heredoc: Optional[str] = None


@dataclass
class If:
    branches: list[tuple[list[Node], list[Node]]]  # (condition, body) for `if` and each `elif`
    orelse: list[Node]
    line: int


@dataclass
class Case:
    word: str
    items: list[tuple[list[str], list[Node]]]  # (patterns as written, body)
    line: int


@dataclass
class Loop:
    head: list[Node]  # a while/until condition; empty for `for`
    body: list[Node]
    line: int


@dataclass
class Function:
    name: str
    body: list[Node]
    line: int


@dataclass
class Group:
    body: list[Node]
    line: int


Node = Union[Command, If, Case, Loop, Function, Group]


@dataclass
class _Lexer:
    text: str
    pos: int = 0
    line: int = 1
    tokens: list[Token] = field(default_factory=list)
    pending: list[tuple[int, str, bool]] = field(default_factory=list)  # heredocs: token index, delimiter, <<-
    problem: Optional[str] = None  # an unclosed quote: the text is not what its author meant

    def run(self) -> list[Token]:
        text = self.text
        word: list[str] = []
        start = self.line
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and text.startswith("\\\n", self.pos):
                self.pos += 2
                self.line += 1
                continue
            if char in " \t\r":
                self._end(word, start)
                self.pos += 1
                continue
            if char == "\n":
                self._end(word, start)
                self.tokens.append(Token("newline", "\n", self.line))
                self.pos += 1
                self.line += 1
                self._heredocs()
                continue
            if char == "#" and not word:
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
                continue
            if not word:
                start = self.line
            if char == "'":
                self._take(self._until("'", self.pos + 1), word)
                continue
            if char == '"':
                self._take(self._double(self.pos + 1), word)
                continue
            if char == "`":
                self._take(self._until("`", self.pos + 1), word)
                continue
            if char == "\\":
                self._take(min(self.pos + 2, len(text)), word)
                continue
            if char == "$" and text.startswith(("$(", "${"), self.pos):
                self._take(self._balanced(self.pos + 1), word)
                continue
            if char == "(" and word and word[-1].endswith("="):  # an array: NAME=(a b)
                self._take(self._balanced(self.pos), word)
                continue
            if self._redirect(word, start) or self._operator(word, start):
                continue
            word.append(char)
            self.pos += 1
        self._end(word, start)
        return self.tokens

    def _take(self, end: int, word: list[str]) -> None:
        chunk = self.text[self.pos : end]
        self.line += chunk.count("\n")
        word.append(chunk)
        self.pos = end

    def _until(self, close: str, pos: int) -> int:
        end = self.text.find(close, pos)
        if end < 0:
            self.problem = f"no closing {close} for the one on line {self.line}"
            return len(self.text)
        return end + 1

    def _double(self, pos: int) -> int:
        text = self.text
        while pos < len(text):
            if text[pos] == "\\":
                pos += 2
            elif text[pos] == '"':
                return pos + 1
            elif text.startswith("$(", pos):
                pos = self._balanced(pos + 1)
            else:
                pos += 1
        self.problem = f'no closing " for the one on line {self.line}'
        return len(text)

    def _balanced(self, pos: int) -> int:
        """From an opening `(` or `{` at pos to just past its match, skipping quoted text."""
        text = self.text
        opener = text[pos]
        closer = ")" if opener == "(" else "}"
        depth = 0
        while pos < len(text):
            char = text[pos]
            if char == "\\":
                pos += 2
                continue
            if char == "'" and opener == "(":
                pos = self._until("'", pos + 1)
                continue
            if char == '"':
                pos = self._double(pos + 1)
                continue
            if char == opener:
                depth += 1
            elif char == closer:
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
        return len(text)

    def _end(self, word: list[str], line: int) -> None:
        if word:
            self.tokens.append(Token("word", "".join(word), line))
            word.clear()

    def _operator(self, word: list[str], line: int) -> bool:
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                self._end(word, line)
                self.tokens.append(Token("op", op, self.line))
                self.pos += len(op)
                return True
        return False

    def _redirect(self, word: list[str], line: int) -> bool:
        for op in _REDIRECTS:
            if not self.text.startswith(op, self.pos):
                continue
            if word and "".join(word).isdigit():  # `2>&1`: the descriptor is part of the redirect
                word.clear()
            self._end(word, line)
            self.pos += len(op)
            while self.pos < len(self.text) and self.text[self.pos] in " \t":
                self.pos += 1
            target: list[str] = []
            here = self.line
            while self.pos < len(self.text) and self.text[self.pos] not in " \t\n;&|()<>":
                char = self.text[self.pos]
                if char in "'\"":
                    self._take(self._until(char, self.pos + 1), target)
                else:
                    target.append(char)
                    self.pos += 1
            written = "".join(target)
            if op in ("<<", "<<-"):
                self.pending.append((len(self.tokens), written.replace("'", "").replace('"', ""), op == "<<-"))
            self.tokens.append(Token("redirect", written, here))
            return True
        return False

    def _heredocs(self) -> None:
        """After a newline, the bodies of the heredocs opened on the line just ended."""
        for index, delimiter, strip in self.pending:
            lines: list[str] = []
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                end = len(self.text) if end < 0 else end
                raw = self.text[self.pos : end]
                self.pos = min(end + 1, len(self.text))
                self.line += 1
                if (raw.lstrip("\t") if strip else raw) == delimiter:
                    break
                lines.append(raw)
            token = self.tokens[index]
            self.tokens[index] = Token(token.kind, token.text, token.line, "\n".join(lines))
        self.pending.clear()


def tokenize(text: str) -> tuple[list[Token], Optional[str]]:
    """Words (quotes kept), operators, newlines and redirects; heredoc bodies ride on their redirect;
    and what is wrong with the quoting, if anything."""
    lexer = _Lexer(text)
    return lexer.run(), lexer.problem


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Optional[Token]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def word_is(self, *texts: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text in texts

    def skip_separators(self) -> None:
        while True:
            token = self.peek()
            if token is None or not (token.kind == "newline" or (token.kind == "op" and token.text in (";", "&"))):
                return
            self.pos += 1

    def parse_list(self, closers: frozenset[str], close_ops: frozenset[str] = frozenset()) -> list[Node]:
        """Commands up to (not including) a closing keyword or operator, or the end."""
        nodes: list[Node] = []
        while True:
            self.skip_separators()
            token = self.peek()
            if token is None:
                return nodes
            if token.kind == "word" and token.text in closers:
                return nodes
            if token.kind == "op" and token.text in close_ops:
                return nodes
            before = self.pos
            node = self.parse_command(closers)
            if node is not None:
                nodes.append(node)
            if self.pos == before:  # a stray token: step over it so the parse always ends
                self.pos += 1

    def expect(self, text: str) -> None:
        if self.word_is(text):
            self.pos += 1

    def parse_command(self, closers: frozenset[str]) -> Optional[Node]:
        token = self.peek()
        assert token is not None
        if token.kind == "op":
            if token.text == "(":
                self.pos += 1
                body = self.parse_list(closers - {"}"}, frozenset({")"}))
                self.pos += 1
                return Group(body, token.line)
            if token.text in ("&&", "||", "|", "|&"):
                self.pos += 1
                return None
            return None
        if token.kind == "redirect":
            self.pos += 1
            return None
        text = token.text
        if text == "if":
            return self.parse_if(token.line)
        if text in ("while", "until"):
            self.pos += 1
            head = self.parse_list(frozenset({"do"}))
            return self.loop_body(head, token.line)
        if text in ("for", "select"):
            while self.peek() is not None and not self.word_is("do"):
                self.pos += 1
            return self.loop_body([], token.line)
        if text == "case":
            return self.parse_case(token.line)
        if text in ("{", "!"):
            self.pos += 1
            if text == "!":
                return None
            body = self.parse_list(_CLOSERS)
            self.expect("}")
            return Group(body, token.line)
        if text == "function":
            self.pos += 1
            name = self.peek()
            if name is None:
                return None
            self.pos += 1
            return self.function_body(name.text, token.line)
        if self._is_function_head():
            self.pos += 3
            return self.function_body(text, token.line)
        return self.simple(closers)

    def _is_function_head(self) -> bool:
        ahead = self.tokens[self.pos + 1 : self.pos + 3]
        return [t.text for t in ahead] == ["(", ")"] and all(t.kind == "op" for t in ahead)

    def function_body(self, name: str, line: int) -> Function:
        if self.peek() is not None and self.tokens[self.pos].text == "(":
            self.pos += 2
        self.skip_separators()
        token = self.peek()
        body: list[Node] = []
        if token is not None:
            node = self.parse_command(_CLOSERS)
            if isinstance(node, Group):
                body = node.body
            elif node is not None:
                body = [node]
        return Function(name.rstrip("()"), body, line)

    def loop_body(self, head: list[Node], line: int) -> Loop:
        self.expect("do")
        body = self.parse_list(_CLOSERS)
        self.expect("done")
        return Loop(head, body, line)

    def parse_if(self, line: int) -> If:
        branches: list[tuple[list[Node], list[Node]]] = []
        orelse: list[Node] = []
        self.pos += 1  # if
        while True:
            condition = self.parse_list(frozenset({"then"}) | _CLOSERS)
            self.expect("then")
            body = self.parse_list(_CLOSERS)
            branches.append((condition, body))
            if self.word_is("elif"):
                self.pos += 1
                continue
            if self.word_is("else"):
                self.pos += 1
                orelse = self.parse_list(_CLOSERS)
            self.expect("fi")
            return If(branches, orelse, line)

    def parse_case(self, line: int) -> Case:
        self.pos += 1  # case
        token = self.peek()
        word = token.text if token is not None else ""
        self.pos += 1
        self.skip_separators()
        self.expect("in")
        items: list[tuple[list[str], list[Node]]] = []
        while True:
            self.skip_separators()
            token = self.peek()
            if token is None or self.word_is("esac"):
                self.expect("esac")
                return Case(word, items, line)
            patterns: list[str] = []
            if token.kind == "op" and token.text == "(":
                self.pos += 1
            while (token := self.peek()) is not None and not (token.kind == "op" and token.text == ")"):
                if token.kind == "word":
                    patterns.append(token.text)
                self.pos += 1
            self.pos += 1  # )
            body = self.parse_list(frozenset({"esac"}), frozenset({";;", ";&", ";;&"}))
            token = self.peek()
            if token is not None and token.kind == "op":
                self.pos += 1
            items.append((patterns, body))

    def simple(self, closers: frozenset[str]) -> Optional[Command]:
        words: list[str] = []
        heredoc: Optional[str] = None
        line = self.tokens[self.pos].line
        while (token := self.peek()) is not None:
            if token.kind == "newline" or token.kind == "op":
                break
            if token.kind == "redirect":
                if token.heredoc is not None:
                    heredoc = token.heredoc
            else:
                words.append(token.text)
            self.pos += 1
        return Command(words, line, heredoc) if words or heredoc is not None else None


def parse_shell(text: str) -> tuple[list[Node], Optional[str]]:
    """The syntax tree of a shell script or command line, and a quoting problem; never raises."""
    tokens, problem = tokenize(text)
    if problem:
        return [], f"could not split the shell command: {problem}"
    return _Parser(tokens).parse_list(frozenset()), None
