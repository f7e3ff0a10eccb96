"""Small inline SVG charts for the tab, built as text on the server (no chart library, no JS).

Every chart carries its numbers as text too (the figures beside each bar, a <title> per bar), so
nothing is said by length or colour alone. Colours come from the stylesheet's classes, so the
charts follow the light, dark and high-contrast themes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from cards.pages.views import Count, FrameLine

WIDTH = 720
LABEL_W = 120
BAR_W = 260
ROW_H = 34


def amount(value: int, lang: str) -> str:
    """1 250 000 with a thin no-break space (Swedish style) or 1,250,000."""
    text = f"{value:,}"
    return text.replace(",", "\u202f") if lang == "sv" else text


def percent(part: int, whole: int) -> int | None:
    return None if whole <= 0 else (200 * part + whole) // (2 * whole)


def frame_chart(lines: tuple[FrameLine, ...], lang: str, caption: str, of_word: str) -> str:
    """One bar per line: the frame as the track, what is committed filled (past 100 % marked)."""
    height = ROW_H * len(lines) + 8
    parts = [f'<svg class="chart" role="img" aria-label={quoteattr(caption)} viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, line in enumerate(lines):
        y = 4 + i * ROW_H
        share = percent(line.committed, line.frame)
        filled = 0 if share is None else min(BAR_W, round(BAR_W * min(share, 100) / 100))
        over = share is not None and share > 100
        text = (f"{amount(line.committed, lang)} {of_word} {amount(line.frame, lang)} {line.unit}"
                + (f" ({share} %)" if share is not None else ""))
        parts.append(f'<text class="chart-label" x="0" y="{y + 18}">{escape(line.label)}</text>')
        parts.append(f'<rect class="bar-track" x="{LABEL_W}" y="{y + 4}" width="{BAR_W}" height="18" rx="3"/>')
        parts.append(f'<rect class="{"bar-over" if over else "bar-used"}" x="{LABEL_W}" y="{y + 4}" '
                     f'width="{filled}" height="18" rx="3"><title>{escape(text)}</title></rect>')
        if over:  # hatch-free marker: a thick end line says "past the frame" without colour
            parts.append(f'<rect class="bar-edge" x="{LABEL_W + BAR_W - 4}" y="{y}" width="4" height="26"/>')
        parts.append(f'<text class="chart-figure" x="{LABEL_W + BAR_W + 8}" y="{y + 18}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def count_chart(counts: tuple[Count, ...], caption: str) -> str:
    """Needs by status: one bar per status, scaled to the largest, the count written after it."""
    shown = [c for c in counts if c.count]
    if not shown:
        return ""
    top = max(c.count for c in shown)
    height = 26 * len(shown) + 6
    parts = [f'<svg class="chart" role="img" aria-label={quoteattr(caption)} viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, c in enumerate(shown):
        y = 3 + i * 26
        width = max(2, round((BAR_W + 80) * c.count / top))
        parts.append(f'<text class="chart-label" x="0" y="{y + 15}">{escape(c.label)}</text>')
        parts.append(f'<rect class="bar-need bar-{escape(c.key)}" x="{LABEL_W + 40}" y="{y + 3}" width="{width}" '
                     f'height="16" rx="3"><title>{escape(c.label)}: {c.count}</title></rect>')
        parts.append(f'<text class="chart-figure" x="{LABEL_W + 46 + width}" y="{y + 15}">{c.count}</text>')
    parts.append("</svg>")
    return "".join(parts)
