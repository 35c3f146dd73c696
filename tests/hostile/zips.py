"""Hostile and edge-case LMS zips: downloads that try to put work under another student's id,
lose a student's work, or bring ``rnnkit collect-zip`` down.

Each case is one row of CASES: how to build the download and what collecting it must do.
``written`` maps each zip member that must be collected to a regular expression its student
id must match in full (ids kept apart after a clash end in a hex suffix); every member holds
different bytes, so the test can tell whose notebook landed where. Each ``skipped`` text must
start a skipped line; each ``notes`` text must be in a note. ``existing`` are students
with a submission in ``submitted/`` before the download: unless ``written`` names them, their
folders must not change by a single byte. Every collected student gets a timestamp.txt and a
submission_secret.txt; ``timestamps`` gives some timestamps exactly, or as COLLECTED (the time
the collection ran), against the due date ``due`` in the course's gradebook (None: no
gradebook). A case with ``error`` must be refused with a one-line ValueError containing that
text, before anything is written.

Names follow the LMS conventions: Canvas ``<login>[_LATE]_<user id>_<file id>_<original>``
at the top level; Moodle folders ``<Full Name>_<participant id>_assignsubmission_file_``.
"""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ASSIGNMENT = "rnn"
ANY_SUFFIX = "_[0-9a-f]{6,}"  # what keeps two clashing students apart
COLLECTED = "the collection time"  # a timestamp between just before and just after collecting
DUE = datetime(2024, 3, 1, 12, 0, 0)  # UTC, naive, as nbgrader stores due dates


@dataclass(frozen=True)
class ZipCase:
    """One download and what collecting it must do."""

    slug: str
    description: str
    build: Callable[[Path], None]  # writes the download at the path given
    written: dict[str, str] = field(default_factory=dict)  # member -> student id (regex)
    existing: tuple[str, ...] = ()  # students already in submitted/ before the download
    roster: str | None = None  # the text of --roster
    notes: tuple[str, ...] = ()  # texts the notes must contain
    skipped: tuple[str, ...] = ()  # texts the skipped members must contain
    late: frozenset[str] = frozenset()  # members Canvas marked _LATE
    timestamps: dict[str, str] = field(default_factory=dict)  # member -> its timestamp.txt
    due: datetime | None = None  # the assignment's due date in the gradebook (None: no gradebook)
    error: str | None = None  # collecting must fail with this in the message


def notebook_bytes(member: str) -> bytes:
    """A small notebook that says which member it came from."""
    return json.dumps({"cells": [], "metadata": {"member": member}, "nbformat": 4,
                       "nbformat_minor": 5}).encode()


def zip_of(*members: str, times: dict[str, tuple[int, ...]] | None = None
           ) -> Callable[[Path], None]:
    """A download holding ``members`` (each with its notebook_bytes), dated as ``times`` says."""
    def build(path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in members:
                info = zipfile.ZipInfo(member, (times or {}).get(member, (2024, 3, 1, 12, 0, 0)))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, notebook_bytes(member))
    return build


