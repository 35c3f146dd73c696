"""Select one language from a bilingual source notebook (see source/README.md).

Cells tagged ``lang:es`` / ``lang:en`` are kept only in their language; inside any cell, a line
marked ``[es] `` or ``[en] `` (after indentation and an optional ``# ``) is kept only in its
language, without the marker; and a code line ending in ``# [lang]`` gets the release's language
in its string literal (``set_language("es")  # [lang]``), so the kernel speaks it too.

Grading reads cells through :func:`localize_source` alone, so nbformat and nbgrader (more than
a second to import: nbformat's schema validator builds a grammar) are imported only when the
nbgrader step :class:`SelectLanguage` is first asked for.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rnnkit.i18n import DEFAULT_LANGUAGE, check_language

if TYPE_CHECKING:
    from nbformat import NotebookNode

_LINE_MARKER = re.compile(r"^(?P<lead>\s*(?:#\s*)?)\[(?P<lang>es|en)\] ?")
_LANGUAGE_LITERAL = re.compile(r"""(?P<quote>["'])(?:es|en)(?P=quote)(?=.*#\s*\[lang\])""")
_LANGUAGE_DIRECTIVE = re.compile(r"\s*#\s*\[lang\]\s*$")


def localize_source(source: str, lang: str) -> str:
    """The cell text with the other language's marked lines dropped and markers removed."""
    kept = []
    for line in source.split("\n"):
        marked = _LINE_MARKER.match(line)
        if marked is None and _LANGUAGE_LITERAL.search(line):
            line = _LANGUAGE_LITERAL.sub(lambda m: f"{m['quote']}{lang}{m['quote']}", line)
            kept.append(_LANGUAGE_DIRECTIVE.sub("", line))  # the directive has done its job
        elif marked is None:
            kept.append(line)
        elif marked["lang"] == lang:
            kept.append(marked["lead"] + line[marked.end():])
    return "\n".join(kept)


def cell_language(cell: NotebookNode) -> str | None:
    """The language a cell is tagged with (``lang:xx``), or None for a shared cell."""
    for tag in cell.get("metadata", {}).get("tags", []):
        if tag.startswith("lang:"):
            return tag.removeprefix("lang:")
    return None


def localize_notebook(nb: NotebookNode, lang: str) -> NotebookNode:
    """Keep the cells and lines of ``lang`` (the notebook is changed in place and returned)."""
    check_language(lang)
    nb.cells = [cell for cell in nb.cells if cell_language(cell) in (None, lang)]
    for cell in nb.cells:
        cell.source = localize_source(cell.source, lang)
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if not t.startswith("lang:")]
        if "tags" in cell.get("metadata", {}):
            cell.metadata.tags = tags
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.setdefault("rnnkit", {})["language"] = lang
    return nb


def __getattr__(name: str) -> Any:
    """``SelectLanguage``, built on first use (see the module's docstring)."""
    if name != "SelectLanguage":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = built = _select_language_class()
    return built


def _select_language_class() -> type:
    from nbgrader.preprocessors import NbGraderPreprocessor
    from traitlets import Unicode, validate

    class SelectLanguage(NbGraderPreprocessor):
        """First step of ``nbgrader generate_assignment``: keep one language of the source."""

        language = Unicode(DEFAULT_LANGUAGE,
                           help="Language of the release: es or en").tag(config=True)

        @validate("language")
        def _check(self, proposal: dict[str, Any]) -> str:
            return check_language(proposal["value"])

        def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
            return localize_notebook(nb, self.language), resources

    SelectLanguage.__module__ = __name__
    SelectLanguage.__qualname__ = "SelectLanguage"
    return SelectLanguage
