"""Read a submitted notebook defensively and take out what grading runs: the answer cells the
manifest names, and the definitions of the cells the student added.

A submission is untrusted input: it may be huge, not JSON, not UTF-8, in an old format, or have
answer cells deleted, duplicated or retyped. None of that raises: each problem becomes a note for
the student and the affected answers are simply missing (they then earn no points). An answer
cell retyped as markdown is still graded as code, as nbgrader does (it restores the cell type).

Grading cells and points in a submission play no part in grading; when they were deleted,
edited or given other points, a note says so (the instructor sees the attempt).

Every string taken from the file passes through rnnkit.kit.untrusted: a note shows cell fields
cleaned, and answer sources can always be written back as UTF-8 (see ``clean_code``).

Cells the student added run too, in notebook order with the answer cells, but only their
definitions (see ``_split``): a helper function written in a cell of its own works as in a
notebook, and the demo code around it does not run. The release's own cells (tools, figures,
checks, grading cells, demos; the set-up cells run from the instructor's copy) never run:
:class:`Release` recognises them. A name that a student's function needs but that only code
which does not run defines gets a hint for its NameError (``Submission.not_run``).
"""

from __future__ import annotations

import ast
import collections
import json
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnkit.i18n import LANGUAGES, say
from rnnkit.kit.untrusted import clean, clean_code
from rnnkit.nb.language import localize_source

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_CELL_CHARS = 200_000
MAX_PARSED_CHARS = 500_000
"""Characters the grader parses itself (to find definitions and names), over all cells of a
notebook: about a second of its own time. Memory is bounded per cell (MAX_CELL_CHARS)."""


@dataclass(frozen=True)
class CodeCell:
    """A cell of the submission that runs, after the instructor's set-up cells.

    - cell_id: its name in the sandbox and in tracebacks: an answer cell's grade_id, or
      "added cell 12" (12: its position in the notebook, counting every cell from 1).
    - code: what runs: an answer cell whole; of a cell the student added, only its
      definitions (see ``_split``), each on the lines where the student wrote it.
    - where: how feedback names the cell, e.g. "cell 12 (`def helper(x):`)".
    - defines: the names its code binds at the top level (as far as reading it tells).
    - added: whether the student added it (else it is an answer cell).
    """

    cell_id: str
    code: str
    where: str
    defines: frozenset[str]
    added: bool


@dataclass(frozen=True)
class SubmittedNotebook:
    """A submitted file, read once (:func:`load_notebook`) and handed down from there.

    - nb: the parsed JSON object, None when the file is not one.
    - size: its size in bytes.
    - problem: when ``nb`` is None, what to tell the student, said in the language in force
      when it is called (the notebook's own language is known only after reading it).
    """

    nb: dict[str, Any] | None
    size: int
    problem: Callable[[], str] | None

    @property
    def language(self) -> str | None:
        """The language it was released in (its ``rnnkit.language`` metadata), if one of the
        kit's. Untrusted, but it only chooses between the kit's languages for feedback."""
        metadata = self.nb.get("metadata") if self.nb is not None else None
        rnnkit = metadata.get("rnnkit") if isinstance(metadata, dict) else None
        lang = rnnkit.get("language") if isinstance(rnnkit, dict) else None
        return lang if isinstance(lang, str) and lang in LANGUAGES else None


