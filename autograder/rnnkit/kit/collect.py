"""Collect submissions from an LMS zip download into nbgrader's ``submitted/`` folder.

Who a notebook belongs to is read only from the part of its path the LMS writes, never from
anything the student named:

- Canvas puts every file at the top level as ``<login>[_LATE]_<user id>_<file id>_<original
  name>``. The user id is the identity. Canvas removes the ``_`` around digits in logins, so
  the first place where ``[_LATE]_<digits>_<digits>_`` fits ends the login; the student's file
  name comes after it and cannot move it. (Only a login ending in ``_<digits>`` is misread,
  the same way for all its files; two names claiming one user id are reported.) ``_LATE`` is
  Canvas's own verdict and is kept.
- Moodle puts each student's files in a top-level folder ``<Full Name>_<participant id>_
  assignsubmission_file_`` (or, without folders, prefixes each file name with it). The
  participant id is the identity; sub-folders of the student's upload are the student's own
  and change nothing.
- Any other zip has one top-level folder or one top-level file per student (``ana/rnn.ipynb``
  or ``ana.ipynb``); that top-level name is the identity.

Student ids are ``<name>_<lms id>`` for Canvas and Moodle (``garciaana_12345``) and the
top-level name for other zips (``ana``), lowercased and made safe as folder names. A roster
(:func:`load_roster`) maps LMS ids to the course's own student ids instead. When two different
identities would get the same id (``Ana/`` and ``ana/``; a roster giving one id to two users),
both are kept under ids with a short suffix from their identity and the clash is reported:
nothing is dropped or overwritten. When one student has several notebooks, the one named
``<assignment>.ipynb`` wins (otherwise the last in the zip) and the others are reported.

Times: every collected submission gets the two files ``nbgrader submit`` writes beside the
notebook, because nbgrader reads them later: ``timestamp.txt`` (when it was submitted: autograde
compares it with the due date, export shows it, release_feedback needs it) and
``submission_secret.txt`` (a random secret; release_feedback names each student's feedback page
by a hash of it). Collecting a download again writes a new secret, as a new ``nbgrader submit``
does. Students collected from a zip do not fetch feedback from nbgrader's exchange (their
exchange cache has no secret): hand them ``feedback/<student>/<assignment>/`` through the LMS.
The timestamp is UTC, in nbgrader's format, and says what the LMS says, no more:

- Moodle: the time in its zip. Moodle stores each file with the time its bytes were stored on
  the server, in the server's local time without a time zone (hence ``--timezone``), to the 2
  seconds a zip keeps; bytes someone had uploaded earlier keep that earlier time. A member
  whose zip time is no date gets the collection time, and a note.
- Canvas stamps every member with the time it built the zip, so its times say nothing; what
  Canvas does say is whether each submission was late (``_LATE``). Against the assignment's
  due date in the course's gradebook: not late is the earlier of the due date and the
  collection time (0 s late, as Canvas judged); ``_LATE`` is 1 s after the due date, the least
  lateness Canvas's mark allows, with a note that the real lateness is unknown (a penalty that
  grows with lateness needs the real time written in that timestamp.txt before autograding).
  Without a due date in the gradebook nothing can be late: the collection time, and a note for
  each ``_LATE`` student. Canvas's own due date (an extension, another time zone) may differ
  from the gradebook's: check the LMS's grading page before penalising anyone.
- Other zips: the collection time (no LMS has judged them).

A zip from outside is untrusted: members with absolute paths or ``..`` are skipped, only
notebooks are read, and sizes are capped before anything is written, so a zip bomb cannot fill
the disk. Bad input (no such file, not a zip, empty, no notebooks, a bad roster) is a
ValueError with the cause and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.engine import make_url

from rnnkit.grading.gradebook import course_config
from rnnkit.kit.untrusted import clean

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 2**30  # all notebooks of one zip, uncompressed
MAX_MEMBERS = 5000
MAX_NAME_CHARS = 64  # of the name part of a student id
# nbgrader's default Exchange.timestamp_format; its parse_utc reads it back ("... UTC").
NBGRADER_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
# The least lateness a _LATE mark allows (nbgrader counts any time after the due date as late).
CANVAS_LATE_BY = timedelta(seconds=1)
ROSTER_COLUMNS = ("id", "lms_user_id", "first_name", "last_name", "email")
ROSTER_REQUIRED = ("id", "lms_user_id")

_ID = "[0-9]{1,20}"
# DOTALL: a newline in a hostile name must not make matching quadratic.
_CANVAS = re.compile(rf"(?P<name>\w*?)(?P<late>_LATE)?_(?P<uid>{_ID})_{_ID}_(?P<original>.+)",
                     re.DOTALL)
_MOODLE_FOLDER = re.compile(rf"(?P<name>.*)_(?P<uid>{_ID})_assignsubmission_[a-z]+_?", re.DOTALL)
# Moodle turns "_" in names into spaces, so in a file name the first "_" ends the name.
_MOODLE_FILE = re.compile(
    rf"(?P<name>[^_]*)_(?P<uid>{_ID})_assignsubmission_[a-z]+_(?P<original>.+)", re.DOTALL)
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Identity:
    """A student as the zip's names say: ``lms`` is "canvas", "moodle" or "zip" (a plain zip).

    ``lms_id`` is the Canvas user id, the Moodle participant id, or a plain zip's top-level
    name; ``name`` is the name the LMS wrote next to it (the login, the full name).
    """

    lms: str
    lms_id: str
    name: str

    @property
    def default_id(self) -> str:
        """The student id without a roster: ``<name>_<lms id>``, or the plain zip's name."""
        if self.lms == "zip":
            return _slug(self.name)
        return f"{_slug(self.name)}_{self.lms_id}"

    def describe(self) -> str:
        if self.lms == "canvas":
            return f"Canvas user {self.lms_id} ({self.name})"
        if self.lms == "moodle":
            return f"Moodle participant {self.lms_id} ({self.name})"
        return f"'{self.name}'"


