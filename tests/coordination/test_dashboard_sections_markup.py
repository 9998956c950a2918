"""The dashboard's summary, lists and quick links are marked up in Python
(coordination.sections_html, coordination.views) byte for byte as the template's loops they
replaced printed them: the loops are rendered here beside them, for sections with nothing to
do, a few rows, and more rows than shown (a "see all" link), in every language the app ships."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from coproduce.coordination import views
from coproduce.coordination.sections_html import sections_html, summary_html
from coproduce.coordination.selectors import SECTIONS

# The dashboard template's loops, as they were before they went.
SUMMARY_LOOP = """{% load i18n %}{% for section in sections %}
      <li><a href="#{{ section.key }}">{{ section.title }}: <span class="todo-count">{{ section.total }}</span></a></li>
    {% endfor %}"""  # noqa: E501
SECTIONS_LOOP = """{% load i18n %}{% for section in sections %}
  <section id="{{ section.key }}" aria-labelledby="{{ section.key }}-heading">
    <h2 id="{{ section.key }}-heading">{{ section.title }}</h2>
    <p class="muted">{{ section.explanation }}</p>
    {% if section.total %}
      <p>{% blocktranslate count total=section.total %}<span class="todo-count">{{ total }}</span> in all.{% plural %}<span class="todo-count">{{ total }}</span> in all.{% endblocktranslate %}
        {% if section.more %}{% blocktranslate count shown=section.shown %}Showing the first {{ shown }}.{% plural %}Showing the first {{ shown }}.{% endblocktranslate %}{% endif %}</p>
      <ul class="todo-rows">
        {{ section.rows }}
      </ul>
      {% if section.more %}
        <p><a href="{{ section.see_all }}">{% blocktranslate with title=section.title total=section.total %}See all {{ total }}: {{ title }}{% endblocktranslate %}</a></p>
      {% endif %}
    {% else %}
      <p>{% translate "None at the moment. Nothing to do here." %}</p>
    {% endif %}
  </section>
{% endfor %}"""  # noqa: E501
QUICK_LINKS_LOOP = (
    '{% for link in quick_links %}<li><a href="{{ link.url }}">{{ link.label }}</a></li>'
    "{% endfor %}"
)


def _sections() -> list[dict]:
    """Every section, in turn empty, with one row, with a few, and cut at ten of many."""
    counts = [(0, 0), (1, 1), (3, 3), (12, 10), (1234, 10), (2, 1)]  # (total, shown)
    return [
        {
            "key": key,
            "title": kind.title,
            "explanation": kind.explanation,
            "total": total,
            "more": total - shown,
            "shown": shown,
            "rows": mark_safe('\n<li><a href="/x/">Siân &lt;b&gt; &amp; co</a></li>\n'),
            "see_all": f"/coordinator/{key}/?a=1&b=<2>" if total > shown else "",
        }
        for i, (key, kind) in enumerate(SECTIONS.items())
        for total, shown in [counts[i % len(counts)], counts[(i + 3) % len(counts)]]
    ]


def _loop(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_summary_and_the_lists_are_marked_up_as_the_templates_loops_printed_them(
    language: str,
) -> None:
    sections = _sections()
    assert {s["total"] for s in sections} >= {0, 1, 3, 12, 1234}
    with translation.override(language):
        for _ in range(2):  # the second time from what was kept
            assert summary_html(sections) == _loop(SUMMARY_LOOP, sections=sections)
            assert sections_html(sections) == _loop(SECTIONS_LOOP, sections=sections)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_quick_links_are_marked_up_as_the_templates_loop_printed_them(language: str) -> None:
    with translation.override(language):
        links = [{"url": reverse(name), "label": label} for name, label in views.QUICK_LINKS]
        kept = views._quick_links_html("coproduce.config.urls", "/", language)
        assert kept == _loop(QUICK_LINKS_LOOP, quick_links=links)
