"""Every word a template shows is inside a translation tag (issue 16)."""

from __future__ import annotations

from pathlib import Path

import coproduce
from tests.i18n.template_text import untranslated_text

SOURCE = Path(coproduce.__file__).parent


def _templates() -> list[Path]:
    return sorted(
        path
        for path in SOURCE.glob("*/templates/**/*")
        if path.suffix in {".html", ".txt"} and "vendor" not in path.parts
    )


def test_every_template_keeps_its_words_inside_translation_tags():
    templates = _templates()
    assert len(templates) > 100  # the glob found the real templates
    found = [
        str(finding)
        for path in templates
        for finding in untranslated_text(path, str(path.relative_to(SOURCE)))
    ]
    assert not found, "words outside translation tags:\n" + "\n".join(found)


def test_the_checker_finds_words_in_text_and_in_what_screen_readers_read(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Offers" %}</h1>\n'
        "<p>Ask your coordinator</p>\n"
        '<img src="x.png" alt="A smiling neighbour">\n'
        '<nav aria-label="Main">{{ nav }}</nav>\n'
        '<input type="submit" value="Send">\n'
        '<button name="action" value="save">{% translate "Save" %}</button>\n'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}\n"
        "{% comment %}Notes for developers{% endcomment %}\n"
        "<pre><code>coproduce ledger verify</code></pre>\n"
        "<p>{{ minutes|hmm }} · 3:30 — CSV</p>\n"
    )
    found = [(f.line, f.text) for f in untranslated_text(page, "page.html")]
    assert found == [
        (2, "Ask your coordinator"),
        (3, "alt=A smiling neighbour"),
        (4, "aria-label=Main"),
        (5, "value=Send"),
    ]