@dataclass(frozen=True)
class Claim:
    """What the LMS-written part of a member's path says: whose it is, the file name the
    student uploaded, and whether Canvas marked it late."""

    identity: Identity
    original: str
    late: bool = False


@dataclass(frozen=True)
class Student:
    """One roster row: the course's student id and the names nbgrader keeps."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True)
class Submission:
    """One notebook written: the zip member, the student's name, the text of the
    timestamp.txt written next to it, and Canvas's late mark."""

    member: str
    name: str
    timestamp: str
    late: bool = False


@dataclass(frozen=True)
class Clock:
    """What submission times are read against.

    - zone: the Moodle server's time zone, in which its zip's times are written
    - now: when the collection runs (aware, UTC)
    - due: the assignment's due date in the course's gradebook (aware, UTC); None: it has none
    """

    zone: ZoneInfo
    now: datetime
    due: datetime | None


@dataclass
class Collected:
    """What a collection did: student -> submission written, members skipped with why, and
    notes for the instructor (clashing ids, ids missing from the roster, lateness an LMS
    leaves unknown)."""

    written: dict[str, Submission] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def collect_zip(zip_path: Path, course_dir: Path, assignment: str, *,
                roster: Path | None = None, timezone_name: str = "UTC") -> Collected:
    """Write each student's notebook to ``submitted/<student>/<assignment>/<assignment>.ipynb``.

    Inputs:
    - zip_path: the download of the LMS (Canvas, Moodle) or a zip with one top-level folder or
      file per student.
    - course_dir: the nbgrader course directory.
    - assignment: the assignment id, e.g. "rnn".
    - roster: optional CSV mapping LMS ids to student ids (see :func:`load_roster`).
    - timezone_name: IANA time zone of the Moodle server, to read the times in its zip.

    Returns a :class:`Collected`. Each student's folder gets the notebook, timestamp.txt and
    submission_secret.txt (see the module's docstring). Existing submissions of the same
    students are replaced (a newer download supersedes an older one); no other student's
    folder is touched. Raises ValueError, before writing anything, for a zip or roster that
    cannot be used, or a gradebook that cannot be read for a Canvas zip's due date.
    """
    zone = _zone(timezone_name)
    now = datetime.now(UTC)
    students = load_roster(roster) if roster is not None else None
    result = Collected()
    with _open_zip(zip_path) as archive:
        claims = _claims(zip_path, archive, result.skipped)
        ids = _assign_ids(claims, students, result.notes)
        # Only Canvas's times depend on the due date: other zips need no gradebook.
        canvas = any(identity.lms == "canvas" for identity in claims)
        clock = Clock(zone, now, due_date(course_dir, assignment) if canvas else None)
        for identity, student in sorted(ids.items(), key=lambda item: item[1]):
            known = students.get(identity.lms_id) if students else None
            name = known.full_name if known and known.full_name else identity.name
            written = _write_best(archive, claims[identity], course_dir, student, assignment,
                                  name, clock, result)
            if written is not None:
                result.written[student] = written
    return result