@dataclass
class Submission:
    """What grading takes from a notebook.

    - answers: grade_id -> code of the answer cells found (of several copies, the first).
    - cells: the answer cells and the cells the student added, in notebook order: what runs.
    - not_run: name -> what to tell a student whose function fails because ``name`` is not
      defined (NameError), when only code that does not run defines it: a statement of a cell
      they added, a cell of the release, a markdown cell, a copy of an answer cell.
    - notes: problems found, for the student.
    - grade_ids: every nbgrader grade_id in the notebook (to recognise another assignment's).
    """

    answers: dict[str, str] = field(default_factory=dict)
    cells: list[CodeCell] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    grade_ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Release:
    """The cells of the released notebook other than its answer cells: set-up, tools, figures,
    checks, grading cells, demos. A cell of a submission is the release's when it has the cell
    id or the nbgrader grade_id of one of them, or its code unchanged (in any language of the
    kit); the release's cells never run. Metadata is the student's to edit, but it can only
    make a cell of theirs count as the release's, which stops its definitions from running.
    """

    cell_ids: frozenset[str] = frozenset()
    grade_ids: frozenset[str] = frozenset()
    code: frozenset[str] = frozenset()

    @classmethod
    def of_source(cls, source_cells: Iterable[dict[str, Any]],
                  answer_ids: Iterable[str]) -> Release:
        """The release cells among the cells of the bilingual source notebook (the kit's
        file, as parsed JSON); ``answer_ids``: the grade_ids of its answer cells, which are
        the student's."""
        answers = set(answer_ids)
        cells = [c for c in source_cells if _grade_id(c) not in answers]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        return cls(frozenset(c["id"] for c in cells if isinstance(c.get("id"), str)),
                   frozenset(filter(None, map(_grade_id, cells))),
                   frozenset(_normal(_HIDDEN_TESTS.sub("", localize_source(text, lang)))
                             for text in code for lang in LANGUAGES))

    def holds(self, cell: dict[str, Any], code: str) -> bool:
        """Whether ``cell`` (of a submission, with source ``code``) is one of these cells."""
        cell_id = cell.get("id")
        return ((isinstance(cell_id, str) and cell_id in self.cell_ids)
                or _grade_id(cell) in self.grade_ids or _normal(code) in self.code)


def read_submission(notebook: SubmittedNotebook | Path | bytes, answer_ids: tuple[str, ...],
                    grading_points: Mapping[str, float] | None = None,
                    release: Release | None = None) -> Submission:
    """The answer cells ``answer_ids`` of a submitted notebook (read already, or its file or
    bytes) and the definitions of the cells the student added (``Submission.cells``), with
    notes on any problem.

    ``grading_points`` (grade_id -> points of the instructor's grading cells), when given, adds
    a note if the submission's grading cells or points differ from the instructor's.
    ``release`` tells the release's own cells apart (None: every code cell that is not an
    answer cell counts as one the student added).
    """
    if not isinstance(notebook, SubmittedNotebook):
        notebook = load_notebook(notebook)
    submission = Submission()
    cells = _cells(notebook, submission.notes)
    if cells is None:
        return submission
    with_grade_id: dict[str, list[dict]] = {}  # grade_id -> its cells, in order
    for cell in cells:
        grade_id = _grade_id(cell)
        if grade_id is not None:
            with_grade_id.setdefault(grade_id, []).append(cell)
    submission.grade_ids = set(with_grade_id)
    graded: dict[int, str] = {}  # id() of the cell graded as each answer -> its grade_id
    for grade_id in answer_ids:
        found = with_grade_id.get(grade_id, [])
        if not found:
            submission.notes.append(say(
                es="Falta la celda de respuesta `{id}` (¿la borraste o cambiaste sus "
                   "metadatos?): sus funciones solo cuentan si las define una celda que "
                   "añadiste.",
                en="The answer cell `{id}` is missing (deleted, or its metadata changed?): its "
                   "functions count only if a cell you added defines them.",
                id=grade_id))
            continue
        if len(found) > 1:
            submission.notes.append(say(
                es="La celda `{id}` aparece {n} veces: solo se califica la primera.",
                en="The cell `{id}` appears {n} times: only the first one is graded.",
                id=grade_id, n=len(found)))
        code = _source(found[0])
        if code is None:
            submission.notes.append(say(
                es="La celda `{id}` no contiene texto legible o es demasiado larga.",
                en="The cell `{id}` holds no readable text or is too long.", id=grade_id))
            continue
        if found[0].get("cell_type", "code") != "code":
            submission.notes.append(say(
                es="La celda de respuesta `{id}` se convirtió en una celda {kind}: se califica "
                   "como código, igual que hace nbgrader; vuelve a hacerla de código.",
                en="The answer cell `{id}` was turned into a {kind} cell: it is graded as code, "
                   "as nbgrader does; turn it back into a code cell.",
                id=grade_id, kind=_field(found[0].get("cell_type"), 20)))
        submission.answers[grade_id] = code
        graded[id(found[0])] = grade_id
    _take_cells(cells, graded, set(answer_ids), release or Release(), submission)
    if grading_points is not None:
        changes = _grading_changes(cells, with_grade_id, grading_points)
        if changes:
            submission.notes.append(say(
                es="Se modificaron las celdas de calificación del cuaderno ({changes}); no cambia "
                   "nada: la nota sale de las pruebas y los puntos del profesor.",
                en="The notebook's grading cells were changed ({changes}); this changes nothing: "
                   "grades come from the instructor's own tests and points.",
                changes="; ".join(changes)))
    return submission