def raw(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def damaged(*members: str, broken: str) -> Callable[[Path], None]:
    """A download whose member ``broken`` has its compressed bytes flipped (a CRC error)."""
    def build(path: Path) -> None:
        zip_of(*members)(path)
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(broken)
        data = bytearray(path.read_bytes())
        name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
        start = info.header_offset + 30 + name_length + extra_length
        for at in range(start, start + info.compress_size):
            data[at] ^= 0xFF
        path.write_bytes(bytes(data))
    return build


MOODLE_ANA = "Ana Garcia_123_assignsubmission_file_"
MOODLE_EVE = "Eve Ruiz_555_assignsubmission_file_"

CASES: list[ZipCase] = [
    # --- impersonation: a student names a folder or file after someone else -------------------
    ZipCase(
        "moodle-nested-lms-folder",
        "Eve zips a folder named like Ana's Moodle folder inside her own upload",
        zip_of(f"{MOODLE_EVE}/{MOODLE_ANA}/rnn.ipynb", f"{MOODLE_ANA}/rnn.ipynb"),
        written={f"{MOODLE_EVE}/{MOODLE_ANA}/rnn.ipynb": "eve_ruiz_555",
                 f"{MOODLE_ANA}/rnn.ipynb": "ana_garcia_123"},
    ),
    ZipCase(
        "moodle-nested-student-id",
        "Eve's upload has a folder named after an existing student's id (the issue's attack)",
        zip_of(f"{MOODLE_EVE}/victim/rnn.ipynb", f"{MOODLE_EVE}/ana_garcia_123/rnn.ipynb"),
        written={f"{MOODLE_EVE}/ana_garcia_123/rnn.ipynb": "eve_ruiz_555"},
        existing=("victim", "ana_garcia_123"),
        skipped=(f"{MOODLE_EVE}/victim/rnn.ipynb: eve_ruiz_555 has another notebook",),
    ),
    ZipCase(
        "moodle-file-name-mimics-prefix",
        "without folders, Eve's file name repeats Ana's Moodle prefix",
        zip_of(f"{MOODLE_EVE}{MOODLE_ANA}rnn.ipynb"),
        written={f"{MOODLE_EVE}{MOODLE_ANA}rnn.ipynb": "eve_ruiz_555"},
        existing=("ana_garcia_123",),
    ),
    ZipCase(
        "moodle-name-mimics-prefix",
        "a full name holding another's Moodle prefix (Moodle itself turns '_' into spaces)",
        zip_of(f"{MOODLE_ANA} Eve_555_assignsubmission_file_/rnn.ipynb"),
        written={f"{MOODLE_ANA} Eve_555_assignsubmission_file_/rnn.ipynb":
                 "ana_garcia_123_assignsubmission_file__eve_555"},
        existing=("ana_garcia_123",),
    ),
    ZipCase(
        "canvas-file-name-mimics-prefix",
        "Eve uploads a file named like Ana's Canvas file; Canvas prefixes it with Eve's",
        zip_of("ruizeve_555_9001_garciaana_123_9000_rnn.ipynb", "garciaana_123_9000_rnn.ipynb"),
        written={"ruizeve_555_9001_garciaana_123_9000_rnn.ipynb": "ruizeve_555",
                 "garciaana_123_9000_rnn.ipynb": "garciaana_123"},
    ),
    ZipCase(
        "canvas-file-in-a-folder",
        "a Canvas-looking name inside a folder is that folder's, never the name's",
        zip_of("eve/garciaana_123_9000_rnn.ipynb"),
        written={"eve/garciaana_123_9000_rnn.ipynb": "eve"},
        existing=("garciaana_123",),
    ),
    ZipCase(
        "canvas-name-claims-another-user-id",
        "Eve's Canvas name ends in Ana's user id; with a roster both would be 'ana'",
        zip_of("x_123_555_9001_rnn.ipynb", "garciaana_123_9000_rnn.ipynb"),
        written={"x_123_555_9001_rnn.ipynb": "ana" + ANY_SUFFIX,
                 "garciaana_123_9000_rnn.ipynb": "ana" + ANY_SUFFIX},
        existing=("ana",),
        roster="id,lms_user_id\nana,123\n",
        notes=("LMS id 123 comes with 2 names", "would all be 'ana'"),
    ),
    ZipCase(
        "plain-nested-folder",
        "in a plain zip only the top-level folder names the student",
        zip_of("eve/ana/rnn.ipynb", "eve/rnn.ipynb", "bruno/rnn.ipynb"),
        written={"eve/rnn.ipynb": "eve", "bruno/rnn.ipynb": "bruno"},
        existing=("ana",),
        skipped=("eve/ana/rnn.ipynb: eve has another notebook",),
    ),
    # --- unsafe paths -----------------------------------------------------------------------
    ZipCase(
        "path-traversal-and-absolute",
        "'..', absolute, backslash and drive paths are skipped, never followed",
        zip_of("../ana/rnn.ipynb", "eve/../ana/rnn.ipynb", "/ana/rnn.ipynb",
               "..\\ana\\rnn.ipynb", "C:/ana/rnn.ipynb", "bruno/rnn.ipynb"),
        written={"bruno/rnn.ipynb": "bruno"},
        existing=("ana",),
        skipped=("../ana/rnn.ipynb: unsafe path", "eve/../ana/rnn.ipynb: unsafe path",
                 "/ana/rnn.ipynb: unsafe path", "..\\ana\\rnn.ipynb: unsafe path",
                 "C:/ana/rnn.ipynb: unsafe path"),
    ),
    # --- two students, one name -------------------------------------------------------------
    ZipCase(
        "moodle-same-display-name",
        "two Moodle users called Ana Garcia: their participant ids keep them apart",
        zip_of(f"{MOODLE_ANA}/rnn.ipynb", "Ana Garcia_456_assignsubmission_file_/rnn.ipynb"),
        written={f"{MOODLE_ANA}/rnn.ipynb": "ana_garcia_123",
                 "Ana Garcia_456_assignsubmission_file_/rnn.ipynb": "ana_garcia_456"},
    ),
    ZipCase(
        "canvas-same-login",
        "two Canvas users with the same login: their user ids keep them apart",
        zip_of("garciaana_123_9000_rnn.ipynb", "garciaana_456_9001_rnn.ipynb"),
        written={"garciaana_123_9000_rnn.ipynb": "garciaana_123",
                 "garciaana_456_9001_rnn.ipynb": "garciaana_456"},
    ),
    ZipCase(
        "moodle-case-only-names",
        "'Ana Garcia' and 'ana garcia' on Moodle are two participants",
        zip_of(f"{MOODLE_ANA}/rnn.ipynb", "ana garcia_456_assignsubmission_file_/rnn.ipynb"),
        written={f"{MOODLE_ANA}/rnn.ipynb": "ana_garcia_123",
                 "ana garcia_456_assignsubmission_file_/rnn.ipynb": "ana_garcia_456"},
    ),
    ZipCase(
        "plain-case-only-names",
        "'Ana/' and 'ana/' would both be 'ana': both are kept and the clash reported",
        zip_of("Ana/rnn.ipynb", "ana/rnn.ipynb"),
        written={"Ana/rnn.ipynb": "ana" + ANY_SUFFIX, "ana/rnn.ipynb": "ana" + ANY_SUFFIX},
        existing=("ana",),
        notes=("2 students would all be 'ana'",),
    ),
    ZipCase(
        "plain-accents-collapse",
        "'Núñez.ipynb' and 'nunez/' slug to the same id",
        zip_of("Núñez.ipynb", "nunez/rnn.ipynb"),
        written={"Núñez.ipynb": "nunez" + ANY_SUFFIX, "nunez/rnn.ipynb": "nunez" + ANY_SUFFIX},
        notes=("would all be 'nunez'",),
    ),
    ZipCase(
        "one-student-several-notebooks",
        "the notebook named rnn.ipynb wins, wherever it is in the zip; the other is reported",
        zip_of(f"{MOODLE_ANA}/rnn.ipynb", f"{MOODLE_ANA}/scratch.ipynb",
               "garciaana_123_9000_rnn.ipynb", "garciaana_123_9001_old.ipynb"),
        written={f"{MOODLE_ANA}/rnn.ipynb": "ana_garcia_123",
                 "garciaana_123_9000_rnn.ipynb": "garciaana_123"},
        skipped=(f"{MOODLE_ANA}/scratch.ipynb: ana_garcia_123 has another notebook",
                 "garciaana_123_9001_old.ipynb: garciaana_123 has another notebook"),
    ),
    ZipCase(
        "plain-file-and-folder-same-student",
        "'ana.ipynb' and 'ana/rnn.ipynb' are the same top-level name: one student",
        zip_of("ana.ipynb", "ana/rnn.ipynb"),
        written={"ana/rnn.ipynb": "ana"},
        skipped=("ana.ipynb: ana has another notebook",),
    ),
    ZipCase(
        "damaged-notebook-falls-back",
        "a notebook that fails its CRC is skipped; the student's other notebook is collected",
        damaged("bruno/rnn.ipynb", "bruno/copy.ipynb", "ana.ipynb", broken="bruno/rnn.ipynb"),
        written={"bruno/copy.ipynb": "bruno", "ana.ipynb": "ana"},
        skipped=("bruno/rnn.ipynb: damaged in the zip",),
    ),
    # --- roster -----------------------------------------------------------------------------
    ZipCase(
        "roster-maps-lms-ids",
        "the roster names students; an LMS id missing from it is still collected, reported",
        zip_of("garciaana_123_9000_rnn.ipynb", "lopezbruno_456_9001_rnn.ipynb",
               "ruizeve_789_9002_rnn.ipynb"),
        written={"garciaana_123_9000_rnn.ipynb": "A0001", "lopezbruno_456_9001_rnn.ipynb": "A0002",
                 "ruizeve_789_9002_rnn.ipynb": "ruizeve_789"},
        roster="id,lms_user_id,first_name,last_name,email\nA0001,123,Ana,García,a@x.org\n"
               "A0002,456,Bruno,López,\n",
        notes=("Canvas user 789 (ruizeve) is not in the roster: collected as ruizeve_789",),
    ),
    ZipCase(
        "roster-id-equals-unmapped-default",
        "a roster id equal to an unmapped student's default id: both kept, reported",
        zip_of("garciaana_123_9000_rnn.ipynb", "lopezbruno_456_9001_rnn.ipynb"),
        written={"garciaana_123_9000_rnn.ipynb": "lopezbruno_456" + ANY_SUFFIX,
                 "lopezbruno_456_9001_rnn.ipynb": "lopezbruno_456" + ANY_SUFFIX},
        existing=("lopezbruno_456",),
        roster="id,lms_user_id\nlopezbruno_456,123\n",
        notes=("would all be 'lopezbruno_456'", "Canvas user 456 (lopezbruno) is not in"),
    ),
    # --- what the LMS says about time -------------------------------------------------------
    ZipCase(
        "canvas-late-kept",
        "Canvas's _LATE mark is recorded; without a due date nothing is late: collection time",
        zip_of("garciaana_LATE_123_9000_rnn.ipynb", "lopezbruno_456_9001_rnn.ipynb"),
        written={"garciaana_LATE_123_9000_rnn.ipynb": "garciaana_123",
                 "lopezbruno_456_9001_rnn.ipynb": "lopezbruno_456"},
        late=frozenset({"garciaana_LATE_123_9000_rnn.ipynb"}),
        timestamps={"garciaana_LATE_123_9000_rnn.ipynb": COLLECTED,
                    "lopezbruno_456_9001_rnn.ipynb": COLLECTED},
        notes=("garciaana_123: Canvas marked it late, but the gradebook has no due date",),
    ),
    ZipCase(
        "canvas-late-against-due-date",
        "Canvas zip times are the download's: _LATE is 1 s after the due date, on time is the "
        "due date (both collected after it)",
        zip_of("garciaana_LATE_123_9000_rnn.ipynb", "lopezbruno_456_9001_rnn.ipynb",
               times={"garciaana_LATE_123_9000_rnn.ipynb": (2030, 1, 1, 0, 0, 0)}),
        written={"garciaana_LATE_123_9000_rnn.ipynb": "garciaana_123",
                 "lopezbruno_456_9001_rnn.ipynb": "lopezbruno_456"},
        late=frozenset({"garciaana_LATE_123_9000_rnn.ipynb"}),
        due=DUE,
        timestamps={"garciaana_LATE_123_9000_rnn.ipynb": "2024-03-01 12:00:01.000000 UTC",
                    "lopezbruno_456_9001_rnn.ipynb": "2024-03-01 12:00:00.000000 UTC"},
        notes=("garciaana_123: Canvas marked it late but not how late",),
    ),
    ZipCase(
        "moodle-timestamp",
        "a Moodle file's time becomes nbgrader's timestamp.txt (UTC; the zip's zone is UTC here)",
        zip_of(f"{MOODLE_ANA}/rnn.ipynb",
               times={f"{MOODLE_ANA}/rnn.ipynb": (2024, 5, 6, 7, 8, 10)}),
        written={f"{MOODLE_ANA}/rnn.ipynb": "ana_garcia_123"},
        timestamps={f"{MOODLE_ANA}/rnn.ipynb": "2024-05-06 07:08:10.000000 UTC"},
    ),
    ZipCase(
        "plain-zip-collection-time",
        "a plain zip's file times are no LMS's judgement: the collection time, due date or not",
        zip_of("ana/rnn.ipynb", times={"ana/rnn.ipynb": (2020, 1, 1, 0, 0, 0)}),
        written={"ana/rnn.ipynb": "ana"},
        existing=("ana",),
        due=DUE,
        timestamps={"ana/rnn.ipynb": COLLECTED},
    ),
    # --- downloads that cannot be used ------------------------------------------------------
    ZipCase("missing-file", "no file at the path", lambda path: None, error="no such file"),
    ZipCase("not-a-zip", "a PDF renamed .zip", raw(b"%PDF-1.4 not a zip"), error="not a zip"),
    ZipCase("empty-zip", "a zip with nothing in it", zip_of(), error="is empty"),
    ZipCase("no-notebooks", "only PDFs and a text file", zip_of("ana/report.pdf", "b.txt"),
            error="no notebook to collect"),
    ZipCase("only-unsafe-notebooks", "every notebook has an unsafe path",
            zip_of("../ana.ipynb", "/abs/bruno.ipynb"), error="no notebook to collect"),
    ZipCase(
        "one-folder-too-deep",
        "students' folders zipped inside one folder would read as one student: refused",
        zip_of("submissions/ana/rnn.ipynb", "submissions/bruno/rnn.ipynb"),
        existing=("submissions",),
        error="inside one folder 'submissions/'",
    ),
    ZipCase(
        "bad-roster",
        "a roster without the lms_user_id column",
        zip_of("garciaana_123_9000_rnn.ipynb"),
        roster="id,email\nana,a@x.org\n",
        error="has no 'lms_user_id' column",
    ),
]
