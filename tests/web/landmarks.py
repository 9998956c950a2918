"""Reads a page's landmarks and scrollable regions the way assistive technology names them, for
tests: `landmarks(html)` gives (role, name) for each, the name from aria-label or the text of
the elements aria-labelledby points at."""

from __future__ import annotations

from html.parser import HTMLParser

_ROLE_OF_TAG = {"nav": "navigation", "main": "main", "aside": "complementary", "form": "form"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []  # ids of the open elements whose text is being collected
        self.text: dict[str, str] = {}
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        role = found.get("role") or _ROLE_OF_TAG.get(tag)
        if tag == "section" and ("aria-labelledby" in found or "aria-label" in found):
            role = "region"
        if role in {"region", "navigation", "main", "complementary", "search", "form"}:
            self.found.append((role, found))
        if tag not in _VOID:
            self.stack.append(found.get("id", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self.stack:
            if element_id:
                self.text[element_id] = self.text.get(element_id, "") + data


def landmarks(html: str) -> list[tuple[str, str, dict[str, str]]]:
    page = _Page()
    page.feed(html)
    out = []
    for role, attrs in page.found:
        if "aria-label" in attrs:
            name = attrs["aria-label"]
        else:
            ids = attrs.get("aria-labelledby", "").split()
            name = " ".join(page.text.get(i, "") for i in ids)
        out.append((role, " ".join(name.split()), attrs))
    return out


def duplicate_names(html: str) -> list[tuple[str, str]]:
    """Landmarks of one role that share a name (a form without a name is not a landmark)."""
    seen: dict[tuple[str, str], int] = {}
    for role, name, _attrs in landmarks(html):
        if role == "form" and not name:
            continue
        seen[(role, name)] = seen.get((role, name), 0) + 1
    return [key for key, n in seen.items() if n > 1]