# --- the cells that run, and where the names that do not run are ---------------------------


def _take_cells(cells: list[dict], graded: dict[int, str], answer_ids: set[str],
                release: Release, submission: Submission) -> None:
    """Fill ``submission.cells`` and ``submission.not_run`` from the notebook's cells."""
    not_run: dict[str, str] = {}  # name -> hint, from the first place that binds it
    budget = _ParseBudget()
    for position, cell in enumerate(cells, 1):
        code = _source(cell)
        where = _where(position, code)
        grade_id = graded.get(id(cell))
        is_code = cell.get("cell_type", "code") == "code"
        if grade_id is not None:
            tree = budget.parse(submission.answers[grade_id])
            submission.cells.append(CodeCell(grade_id, submission.answers[grade_id], where,
                                             _binds(tree.body if tree else []), added=False))
        elif code is None:
            if is_code and _grade_id(cell) not in answer_ids:  # those have a note already
                submission.notes.append(say(
                    es="{where} no contiene texto legible o es demasiado larga: no se ejecuta.",
                    en="{where} holds no readable text or is too long: it does not run.",
                    where=_capitalized(where)))
        elif _grade_id(cell) in answer_ids:
            _record(not_run, budget.parse(code),
                    es="`{name}` se define en {where}, una copia de la celda de respuesta `{id}` "
                       "que no se califica: solo cuenta la primera copia.",
                    en="`{name}` is defined in {where}, a copy of the answer cell `{id}` that is "
                       "not graded: only the first copy counts.",
                    where=where, id=_field(_grade_id(cell), 80))
        elif not is_code:
            _record(not_run, budget.parse(code),
                    es="`{name}` se define en {where}, una celda de tipo {kind}, que nunca se "
                       "ejecuta: conviértela en una celda de código.",
                    en="`{name}` is defined in {where}, a {kind} cell, which never runs: turn it "
                       "into a code cell.",
                    where=where, kind=_field(cell.get("cell_type"), 20))
        elif release.holds(cell, code):
            _record(not_run, budget.parse(code),
                    es="`{name}` se define en {where}, una celda del enunciado, que no se ejecuta "
                       "al calificar (solo se ejecutan las celdas de respuesta y las que "
                       "añadiste): define lo que usan tus funciones en una celda de respuesta o "
                       "en una tuya.",
                    en="`{name}` is defined in {where}, a cell of the assignment, which does not "
                       "run when grading (only the answer cells and the cells you added do): "
                       "define what your functions use in an answer cell or in a cell of your "
                       "own.",
                    where=where)
        else:
            _take_added(position, where, code, budget, submission, not_run)
    running = frozenset().union(*(c.defines for c in submission.cells))
    submission.not_run = {name: why for name, why in not_run.items() if name not in running}


