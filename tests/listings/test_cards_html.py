"""The list's cards written in Python give the HTML the template's loop gave, byte for byte."""

from __future__ import annotations

from django.template import engines

from coproduce.core.categories import category_icon_html
from coproduce.exchanges.views.listings import Card, cards_html

# The loop `exchanges/listings/_results.html` had before the cards were written in Python.
TEMPLATE_LOOP = """{% for card in cards %}
    <li>
      <h3><a href="{{ card.url }}">{{ card.title }}</a></h3>
      <span class="tag">{{ card.icon }}{{ card.category }}</span>
      {{ card.who }}{% if card.area %} · {{ card.area }}{% endif %}
      {% if card.summary is not None %}<p>{{ card.summary }}</p>{% endif %}
    </li>
    {% endfor %}"""


def test_the_cards_are_the_html_the_template_loop_gave():
    cards = [
        # What a member can type is escaped: quotes, ampersands, angle brackets.
        Card(
            url="/offers/00000000-0000-0000-0000-000000000001/",
            title='Bob\'s "<b>lifts</b>" & errands',
            icon="",
            category="Transport & lifts",
            who="Bob O'Brien <bob>",
            area="Riverside & <Hill>",
            summary="Lifts to the GP's & the shops …",
        ),
        # Easy read: the category's picture is safe HTML, shown as it is.
        Card(
            url="/offers/00000000-0000-0000-0000-000000000002/",
            title="Weeding",
            icon=category_icon_html("gardening"),
            category="Gardening",
            who="Alice",
            area="",
            summary=None,
        ),
        Card(
            url="/requests/00000000-0000-0000-0000-000000000003/",
            title="Cymraeg: sgwrs â phaned",
            icon="",
            category="Cwmni",
            who="",
            area="Glan-yr-afon",
            summary="",
        ),
    ]
    expected = engines["django"].from_string(TEMPLATE_LOOP).render({"cards": cards})

    assert cards_html(cards) == expected
    assert "&lt;b&gt;lifts&lt;/b&gt;" in expected and '<svg class="icon"' in expected
    assert cards_html([]) == ""
