"""Walk a shell syntax tree as the shell would: the branch `$1` selects, functions, shift, eval, exec."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.targets.shell import expand_word
from importaudit.targets.shell_syntax import Case, Command, Function, Group, If, Loop, Node, parse_shell

# Runs one simple command (fields expanded, its line, a heredoc fed to it, `certain` = it surely runs).
RunCommand = Callable[[list[str], int, Optional[str], bool], None]

_MAX_CALLS = 8
# Functions that call functions can make a walk exponential: past this many commands the rest of
# the script is not followed (and a note says so).
_MAX_STEPS = 3000
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_TESTS = {"[": "]", "test": "", "[[": "]]"}


@dataclass
class Walker:
    """One script's run: its positional arguments, variables (shared with the caller) and functions."""

    env: dict[str, str]
    args: list[str]
    run: RunCommand
    where: str  # the script (or descriptor) the notes name
    zero: str = "sh"  # $0: the script's name, or what `sh -c TEXT NAME` was given
    notes: list[str] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
    calls: int = 0
    steps: int = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def walk(self, nodes: Sequence[Node], certain: bool = True) -> bool:
        """Run `nodes` in order; True when a command that surely ran ended the script (exec, exit)."""
        # any() stops at the first node that ends the script, as the shell does.
        return any(self.node(node, certain) for node in nodes)

    def node(self, node: Node, certain: bool) -> bool:
        self.steps += 1
        if self.steps > _MAX_STEPS:
            if self.steps == _MAX_STEPS + 1:
                self.note(
                    f"{self.where}: followed its first {_MAX_STEPS} commands (calls included); the rest is not"
                )
            return False
        if isinstance(node, Command):
            return self.command(node, certain)
        if isinstance(node, Function):
            self.functions[node.name] = node
            return False
        if isinstance(node, Group):
            return self.walk(node.body, certain)
        if isinstance(node, Loop):
            # A loop body runs zero or more times: followed once, never the end of the script.
            self.walk(node.head, False)
            self.walk(node.body, False)
            return False
        if isinstance(node, If):
            return self.branch_if(node, certain)
        return self.branch_case(node, certain)

    def fields(self, words: Sequence[str]) -> list[str]:
        return [item for word in words for item in expand_word(word, self.env, self.args, self.zero)]

    def command(self, node: Command, certain: bool) -> bool:
        # The value of an assignment is not split into words (`CMD=${@:2}` keeps all of them).
        count = next((i for i, word in enumerate(node.words) if not _ASSIGNMENT.match(word)), len(node.words))
        fields = [" ".join(self.fields([word])) for word in node.words[:count]] + self.fields(node.words[count:])
        if not fields:
            return False
        name = fields[0]
        if name in self.functions and self.calls < _MAX_CALLS:
            saved, self.args = self.args, fields[1:]
            self.calls += 1
            try:
                return self.walk(self.functions[name].body, certain)
            finally:
                self.args, self.calls = saved, self.calls - 1
        if name == "shift":
            count = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 1
            del self.args[:count]
            return False
        if name == "set":
            if "--" in fields:
                self.args[:] = fields[fields.index("--") + 1 :]
            return False
        if name == "eval" and self.calls < _MAX_CALLS:
            self.calls += 1
            try:
                nodes, problem = parse_shell(" ".join(fields[1:]))
                if problem:
                    self.note(f"{problem} (eval at {self.where}:{node.line})")
                return self.walk(nodes, certain)
            finally:
                self.calls -= 1
        if name in ("exit", "return"):
            return certain
        if not certain and all(_ASSIGNMENT.match(item) for item in fields):
            # A branch that may not run does not replace a value already known (n=$((n+1)) in
            # a getopts loop); a variable nothing set before takes the branch's value.
            fields = [item for item in fields if item.split("=", 1)[0] not in self.env]
            if not fields:
                return False
        self.run(fields, node.line, node.heredoc, certain)
        return certain and name == "exec" and len(fields) > 1

    def test(self, condition: Sequence[Node]) -> Optional[bool]:
        """The value of `[ A = B ]`, `test -z A`... when every operand is known; None otherwise."""
        if len(condition) != 1 or not isinstance(condition[0], Command):
            return None
        fields = self.fields(condition[0].words)
        negate = fields[:1] == ["!"]
        fields = fields[1:] if negate else fields
        if not fields or fields[0] not in _TESTS:
            return None
        close = _TESTS[fields[0]]
        operands = fields[1 : -1 if close and fields[-1:] == [close] else None]
        if any("$" in operand or "`" in operand for operand in operands):
            return None
        value: Optional[bool] = None
        if len(operands) == 3 and operands[1] in ("=", "==", "!="):
            value = (operands[0] == operands[2]) != (operands[1] == "!=")
        elif len(operands) == 2 and operands[0] in ("-z", "-n"):
            value = (operands[1] == "") == (operands[0] == "-z")
        elif len(operands) == 3 and operands[1] in ("-eq", "-ne") and all(o.isdigit() for o in operands[::2]):
            value = (int(operands[0]) == int(operands[2])) != (operands[1] == "-ne")
        if value is None:
            return None
        return value != negate

    def branch_if(self, node: If, certain: bool) -> bool:
        sure = certain
        for condition, body in node.branches:
            value = self.test(condition)
            if value is False:
                continue
            if value is True:
                return self.scoped(body, sure)
            self.walk(condition, False)
            self.scoped(body, False)
            sure = False
        return self.scoped(node.orelse, sure)

    def branch_case(self, node: Case, certain: bool) -> bool:
        value = self.fields([node.word])
        word = value[0] if value else ""
        if "$" not in word and "`" not in word:
            for patterns, body in node.items:
                if any(fnmatch.fnmatchcase(word, "".join(self.fields([p])) or "") for p in patterns):
                    return self.walk(body, certain)
            return False
        self.note(
            f"could not tell which branch of `case {node.word}` ({self.where}:{node.line}) runs: "
            "every branch followed"
        )
        for _, body in node.items:
            self.scoped(body, False)
        return False

    def scoped(self, body: Sequence[Node], certain: bool) -> bool:
        """A branch that may not run does not change the arguments for what follows it."""
        if certain:
            return self.walk(body, True)
        saved = list(self.args)
        self.walk(body, False)
        self.args = saved
        return False