def _take_added(position: int, where: str, code: str, budget: _ParseBudget,
                submission: Submission, not_run: dict[str, str]) -> None:
    """The definitions of a cell the student added join ``submission.cells``."""
    tree = budget.parse(code)
    if tree is None and not budget.refused and _MAGIC.search(code):
        tree = budget.parse(_without_magics(code))
    if tree is None and budget.refused:
        if not budget.told:
            budget.told = True
            submission.notes.append(say(
                es="Para encontrar definiciones se leen como mucho {n} caracteres de las celdas "
                   "del cuaderno (código y texto): las celdas que añadiste desde {where} no se "
                   "leen ni se ejecutan.",
                en="At most {n} characters of the notebook's cells (code and text) are read to "
                   "find definitions: the cells you added from {where} on are not read, and do "
                   "not run.", n=MAX_PARSED_CHARS, where=where))
        return
    if tree is None:
        submission.notes.append(say(
            es="{where} no es Python válido ({error}): no se ejecuta nada de ella.",
            en="{where} is not valid Python ({error}): nothing in it runs.",
            where=_capitalized(where), error=budget.error))
        for name in sorted(_names_at_a_glance(code)):
            not_run.setdefault(name, say(
                es="`{name}` se define en {where}, que no es Python válido: no se ejecuta nada "
                   "de ella; corrige el error (ver la nota sobre esa celda).",
                en="`{name}` is defined in {where}, which is not valid Python: nothing in it "
                   "runs; fix the error (see the note about that cell).", name=name, where=where))
        return
    kept, left_out = _split(tree.body)
    _record(not_run, left_out,
            es="`{name}` se asigna en {where} con una instrucción que no se ejecuta al calificar: "
               "de las celdas que añadiste solo se ejecutan las definiciones (def, class, import "
               "y asignaciones que no llaman a nada, como `EPS = 1e-8`). Calcúlalo dentro de la "
               "función que lo usa, o en una celda de respuesta.",
            en="`{name}` is set in {where} by a statement that does not run when grading: of the "
               "cells you added only the definitions run (def, class, import, and assignments "
               "that call nothing, such as `EPS = 1e-8`). Compute it inside the function that "
               "uses it, or in an answer cell.",
            where=where)
    if not kept:
        return
    text = _laid_out(_lines(code), kept)
    if not _same_layout(text, kept):  # never seen; if it happened, running nothing is safe
        submission.notes.append(say(
            es="No se pudieron separar las definiciones de {where}: no se ejecuta.",
            en="The definitions of {where} could not be taken apart: it does not run.",
            where=where))
        return
    cell_id = say(es="celda añadida {n}", en="added cell {n}", n=position)
    submission.cells.append(CodeCell(cell_id, text, where, _binds(kept), added=True))


def _split(statements: list[ast.stmt]) -> tuple[list[ast.stmt], list[ast.stmt]]:
    """(definitions, other statements) of the top level of a cell the student added.

    Definitions: ``def``, ``async def`` and ``class`` statements (decorators, default
    arguments and class bodies run when the definition runs, as in Python), ``import`` and
    ``from ... import``, and assignments to plain names whose value calls nothing
    (``EPS = 1e-8``, ``H, D = 4, 3``, ``act = np.tanh``, ``f = lambda z: np.tanh(z)``): no
    call, comprehension, ``await``, ``yield`` or ``:=``, but in a lambda's body. Every other
    statement is left out: ``print(...)``, ``W = np.ones(3)``, ``x = train()``, ``for``, ``if``,
    ``with``, ``try``, ``del``, ``params["W"] = ...``. What runs is the student's own code
    either way, in the sandbox; the rule keeps what a notebook does around its functions
    (demos, experiments, tests of its own) out of grading.
    """
    kept, left_out = [], []
    for statement in statements:
        (kept if _is_definition(statement) else left_out).append(statement)
    return kept, left_out


def _is_definition(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import
                  | ast.ImportFrom):
        return True
    if isinstance(statement, ast.Assign):
        return all(map(_plain_names, statement.targets)) and _calls_nothing(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return (isinstance(statement.target, ast.Name) and statement.value is not None
                and _calls_nothing(statement.annotation) and _calls_nothing(statement.value))
    return False


def _plain_names(target: ast.expr) -> bool:
    """A name, or a tuple or list of them (``H, D = ...``), possibly starred."""
    if isinstance(target, ast.Starred):
        target = target.value
    if isinstance(target, ast.Tuple | ast.List):
        return all(map(_plain_names, target.elts))
    return isinstance(target, ast.Name)


_RUNS_CODE = (ast.Call, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Await,
              ast.Yield, ast.YieldFrom, ast.NamedExpr)


def _calls_nothing(expression: ast.expr) -> bool:
    """Whether evaluating ``expression`` calls nothing (a lambda's body is not evaluated)."""
    pending: list[ast.AST] = [expression]
    while pending:
        node = pending.pop()
        if isinstance(node, _RUNS_CODE):
            return False
        if isinstance(node, ast.Lambda):
            pending += [d for d in (*node.args.defaults, *node.args.kw_defaults) if d]
        else:
            pending += ast.iter_child_nodes(node)
    return True


def _binds(statements: Iterable[ast.stmt]) -> frozenset[str]:
    """The names top-level ``statements`` bind (assigned, defined, imported), also inside
    their ``if``, ``for``, ``with`` and ``try`` blocks, but not inside functions and classes."""
    names: set[str] = set()
    pending: list[ast.AST] = list(statements)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names
                         if alias.name != "*")
        elif not isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp
                            | ast.GeneratorExp):  # those are scopes of their own
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                names.add(node.name)
            pending += ast.iter_child_nodes(node)
    return frozenset(names)


