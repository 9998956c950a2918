"""Every page carries a Content-Security-Policy that lets only the app's own files run or style it.

The policy refuses inline scripts, on*= attributes and inline styles, so a member's text that
slipped past escaping could not run. Two checks keep the pages inside it: every template is read
for inline script, event-handler attributes and inline style, and every page carol, alice,
dr_patel and a visitor can reach by following links from home is fetched and its HTML read the
same way (which also catches markup made in Python, such as form widgets).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from coproduce.community.models import Person
from coproduce.demo.builder import DemoOptions, demo_build

SRC = Path(__file__).resolve().parents[2] / "src" / "coproduce"
TEMPLATES = sorted(p for p in SRC.rglob("templates/**/*.html"))

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts}


class InlineCodeFinder(HTMLParser):
    """Collects what the policy would refuse, and the links to follow."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._script_start: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script" and not names.get("src"):
            kind = (names.get("type") or "").lower()
            if kind != "application/json":
                self.problems.append(f"inline <script type={kind!r}>")
        if tag == "a" and names.get("href"):
            self.links.append(names["href"] or "")


def _without_comments(text: str) -> str:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    return re.sub(r"{#.*?#}", "", text)


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50
    assert any(p.name == "base.html" for p in TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_has_an_inline_script_an_event_handler_or_an_inline_style(template: Path):
    finder = InlineCodeFinder()
    finder.feed(_without_comments(template.read_text()))
    assert finder.problems == [], f"{template.relative_to(SRC)}: {finder.problems}"


@pytest.fixture
def demo(db):
    demo_build(DemoOptions(members=12, months=2, seed=3))


def crawl(client: Client, start: str = "/", limit: int = 120) -> dict[str, object]:
    """GET every page reachable by links from `start` (paths only, one per path)."""
    seen: dict[str, object] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response
        links = [response.headers["Location"]] if response.has_header("Location") else []
        if "text/html" in response.headers.get("Content-Type", ""):
            finder = InlineCodeFinder()
            finder.feed(response.content.decode())
            links += finder.links
        for link in links:
            target = urlsplit(urljoin(path, link))
            if target.netloc or target.scheme not in {"", "http"}:
                continue
            if target.path.startswith("/static/") or target.path in seen:
                continue
            queue.append(target.path)
    return seen


@pytest.mark.parametrize("username", [None, "carol", "alice", "dr_patel"])
def test_every_page_reached_from_home_carries_the_policy_and_no_inline_code(demo, username):
    client = Client()
    if username:
        client.force_login(Person.objects.get(username=username))
    pages = crawl(client)
    assert len(pages) > (3 if username is None else 15)
    for path, response in pages.items():
        policy = directives(response)
        for name, value in REQUIRED.items():
            assert policy.get(name) == value, f"{path}: {name} is {policy.get(name)!r}"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"], path
        if "text/html" in response.headers.get("Content-Type", ""):
            finder = InlineCodeFinder()
            finder.feed(response.content.decode())
            assert finder.problems == [], f"{path} ({response.status_code}): {finder.problems}"


def test_error_pages_and_the_api_carry_the_policy_too(db, client):
    for response in (
        client.get("/no-such-page/"),
        client.get("/api/v1/me"),
        client.get("/healthz"),
    ):
        assert directives(response)["default-src"] == "'self'"
