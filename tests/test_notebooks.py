"""The source notebooks run top to bottom in Jupyter, in both languages, with their own solutions:
no cell raises, every public check prints only ✓, every grading cell awards full points."""

from __future__ import annotations

import asyncio
import json

import nbformat
import pytest
from batched import Batched
from nbclient import NotebookClient

from rnnkit import assignments
from rnnkit.grading import manifest
from rnnkit.kit.paths import SOURCE
from rnnkit.nb.language import localize_notebook

pytestmark = pytest.mark.slow


def outputs_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.fixture(scope="module")
def executed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Batched:
    """(assignment, lang) -> the source notebook in that language, run top to bottom in a
    kernel: every selected one, two at a time (tests/batched.py)."""
    def run(case: tuple[str, str]) -> nbformat.NotebookNode:
        assignment, lang = case
        nb = localize_notebook(nbformat.read(SOURCE / assignment / f"{assignment}.ipynb", 4),
                               lang)
        # The slowest cell, lstm's training experiment, takes 30-60 s (the more, the busier the
        # machine: 70 s for the whole notebook with two busy loops beside it on 2 cores); a
        # kernel starts in seconds. The timeouts only stop a hang, so they are far above that.
        client = NotebookClient(nb, timeout=900, startup_timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path_factory.mktemp(
                                    f"{assignment}-{lang}"))}})
        asyncio.run(client.async_execute())  # an event loop of this thread's own
        return nb

    return Batched(request, "test_source_notebook_runs_with_its_solutions",
                   lambda params: (params["assignment"], params["lang"]), run)


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("assignment", assignments.names())
def test_source_notebook_runs_with_its_solutions(executed, assignment, lang):
    nb = executed((assignment, lang))
    errors = [out for cell in nb.cells for out in cell.get("outputs", [])
              if out.output_type == "error" or out.get("name") == "stderr"]
    assert not errors, json.dumps(errors, default=str)[:3000]
    m = manifest.load(assignment)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        text = outputs_text(cell)
        assert "✗" not in text, f"{grade_id}: {text}"
        if grade_id.startswith("check_"):
            assert "✓" in text, f"{grade_id} printed no check: {text!r}"
            assert {"es": "todo correcto", "en": "all correct"}[lang] in text, \
                f"{grade_id} does not speak {lang}: {text!r}"
        if grade_id.startswith("test_"):
            earned = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert earned and float(earned[0].data["text/plain"]) == m.points(grade_id[5:])
