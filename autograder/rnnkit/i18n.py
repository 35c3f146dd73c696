"""The student's language: every message the kit shows exists in Spanish (default) and English.

The language is read from ``RNNKIT_LANG`` (``es`` or ``en``) unless a caller sets it with
:func:`set_language`. Messages are written inline as ``say(es=..., en=...)`` so the two versions
stay side by side and cannot drift apart.
"""

from __future__ import annotations

import os

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"

_chosen: str | None = None


def set_language(lang: str) -> None:
    """Choose the language of every later message (``"es"`` or ``"en"``)."""
    global _chosen
    _chosen = check_language(lang)


def check_language(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def current_language() -> str:
    """The language in force: set_language(), else $RNNKIT_LANG, else Spanish."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get("RNNKIT_LANG", DEFAULT_LANGUAGE)
    return env if env in LANGUAGES else DEFAULT_LANGUAGE


def say(*, es: str, en: str, **fields: object) -> str:
    """The message in the current language, with ``{fields}`` filled in."""
    template = es if current_language() == "es" else en
    return template.format(**fields) if fields else template