def due_date(course_dir: Path, assignment: str) -> datetime | None:
    """The assignment's due date in the course's nbgrader gradebook (aware, UTC).

    Inputs:
    - course_dir: the nbgrader course directory (its nbgrader_config.py names the database)
    - assignment: the assignment id, e.g. "rnn"

    Returns None when the gradebook has no due date for it, or there is no gradebook yet (a
    missing SQLite file is not created). Raises ValueError when the gradebook cannot be read.
    """
    coursedir = course_config(course_dir).coursedir
    url = make_url(coursedir.db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return None
    try:
        with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
            due = gradebook.find_assignment(assignment).duedate
    except MissingEntry:
        return None
    except Exception as error:  # the database's many ways to fail
        raise ValueError(f"cannot read the due date of {assignment} from the gradebook "
                         f"{coursedir.db_url} ({type(error).__name__}: {error}): check "
                         f"CourseDirectory.db_url in {course_dir}/nbgrader_config.py") from error
    return None if due is None else due.replace(tzinfo=UTC)  # nbgrader keeps UTC, naive


def identify(member: str) -> Claim:
    """Whose a (safe) zip member is, from the LMS-written part of its path only.

    Input: the member's path in the zip, e.g. ``"Ana García_123_assignsubmission_file_/x.ipynb"``.
    Output: the :class:`Claim`; a plain zip's student is its top-level folder, or the top-level
    file's name without extension.
    """
    parts = _parts(member)
    top = parts[0]
    if len(parts) > 1:
        moodle = _MOODLE_FOLDER.fullmatch(top)
        if moodle:
            return Claim(Identity("moodle", moodle["uid"], moodle["name"]), parts[-1])
        return Claim(Identity("zip", top, top), parts[-1])
    moodle = _MOODLE_FILE.fullmatch(top)
    if moodle:
        return Claim(Identity("moodle", moodle["uid"], moodle["name"]), moodle["original"])
    canvas = _CANVAS.fullmatch(top)
    if canvas:
        return Claim(Identity("canvas", canvas["uid"], canvas["name"]), canvas["original"],
                     late=bool(canvas["late"]))
    stem = PurePosixPath(top).stem
    return Claim(Identity("zip", stem, stem), top)


def load_roster(path: Path) -> dict[str, Student]:
    """Read a class roster: LMS id -> :class:`Student`.

    The CSV's first line names its columns, as nbgrader's ``nbgrader db student import`` reads
    them, so one file serves both: ``id`` (the nbgrader student id, required), ``lms_user_id``
    (required: the Canvas user id, the Moodle participant id, or a plain zip's top-level name)
    and optionally ``first_name``, ``last_name``, ``email``. Other columns are ignored.
    Raises ValueError naming the problem and the fix.
    """
    expected = ",".join(ROSTER_COLUMNS)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"roster {path}: no such file; give a CSV with the columns "
                         f"{expected}") from None
    except UnicodeDecodeError:
        raise ValueError(f"roster {path} is not UTF-8 text: save it as CSV (UTF-8)") from None
    except OSError as error:
        raise ValueError(f"cannot read roster {path}: {error.strerror}") from None
    # strict: an unclosed quote must not swallow the rest of the class silently
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(rows, [])]
        for column in ROSTER_REQUIRED:
            if column not in header:
                first = ",".join(header)[:80]
                raise ValueError(f"roster {path} has no '{column}' column (its first line is "
                                 f"{first!r}): the first line must name the columns, "
                                 f"e.g. {expected}")
        students: dict[str, Student] = {}
        lines: dict[str, int] = {}  # lms_user_id, or casefolded student id -> line
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            values = dict(zip(header, (cell.strip() for cell in row), strict=False))
            student = Student(**{key: values.get(key, "") for key in ROSTER_COLUMNS
                                 if key != "lms_user_id"})
            lms_id = values.get("lms_user_id", "")
            _check_roster_row(path, line, student.id, lms_id, lines)
            students[lms_id] = student
    except csv.Error as error:
        raise ValueError(f"roster {path} is not valid CSV ({error}): save it as CSV with "
                         f"the columns {expected}") from None
    if not students:
        raise ValueError(f"roster {path} has no students: add one line per student under "
                         f"the header {expected}")
    return students


