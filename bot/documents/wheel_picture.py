"""A picture of the annual wheel: twelve month segments in a ring, each activity a coloured mark.

Pure string building for the SVG (no drawing library); `to_png` rasterises it with cairosvg
when that package is installed, because Teams shows PNG in messages but not SVG. The picture
is read at a glance: the current month is highlighted, colours say done / open / overdue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Status -> fill colour. Colour-blind safe pairs (blue/orange) carry the main distinction.
COLOURS = {
    "done": "#1b7f3b",
    "not_applicable": "#9aa0a6",
    "started": "#1f6feb",
    "snoozed": "#8250df",
    "open": "#e36209",
    "missed": "#cf222e",
    "failed": "#cf222e",
    "upcoming": "#ffffff",
}
LEGEND_ORDER = ("done", "started", "open", "snoozed", "missed", "upcoming")

SIZE = 480
CX = CY = 240
OUTER = 210
INNER = 118
LABEL_R = 188
MARK_R = 148
MARK_SIZE = 9


@dataclass(frozen=True)
class Mark:
    month: int  # 1-12
    label: str  # short text for the tooltip/alt
    status: str  # a key of COLOURS


@dataclass(frozen=True)
class WheelPicture:
    title: str  # e.g. "Årshjul 2026"
    subtitle: str  # e.g. the e-area's name
    month_names: tuple[str, ...]  # 12 short names in the reader's language
    current_month: int | None
    marks: tuple[Mark, ...]
    legend: dict[str, str]  # status -> label in the reader's language


def _point(radius: float, degrees: float) -> tuple[float, float]:
    # 0 degrees at twelve o'clock, clockwise: January starts at the top.
    rad = math.radians(degrees - 90)
    return CX + radius * math.cos(rad), CY + radius * math.sin(rad)


def _segment(start: float, end: float) -> str:
    x1, y1 = _point(OUTER, start)
    x2, y2 = _point(OUTER, end)
    x3, y3 = _point(INNER, end)
    x4, y4 = _point(INNER, start)
    return (f"M{x1:.1f},{y1:.1f} A{OUTER},{OUTER} 0 0 1 {x2:.1f},{y2:.1f} "
            f"L{x3:.1f},{y3:.1f} A{INNER},{INNER} 0 0 0 {x4:.1f},{y4:.1f} Z")


def render_svg(picture: WheelPicture) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE + 60}" '
        f'viewBox="0 0 {SIZE} {SIZE + 60}" font-family="Segoe UI, Helvetica, Arial, sans-serif">',
        f'<rect width="{SIZE}" height="{SIZE + 60}" fill="#ffffff"/>',
    ]
    for month in range(1, 13):
        start, end = (month - 1) * 30, month * 30
        current = month == picture.current_month
        fill = "#cfe3ff" if current else ("#eceff3" if month % 2 else "#d8dde4")
        stroke = "#1f6feb" if current else "#ffffff"
        width = 3 if current else 2
        parts.append(f'<path d="{_segment(start, end)}" fill="{fill}" stroke="{stroke}" '
                     f'stroke-width="{width}"/>')
        x, y = _point(LABEL_R, start + 15)
        weight = "700" if current else "400"
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="14" font-weight="{weight}" '
                     f'text-anchor="middle" dominant-baseline="middle" fill="#24292f">'
                     f'{escape(picture.month_names[month - 1])}</text>')
        marks = [m for m in picture.marks if m.month == month]
        for index, mark in enumerate(marks):
            # Spread a month's marks over its segment, on two rows when there are many.
            row = index // 4
            col = index % 4
            count = min(4, len(marks) - row * 4)
            angle = start + 30 * (col + 1) / (count + 1)
            x, y = _point(MARK_R - row * 22, angle)
            colour = COLOURS.get(mark.status, "#ffffff")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{MARK_SIZE}" fill="{colour}" '
                         f'stroke="#24292f" stroke-width="1.5"><title>{escape(mark.label)}</title></circle>')
    parts.append(f'<text x="{CX}" y="{CY - 10}" font-size="24" font-weight="700" '
                 f'text-anchor="middle" fill="#24292f">{escape(picture.title)}</text>')
    parts.append(f'<text x="{CX}" y="{CY + 20}" font-size="15" text-anchor="middle" '
                 f'fill="#57606a">{escape(picture.subtitle)}</text>')
    x = 12
    y = SIZE + 30
    for status in LEGEND_ORDER:
        if status not in picture.legend:
            continue
        parts.append(f'<circle cx="{x + 7}" cy="{y}" r="7" fill="{COLOURS[status]}" '
                     f'stroke="#24292f" stroke-width="1.2"/>')
        label = escape(picture.legend[status])
        parts.append(f'<text x="{x + 19}" y="{y}" font-size="13" dominant-baseline="middle" '
                     f'fill="#24292f">{label}</text>')
        x += 26 + int(7.2 * len(picture.legend[status]))
    parts.append("</svg>")
    return "".join(parts)


def to_png(svg: str, *, scale: float = 1.0) -> bytes | None:
    """PNG bytes, or None when no rasteriser is installed (callers then keep the SVG)."""
    try:
        import cairosvg
    except (ImportError, OSError):  # OSError: the cairo C library itself is missing
        return None
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return _compact(png)


def _compact(png: bytes) -> bytes:
    """A 64-colour palette PNG: about a quarter of the size, so the picture fits in a card
    (Teams refuses messages near 28-40 KB). Pillow comes with cairosvg."""
    try:
        from PIL import Image
    except ImportError:
        return png
    import io

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(64, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return out.getvalue() if out.tell() < len(png) else png
