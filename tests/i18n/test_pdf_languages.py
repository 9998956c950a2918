"""The funder report in every language (issue 16): the PDF in its reader's language, in a font
with every letter of Welsh and Catalan, and the CSV's headers translated.

Reading the PDF's words back: reportlab embeds a subset of DejaVu Sans with a ToUnicode map for
each subset; `pdf_text` decodes every string the pages draw through those maps, so the test sees
the words as a reader's PDF viewer does (a missing glyph would not map to its letter).
"""

from __future__ import annotations

import base64
import re
import zlib

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from reportlab.pdfbase.ttfonts import TTFont

from coproduce.insights.pdf import FONTS
from tests.i18n.test_catalogues import TRANSLATED, _catalogue

pytestmark = pytest.mark.django_db

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31", "timebank": "riverside"}


def _objects(pdf: bytes) -> dict[bytes, bytes]:
    return dict(re.findall(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S))


def _stream(body: bytes) -> bytes:
    head, _sep, rest = body.partition(b"stream")
    data = rest.lstrip(b"\r").removeprefix(b"\n")
    data = data[: data.rindex(b"endstream")].rstrip(b"\r\n")
    if b"ASCII85Decode" in head:
        data = base64.a85decode(data.strip(), adobe=True)
    if b"FlateDecode" in head:
        data = zlib.decompressobj().decompress(data)
    return data


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        c = literal[i]
        if c == 0x5C:  # backslash
            octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            nxt = literal[i + 1 : i + 2]
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    """Every string the pages draw, decoded through its font's ToUnicode map, a line each."""
    objects = _objects(pdf)
    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        font = re.search(rb"/Name /(\S+) .*?/ToUnicode (\d+) 0 R", body, re.S)
        if font and b"/Type /Font" in body:
            cmap = _stream(objects[font.group(2)])
            maps[font.group(1)] = {
                int(code, 16): chr(int(point, 16))
                for code, point in re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap)
            }
    lines = []
    for body in objects.values():
        if b"/Type /Page" in body or b"stream" not in body or b"/Subtype" in body:
            continue
        try:
            content = _stream(body)
        except (ValueError, zlib.error):
            continue
        font: dict[int, str] | None = None
        for token in re.finditer(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content):
            if token.group(1) is not None:
                font = maps.get(token.group(1))
            elif font is not None:
                lines.append("".join(font.get(b, "\ufffd") for b in _unescape(token.group(2))))
            else:
                lines.append(_unescape(token.group(2)).decode("latin-1"))
    return "\n".join(lines)


@pytest.fixture
def welsh_bank(riverside, carol):
    riverside.name = "Banc Amser Dŵr"
    riverside.save()
    carol.language = "cy"
    carol.save()
    return riverside


def test_carol_who_reads_welsh_gets_the_funder_report_in_welsh(welsh_bank, carol, login):
    response = login(carol).get(reverse("insights:pdf"), Q1)
    assert response.status_code == 200
    assert response["Content-Language"] == "cy"
    text = pdf_text(response.content)
    assert "Banc Amser Dŵr" in text
    assert "Beth wnaeth ein banc amser: 1 Ionawr 2025 i 31 Mawrth" in text
    assert "Ffigur" in text and "Gwerth" in text
    assert "What our time bank did" not in text
    assert "\ufffd" not in text
    # Drawn in the embedded DejaVu Sans, not in a standard font that lacks ŵ.
    assert b"/FontFile2" in response.content
    assert b"DejaVuSans" in response.content


def test_the_report_in_catalan_keeps_the_punt_volat(riverside, carol, login):
    riverside.name = "Col·lectiu del Temps de Sant Llorenç"
    riverside.save()
    carol.language = "ca"
    carol.save()
    text = pdf_text(login(carol).get(reverse("insights:pdf"), Q1).content)
    assert "Col·lectiu del Temps de Sant Llorenç" in text
    assert "Dada" in text  # "Figure"
    assert "\ufffd" not in text


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_pdf_font_has_every_letter_of_every_catalogue(code):
    font = TTFont("DejaVuCheck", str(FONTS / "DejaVuSans.ttf"))
    letters = set()
    for entry in _catalogue(code):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            letters |= set(text)
    letters |= set("ŵŷâêîôûŴŶÂÊÎÔÛl·lñçàèéíïòóúü¿¡«»")
    missing = sorted(c for c in letters if c.isprintable() and ord(c) not in font.face.charToGlyph)
    assert missing == []


def test_carol_who_reads_spanish_gets_the_csv_with_spanish_headers(riverside, carol, login):
    carol.language = "es"
    carol.save()
    response = login(carol).get(reverse("insights:csv", args=["funder"]), Q1)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    spanish = {e.msgid: e.msgstr for e in polib.pofile(str(_po("es")))}
    assert spanish["Hours of help"] in text
    assert "Hours of help" not in text


def _po(code: str):
    from tests.i18n.test_catalogues import LOCALE

    return LOCALE / code / "LC_MESSAGES" / "django.po"


def test_the_languages_offered_are_the_ones_checked_here():
    assert sorted(TRANSLATED) == sorted(c for c, _n in settings.LANGUAGES if c != "en-gb")
