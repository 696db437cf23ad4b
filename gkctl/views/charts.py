"""Charts as inline SVG text, drawn by gkctl itself: no chart library, no script, no request.

Every chart carries its numbers as text too (a <title> per bar for a pointer, the figures
beside each bar), so that it reads without colour and in print. Colours come from
`status_colours`, which gives every member of the Status enum a colour, including members
added after this module was written.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from gkctl.core import textsafe
from gkctl.core.status import STATUS_ORDER, Status


def escape(text: str) -> str:
    """Text for SVG: as the site's pages show it (core.textsafe.visible), then HTML-escaped."""
    return html.escape(textsafe.visible(text))


# Light backgrounds need dark text; the palette keeps contrast with white text instead.
_KNOWN = {
    Status.OVERDUE: "#c62828",
    Status.DUE_SOON: "#b26a00",
    Status.PENDING: "#6a1b9a",
    Status.ONGOING: "#1565c0",
    Status.OPEN: "#546e7a",
    Status.DONE: "#2e7d32",
    # An ended plan's outcomes: the misses in reds and browns, the done in greens.
    Status.UNFINISHED: "#b71c1c",
    Status.NOT_DEPLOYED: "#4a148c",
    Status.ONGOING_UNREPORTED: "#8d6e63",
    Status.DONE_LATE: "#e65100",
    Status.DONE_AFTER_EXTENSION: "#33691e",
    Status.DONE_ON_TIME: "#1b5e20",
    Status.ONGOING_REPORTED: "#0d47a1",
}
# For statuses this table does not name yet (each gets the next one, in STATUS_ORDER).
_SPARE = ("#00796b", "#ad1457", "#4e342e", "#283593", "#558b2f")


def status_colours() -> dict[str, str]:
    """A colour for every status value, in the order of STATUS_ORDER (and then any
    status that order leaves out)."""
    out: dict[str, str] = {}
    spare = iter(_SPARE)
    for st in (*STATUS_ORDER, *(s for s in Status if s not in STATUS_ORDER)):
        out[st.value] = _KNOWN.get(st) or next(spare, "#616161")
    return out


@dataclass(frozen=True)
class Bar:
    """One bar: its label under the axis and its parts, (status value, label, count)."""

    label: str
    parts: tuple[tuple[str, str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.parts)


def _num(value: float) -> str:
    # Fixed decimals: the same numbers give the same bytes on every platform.
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _frame(
    kind: str,
    title: str,
    size: tuple[int, int],
    plot: tuple[int, int, int, int],
    ceiling: int,
    step: int,
    unit: str = "",
) -> list[str]:
    """The opening of a chart's <svg> (class `kind`, `size` = width, height), its title,
    and a grid line with its number every `step` up to `ceiling`, in the plot area that
    `plot` (left margin, right margin, top, plot height) leaves."""
    width, height = size
    left, right, top, plot_h = plot
    out = [
        f'<svg class="{kind}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="tick" x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">'
            f"{tick}{unit}</text>"
        )
    return out


def column_chart(bars: Sequence[Bar], title: str, colours: dict[str, str]) -> str:
    """Stacked columns, one per bar (deadlines by month), with the total above each."""
    width, height = 720, 260
    left, right, top, bottom = 36, 8, 20, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((b.total for b in bars), default=0) or 1
    step = _nice_step(most)
    ceiling = -(-most // step) * step
    slot = plot_w / max(len(bars), 1)
    bar_w = min(40.0, slot * 0.7)
    out = _frame("chart", title, (width, height), (left, right, top, plot_h), ceiling, step)
    for i, bar in enumerate(bars):
        x = left + slot * i + (slot - bar_w) / 2
        y: float = top + plot_h
        for value, label, count in bar.parts:
            if not count:
                continue
            h = plot_h * count / ceiling
            y -= h
            out.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" height="{_num(h)}" '
                f'fill="{colours[value]}" data-status="{escape(value)}">'
                f"<title>{escape(bar.label)} {escape(label)} {count} 项</title></rect>"
            )
        cx = _num(x + bar_w / 2)
        if bar.total:
            out.append(
                f'<text class="total" x="{cx}" y="{_num(y - 4)}" text-anchor="middle">'
                f"{bar.total}</text>"
            )
        out.append(
            f'<text class="axis" x="{cx}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def stacked_bar(parts: Sequence[tuple[str, str, int]], label: str, colours: dict[str, str]) -> str:
    """One horizontal bar of 100% split by status (a section's tasks)."""
    total = sum(n for _, _, n in parts) or 1
    out = [
        f'<svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    x = 0.0
    for value, name, count in parts:
        if not count:
            continue
        w = 100 * count / total
        out.append(
            f'<rect x="{_num(x)}" y="0" width="{_num(w)}" height="6" fill="{colours[value]}">'
            f"<title>{escape(name)} {count} 项</title></rect>"
        )
        x += w
    out.append("</svg>")
    return "".join(out)


def _nice_step(most: int) -> int:
    """A grid step that gives about four lines: 1, 2, 5, 10, 20, 50 …"""
    step = 1
    while True:
        for m in (1, 2, 5):
            if most / (step * m) <= 5:
                return step * m
        step *= 10


@dataclass(frozen=True)
class Series:
    """One line: its key (a status value, or schedule/progress), label, colour and one
    value per point; `dashed` for a line to compare against (序时进度)."""

    key: str
    label: str
    colour: str
    values: tuple[float, ...]
    dashed: bool = False


def line_chart(
    labels: Sequence[str], series: Sequence[Series], title: str, percent: bool = False
) -> str:
    """Lines over the months (the trend), a dot with its number in a <title> at each point;
    `percent`: values are shares in 0..1, drawn on a 0–100% axis."""
    width, height = 720, 260
    left, right, top, bottom = 44, 12, 20, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = 100.0 if percent else 1.0
    if percent:
        ceiling, step = 100, 20
    else:
        most = max((v for s in series for v in s.values), default=0)
        step = _nice_step(int(most) or 1)
        ceiling = max(-(-int(most) // step) * step, step)
    slot = plot_w / max(len(labels), 1)
    out = _frame(
        "chart line-chart",
        title,
        (width, height),
        (left, right, top, plot_h),
        ceiling,
        step,
        "%" if percent else "",
    )

    def point(i: int, value: float) -> tuple[str, str]:
        x = left + slot * i + slot / 2
        y = top + plot_h - plot_h * value * scale / ceiling
        return _num(x), _num(y)

    for s in series:
        where = [point(i, v) for i, v in enumerate(s.values)]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<polyline class="line" points="{" ".join(f"{px},{py}" for px, py in where)}" '
            f'fill="none" stroke="{s.colour}" stroke-width="2"{dash} '
            f'data-series="{escape(s.key)}"/>'
        )
        for (cx, cy), label, value in zip(where, labels, s.values, strict=True):
            shown = f"{_num(value * 100)}%" if percent else _num(value)
            out.append(
                f'<circle cx="{cx}" cy="{cy}" r="3" fill="{s.colour}" '
                f'data-series="{escape(s.key)}" data-month="{escape(label)}" '
                f'data-value="{_num(value * scale)}">'
                f"<title>{escape(label)} {escape(s.label)} {shown}</title></circle>"
            )
    for i, label in enumerate(labels):
        ax, _ = point(i, 0)
        out.append(
            f'<text class="axis" x="{ax}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
