"""Draws the Teams app icons: a ship's wheel ("styra" = to steer).

color.png   192x192, white wheel on a deep blue rounded square.
outline.png  32x32, white wheel on transparent (Teams' rule for outline icons).

The PNGs are committed; run this only to change them (needs Pillow, which is not a
project dependency):  PYTHONPATH=<dir with Pillow> python appPackage/make_icons.py
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
BLUE = (0x1F, 0x4E, 0x79, 255)
WHITE = (255, 255, 255, 255)
SCALE = 8  # draw large, then shrink: smooth edges without an anti-aliasing API


def _wheel(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float) -> None:
    """A wheel with eight spokes and handles, `size` = outer reach of the handles."""
    rim_outer = size * 0.68
    rim_width = size * 0.14
    hub = size * 0.20
    spoke = size * 0.075
    handle_end = size * 0.97
    handle = size * 0.10
    for k in range(8):
        angle = math.pi / 8 + k * math.pi / 4
        dx, dy = math.cos(angle), math.sin(angle)
        draw.line(
            [
                (cx + dx * hub * 0.5, cy + dy * hub * 0.5),
                (cx + dx * handle_end, cy + dy * handle_end),
            ],
            fill=WHITE,
            width=round(spoke * 2),
        )
        hx, hy = cx + dx * (handle_end - handle), cy + dy * (handle_end - handle)
        draw.ellipse([hx - handle, hy - handle, hx + handle, hy + handle], fill=WHITE)
    draw.ellipse(
        [cx - rim_outer, cy - rim_outer, cx + rim_outer, cy + rim_outer],
        outline=WHITE,
        width=round(rim_width),
    )
    draw.ellipse([cx - hub, cy - hub, cx + hub, cy + hub], fill=WHITE)


def color_icon() -> Image.Image:
    side = 192 * SCALE
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, side - 1, side - 1], radius=side * 0.19, fill=BLUE)
    _wheel(draw, side / 2, side / 2, side * 0.40)
    return image.resize((192, 192), Image.Resampling.LANCZOS)


def outline_icon() -> Image.Image:
    side = 32 * SCALE
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    _wheel(ImageDraw.Draw(image), side / 2, side / 2, side * 0.48)
    small = image.resize((32, 32), Image.Resampling.LANCZOS)
    # Keep only white with varying alpha: resampling may leave grey edge pixels.
    alpha = small.getchannel("A")
    white = Image.new("RGBA", (32, 32), WHITE)
    white.putalpha(alpha)
    return white


if __name__ == "__main__":
    color_icon().save(HERE / "color.png", optimize=True)
    outline_icon().save(HERE / "outline.png", optimize=True)
