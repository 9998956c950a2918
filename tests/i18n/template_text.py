"""Finds the words in a template that no translation tag covers.

A template is read with Django's own lexer. Text inside `{% translate %}` / `{% blocktranslate %}`
… `{% endblocktranslate %}` is covered; so is anything a variable or tag writes. What is left
is read as HTML: its text (outside <script>, <style>, and <code>/<kbd>/<samp>, which hold
command lines and file formats) and the attributes people read or hear (alt, title, placeholder,
aria-label, aria-description, aria-roledescription, the value of a button-like input, and a
meta description) must hold no letters. A name that is the same in every language (the product's
own, a format's) may stand in NAMES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

# Written the same in every language: the product and formats named on pages.
NAMES = {"Coproduce", "CSV", "PDF", "JSON", "ZIP", "API", "OpenAPI", "ValueFlows", "TimeOverflow"}
MARK = "\ue000"  # stands where a variable or tag writes something
_SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
_READ_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
}
_CODE = {"script", "style", "code", "kbd", "samp"}
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Untranslated:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _has_words(text: str) -> bool:
    rest = text.replace(MARK, " ")
    for name in NAMES:
        rest = re.sub(rf"\b{re.escape(name)}\b", " ", rest)
    return bool(_LETTER.search(rest))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside: list[str] = []
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            read = name in _READ_ATTRIBUTES
            read |= (
                tag == "input"
                and name == "value"
                and named.get("type") in {"submit", "button", "reset"}
            )
            read |= tag == "meta" and name == "content" and named.get("name") == "description"
            if read and value and _has_words(value):
                self.found.append((self.getpos()[0], f"{name}={value}"))
        if tag in _CODE:
            self.inside.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE and tag in self.inside:
            while self.inside and self.inside.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.inside and _has_words(data):
            self.found.append((self.getpos()[0], " ".join(data.split())))


def untranslated_text(path: Path, name: str) -> list[Untranslated]:
    source = path.read_text(encoding="utf-8")
    pieces: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            # Keep the line count right so findings name the real line.
            pieces.append("\n" * token.contents.count("\n"))
            continue
        if token.token_type == TokenType.TEXT:
            pieces.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents.split() else ""
            if word in _SKIPPED_BLOCKS:
                closing = _SKIPPED_BLOCKS[word]
        pieces.append(MARK + "\n" * token.contents.count("\n"))
    reader = _Reader()
    reader.feed("".join(pieces))
    reader.close()
    return [Untranslated(name, line, text) for line, text in reader.found]
