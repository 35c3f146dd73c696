"""Shared fixtures of the kit's own tests."""

from __future__ import annotations

import pytest

from rnnkit import i18n


@pytest.fixture(autouse=True)
def english_messages():
    """Tests match English feedback; the default language of the kit stays Spanish."""
    i18n.set_language("en")
    yield
    i18n._chosen = None
