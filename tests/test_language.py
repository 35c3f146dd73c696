"""One bilingual source, two releases: the SelectLanguage step."""

import nbformat
import pytest

from rnnkit.nb.language import localize_notebook, localize_source


def test_marked_lines_keep_only_the_chosen_language():
    source = "def f(x):\n    \"\"\"\n    [es] Suma uno.\n    [en] Adds one.\n    \"\"\"\n" \
             "    # [es] comentario\n    # [en] comment\n    return x + 1"
    assert localize_source(source, "en") == \
        "def f(x):\n    \"\"\"\n    Adds one.\n    \"\"\"\n    # comment\n    return x + 1"
    assert "Suma uno." in localize_source(source, "es")
    assert "Adds one" not in localize_source(source, "es")


def test_unmarked_text_that_mentions_a_language_is_kept():
    assert localize_source("x = '[en] not a marker'", "es") == "x = '[en] not a marker'"


def test_tagged_cells_exist_only_in_their_language():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Hola", metadata={"tags": ["lang:es"]}),
        nbformat.v4.new_markdown_cell("Hello", metadata={"tags": ["lang:en", "intro"]}),
        nbformat.v4.new_code_cell("x = 1"),
    ])
    english = localize_notebook(nb, "en")
    assert [c.source for c in english.cells] == ["Hello", "x = 1"]
    assert english.cells[0].metadata.tags == ["intro"]
    assert english.metadata["rnnkit"]["language"] == "en"


def test_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="es, en"):
        localize_notebook(nbformat.v4.new_notebook(), "fr")


def test_a_line_marked_lang_gets_the_release_language():
    source = 'set_language("es")  # [lang]: the kernel speaks it\nother = "es"'
    assert localize_source(source, "en") == \
        'set_language("en")  # [lang]: the kernel speaks it\nother = "es"'
    assert localize_source(source, "es") == source