def _check_roster_row(path: Path, line: int, student: str, lms_id: str,
                      lines: dict[str, int]) -> None:
    if not student or not lms_id:
        missing = "id" if not student else "lms_user_id"
        raise ValueError(f"roster {path} line {line} has no {missing}: every student needs "
                         f"an id and an lms_user_id")
    if not _SAFE_ID.fullmatch(student):
        raise ValueError(f"roster {path} line {line}: id {student!r} cannot be a folder name: "
                         f"use letters, digits, '_', '-' and '.', starting with a letter or digit")
    for key, what in ((f"lms:{lms_id}", f"lms_user_id {lms_id}"),
                      (f"id:{student.casefold()}", f"id {student}")):
        if key in lines:
            raise ValueError(f"roster {path} lines {lines[key]} and {line} both have {what}: "
                             f"each student appears once, with an id of their own")
        lines[key] = line


# --- reading the zip --------------------------------------------------------------------------


def _open_zip(zip_path: Path) -> zipfile.ZipFile:
    where = ("give the zip the LMS downloads (Canvas: Download Submissions; "
             "Moodle: Download all submissions)")
    if not zip_path.exists():
        raise ValueError(f"{zip_path}: no such file; {where}")
    if zip_path.is_dir():
        raise ValueError(f"{zip_path} is a folder, not a zip; {where}")
    try:
        return zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, EOFError):
        raise ValueError(f"{zip_path} is not a zip file (or it is damaged); {where}") from None
    except OSError as error:
        raise ValueError(f"cannot read {zip_path}: {error.strerror}") from None


def _claims(zip_path: Path, archive: zipfile.ZipFile,
            skipped: list[str]) -> dict[Identity, list[tuple[zipfile.ZipInfo, Claim]]]:
    """The zip's usable notebooks grouped by identity; raises ValueError for an unusable zip."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValueError(f"{zip_path} has {len(members)} members (at most {MAX_MEMBERS}): "
                         f"is it really one assignment's download?")
    if not any(not info.is_dir() for info in members):
        raise ValueError(f"{zip_path} is empty: download the submissions from the LMS again")
    claims: dict[Identity, list[tuple[zipfile.ZipInfo, Claim]]] = defaultdict(list)
    for info in members:
        why = _unusable(info)
        if why:
            if not info.is_dir():
                skipped.append(f"{info.filename}: {why}")
            continue
        claim = identify(info.filename)
        claims[claim.identity].append((info, claim))
    if not claims:
        reasons = clean("; ".join(skipped[:3]), 300, one_line=True)  # names from the zip
        raise ValueError(f"{zip_path} has no notebook to collect ({reasons}): "
                         f"is it the download of this assignment?")
    total = sum(info.file_size for group in claims.values() for info, _ in group)
    if total > MAX_TOTAL_BYTES:
        raise ValueError(f"{zip_path} holds {total // 2**20} MiB of notebooks (at most "
                         f"{MAX_TOTAL_BYTES // 2**20} MiB): is it one assignment's download?")
    _check_not_wrapped(zip_path, claims)
    return claims


def _check_not_wrapped(zip_path: Path,
                       claims: dict[Identity, list[tuple[zipfile.ZipInfo, Claim]]]) -> None:
    """A plain zip whose notebooks all sit in one folder is most likely one folder too deep:
    read as it is, it would be one student. Only the top level names students, so say so."""
    if len(claims) != 1:
        return
    (identity, group), = claims.items()
    in_a_folder = all(len(_parts(info.filename)) > 1 for info, _ in group)
    if identity.lms == "zip" and len(group) > 1 and in_a_folder:
        raise ValueError(f"all {len(group)} notebooks of {zip_path} are inside one folder "
                         f"'{identity.name}/', which would make them one student: zip the "
                         f"students' folders or files themselves (one per student at the top), "
                         f"or leave only that student's notebook")


def _parts(member: str) -> list[str]:
    """The path's parts; Windows zips may separate them with backslashes."""
    return [part for part in member.replace("\\", "/").split("/") if part not in ("", ".")]


