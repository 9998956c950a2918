"""`{% url %}` without arguments is reversed once per process and language (issue 17), and
answers as Django's tag does in every form: arguments, `as`, a name that does not reverse, a
script prefix, escaping."""

from __future__ import annotations

from unittest import mock

import pytest
from django.template import Context, Engine, TemplateSyntaxError, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from coproduce.core.templatetags import kept_urls


def _ours(source: str):
    return engines["django"].from_string(source)


def _djangos(source: str):
    return Engine(builtins=[]).from_string(source)  # Django's builtins alone


@pytest.fixture(autouse=True)
def _fresh():
    kept_urls._reversed.cache_clear()
    yield
    kept_urls._reversed.cache_clear()
    set_script_prefix("/")


SOURCES = [
    "{% url 'web:home' %}|{% url 'web:manifest' %}|{% url 'web:logout' %}",
    "{% url 'community:profile' '6a1f0c3e-2b7d-4e55-9a43-0d1c2b3a4f5e' %}",
    "{% url 'community:profile' public_id=who %}",
    "{% url 'web:home' as home %}[{{ home }}]",
    "{% url 'no-such-page' as nowhere %}[{{ nowhere }}]",
    "{% url name %}",
    "{% autoescape off %}{% url 'web:home' %}{% endautoescape %}",
]


@pytest.mark.parametrize("source", SOURCES)
def test_it_answers_as_djangos_tag(source):
    context = {"who": "6a1f0c3e-2b7d-4e55-9a43-0d1c2b3a4f5e", "name": "web:login"}
    request = RequestFactory().get("/")
    expected = _djangos(source).render(Context(context))
    assert _ours(source).render(context, request) == expected
    assert _ours(source).render(context, request) == expected  # kept


def test_a_name_that_does_not_reverse_raises_and_is_not_kept():
    with pytest.raises(NoReverseMatch):
        _ours("{% url 'no-such-page' %}").render({})
    assert kept_urls._reversed.cache_info().currsize == 0


def test_a_bad_tag_is_refused_as_django_refuses_it():
    with pytest.raises(TemplateSyntaxError):
        _ours("{% url %}")


def test_an_address_without_arguments_is_reversed_once():
    template = _ours("{% url 'web:home' %}{% url 'web:home' %}")
    with mock.patch.object(kept_urls, "reverse", wraps=reverse) as reversing:
        for _ in range(3):
            assert template.render({}) == "//"
    assert reversing.call_count == 1


def test_the_script_prefix_and_the_language_are_part_of_the_key():
    template = _ours("{% url 'web:home' %}")
    assert template.render({}) == "/"
    set_script_prefix("/bank/")
    assert template.render({}) == "/bank/"
    with translation.override("cy"):
        assert template.render({}) == "/bank/"
    assert kept_urls._reversed.cache_info().currsize == 3
    set_script_prefix("/")
    assert template.render({}) == "/"
