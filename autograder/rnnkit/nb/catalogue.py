"""Read a catalogue of student answers: one Python file per typical mistake or alternative solution.

A catalogue file (``tests/mistakes/<assignment>/<slug>.py``, ``tests/correct/<assignment>/...``)
is a small module written like a student's answers::

    \"\"\"Ignores h0: the loop starts from zeros.

    loses: rnn_forward
    mistake: forward.ignores_h0
    \"\"\"

    import numpy as np

    def rnn_forward(x, h0, params): ...

The docstring's first line describes the answer; ``loses:`` names the functions that must lose
points, and their feedback must name the mistake: ``mistake:`` gives its id in the assignment's
registry (rnnkit.assignments.<a>.mistakes), whose message must appear, or, for what the grader
itself diagnoses (state kept between calls, modified arguments, shapes), ``feedback:`` gives a
substring. ``costs backward: yes`` marks a forward mistake after which a right backward loses
points too: its caches are unusable, or the forward ignores an input the reference responds to,
so a zero gradient there earns nothing (rnnkit.grading.judge); ``hidden only: yes`` one that
only calls like a course's show (state kept between calls, inputs at the edges), which the
public checks, calling each function once or twice on fresh inputs, may miss. All are absent for
correct answers.

Every top-level function becomes the code of one answer cell, made self-contained:
the module's imports come first, then any top-level class or assignment the function uses by
name (e.g. a cache class), then the function itself. Functions the file does not define are
meant to be taken from the reference solution.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("loses", "mistake", "feedback", "costs backward", "hidden only")


@dataclass(frozen=True)
class Entry:
    """One catalogue file: what it is, how it must be graded, and its code per function."""

    slug: str
    description: str
    loses: tuple[str, ...]
    mistake: str | None
    feedback: str | None
    costs_backward: bool
    hidden_only: bool
    code_by_function: dict[str, str]


def load_entries(folder: Path) -> list[Entry]:
    """Every ``*.py`` file of ``folder`` (not ``_``-prefixed) as an Entry, sorted by slug."""
    return [load_entry(path) for path in sorted(Path(folder).glob("*.py"))
            if not path.name.startswith("_")]


def load_entry(path: Path) -> Entry:
    """One catalogue file as an Entry; a ValueError says what is wrong with a malformed one."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    module = ast.parse(source, filename=str(path))
    docstring = ast.get_docstring(module)
    if not docstring:
        raise ValueError(f"{path}: a catalogue file starts with a docstring describing it")
    fields = _fields(docstring)
    body = [node for node in module.body if not _is_docstring(node)]
    earlier = [node for node in body if _takes_from_a_solution(node)]
    imports = [_segment(source, node) for node in body
               if isinstance(node, ast.Import | ast.ImportFrom) and node not in earlier]
    helpers = {name: _segment(source, node) for node in body
               if isinstance(node, ast.ClassDef | ast.Assign | ast.AnnAssign)
               for name in _defined_names(node)}
    code = _taken_functions(path, earlier)
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            needed = list(dict.fromkeys(helpers[name] for name in helpers if name in used))
            code[node.name] = "\n\n".join(
                part for part in ("\n".join(imports), *needed, _segment(source, node)) if part
            ) + "\n"
    if not code:
        raise ValueError(f"{path}: defines no top-level function")
    loses = tuple(name.strip() for name in fields.get("loses", "").split(",") if name.strip())
    return Entry(slug=path.stem, description=docstring.splitlines()[0].strip(), loses=loses,
                 mistake=fields.get("mistake") or None, feedback=fields.get("feedback") or None,
                 costs_backward=fields.get("costs backward") == "yes",
                 hidden_only=fields.get("hidden only") == "yes", code_by_function=code)


def _takes_from_a_solution(node: ast.stmt) -> bool:
    """Whether the statement is ``from solutions.<assignment> import ...``: a solution that
    builds on an earlier assignment's functions (applications on rnn's)."""
    return isinstance(node, ast.ImportFrom) and node.level == 0 \
        and (node.module or "").startswith("solutions.")


def _taken_functions(path: Path, imports: list[ast.ImportFrom]) -> dict[str, str]:
    """function -> answer cell, for the functions the file takes from an earlier assignment's
    solution: in a notebook the student pastes them into answer cells of their own, so they
    are cells here too, with their code from that solution's file."""
    code = {}
    for node in imports:
        file = path.parent / f"{node.module.removeprefix('solutions.')}.py"
        cells = load_entry(file).code_by_function
        for alias in node.names:
            if alias.name not in cells:
                raise ValueError(f"{path}: {file} defines no function {alias.name}")
            code[alias.asname or alias.name] = cells[alias.name]
    return code


def _fields(docstring: str) -> dict[str, str]:
    """``name: value`` lines of the docstring, for the names in ``FIELDS``."""
    fields = {}
    for line in docstring.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() in FIELDS:
            fields[name.strip()] = value.strip()
    return fields


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.ClassDef):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)]


def _segment(source: str, node: ast.stmt) -> str:
    """The source text of a statement, decorators included."""
    text = ast.get_source_segment(source, node) or ""
    decorators = getattr(node, "decorator_list", [])
    return "".join(f"@{ast.get_source_segment(source, d)}\n" for d in decorators) + text