def _unusable(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    parts = _parts(name)
    if info.is_dir():
        return "folder"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts or not parts:
        return "unsafe path (absolute or with '..')"
    if not parts[-1].endswith(".ipynb") or parts[-1].startswith(".") or "__MACOSX" in parts:
        return "not a notebook"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.file_size > MAX_NOTEBOOK_BYTES:
        return f"too large ({info.file_size // 2**20} MiB uncompressed)"
    return None


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes | None, str]:
    """The member's bytes, or None and why they cannot be read (zipfile checks the CRC)."""
    try:
        with archive.open(info) as handle:
            return handle.read(MAX_NOTEBOOK_BYTES + 1), ""
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError) as error:
        return None, f"damaged in the zip ({error})"


# --- student ids ------------------------------------------------------------------------------


def _assign_ids(identities: Iterable[Identity], roster: dict[str, Student] | None,
                notes: list[str]) -> dict[Identity, str]:
    """A distinct student id per identity: from the roster, else the default id; identities
    that would share one keep it apart with a suffix from the identity itself (the same one
    in every download), so neither overwrites the other."""
    wanted: dict[Identity, str] = {}
    for identity in sorted(identities, key=_key):
        known = roster.get(identity.lms_id) if roster is not None else None
        wanted[identity] = known.id if known else identity.default_id
    _note_names_sharing_an_lms_id(wanted, notes)
    groups: dict[str, list[Identity]] = defaultdict(list)
    for identity, student in wanted.items():
        groups[student.casefold()].append(identity)  # Ana and ana clash on macOS and Windows
    ids = {group[0]: wanted[group[0]] for group in groups.values() if len(group) == 1}
    taken = {student.casefold() for student in ids.values()}
    for group in (group for group in groups.values() if len(group) > 1):
        base = wanted[group[0]]
        for identity in group:
            digest = hashlib.sha256(_key(identity).encode()).hexdigest()
            length = 6
            while f"{base}_{digest[:length]}".casefold() in taken:
                length += 2
            ids[identity] = f"{base}_{digest[:length]}"
            taken.add(ids[identity].casefold())
        kept = ", ".join(f"{identity.describe()} as {ids[identity]}" for identity in group)
        notes.append(f"{len(group)} students would all be {base!r}: kept apart, {kept}; "
                     f"give each an id of their own with --roster")
    if roster is not None:
        notes.extend(f"{identity.describe()} is not in the roster: collected as {ids[identity]}"
                     for identity in wanted if identity.lms_id not in roster)
    return ids


def _note_names_sharing_an_lms_id(wanted: dict[Identity, str], notes: list[str]) -> None:
    by_lms_id: dict[tuple[str, str], list[Identity]] = defaultdict(list)
    for identity in wanted:
        if identity.lms != "zip":
            by_lms_id[identity.lms, identity.lms_id].append(identity)
    for (_, lms_id), group in by_lms_id.items():
        if len(group) > 1:
            names = ", ".join(repr(identity.name) for identity in group)
            notes.append(f"LMS id {lms_id} comes with {len(group)} names ({names}): one of them "
                         f"is not what the LMS wrote; check these submissions by hand")


