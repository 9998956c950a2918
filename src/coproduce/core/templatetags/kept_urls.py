"""`{% url %}` with an address that takes no arguments reversed once per process (issue 17).

Every page's base template reverses five fixed addresses (home twice, the manifest, the
language switcher's form, sign out) and most pages one or two more: after round 20's cuts the
largest single part of the base template's time (benchmarks/BENCHMARKS.md, "Round 21"). Without
arguments an address depends only on the view's name, the current application (namespaces),
the URLconf, the script prefix and the language (translated patterns): those are the key of a
table per process, so the answer is Django's own `reverse`, made once. A tag with arguments,
or a name that is not a string, is Django's tag unchanged; a name that does not reverse raises
as before (a failure is never kept). Nothing of the person asking is in the key or the answer.

Registered as a template builtin (settings.TEMPLATES), after Django's own, so every template's
`{% url %}` is this one, with Django's syntax and output.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=1024)
def _reversed(
    view_name: str, current_app: str | None, urlconf: str, prefix: str, language: str | None
) -> str:
    """The address, reversed by Django while `urlconf`, `prefix` and `language` are the
    thread's own (the caller reads them for the key), so the key holds all it depends on."""
    return reverse(view_name, current_app=current_app)


def _current_app(context: Context) -> str | None:
    # As Django's URLNode reads it.
    try:
        return context.request.current_app  # type: ignore[attr-defined]
    except AttributeError:
        try:
            return context.request.resolver_match.namespace  # type: ignore[attr-defined]
        except AttributeError:
            return None


class KeptURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str):
            return super().render(context)
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        try:
            url = _reversed(
                view_name, _current_app(context), urlconf, get_script_prefix(), get_language()
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    """Django's `{% url %}` (its parsing, its errors), rendered by `KeptURLNode`."""
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