def _record(not_run: dict[str, str], found: ast.Module | list[ast.stmt] | None, *, es: str,
            en: str, **fields: object) -> None:
    """The hint ``say(es, en)`` for each name that ``found`` binds, unless one came before."""
    statements = found.body if isinstance(found, ast.Module) else found or []
    for name in sorted(_binds(statements)):
        not_run.setdefault(name, say(es=es, en=en, name=name, **fields))


def _lines(code: str) -> list[str]:
    # Python reads "\r\n" and a lone "\r" as line ends too; one kind keeps columns simple.
    return code.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _laid_out(lines: list[str], statements: list[ast.stmt]) -> str:
    """The text of ``statements`` (top-level statements of the code ``lines``), each on the
    lines it had, the other lines blank; statements that shared a line still share it. So
    tracebacks show the student's line numbers."""
    out = [""] * len(lines)
    for statement in statements:
        first, column = statement.lineno - 1, statement.col_offset
        decorators = getattr(statement, "decorator_list", None)
        if decorators:  # the statement starts at the "@" of its first decorator
            first = decorators[0].lineno - 1
            column = lines[first].encode().rfind(b"@", 0, decorators[0].col_offset)
        last = (statement.end_lineno or statement.lineno) - 1
        pieces = [line.encode() for line in lines[first:last + 1]]  # columns count bytes
        pieces[-1] = pieces[-1][:statement.end_col_offset]
        pieces[0] = pieces[0][column:]
        for row, piece in enumerate(pieces, first):
            text = piece.decode()
            out[row] = f"{out[row]}; {text}" if row == first and out[row] else text
    return "\n".join(out)


def _same_layout(text: str, statements: list[ast.stmt]) -> bool:
    """Whether ``text`` parses into ``statements`` again, on the same lines."""
    try:
        again = _parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return len(again) == len(statements) and all(
        type(a) is type(b) and (a.lineno, a.end_lineno) == (b.lineno, b.end_lineno)
        for a, b in zip(again, statements, strict=True))


def _parse(code: str) -> ast.Module:
    with warnings.catch_warnings():  # e.g. invalid escape sequences: the sandbox says so
        warnings.simplefilter("ignore")
        return ast.parse(code)


class _ParseBudget:
    """Parses cells until MAX_PARSED_CHARS characters are used up, then refuses: what a
    hostile notebook can make the grader parse stays bounded."""

    def __init__(self) -> None:
        self.left = MAX_PARSED_CHARS
        self.refused = False
        self.told = False  # whether the student was told
        self.error = ""  # why the last parse failed

    def parse(self, code: str) -> ast.Module | None:
        """``code`` parsed, or None (not Python, or the budget is used up)."""
        self.left -= len(code)
        if self.left < 0:
            self.refused = True
            return None
        tree, error = _parsed("\n".join(_lines(code)))
        if tree is None:
            self.error = error
        return tree


def _parsed(code: str) -> tuple[ast.Module | None, str]:
    """(``code`` parsed, "") or (None, why it is not Python); see _ParseCache."""
    return _parse_cache.parsed(code)


def _parsed_now(code: str) -> tuple[ast.Module | None, str]:
    try:
        return _parse(code), ""
    except SyntaxError as error:
        return None, _field(f"{error.msg}, line {error.lineno}", 200)
    except (ValueError, RecursionError, MemoryError) as error:
        return None, _field(f"{type(error).__name__}: {error}", 200)


class _ParseCache:
    """What recently parsed texts gave, so that a grading process parses each text once: a
    class's notebooks share the release's cells (the longest has about 4,400 characters).
    Bounded by the text it holds, not by a count: a tree takes about 200 bytes per character
    of its text, so ``characters`` bounds the memory (200,000: about 40 MB), whatever a hostile
    notebook holds. Longer texts than ``longest`` are parsed every time; the least recently
    used go first. The trees are only ever read."""

    def __init__(self, characters: int = 200_000, longest: int = 5_000) -> None:
        self.characters = characters
        self.longest = longest
        self.held = 0  # characters of the texts held
        self._entries: collections.OrderedDict[str, tuple[ast.Module | None, str]] = (
            collections.OrderedDict())
        self._lock = threading.Lock()  # Dask workers grade in threads

    def parsed(self, code: str) -> tuple[ast.Module | None, str]:
        with self._lock:
            found = self._entries.get(code)
            if found is not None:
                self._entries.move_to_end(code)
                return found
        found = _parsed_now(code)
        if len(code) <= self.longest:
            with self._lock:
                if code not in self._entries:
                    self._entries[code] = found
                    self.held += len(code)
                while self.held > self.characters:
                    dropped, _ = self._entries.popitem(last=False)
                    self.held -= len(dropped)
        return found


