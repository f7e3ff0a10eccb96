"""A picture of the annual wheel: twelve month segments in a ring, each activity a numbered mark.

Pure string building for the SVG (no drawing library); `to_png` rasterises it with cairosvg
when that package is installed, because Teams shows PNG in messages but not SVG. The picture
is read at a glance: the current month is highlighted, colours and shapes say the state, and
each mark's number is the activity's line in the list shown with the picture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Status -> fill colour. Colour-blind safe pairs (blue/orange) carry the main distinction;
# a failed delivery also has its own shape (a diamond), so it never reads as "missed".
COLOURS = {
    "done": "#1b7f3b",
    "not_applicable": "#6e7781",
    "started": "#1f6feb",
    "snoozed": "#8250df",
    "open": "#e36209",
    "missed": "#cf222e",
    "failed": "#ffd33d",
    "none": "#eaeef2",  # passed without being posted (no channel linked then)
    "upcoming": "#ffffff",
}
DIAMONDS = ("failed",)
DASHED = ("none",)
DARK_TEXT = ("failed", "none", "upcoming")  # light fills: the number is written in black
LEGEND_ORDER = ("done", "not_applicable", "started", "open", "snoozed", "missed", "failed", "none", "upcoming")

SIZE = 480
CX = CY = 240
OUTER = 210
INNER = 118
LABEL_R = 188
MARK_R = 148
MARK_SIZE = 10
LEGEND_TOP = SIZE + 8
LEGEND_ROW = 24
LEGEND_COLUMNS = 2
LEGEND_FONT = 13
# Wider than any real glyph at 13 px (Segoe UI/Helvetica average about 6.5 px), so a label
# measured with it never runs into the next one.
CHAR_WIDTH = 0.62 * LEGEND_FONT


@dataclass(frozen=True)
class Mark:
    month: int  # 1-12
    label: str  # the activity's title (the tooltip)
    status: str  # a key of COLOURS
    number: int = 0  # its line in the list shown with the picture; 0: no number
    day: int = 0  # day of the month, for that list


@dataclass(frozen=True)
class WheelPicture:
    title: str  # e.g. "Årshjul 2026"
    subtitle: str  # e.g. the e-area's name
    month_names: tuple[str, ...]  # 12 short names in the reader's language
    current_month: int | None
    marks: tuple[Mark, ...]
    legend: dict[str, str]  # status -> label in the reader's language (only statuses shown are drawn)


@dataclass(frozen=True)
class LegendSlot:
    status: str
    label: str  # shortened with "…" when it would not fit its column
    x: float  # left edge of the marker
    y: float  # centre line
    width: float  # marker and text, as measured with CHAR_WIDTH


def numbered(entries: Iterable[tuple[int, str, str, str]]) -> tuple[Mark, ...]:
    """(month, day "2026-03-04", title, status) -> marks numbered 1.. in date order, the order
    of the list shown with the picture."""
    ordered = sorted(entries, key=lambda e: (e[1], e[2]))
    return tuple(Mark(month, title, status, number, int(day[8:10])) for number, (month, day, title, status)
                 in enumerate(ordered, 1))


def legend_layout(picture: WheelPicture) -> list[LegendSlot]:
    """The statuses on the picture, in a fixed order, in columns that never overlap."""
    shown = {m.status for m in picture.marks}
    statuses = [s for s in LEGEND_ORDER if s in shown and s in picture.legend]
    column = (SIZE - 24) / LEGEND_COLUMNS
    room = int((column - 8 - 26) / CHAR_WIDTH)  # characters that fit after the marker
    rows = math.ceil(len(statuses) / LEGEND_COLUMNS)
    slots = []
    for index, status in enumerate(statuses):  # down the first column, then the next
        label = picture.legend[status]
        if len(label) > room:
            label = label[:room - 1].rstrip() + "…"
        x = 12 + (index // rows) * column
        y = LEGEND_TOP + LEGEND_ROW * (index % rows) + LEGEND_ROW / 2
        slots.append(LegendSlot(status, label, x, y, 26 + len(label) * CHAR_WIDTH))
    return slots


def height(picture: WheelPicture) -> int:
    rows = math.ceil(len(legend_layout(picture)) / LEGEND_COLUMNS)
    return SIZE + 16 + rows * LEGEND_ROW


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


def _marker(status: str, x: float, y: float, r: float, title: str = "") -> str:
    colour = COLOURS.get(status, "#ffffff")
    tip = f"<title>{escape(title)}</title>" if title else ""
    dash = ' stroke-dasharray="3,2"' if status in DASHED else ""
    if status in DIAMONDS:
        d = r * 1.3
        return (f'<path d="M{x:.1f},{y - d:.1f} L{x + d:.1f},{y:.1f} L{x:.1f},{y + d:.1f} '
                f'L{x - d:.1f},{y:.1f} Z" fill="{colour}" stroke="#24292f" stroke-width="1.5">{tip}</path>')
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" stroke="#24292f" '
            f'stroke-width="1.5"{dash}>{tip}</circle>')


def _number(mark: Mark, x: float, y: float) -> str:
    if not mark.number:
        return ""
    fill = "#24292f" if mark.status in DARK_TEXT else "#ffffff"
    size = 11 if mark.number < 10 else 10
    return (f'<text x="{x:.1f}" y="{y + size * 0.36:.1f}" font-size="{size}" font-weight="700" '
            f'text-anchor="middle" fill="{fill}">{mark.number}</text>')


def render_svg(picture: WheelPicture) -> str:
    total = height(picture)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{total}" '
        f'viewBox="0 0 {SIZE} {total}" font-family="Segoe UI, Helvetica, Arial, sans-serif">',
        f'<rect width="{SIZE}" height="{total}" fill="#ffffff"/>',
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
            # Three or four in a month zigzag in and out, so neighbours never touch.
            row = index // 4
            col = index % 4
            count = min(4, len(marks) - row * 4)
            angle = start + 30 * (col + 0.5) / count
            zigzag = (9 if col % 2 else -9) if len(marks) in (3, 4) else 0
            x, y = _point(MARK_R - row * 24 + zigzag, angle)
            parts.append(_marker(mark.status, x, y, MARK_SIZE, mark.label) + _number(mark, x, y))
    # Sized to stay inside the ring's hole (bold glyphs are at most ~0.62 em wide on average).
    room = 2 * (INNER - 26)
    title_size = min(24, int(room / (0.62 * max(len(picture.title), 1))))
    subtitle_size = min(15, int(room / (0.55 * max(len(picture.subtitle), 1))))
    parts.append(f'<text x="{CX}" y="{CY - 10}" font-size="{title_size}" font-weight="700" '
                 f'text-anchor="middle" fill="#24292f">{escape(picture.title)}</text>')
    parts.append(f'<text x="{CX}" y="{CY + 20}" font-size="{subtitle_size}" text-anchor="middle" '
                 f'fill="#57606a">{escape(picture.subtitle)}</text>')
    for slot in legend_layout(picture):
        parts.append(_marker(slot.status, slot.x + 8, slot.y, 7))
        parts.append(f'<text x="{slot.x + 22:.1f}" y="{slot.y + LEGEND_FONT * 0.36:.1f}" font-size="{LEGEND_FONT}" '
                     f'fill="#24292f">{escape(slot.label)}</text>')
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
