"""CI: `rnnkit grade --junit` (JUnit XML beside --json, from the same results), and the GitHub
Actions workflow for student repositories, whose grading step is run here as GitHub would run
it, with the variables it declares pointing at temporary folders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
import yaml
from outputs_class import IGNORES_H0

from rnnkit import assignments
from rnnkit.cli import main
from rnnkit.grading import manifest
from rnnkit.kit.paths import KIT_ROOT, RELEASES
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers, source_answers
from rnnkit.outputs.junit import junit_xml
from rnnkit.outputs.kit import copy_kit

ASSIGNMENT = "rnn"
RELEASE = RELEASES / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
WORKFLOW = KIT_ROOT / "autograder" / "rnnkit" / "outputs" / "github" / "grade.yml"
# Appended to the fetched kit's hidden suite: a result naming it proves that kit graded.
FETCHED_ONLY = """

@pytest.mark.grades("rnn_cell_forward", points=1)
def test_only_in_the_fetched_kit(student):
    pass
"""


def properties(element: ET.Element) -> dict[str, float]:
    return {p.get("name"): float(p.get("value")) for p in element.find("properties")}


def test_junit_has_a_testcase_per_graded_test_with_points_and_feedback(tmp_path, capsys):
    notebook = tmp_path / "rnn.ipynb"
    nbformat.write(fill_release(RELEASE, {**reference_answers(ASSIGNMENT),
                                          **answers_for_functions({"rnn_forward": IGNORES_H0})}),
                   notebook)
    results_path, junit_path = tmp_path / "results.json", tmp_path / "junit.xml"
    assert main(["grade", str(notebook), "--assignment", ASSIGNMENT, "--json", str(results_path),
                 "--junit", str(junit_path)]) == 0
    results = json.loads(results_path.read_text(encoding="utf-8"))
    suite = ET.parse(junit_path).getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(results["tests"]) == len(manifest.load(ASSIGNMENT).tests)
    assert properties(suite) == {"score": results["score"], "max_score": results["max_score"]}
    failed = [test for test in results["tests"] if test["status"] == "failed"]
    assert int(suite.get("failures")) == len(failed) > 0
    for case, test in zip(cases, results["tests"], strict=True):
        assert f"{case.get('classname')}: {case.get('name')}" == f"{ASSIGNMENT}.{test['name']}"
        assert properties(case) == {"points": test["max_score"], "score": test["score"]}
        failure = case.find("failure")
        assert (failure is None) == (test["status"] == "passed")
        if failure is not None:
            assert failure.text == test["output"]
            assert failure.get("message") == test["output"].splitlines()[0]
    assert any("ignores h0" in case.find("failure").get("message") for case in cases
               if case.find("failure") is not None)
    capsys.readouterr()


def test_junit_holds_any_text_and_says_why_grading_could_not_start(tmp_path, capsys):
    hostile = "<b>&</b> ]]> \ufffe\uffff \x00 \"quoted\""
    results = {"score": 0.0, "max_score": 1.0, "output": hostile, "tests": [
        {"name": "f: t", "score": 0.0, "max_score": 1.0, "status": "failed", "output": hostile}]}
    case = ET.fromstring(junit_xml(results, ASSIGNMENT)).find("testsuite/testcase")
    assert case.find("failure").text.startswith("<b>&</b> ]]> \\ufffe\\uffff")

    junit_path = tmp_path / "junit.xml"
    assert main(["grade", str(tmp_path / "none.ipynb"), "--assignment", ASSIGNMENT,
                 "--junit", str(junit_path)]) == 2
    error = ET.parse(junit_path).getroot().find("testsuite/testcase/error")
    assert error.get("message") == capsys.readouterr().err.strip()
    assert error.get("message").startswith("rnnkit: no notebook at")


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_fetches_the_kit_with_secrets_and_keeps_the_results():
    steps = workflow()["jobs"]["grade"]["steps"]
    kit = next(s for s in steps if s.get("with", {}).get("path") == "kit")
    assert kit["with"]["repository"].startswith("${{ secrets.")
    assert kit["with"]["token"].startswith("${{ secrets.")
    assert kit["with"]["persist-credentials"] is False
    grade = next(s for s in steps if s.get("id") == "grade")
    assert "${{" not in grade["run"], "the script must read the step's env, not expressions"
    assert grade["env"]["RNNKIT_KIT"].endswith("/kit")
    keep = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert keep["if"] == "always()"
    assert grade["env"]["RNNKIT_RESULTS"].endswith("/" + keep["with"]["path"].rstrip("/"))


@pytest.mark.parametrize("answers, full_marks", [("source", True), ("blank", False)])
def test_the_workflows_grading_step_runs_here(answers, full_marks, tmp_path):
    step = next(s for s in workflow()["jobs"]["grade"]["steps"] if s.get("id") == "grade")
    notebook = tmp_path / "work" / "rnn.ipynb"
    notebook.parent.mkdir()
    filled = source_answers(ASSIGNMENT, "en") if answers == "source" else {}
    nbformat.write(fill_release(RELEASE, filled), notebook)
    kit = copy_kit(tmp_path / "kit")  # as fetched; with one more hidden test, to tell it apart
    suite = kit / next(assignments.get(ASSIGNMENT).hidden_suite.glob("test_*.py")).relative_to(
        KIT_ROOT)
    suite.write_text(suite.read_text(encoding="utf-8") + FETCHED_ONLY, encoding="utf-8")
    places = {"RNNKIT_KIT": str(kit), "RNNKIT_NOTEBOOK": str(notebook),
              "RNNKIT_RESULTS": str(tmp_path / "results")}
    assert set(step["env"]) == {*places, "RNNKIT_ASSIGNMENT"}
    done = run_step(step, {**places, "RNNKIT_ASSIGNMENT": step["env"]["RNNKIT_ASSIGNMENT"]},
                    tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["tests"][-1]["name"] == "rnn_cell_forward: test_only_in_the_fetched_kit"
    assert results["max_score"] == manifest.load(ASSIGNMENT).max_score + 1
    assert (results["score"] == results["max_score"]) == full_marks
    junit = ET.parse(tmp_path / "results" / "junit.xml").getroot().find("testsuite")
    assert len(junit.findall("testcase")) == len(results["tests"])


def run_step(step: dict, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """The step's ``run:`` script in bash as GitHub runs it, ``python`` being this one."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=cwd, env={**os.environ, "PATH": path, "PYTHONDONTWRITEBYTECODE": "1",
                                        **env},
                          text=True, capture_output=True, timeout=300)
