"""The dashboard's lists marked up once in Python: the summary of counts at the top and each
section (its heading, what it means, how many, its rows and the "see all" link), as the
dashboard template's two loops printed them, byte for byte
(`tests/coordination/test_dashboard_sections_markup.py` renders the loops beside them).

The loops cost the dashboard more than its rows did (issue 17): some 200 variables resolved,
localized and escaped a view, and three `{% blocktranslate %}` a section, each looking its
message up through every catalogue. Here a section's title and explanation are escaped once
per process and language, and its sentences come from the tags' own msgids, put together as
`coordination.rows` puts a row's: the translation as written, each value escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from coproduce.coordination.rows import escape, gettext, ngettext, say, value_html

# Each section's title and explanation in a language, escaped, by (section, language), with
# the lazy strings they were made from: both are fixed per section
# (coordination.selectors.SECTIONS), and a lazy string is translated again each time it is
# printed, hashed or compared.
_WORDS: dict[tuple[str, str | None], tuple[Any, Any, str, str]] = {}


def _words(section: dict[str, Any], language: str | None) -> tuple[str, str]:
    title, explanation = section["title"], section["explanation"]
    key = (section["key"], language)
    words = _WORDS.get(key)
    if words is None or words[0] is not title or words[1] is not explanation:
        words = _WORDS[key] = (title, explanation, escape(title), escape(explanation))
    return words[2], words[3]


def summary_html(sections: Iterable[dict[str, Any]]) -> SafeString:
    """The "at a glance" list's items: each section's title and total, linked to it."""
    language = translation.get_language()
    return mark_safe(  # noqa: S308 (every value is escaped where it is put in)
        "".join(
            f'\n      <li><a href="#{escape(s["key"])}">{_words(s, language)[0]}: '
            f'<span class="todo-count">{value_html(s["total"])}</span></a></li>\n    '
            for s in sections
        )
    )


def _listed(section: dict[str, Any], title: str) -> str:
    # A section with rows: how many, its rows, and the link to them all when it shows fewer.
    total, shown = section["total"], section["shown"]
    in_all = say(
        ngettext(
            '<span class="todo-count">%(total)s</span> in all.',
            '<span class="todo-count">%(total)s</span> in all.',
            total,
        ),
        total=total,
    )
    if not section["more"]:
        showing = see_all = ""
    else:
        showing = say(
            ngettext("Showing the first %(shown)s.", "Showing the first %(shown)s.", shown),
            shown=shown,
        )
        # The title is escaped already (`_words`): put in as it is.
        see_all = (
            f'\n        <p><a href="{escape(section["see_all"])}">'
            + say(gettext("See all %(total)s: %(title)s"), title=mark_safe(title), total=total)  # noqa: S308
            + "</a></p>\n      "
        )
    return (
        f"\n      <p>{in_all}\n        {showing}</p>\n"
        f'      <ul class="todo-rows">\n        {section["rows"]}\n      </ul>\n      {see_all}\n'
    )


def sections_html(sections: Iterable[dict[str, Any]]) -> SafeString:
    """Each section: its heading, what it means and either its rows with how many there are,
    or that there is nothing to do."""
    language = translation.get_language()
    # As `{% translate "…" %}` printed it: the translation of a literal, which the template
    # marks safe, as it is.
    nothing = f"\n      <p>{gettext('None at the moment. Nothing to do here.')}</p>\n"
    parts = []
    for section in sections:
        key = escape(section["key"])
        title, explanation = _words(section, language)
        parts.append(
            f'\n  <section id="{key}" aria-labelledby="{key}-heading">\n'
            f'    <h2 id="{key}-heading">{title}</h2>\n'
            f'    <p class="muted">{explanation}</p>\n    '
            + (_listed(section, title) if section["total"] else nothing)
            + "    \n  </section>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value is escaped where it is put in)
