"""Every assignment is one folder plus the files named after it, exactly as README's "Adding an
assignment" lists them; and the pieces agree with each other (the spec's functions are the
notebook's answer cells, the hidden suite's graded functions and the public checks)."""

from __future__ import annotations

import importlib
import re

import pytest

from rnnkit import assignments
from rnnkit.grading import manifest, suite
from rnnkit.kit.paths import KIT_ROOT, SOURCE

SPECS = assignments.all_assignments()


def readme_files() -> list[str]:
    """The paths README's "Adding an assignment" lists, with the placeholder ``<name>``."""
    text = (KIT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Adding an assignment", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```text\n(.*?)```", section, re.S)
    assert block, "README's \"Adding an assignment\" has no ```text block of files"
    return [line.split()[0] for line in block[1].splitlines() if line.strip()]


def test_readme_lists_the_files_of_an_assignment():
    files = readme_files()
    assert len(files) >= 10 and all("<name>" in path for path in files), files


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
@pytest.mark.parametrize("path", readme_files())
def test_every_listed_file_exists(spec, path):
    assert (KIT_ROOT / path.replace("<name>", spec.name)).exists(), path


def test_every_source_notebook_is_a_discovered_assignment():
    sources = {folder.name for folder in SOURCE.iterdir() if folder.is_dir()}
    assert sources == set(assignments.names())
    assert [spec.position for spec in SPECS] == sorted({spec.position for spec in SPECS})


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_the_pieces_agree(spec):
    graded = {test.function for test in suite.plan(spec.name)}
    assert graded == set(spec.functions)
    answers = [grade_id.removeprefix("answer_") for grade_id in manifest.load(spec.name).answer_ids]
    assert [name for name in answers if name in spec.functions] == list(spec.functions)
    assert set(answers) <= {*spec.functions, *spec.helpers}
    checked = [name.removeprefix("check_")
               for name in importlib.import_module(f"{spec.module}.checks").__all__]
    assert [name for name in checked if name in spec.functions] == list(spec.functions)
    assert set(checked) <= {*spec.functions, *spec.helpers}
    for function, used in spec.uses.items():
        assert function in spec.functions and used <= {*spec.functions, *spec.helpers}
    for mistake in spec.mistakes:
        assert mistake.function in spec.functions, mistake.id
