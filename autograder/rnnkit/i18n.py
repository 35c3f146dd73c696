"""The student's language: every message the kit shows exists in Spanish (default) and English.

The language is read from ``RNNKIT_LANG`` (``es`` or ``en``) unless a caller sets it with
:func:`set_language` or, for a block, :func:`speaking`. The choice is a context variable, so
it belongs to the code that made it (a grading run, a thread, an asyncio task) and no cached
value or other caller can see a language it did not choose.

Messages are written inline as ``say(es=..., en=...)`` so the two versions stay side by side
and cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"

_chosen: ContextVar[str | None] = ContextVar("rnnkit_language", default=None)


def set_language(lang: str | None) -> None:
    """Choose the language of every later message in this context (``"es"`` or ``"en"``;
    None forgets the choice, so that $RNNKIT_LANG or the default rules again)."""
    _chosen.set(None if lang is None else check_language(lang))


def check_language(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def chosen_language() -> str | None:
    """The language someone asked for: set_language(), else $RNNKIT_LANG; None if neither."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    env = os.environ.get("RNNKIT_LANG")
    return env if env in LANGUAGES else None


def current_language() -> str:
    """The language in force: the chosen one, else Spanish."""
    return chosen_language() or DEFAULT_LANGUAGE


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Messages in ``lang`` inside the block (None: as if nothing were chosen), then back to
    what was in force before."""
    token = _chosen.set(None if lang is None else check_language(lang))
    try:
        yield
    finally:
        _chosen.reset(token)


def say(*, es: str, en: str, **fields: object) -> str:
    """The message in the current language, with ``{fields}`` filled in."""
    template = es if current_language() == "es" else en
    return template.format(**fields) if fields else template
