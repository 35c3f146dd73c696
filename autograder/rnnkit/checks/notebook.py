"""``rnnkit check NOTEBOOK``: every public check of a notebook at once, from a terminal.

The notebook's set-up cells (tagged ``setup``) and answer cells (nbgrader ``solution`` cells)
run in one namespace, in notebook order, as Jupyter runs them; then each public check of the
assignment runs on the functions they define and prints what it prints in the notebook, in the
notebook's language. Nothing else runs (no figures, no training), so it takes seconds.

This is the student's tool on the student's own code: the cells run in this process, without a
sandbox, as they would in Jupyter (Ctrl-C stops them). Grading is another matter: it runs
answers isolated, with the hidden tests (``rnnkit grade``, instructors only).
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from rnnkit import assignments
from rnnkit import cells as kinds
from rnnkit.checks.feedback import plain, take_verdict
from rnnkit.i18n import LANGUAGES, chosen_language, current_language, say, speaking

__all__ = ["check_notebook"]


def check_notebook(path: Path, assignment: str | None = None) -> bool:
    """Run the public checks of the notebook at ``path`` and print their reports.

    Inputs:
    - path: a notebook of the kit (a release, filled in or not).
    - assignment: its name (rnnkit.assignments); None to tell from the notebook's answer
      cells.

    Returns True when every check passes. A notebook that cannot be read, or whose assignment
    cannot be told, raises a ValueError that says so and what to do.
    """
    nb = _read(Path(path))
    lang = chosen_language() or nb.get("metadata", {}).get("rnnkit", {}).get("language")
    with speaking(lang if lang in LANGUAGES else current_language()):
        cells = [cell for cell in nb.get("cells", []) if _runs(cell)]
        checks = _checks_module(assignment or _assignment_of(cells, path))
        namespace: dict[str, Any] = {"__name__": "__main__"}
        for cell in cells:
            _run_cell(cell, namespace)
        passed = [_run_check(getattr(checks, name), namespace) for name in checks.__all__]
        print("\n" + say(es="{ok} de {total} comprobaciones públicas pasan.",
                         en="{ok} of {total} public checks pass.",
                         ok=sum(passed), total=len(passed)))
    return all(passed)


def _read(path: Path) -> dict[str, Any]:
    """The notebook at ``path`` as a dict; a ValueError names what is wrong with it.

    Plain JSON and the few fields ``rnnkit check`` reads (format 4, a list of cells), not
    nbformat: its schema validator takes a second to import, longer than the checks run.
    """
    if not path.is_file():
        raise ValueError(f"no notebook at {path}: check the path")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        _expect_notebook(nb)
    except Exception as error:  # not JSON, not a notebook, unreadable: all one answer
        raise ValueError(f"{path} is not a notebook Jupyter can open ({type(error).__name__}: "
                         f"{error}): open it in Jupyter and save it again") from None
    return nb


def _expect_notebook(nb: Any) -> None:
    """Raise ValueError unless ``nb`` has the shape of a Jupyter notebook of format 4."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("it has no list of cells")
    if nb.get("nbformat") != 4:
        raise ValueError(f"its format is {nb.get('nbformat')!r}, not 4")
    if not all(isinstance(cell, dict) for cell in nb["cells"]) or not isinstance(
            nb.get("metadata", {}), dict):
        raise ValueError("its cells or metadata are not JSON objects")


def _runs(cell: dict[str, Any]) -> bool:
    """Whether ``rnnkit check`` runs ``cell``: a set-up cell or an answer cell."""
    return cell.get("cell_type") == "code" and (kinds.is_setup(cell) or kinds.is_answer(cell))


def _assignment_of(cells: list[dict[str, Any]], path: Path) -> str:
    """The assignment whose graded functions cover the most of the notebook's answer cells
    (told from the assignments' specs: importing every assignment's checks would cost more)."""
    answers = {kinds.grade_id(cell).removeprefix(kinds.ANSWER_PREFIX) for cell in cells}
    known = assignments.names()
    covered = {name: len(answers & set(assignments.get(name).functions)) for name in known}
    best = max(known, key=covered.__getitem__)
    if not covered[best]:
        raise ValueError(f"{path} has none of the answer cells of {' or '.join(known)}: "
                         f"is it a notebook of the kit? If it is, pass --assignment")
    return best


def _checks_module(assignment: str) -> ModuleType:
    return importlib.import_module(f"{assignments.get(assignment).module}.checks")


def _run_cell(cell: dict[str, Any], namespace: dict[str, Any]) -> None:
    """Run one cell in ``namespace``; an error becomes one line and the next cells still run."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "") or "setup"
    try:
        exec(compile(source, f"<{name}>", "exec"), namespace)
    except (Exception, SystemExit) as error:  # the student's cell may fail in any way
        where = say(es=" (línea {n})", en=" (line {n})", n=error.lineno) if isinstance(
            error, SyntaxError) and error.lineno else ""
        print(plain("✗ " + say(es="La celda {cell} no se ejecuta: {kind}: {text}{where}.",
                               en="The cell {cell} does not run: {kind}: {text}{where}.",
                               cell=name, kind=type(error).__name__, text=error,
                               where=where)))


def _run_check(check: Any, namespace: dict[str, Any]) -> bool:
    """Run one public check on the functions of ``namespace`` its parameters name (they are
    named after the notebook's functions); True when it passes."""
    function = check.__name__.removeprefix("check_")
    print(f"\n[{function}]")
    needed = list(inspect.signature(check).parameters)
    missing = [name for name in needed if not callable(namespace.get(name))]
    if missing:
        print("✗ " + say(
            es="El cuaderno no define {names}: ¿falta su celda de respuesta, o no se ejecuta?",
            en="The notebook does not define {names}: is its answer cell missing, or does it "
               "not run?", names=", ".join(missing)))
        return False
    try:
        check(*(namespace[name] for name in needed))
    except SystemExit:  # the student's function called exit(): the other checks still run
        print("✗ " + say(es="{fn} terminó el programa (exit()).",
                         en="{fn} ended the program (exit()).", fn=function))
        return False
    return bool(take_verdict(function))
