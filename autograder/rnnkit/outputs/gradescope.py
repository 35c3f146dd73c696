"""A Gradescope autograder that grades with rnnkit (``rnnkit gradescope rnn --out autograder.zip``).

The zip holds:
- ``setup.sh``: run once by Gradescope when it builds the image; installs bubblewrap and a
  Python with the kit's pinned dependencies (``kit/requirements.lock``);
- ``run_autograder``: run for each submission; calls this module's :func:`run_autograder`;
- ``rnnkit-gradescope.json``: the assignment, the language of the feedback (the course's) and
  whether to grade without a sandbox (``--insecure``);
- ``kit/``: what grading needs (rnnkit.outputs.kit), laid out as in the checkout.

Gradescope unzips it into ``/autograder/source/``, puts the submission in
``/autograder/submission/`` and reads ``/autograder/results/results.json``. Both scripts take the
root from ``$RNNKIT_GRADESCOPE_ROOT`` (default ``/autograder``), so a test can run the same tree
under a temporary folder. The results are ``rnnkit grade --json``'s, with the fields
Gradescope uses to show them added (:func:`for_gradescope`).
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from rnnkit.grading.results import write_json_atomically
from rnnkit.i18n import check_language, say, speaking
from rnnkit.kit.untrusted import clean
from rnnkit.outputs.kit import kit_files

FILES = Path(__file__).resolve().parent / "gradescope_files"
SCRIPTS = ("setup.sh", "run_autograder")
CONFIG = "rnnkit-gradescope.json"
KIT = "kit"


def build_autograder(out: Path, assignment: str, language: str, *,
                     insecure: bool = False) -> Path:
    """Write the autograder zip for ``assignment`` to ``out`` (whole or not at all).

    Inputs:
    - out: the zip to write
    - assignment: the assignment id, e.g. "rnn"
    - language: "es" or "en", the language of the feedback students read
    - insecure: grade without a sandbox when Gradescope's machine has none (no protection
      against a hostile submission: it could write its own results)

    Returns ``out``.
    """
    config = {"assignment": assignment, "language": check_language(language),
              "insecure": insecure}
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
    try:
        with zipfile.ZipFile(tmp, "x", zipfile.ZIP_DEFLATED) as archive:
            for name in SCRIPTS:
                _add_executable(archive, FILES / name, name)
            archive.writestr(CONFIG, json.dumps(config, indent=2) + "\n")
            for path, relative in kit_files():
                archive.write(path, f"{KIT}/{relative}")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def run_autograder(root: Path) -> int:
    """Grade the submission under ``root`` (Gradescope's /autograder) and write
    ``root/results/results.json``; returns 0 once it is written.

    The notebook graded is ``submission/<assignment>.ipynb`` (at any depth), else the
    submission's only notebook. Whatever happens, results.json says it: no notebook, or a
    grader that failed, is a score of 0 with a message in the student's language.
    """
    started = time.monotonic()
    config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
    results_path = root / "results" / "results.json"
    results_path.unlink(missing_ok=True)  # only this run's results may be read back
    with speaking(config["language"]):
        notebook, note = find_notebook(root / "submission", config["assignment"])
        results = _grade(notebook, config) if notebook else _zero(note)
        if notebook and note:
            results["output"] = "\n".join(filter(None, [note, results.get("output", "")]))
    write_json_atomically(results_path, for_gradescope(results, time.monotonic() - started))
    return 0


def find_notebook(submission: Path, assignment: str) -> tuple[Path | None, str]:
    """The notebook to grade in the ``submission`` folder, and a note for the student when
    the choice needs saying (or, with None, why there is none).

    Only plain files count (a symbolic link could point at the grader's own files); the
    shallowest ``<assignment>.ipynb`` wins, else the only notebook there is.
    """
    expected = f"{assignment}.ipynb"
    found = []
    for folder, subfolders, names in os.walk(submission):  # links to folders are not followed
        subfolders[:] = sorted(name for name in subfolders if name != ".ipynb_checkpoints")
        found += [Path(folder, name) for name in sorted(names) if name.endswith(".ipynb")
                  and not Path(folder, name).is_symlink() and Path(folder, name).is_file()]
    named = sorted((path for path in found if path.name == expected),
                   key=lambda path: len(path.parts))
    if named:
        return named[0], ""
    if len(found) == 1:
        return found[0], say(
            es="Se calificó {name}, el único cuaderno de tu entrega (se esperaba {expected}).",
            en="Graded {name}, the only notebook in your submission ({expected} was expected).",
            name=clean(found[0].name, 200, one_line=True), expected=expected)
    if not found:
        return None, say(es="Tu entrega no tiene ningún cuaderno: sube {expected}.",
                         en="Your submission has no notebook: upload {expected}.",
                         expected=expected)
    return None, say(es="Tu entrega tiene {n} cuadernos y ninguno se llama {expected}: sube "
                        "solo {expected}.",
                     en="Your submission has {n} notebooks and none is called {expected}: "
                        "upload {expected} alone.", n=len(found), expected=expected)


def for_gradescope(results: dict[str, Any], seconds: float) -> dict[str, Any]:
    """``rnnkit grade``'s results.json with the fields Gradescope uses to show it: the time
    taken, plain-text output, tests visible to the student, the grader's log (stdout) not."""
    return {**results, "execution_time": round(seconds, 3), "output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [{**test, "output_format": "text", "visibility": "visible"}
                      for test in results.get("tests", [])]}


def _grade(notebook: Path, config: dict[str, Any]) -> dict[str, Any]:
    """Grade ``notebook`` as ``rnnkit grade`` does: its results, or a zero that says why not."""
    from rnnkit.grading.engine import grade_notebook
    from rnnkit.kit.paths import KIT_ROOT
    from rnnkit.sandbox import detect_isolation

    insecure = bool(config.get("insecure"))
    isolation = detect_isolation()
    # The instructor's log; the file's name is the student's.
    print(clean(f"rnnkit grade {notebook} --assignment {config['assignment']} (kit: {KIT_ROOT}; "
                f"isolation: {isolation.kind}, {isolation.detail})", 2000, one_line=True),
          flush=True)
    if isolation.kind == "none" and not insecure:
        return _zero(say(es="El calificador no tiene aquí dónde aislar tu código ({detail}); "
                            "avisa a tu profesor.",
                         en="The grader has no sandbox for your code here ({detail}); tell "
                            "your instructor.", detail=isolation.detail))
    try:
        return grade_notebook(notebook, config["assignment"], insecure=insecure).to_results_json()
    except Exception as error:  # a fault of the grader: the student still gets a result
        print(f"rnnkit failed: {type(error).__name__}: {error}", file=sys.stderr)
        return _zero(say(es="El calificador no pudo calificar tu entrega ({error}); avisa a "
                            "tu profesor.",
                         en="The grader could not grade your submission ({error}); tell your "
                            "instructor.", error=type(error).__name__))


def _zero(output: str) -> dict[str, Any]:
    """A result without tests: 0 points and why (as ``rnnkit grade`` writes when it cannot
    start)."""
    return {"score": 0.0, "max_score": 0.0, "output": output, "tests": []}


def _add_executable(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo.from_file(path, name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16  # Gradescope runs the scripts as they are
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())


if __name__ == "__main__":  # run_autograder: python -m rnnkit.outputs.gradescope ROOT
    sys.exit(run_autograder(Path(sys.argv[1])))
