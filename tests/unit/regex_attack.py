"""Every regular expression of the layer, and its worst inputs (used by
``test_regex_backtracking``; run as a module it is the worker that matches them).

Found two ways, so neither a compiled pattern nor an inline call is missed: every module-level
``re.Pattern`` of every module of ``intake`` (lists and tuples of them too, e.g. the field
labels), and every ``re.match/search/sub/...`` call whose pattern is a string written in the
source. The attack inputs come from the pattern's own parse (``re._parser``): each literal
character and each character class it uses, repeated to 100 KB, alone and in pairs, ended by
a character nothing matches, which is what makes a backtracking engine try every way to split
the run before it gives up.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import pkgutil
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import intake

SIZE = 100_000
FAIL = "\x00"
_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "7",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": " ",
}
# Worst inputs a run of single characters does not reach: a list whose separators could be
# read several ways ("0, and  0, and  0 ..."), found by reading the pattern (prefix, the unit
# repeated to 100 KB, suffix).
WORST: dict[str, tuple[str, str, str]] = {
    "intake.therapy.prescription._UNIT_FIRST_RE": ("weeks 0", ", and  0", " x"),
    "intake.therapy.prescription._UNIT_LAST_RE": ("0", ", and  0", " x"),
    "intake.therapy.prescription._EVERY_RE": ("every 2", " ", "x"),
    "intake.referrals.values._ADDRESS": ("1 Main St, ", "a ", "x"),
    "intake.referrals.fields._PHONE_IN_TEXT": ("", "1 ", "x"),
}
_CALLS = {"compile", "match", "search", "sub", "subn", "fullmatch", "findall", "finditer", "split"}


@dataclass(frozen=True)
class Case:
    where: str
    pattern: str
    flags: int
    binary: bool


def _compiled(value: Any) -> list[re.Pattern[Any]]:
    if isinstance(value, re.Pattern):
        return [value]
    if isinstance(value, list | tuple | dict):
        items = value.values() if isinstance(value, dict) else value
        return [p for item in items for p in _compiled(item)]
    return []


def cases() -> list[Case]:
    found: dict[tuple[str, int, bool], Case] = {}
    root = Path(intake.__file__).parent
    for info in pkgutil.walk_packages(intake.__path__, "intake."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            for p in _compiled(value):
                key = (str(p.pattern), p.flags, isinstance(p.pattern, bytes))
                pattern = p.pattern.decode("latin-1") if key[2] else p.pattern
                found.setdefault(key, Case(f"{info.name}.{name}", pattern, p.flags, key[2]))
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in _CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            pattern = node.args[0].value
            flags = re.compile(pattern).flags
            if len(node.args) > 2 and isinstance(node.args[-1], ast.Attribute):
                flags |= getattr(re, node.args[-1].attr, 0)
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            found.setdefault((pattern, flags, False), Case(where, pattern, flags, False))
    return list(found.values())


def _atoms(pattern: str, flags: int) -> list[str]:
    """One character per literal and per class the pattern uses (in the order it uses them)."""
    from re import _parser  # type: ignore[attr-defined]

    atoms: list[str] = []

    def walk(items: Any) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                atoms.append(chr(arg))
            elif name == "IN":
                for sub_op, sub_arg in arg:
                    sub = str(sub_op)
                    if sub == "LITERAL":
                        atoms.append(chr(sub_arg))
                        break
                    if sub == "RANGE":
                        atoms.append(chr(sub_arg[0]))
                        break
                    if sub == "CATEGORY":
                        atoms.append(_CATEGORY_SAMPLES.get(str(sub_arg), "a"))
                        break
            elif name == "ANY":
                atoms.append("a")
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                walk(arg[2])
            elif name == "SUBPATTERN":
                walk(arg[-1])
            elif name == "ATOMIC_GROUP":
                walk(arg)
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(arg[1])
            elif name == "GROUPREF_EXISTS":
                walk(arg[1])
                if arg[2] is not None:
                    walk(arg[2])

    walk(_parser.parse(pattern, flags & ~re.ASCII & ~re.LOCALE))
    seen = dict.fromkeys(a for a in atoms if a != FAIL)
    return list(seen)[:10]


def attacks(case: Case) -> list[str]:
    """Runs of each atom and of each pair of atoms, 100 KB long, ended by a character that
    matches nothing (and the same run with a space before the end, for ``\\b``/``$``)."""
    atoms = _atoms(case.pattern, case.flags)
    units = atoms + ["".join(pair) for pair in itertools.combinations(atoms, 2)]
    units += [a + " " for a in atoms]
    texts = [(unit * (SIZE // len(unit) + 1))[:SIZE] + FAIL for unit in units]
    if case.where in WORST:
        prefix, unit, suffix = WORST[case.where]
        texts.append(prefix + unit * (SIZE // len(unit)) + suffix)
    return texts


def main() -> None:
    """The worker: for each case on stdin, ``start i``, then ``tick i`` after each attack
    (the parent's wait restarts on every line, so a slow machine only slows it down; an attack
    that backtracks never says its ``tick``), then ``done i``."""
    todo = [Case(**c) for c in json.loads(sys.stdin.readline())]
    first = int(sys.argv[1])
    for i, case in enumerate(todo[first:], start=first):
        print(f"start {i}", flush=True)
        raw = case.pattern.encode("latin-1") if case.binary else case.pattern
        pattern = re.compile(raw, case.flags)
        for text in attacks(case):
            subject: Any = text.encode("latin-1", "replace") if case.binary else text
            pattern.search(subject)
            for _ in itertools.islice(pattern.finditer(subject), 1000):
                pass
            print(f"tick {i}", flush=True)
        print(f"done {i}", flush=True)


def dump(found: list[Case]) -> str:
    return json.dumps([asdict(c) for c in found])


if __name__ == "__main__":
    main()
