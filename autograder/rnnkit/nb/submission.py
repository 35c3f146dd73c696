"""Read a submitted notebook defensively and take out only the answer cells the manifest names.

A submission is untrusted input: it may be huge, not JSON, not UTF-8, in an old format, or have
answer cells deleted, duplicated or retyped. None of that raises: each problem becomes a note for
the student and the affected answers are simply missing (they then earn no points). An answer
cell retyped as markdown is still graded as code, as nbgrader does (it restores the cell type).

Grading cells and points in a submission play no part in grading; when they were deleted,
edited or given other points, a note says so (the instructor sees the attempt).

Every string taken from the file passes through rnnkit.untrusted: a note shows cell fields
cleaned, and answer sources can always be written back as UTF-8 (see ``clean_code``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnkit.i18n import LANGUAGES, say
from rnnkit.untrusted import clean, clean_code

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_CELL_CHARS = 200_000


@dataclass
class Submission:
    """answers: grade_id -> code of the answer cells found; notes: problems, for the student."""

    answers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_submission(path: Path, answer_ids: tuple[str, ...],
                    grading_points: Mapping[str, float] | None = None) -> Submission:
    """The answer cells ``answer_ids`` of the notebook at ``path``, with notes on any problem.

    ``grading_points`` (grade_id -> points of the instructor's grading cells), when given, adds
    a note if the submission's grading cells or points differ from the instructor's.
    """
    submission = Submission()
    cells = _cells(path, submission.notes)
    if cells is None:
        return submission
    for grade_id in answer_ids:
        found = [c for c in cells if _grade_id(c) == grade_id]
        if not found:
            submission.notes.append(say(
                es="Falta la celda de respuesta `{id}` (¿la borraste?): sus funciones valen 0.",
                en="The answer cell `{id}` is missing (deleted?): its functions earn 0.",
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
    if grading_points is not None:
        changes = _grading_changes(cells, grading_points)
        if changes:
            submission.notes.append(say(
                es="Se modificaron las celdas de calificación del cuaderno ({changes}); no cambia "
                   "nada: la nota sale de las pruebas y los puntos del profesor.",
                en="The notebook's grading cells were changed ({changes}); this changes nothing: "
                   "grades come from the instructor's own tests and points.",
                changes="; ".join(changes)))
    return submission


def _grading_changes(cells: list[dict], grading_points: Mapping[str, float]) -> list[str]:
    """How the submission's grading cells and points differ from the instructor's."""
    changes = []
    for grade_id, points in grading_points.items():
        found = [c for c in cells if _grade_id(c) == grade_id]
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


def _cells(path: Path, notes: list[str]) -> list[dict] | None:
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            notes.append(say(
                es="El cuaderno pesa {mb:.0f} MB (máximo {max} MB): borra las salidas "
                   "(Kernel → Restart & Clear Output) y vuelve a entregarlo.",
                en="The notebook is {mb:.0f} MB (at most {max} MB): clear the outputs "
                   "(Kernel → Restart & Clear Output) and submit it again.",
                mb=size / 2**20, max=MAX_NOTEBOOK_BYTES // 2**20))
            return None
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        notes.append(say(es="El cuaderno no está en UTF-8: ábrelo y guárdalo desde Jupyter.",
                         en="The notebook is not UTF-8 text: open and save it from Jupyter."))
        return None
    except OSError as error:
        notes.append(say(es="No se pudo leer el cuaderno: {e}.",
                         en="Cannot read the notebook: {e}.", e=error.strerror or error))
        return None
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        notes.append(say(
            es="El cuaderno no es JSON válido ({e}): ¿se editó fuera de Jupyter? Descarga de "
               "nuevo tu versión guardada.",
            en="The notebook is not valid JSON ({e}): was it edited outside Jupyter? Download "
               "your saved version again.", e=error))
        return None
    if not isinstance(nb, dict):
        notes.append(say(es="El archivo no es un cuaderno de Jupyter.",
                         en="The file is not a Jupyter notebook."))
        return None
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


def notebook_language(path: Path) -> str | None:
    """The language the notebook was released in (its ``rnnkit.language`` metadata), if any.

    Untrusted, but it only chooses between the kit's languages for the student's feedback.
    """
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        metadata = json.loads(path.read_bytes().decode("utf-8")).get("metadata", {})
        lang = metadata.get("rnnkit", {}).get("language")
    except (OSError, ValueError, RecursionError, AttributeError):
        return None
    return lang if lang in LANGUAGES else None


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
