"""The menu and the language switcher are written from parts kept per process and language
(web.templatetags.menu, issue 17): the same HTML the base template's loops wrote, and nothing of
one person's (their unread counts, the page they are on) carried to another's page."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from coproduce.core.models import Notification

pytestmark = pytest.mark.django_db

# The loops `web/base.html` and `web/language_switcher.html` had before the tags.
LOOPS = (
    "{% for item in nav_items %}{% if item.primary %}"
    '<li><a href="{{ item.entry.url }}" {% if item.current %}aria-current="page"{% endif %}'
    '{% if item.count %} aria-label="{{ item.aria_label }}"{% endif %}>{{ item.entry.label }}'
    "{% if item.count %} ({{ item.count }}){% endif %}</a></li>{% endif %}{% endfor %}|"
    "{% for item in nav_items %}{% if not item.primary %}"
    '<li><a href="{{ item.entry.url }}" dir="ltr" '
    '{% if item.current %}aria-current="page"{% endif %}>'
    "{{ item.entry.label }}</a></li>{% endif %}{% endfor %}"
)
TAGS = "{% load menu %}{% menu_primary nav_items %}|{% menu_more nav_items %}"
SWITCHER_LOOP = """{% load i18n %}{% get_current_language as current %}\
{% get_available_languages as languages %}<fieldset>
    <legend class="visually-hidden">{% translate "Language" %}</legend>
    {% for code, name in languages %}
      {% if code == current %}<strong lang="{{ code }}" aria-current="true">{{ name }}</strong>\
{% else %}<button type="submit" name="language" value="{{ code }}" lang="{{ code }}" \
class="secondary outline">{{ name }}</button>{% endif %}
    {% endfor %}
  </fieldset>"""


def _unread(person, riverside, how_many: int) -> None:
    for _ in range(how_many):
        Notification.objects.create(
            person=person, kind="exchange.agreed", message="Agreed", timebank_id=riverside.pk
        )


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_menu_tags_write_what_the_templates_loops_wrote(
    client, login, carol, riverside, language
):
    _unread(carol, riverside, 3)
    client.cookies["django_language"] = language
    response = login(carol).get("/members/")
    items = response.context["nav_items"]
    assert any(item.get("count") == 3 for item in items)
    assert any(item["current"] and not item["primary"] for item in items)  # Members
    with translation.override(language):
        old = Template(LOOPS).render(Context({"nav_items": items}))
        new = Template(TAGS).render(Context({"nav_items": items}))
    assert new == old
    primary, more = new.split("|")
    assert primary in response.content.decode() and more in response.content.decode()


def test_a_site_administrators_menu_item_is_written_as_the_others(as_rosa):
    response = as_rosa.get("/")
    items = response.context["nav_items"]
    assert [item["entry"].label for item in items] == ["Site administration"]
    old = Template(LOOPS).render(Context({"nav_items": items}))
    assert old == Template(TAGS).render(Context({"nav_items": items}))


def test_alices_unread_count_and_page_are_not_on_bobs_menu(client, login, alice, bob, riverside):
    _unread(alice, riverside, 2)
    alices = login(alice).get("/notifications/").content.decode()
    assert "Notices (2)" in alices
    assert 'aria-current="page" aria-label="Notices: 2 unread"' in alices
    bobs = login(bob).get("/offers/").content.decode()
    assert "Notices (" not in bobs and "unread" not in bobs
    assert '<a href="/notifications/" >Notices</a>' in bobs
    assert '<a href="/offers/" aria-current="page">Offers</a>' in bobs


@pytest.mark.parametrize("language", ["en-gb", "cy", "es", "ca"])
def test_the_language_switcher_lists_the_languages_as_its_loop_did(client, login, alice, language):
    client.cookies["django_language"] = language
    page = login(alice).get("/offers/").content.decode()
    with translation.override(language):
        fieldset = Template(SWITCHER_LOOP).render(Context())
    assert f'<strong lang="{language}" aria-current="true">' in fieldset
    assert f'  <input type="hidden" name="next" value="/offers/">\n  {fieldset}\n</form>' in page
