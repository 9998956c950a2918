"""Pictures people upload (a time bank's logo, a profile photo, a photo on an offer or request),
checked and redrawn with Pillow before anything is stored.

Only PNG, JPEG, GIF and WebP are taken, up to a size in bytes and a number of pixels (so a small
file that unpacks into a huge image, a decompression bomb, is refused too). The picture is turned
upright from its EXIF orientation, then drawn afresh into a new file at a fixed size: nothing of
the original file survives, so no EXIF, GPS location, camera details or text chunks are kept.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from coproduce.core.errors import ApplicationError

FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # about a 7,000 x 6,000 photo: more is a bomb or a mistake


@dataclass(frozen=True)
class Refusals:
    """What to tell the person, in the words of the page they are on."""

    too_big: str
    not_a_picture: str
    too_many_pixels: str


def _refuse(message: str, code: str) -> None:
    raise ApplicationError(message, code)


def picture_open(upload: Any, *, max_bytes: int, refusals: Refusals) -> Image.Image:
    """The uploaded file as an upright RGBA picture, or an ApplicationError saying what is
    wrong with it."""
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        _refuse(refusals.too_big, "picture_too_big")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        _refuse(refusals.too_big, "picture_too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    _refuse(refusals.not_a_picture, "not_a_picture")
                if probe.width * probe.height > MAX_PIXELS:
                    _refuse(refusals.too_many_pixels, "picture_pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)
                return ImageOps.exif_transpose(image).convert("RGBA")
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        _refuse(refusals.not_a_picture, "not_a_picture")
    raise AssertionError("unreachable")  # pragma: no cover


def png_square(picture: Image.Image, side: int) -> bytes:
    """The picture inside a transparent square of `side` pixels, as PNG (a logo)."""
    picture = ImageOps.contain(picture, (side, side), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    square.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    out = io.BytesIO()
    square.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _flat(picture: Image.Image) -> Image.Image:
    """On white, for JPEG, which has no transparency."""
    background = Image.new("RGB", picture.size, (255, 255, 255))
    background.paste(picture, mask=picture.getchannel("A"))
    return background


def jpeg_cropped(picture: Image.Image, side: int, *, quality: int = 82) -> bytes:
    """The picture's centre cropped to a square of `side` pixels, as JPEG (a profile photo)."""
    square = ImageOps.fit(_flat(picture), (side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def jpeg_within(picture: Image.Image, box: tuple[int, int], *, quality: int = 80) -> bytes:
    """The whole picture shrunk to fit `box` (never enlarged), as JPEG (a photo of a listing)."""
    flat = _flat(picture)
    if flat.width > box[0] or flat.height > box[1]:
        flat = ImageOps.contain(flat, box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