_parse_cache = _ParseCache()


# What nbgrader's release leaves out of a grading cell.
_HIDDEN_TESTS = re.compile(r"^[^\n]*BEGIN HIDDEN TESTS.*?END HIDDEN TESTS[^\n]*\n?",
                           re.MULTILINE | re.DOTALL)
_MAGIC = re.compile(r"^[%!].*$", re.MULTILINE)
_DEFINED_AT_A_GLANCE = re.compile(
    r"^(?:(?:async\s+)?def|class)\s+(\w+)|^(\w+)\s*(?::[^=\n]*)?=(?!=)", re.MULTILINE)


def _without_magics(code: str) -> str:
    """``code`` without IPython's ``%magic`` and ``!shell`` lines, which are not Python (nor
    definitions): a helper cell that starts with ``%matplotlib inline`` still counts."""
    return _MAGIC.sub("", code)


def _names_at_a_glance(code: str) -> set[str]:
    """Names that code which does not parse seems to define at its top level (for hints)."""
    return {a or b for a, b in _DEFINED_AT_A_GLANCE.findall(code)}


def _where(position: int, code: str | None) -> str:
    """How feedback names cell ``position``: by its number and its first line."""
    first = next((line.strip() for line in (code or "").splitlines() if line.strip()), "")
    if not first:
        return say(es="la celda {n}", en="cell {n}", n=position)
    if len(first) > 40:
        first = first[:40] + "…"
    return say(es="la celda {n} (`{start}`)", en="cell {n} (`{start}`)", n=position,
               start=_field(first, 80).replace("`", "'"))


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _normal(code: str) -> str:
    """Code as compared with the release's: line ends and trailing blanks do not count."""
    return "\n".join(line.rstrip() for line in _lines(code.strip()))


def _grading_changes(cells: list[dict], with_grade_id: Mapping[str, list[dict]],
                     grading_points: Mapping[str, float]) -> list[str]:
    """How the submission's grading cells and points differ from the instructor's
    (``with_grade_id``: the cells of each grade_id, in order)."""
    changes = []
    for grade_id, points in grading_points.items():
        found = with_grade_id.get(grade_id, [])
        if not found:
            changes.append(say(es="`{id}` borrada", en="`{id}` deleted", id=grade_id))
            continue
        source = _source(found[0])
        # A released grading cell is only a comment: its hidden tests are stripped out.
        if source is None or any(line.strip() and not line.lstrip().startswith("#")
                                 for line in source.splitlines()):
            changes.append(say(es="`{id}` editada", en="`{id}` edited", id=grade_id))
        claimed = _claimed_points(found[0])
        if claimed != points:
            changes.append(say(es="`{id}` con {p} puntos", en="`{id}` with {p} points",
                               id=grade_id, p=_show(claimed)))
    for cell in cells:
        grade_id = _grade_id(cell)
        claimed = _claimed_points(cell)
        if grade_id not in grading_points and claimed is not None:
            changes.append(say(es="`{id}` con {p} puntos", en="`{id}` with {p} points",
                               id=_field(grade_id or "?", 80), p=_show(claimed)))
    return changes[:20]


def _claimed_points(cell: dict[str, Any]) -> Any:
    """The points a cell's metadata claims (None when it claims none)."""
    nbgrader = _nbgrader(cell)
    if not (nbgrader.get("grade") or "points" in nbgrader):
        return None
    points = nbgrader.get("points")
    if type(points) in (int, float) and points == points:
        return float(points)
    return points


def _show(value: Any) -> str:
    return f"{value:g}" if type(value) is float else _field(repr(value), 40)


def _field(value: Any, limit: int) -> str:
    """A field of the submitted file as a note shows it: on one line, cleaned, capped."""
    return clean(value if type(value) is str else str(value), limit, one_line=True)


