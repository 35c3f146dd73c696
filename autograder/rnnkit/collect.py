"""Collect submissions from an LMS zip download into nbgrader's ``submitted/`` folder.

Canvas names each file ``<login>[_LATE]_<user id>_<submission id>_<original name>``; Moodle puts
each student's files in a folder ``<Full Name>_<participant id>_assignsubmission_file_``. Any other
zip is read as one folder or one file per student (``ana/rnn.ipynb`` or ``ana.ipynb``).

A zip from outside is untrusted: members with absolute paths or ``..`` are skipped, and sizes are
capped before anything is extracted, so a zip bomb cannot fill the disk.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_MEMBERS = 5000

_CANVAS = re.compile(r"^(?P<login>[A-Za-z0-9]+)(?:_LATE)?_(?P<uid>\d+)_\d+_.+$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_\w+$")


@dataclass
class Collected:
    """What a collection did: student -> zip member written, and members skipped with why."""

    written: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def collect_zip(zip_path: Path, course_dir: Path, assignment: str) -> Collected:
    """Write each student's notebook to ``submitted/<student>/<assignment>/<assignment>.ipynb``.

    When a student has several notebooks, the one named ``<assignment>.ipynb`` wins, otherwise
    the last in the zip; the others are reported as skipped. Existing submissions of the same
    students are replaced (a newer download supersedes an older one).
    """
    result = Collected()
    chosen: dict[str, zipfile.ZipInfo] = {}
    with zipfile.ZipFile(zip_path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"{zip_path} has {len(members)} members (at most {MAX_MEMBERS}): "
                             f"is it really one assignment's download?")
        for info in members:
            why = _unusable(info)
            if why:
                if not info.is_dir():
                    result.skipped.append(f"{info.filename}: {why}")
                continue
            student = student_id(info.filename)
            previous = chosen.get(student)
            if previous is None or _prefer(info, previous, assignment):
                if previous is not None:
                    result.skipped.append(f"{previous.filename}: {student} has another notebook")
                chosen[student] = info
            else:
                result.skipped.append(f"{info.filename}: {student} has another notebook")
        for student, info in sorted(chosen.items()):
            target = course_dir / "submitted" / student / assignment / f"{assignment}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            result.written[student] = info.filename
    return result


def student_id(member: str) -> str:
    """The student a zip member belongs to, as a safe folder name."""
    parts = PurePosixPath(member).parts
    if len(parts) > 1:
        folder = parts[-2]
        moodle = _MOODLE.match(folder)
        return _slug(f"{moodle['name']}_{moodle['uid']}" if moodle else folder)
    canvas = _CANVAS.match(parts[-1])
    return _slug(canvas["login"] if canvas else PurePosixPath(parts[-1]).stem)


def _unusable(info: zipfile.ZipInfo) -> str | None:
    path = PurePosixPath(info.filename)
    if info.is_dir():
        return "folder"
    if path.is_absolute() or ".." in path.parts:
        return "unsafe path (absolute or with '..')"
    if path.suffix != ".ipynb" or path.name.startswith(".") or "__MACOSX" in path.parts:
        return "not a notebook"
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return f"too large ({info.file_size // 2**20} MiB uncompressed)"
    return None


def _prefer(candidate: zipfile.ZipInfo, current: zipfile.ZipInfo, assignment: str) -> bool:
    wanted = f"{assignment}.ipynb"
    named = PurePosixPath(candidate.filename).name.endswith(wanted)
    current_named = PurePosixPath(current.filename).name.endswith(wanted)
    return named or not current_named


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", ascii_text).strip("._-").lower()
    return slug or "unknown"
