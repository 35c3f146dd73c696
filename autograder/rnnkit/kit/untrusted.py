"""The one gate for text that comes from a submission.

Everything a student controls (exception messages, printed output, type names, labels of
modified arguments, notebook cell fields, student ids) passes through :func:`clean` before it
reaches a report, results.json, the gradebook, an autograded notebook or a terminal. Cell
sources, which must stay runnable code, pass through :func:`clean_code` instead.

What the gate stops:
- code points that cannot be encoded (lone surrogates, e.g. ``"\\ud800"`` from JSON): writing
  them as UTF-8 raises, which would lose a whole report or leave a file half written;
- control characters (terminal escapes, carriage returns, C1 codes such as CSI ``\\x9b``),
  bidirectional overrides and isolates, zero-width and other format characters, line and
  paragraph separators: they could rewrite, hide or reorder what a terminal or an editor shows;
- sheer length.

Each such code point is shown as a visible escape (``\\x1b``, ``\\u202e``), the way Python's
``repr`` writes it, so the instructor still sees what the student sent.

The sandboxed child cannot import rnnkit, so this gate runs on the grader side.
"""

from __future__ import annotations

import re

from rnnkit.i18n import say

MAX_TEXT = 20_000
"""Default cap, in characters, of one cleaned text (a note, a test's feedback)."""

# Unicode's control (Cc), surrogate (Cs), line and paragraph separator (Zl, Zp) and format
# (Cf) characters, but \t and \n; written as regex escapes, so none hides in this file either.
_UNSAFE = (
    r"\x00-\x08\x0b-\x1f\x7f-\x9f"  # Cc: terminal escapes, CR, backspace, DEL, C1 (CSI, NEL)
    r"\ud800-\udfff"  # Cs: alone, a surrogate cannot be encoded
    r"\u2028\u2029"  # Zl, Zp: line breaks to some editors and browsers
    # Cf: bidi embeddings, overrides, isolates and marks; zero-width spaces and joiners; the
    # BOM; soft hyphen; invisible operators; interlinear annotations; tags; ...
    r"\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    r"\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    r"\U000e0001\U000e0020-\U000e007f"
)
_UNSAFE_IN_TEXT = re.compile(f"([{_UNSAFE}])")
_UNSAFE_IN_LINE = re.compile(f"([{_UNSAFE}\\t\\n])")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def clean(text: str, limit: int | None = MAX_TEXT, *, one_line: bool = False) -> str:
    """``text`` made safe to show and to write: unsafe code points escaped, length capped.

    Inputs:
    - text: a string that came, whole or in part, from a submission.
    - limit: at most this many characters of cleaned text are kept (None: no cap); what is cut
      is replaced by a note "[… N more characters]", N counting characters of ``text``.
    - one_line: also escape newlines and tabs (a table cell, a test's name line).

    Returns the cleaned text: valid for any UTF-8 writer, free of control, bidi, zero-width
    and separator characters (``\\n`` and ``\\t`` are kept unless ``one_line``). Escapes
    are never cut in half. ``"\\r\\n"`` becomes ``"\\n"`` first.
    """
    text = text.replace("\r\n", "\n")
    unsafe = _UNSAFE_IN_LINE if one_line else _UNSAFE_IN_TEXT
    if limit is None:
        return unsafe.sub(_escape, text)
    # Escaping never shortens text, so only the first `limit` characters can be shown.
    pieces = unsafe.split(text[:limit])  # alternately: safe text, one unsafe code point
    shown, room, used = [], limit, 0
    for index, piece in enumerate(pieces):
        if index % 2:
            piece = _escape_char(piece)
            if len(piece) > room:
                break
        else:
            piece = piece[:room]
        shown.append(piece)
        room -= len(piece)
        used += len(piece) if index % 2 == 0 else 1
        if not room:
            break
    cleaned = "".join(shown)
    if used < len(text):
        separator = " " if one_line else "\n"
        cleaned += separator + say(es="[… {n} caracteres más]", en="[… {n} more characters]",
                                   n=len(text) - used)
    return cleaned


def clean_code(source: str) -> str:
    """A cell's source that can always be written as UTF-8 and still runs as before.

    Lone surrogates become the text of their escape (``\\ud800``): in a comment that is just
    text, and in a string literal it is the same character again when the code runs. Nothing
    else changes: control characters are legitimate code (JSON writers escape them), and the
    code may only run inside the sandbox.
    """
    return _SURROGATE.sub(_escape, source)


def _escape(match: re.Match[str]) -> str:
    return _escape_char(match.group())


def _escape_char(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code <= 0xff:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xffff else f"\\U{code:08x}"