def load_notebook(source: Path | bytes) -> SubmittedNotebook:
    """Read a submitted notebook once, from its file or its bytes: never raises."""
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
            if size > MAX_NOTEBOOK_BYTES:  # not even read
                return SubmittedNotebook(None, size, lambda: _too_big(size))
            source = source.read_bytes()
        except OSError as error:
            reason = error.strerror or str(error)
            return SubmittedNotebook(None, 0, lambda: say(es="No se pudo leer el cuaderno: {e}.",
                                                          en="Cannot read the notebook: {e}.",
                                                          e=reason))
    size = len(source)
    if size > MAX_NOTEBOOK_BYTES:
        return SubmittedNotebook(None, size, lambda: _too_big(size))
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return SubmittedNotebook(None, size, lambda: say(
            es="El cuaderno no está en UTF-8: ábrelo y guárdalo desde Jupyter.",
            en="The notebook is not UTF-8 text: open and save it from Jupyter."))
    if not text.strip():
        return SubmittedNotebook(None, size, lambda: say(
            es="El archivo entregado está vacío: ¿falló la subida o el guardado? Entrega de "
               "nuevo tu cuaderno guardado (.ipynb).",
            en="The submitted file is empty: did the upload or the save fail? Submit your "
               "saved notebook (.ipynb) again."))
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        if not text.lstrip().startswith(("{", "[")):  # not even the start of a notebook
            return SubmittedNotebook(None, size, lambda: say(
                es="El archivo no es un cuaderno de Jupyter (¿un script .py o un PDF?): entrega "
                   "el archivo .ipynb que guarda Jupyter.",
                en="The file is not a Jupyter notebook (a .py script, or a PDF?): submit the "
                   ".ipynb file Jupyter saves."))
        reason = str(error)
        return SubmittedNotebook(None, size, lambda: say(
            es="El cuaderno no es JSON válido ({e}): ¿se editó fuera de Jupyter? Descarga de "
               "nuevo tu versión guardada.",
            en="The notebook is not valid JSON ({e}): was it edited outside Jupyter? Download "
               "your saved version again.", e=reason))
    if not isinstance(nb, dict):
        return SubmittedNotebook(None, size, lambda: say(
            es="El archivo no es un cuaderno de Jupyter.",
            en="The file is not a Jupyter notebook."))
    return SubmittedNotebook(nb, size, None)


def _too_big(size: int) -> str:
    return say(es="El cuaderno pesa {mb:.0f} MB (máximo {max} MB): borra las salidas "
                  "(Kernel → Restart & Clear Output) y vuelve a entregarlo.",
               en="The notebook is {mb:.0f} MB (at most {max} MB): clear the outputs "
                  "(Kernel → Restart & Clear Output) and submit it again.",
               mb=size / 2**20, max=MAX_NOTEBOOK_BYTES // 2**20)


def _cells(notebook: SubmittedNotebook, notes: list[str]) -> list[dict] | None:
    """The notebook's cells (dicts), or None with a note saying why there are none."""
    if notebook.problem is not None:  # then there is no notebook
        notes.append(notebook.problem())
        return None
    nb = notebook.nb
    if nb.get("nbformat") == 3 and isinstance(nb.get("worksheets"), list):
        # Format 3 keeps cells in worksheets and code in "input"; the answers are still there.
        notes.append(say(
            es="El cuaderno está en el formato antiguo 3; guárdalo desde un Jupyter actual.",
            en="The notebook is in the old format 3; save it from a current Jupyter."))
        return [dict(c, source=c.get("input", "")) for ws in nb["worksheets"]
                if isinstance(ws, dict) for c in ws.get("cells", []) if isinstance(c, dict)]
    cells = nb.get("cells")
    if not isinstance(cells, list):
        notes.append(say(es="El cuaderno no tiene celdas legibles (formato {f}).",
                         en="The notebook has no readable cells (format {f}).",
                         f=_field(nb.get("nbformat", "?"), 20)))
        return None
    return [c for c in cells if isinstance(c, dict)]


def _nbgrader(cell: dict[str, Any]) -> dict[str, Any]:
    """The cell's nbgrader metadata ({} when missing or malformed)."""
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}


def _grade_id(cell: dict[str, Any]) -> str | None:
    grade_id = _nbgrader(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def _source(cell: dict[str, Any]) -> str | None:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str) or len(source) > MAX_CELL_CHARS:
        return None
    return clean_code(source)