def _key(identity: Identity) -> str:
    return f"{identity.lms}\0{identity.lms_id}\0{identity.name}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", ascii_text)[:MAX_NAME_CHARS]
    return slug.strip("._-").lower() or "unknown"


# --- writing ----------------------------------------------------------------------------------


def _write_best(archive: zipfile.ZipFile, group: list[tuple[zipfile.ZipInfo, Claim]],
                course_dir: Path, student: str, assignment: str, name: str, clock: Clock,
                result: Collected) -> Submission | None:
    """Write the student's best readable notebook; report the others as skipped."""
    wanted = f"{assignment}.ipynb"
    # Best first: named <assignment>.ipynb, then the last in the zip.
    ranked = sorted(reversed(group), key=lambda pair: pair[1].original != wanted)
    chosen = None
    for info, claim in ranked:
        if chosen is not None:
            result.skipped.append(f"{info.filename}: {student} has another notebook "
                                  f"(kept {chosen.member})")
            continue
        data, why = _read(archive, info)
        if data is None:
            result.skipped.append(f"{info.filename}: {why}")
            continue
        folder = course_dir / "submitted" / student / assignment
        submitted_at, note = _submission_time(info, claim, clock, folder / "timestamp.txt")
        stamp = submitted_at.astimezone(UTC).strftime(NBGRADER_TIMESTAMP_FORMAT)
        _write(folder, wanted, data, stamp)
        if note:
            result.notes.append(f"{student}: {note}")
        chosen = Submission(info.filename, name, stamp, claim.late)
    return chosen


def _submission_time(info: zipfile.ZipInfo, claim: Claim, clock: Clock,
                     stamp_file: Path) -> tuple[datetime, str | None]:
    """When the member was submitted, as far as its LMS says (see the module's docstring),
    and a note for the instructor when that is not the whole story. ``stamp_file`` is the
    ``submitted/<student>/<assignment>/timestamp.txt`` the time goes to."""
    lms = claim.identity.lms
    if lms == "moodle":
        stored = _zip_time(info, clock.zone)
        if stored is None:
            return clock.now, (f"its time in the Moodle zip is not a date: {stamp_file} says "
                               f"when it was collected; write the submission time there if "
                               f"it matters")
        return stored, None
    if lms != "canvas":
        return clock.now, None
    if clock.due is None:
        assignment = stamp_file.parent.name
        note = (f"Canvas marked it late, but the gradebook has no due date for {assignment}, "
                f"so nothing is late: add one (nbgrader db assignment add {assignment} "
                f"--duedate=...) and collect again") if claim.late else None
        return clock.now, note
    if claim.late:
        return clock.due + CANVAS_LATE_BY, (
            f"Canvas marked it late but not how late: {stamp_file} says 1 s after the due "
            f"date; if the course's late penalty depends on how late, write the real "
            f"submission time there before autograding")
    return min(clock.due, clock.now), None


def _write(folder: Path, notebook: str, data: bytes, stamp: str) -> None:
    """The submission as ``nbgrader submit`` leaves it: notebook, timestamp, a new secret."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / notebook).write_bytes(data)
        (folder / "timestamp.txt").write_text(stamp)
        (folder / "submission_secret.txt").write_text(secrets.token_hex(64))  # as nbgrader's
    except OSError as error:
        raise ValueError(f"cannot write {folder}: {error.strerror}; check that the course "
                         f"directory is yours and writable") from None


def _zip_time(info: zipfile.ZipInfo, zone: ZoneInfo) -> datetime | None:
    """The member's time, local to the zip's maker in ``zone``; None when it is no date."""
    try:
        return datetime(*info.date_time, tzinfo=zone)
    except ValueError:  # a zip may hold a date such as month 0
        return None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: give an IANA name such as "
                         f"Europe/Madrid or UTC") from None
