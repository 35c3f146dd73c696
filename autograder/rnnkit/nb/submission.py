"""Read a submitted notebook defensively and take out only the answer cells the manifest names.

A submission is untrusted input: it may be huge, not JSON, not UTF-8, in an old format, or have
answer cells deleted, duplicated or retyped. None of that raises: each problem becomes a note for
the student and the affected answers are simply missing (they then earn no points).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnkit.i18n import say

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_CELL_CHARS = 200_000


@dataclass
class Submission:
    """answers: grade_id -> code of the answer cells found; notes: problems, for the student."""

    answers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_submission(path: Path, answer_ids: tuple[str, ...]) -> Submission:
    """The answer cells ``answer_ids`` of the notebook at ``path``, with notes on any problem."""
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
        submission.answers[grade_id] = code
    return submission


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
                         f=nb.get("nbformat", "?")))
        return None
    return [c for c in cells if isinstance(c, dict)]


def _grade_id(cell: dict[str, Any]) -> str | None:
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _source(cell: dict[str, Any]) -> str | None:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str) or len(source) > MAX_CELL_CHARS:
        return None
    return source
