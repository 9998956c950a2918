#!/usr/bin/env python3
# Run from the repository root with the project's Python: .venv/bin/python scripts/make-icons.py
"""Draws the two home-screen icons from the same mark as favicon.svg: two linked rings (giving
and receiving) in white on the app's blue, full-bleed so a phone may mask it to its own shape."""

from PIL import Image, ImageDraw

BLUE, WHITE = (29, 78, 216, 255), (255, 255, 255, 255)
for size in (192, 512):
    big = size * 4
    image = Image.new("RGBA", (big, big), BLUE)
    draw = ImageDraw.Draw(image)
    unit = big / 64
    # The rings sit inside the middle 80 % (a maskable icon's safe zone), a little smaller than
    # on the favicon.
    scale = 0.8
    for cx in (24, 40):
        cxp = (32 + (cx - 32) * scale) * unit
        r = 13 * scale * unit
        w = 5.5 * scale * unit
        draw.ellipse(
            [cxp - r - w / 2, 32 * unit - r - w / 2, cxp + r + w / 2, 32 * unit + r + w / 2],
            outline=WHITE,
            width=round(w),
        )
    image.resize((size, size), Image.Resampling.LANCZOS).convert("RGB").save(
        f"src/coproduce/web/static/web/icons/icon-{size}.png", optimize=True
    )
