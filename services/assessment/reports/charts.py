"""Charts of rates (0–1, shown as percentages) as inline SVG written here: a ranked bar chart and a trend line chart.

No JavaScript, no fonts or images from anywhere: the page's own font draws the Chinese labels. The SVG scales to the
width of its container (a phone's too) through its viewBox. Every label is escaped here; the result is markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480
FONT_SIZE = 12
# Colours told apart by most colour-blind readers; lines also differ by dash, so a grey print still reads.
PALETTE = ("#1f6fb2", "#e07b00", "#2a9d55", "#8e44ad", "#c0392b", "#7f8c8d")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
LABEL_MAX_CHARS = 9  # a longer unit name is cut with "…" on the axis; its <title> holds it whole
AXIS_COLOUR = "#999"
GRID_COLOUR = "#e3e3e3"


@dataclass(frozen=True)
class Series:
    """One rate over the chart's labels (units or periods); a value is 0–1, None where there is nothing to show."""

    name: str
    values: Sequence[float | None]


def percent(value: float | None, *, digits: int = 1) -> str:
    """`0.98249` → `98.2%`; None → `—`."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def text_width(text: str, *, size: float = FONT_SIZE) -> float:
    """Rough width in px: a Chinese character is as wide as the font is tall, a Latin one a little over half."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in text)


def bar_chart(labels: Sequence[str], series: Sequence[Series], *, title: str) -> Markup:
    """Horizontal grouped bars, one group per label in the given order (ranked), one bar per series, with each
    bar's value at its end and a 0–100% axis below."""
    _check(labels, series)
    bar, gap, group_gap = 8, 2, 10
    group_height = len(series) * (bar + gap) - gap + group_gap
    shown = [_cut(label) for label in labels]
    label_width = min(max((text_width(label) for label in shown), default=0) + 8, 130)
    left, right, top, bottom = label_width, 44.0, 28.0, 22.0
    plot = WIDTH - left - right
    height = top + len(labels) * group_height + bottom
    parts = [_open(WIDTH, height, title), _legend(series, y=12)]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + tick * plot
        parts.append(_line(x, top - 4, x, height - bottom, GRID_COLOUR if tick else AXIS_COLOUR))
        parts.append(_text(x, height - bottom + 14, percent(tick, digits=0), anchor="middle", colour="#666"))
    for index, (label, cut) in enumerate(zip(labels, shown, strict=True)):
        y0 = top + index * group_height + group_gap / 2
        middle = y0 + (group_height - group_gap) / 2
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(middle + FONT_SIZE / 3)}" text-anchor="end" font-size="{FONT_SIZE}">'
            f"<title>{escape(label)}</title>{escape(cut)}</text>"
        )
        for number, one in enumerate(series):
            value = one.values[index]
            y = y0 + number * (bar + gap)
            tip = f"{label} {one.name} {percent(value)}"
            if value is not None:
                width = max(0.0, min(value, 1.0)) * plot
                parts.append(
                    f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(width)}" height="{bar}" '
                    f'fill="{_colour(number)}"><title>{escape(tip)}</title></rect>'
                )
            else:
                width = 0.0
            parts.append(_text(left + width + 3, y + bar - 0.5, percent(value), size=9, colour="#444"))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(labels: Sequence[str], series: Sequence[Series], *, title: str) -> Markup:
    """One line per series over the labels (periods, oldest first); the value axis starts a little below the lowest
    value so that a change of a point or two shows, and is labelled in percent."""
    _check(labels, series)
    height = 240.0
    left, right, top, bottom = 44.0, 16.0, 28.0, 30.0
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    low, step = value_axis([v for one in series for v in one.values if v is not None])

    def x_of(index: int) -> float:
        return left + (plot_width / 2 if len(labels) == 1 else index * plot_width / (len(labels) - 1))

    def y_of(value: float) -> float:
        return top + (1 - (min(max(value, low), 1.0) - low) / (1 - low)) * plot_height

    parts = [_open(WIDTH, height, title), _legend(series, y=12)]
    ticks = round((1 - low) / step)
    for number in range(ticks + 1):
        level = low + number * step
        y = y_of(level)
        parts.append(_line(left, y, WIDTH - right, y, AXIS_COLOUR if number == 0 else GRID_COLOUR))
        parts.append(_text(left - 4, y + FONT_SIZE / 3, percent(level, digits=0), anchor="end", colour="#666"))
    every = max(1, math.ceil(len(labels) / 8))  # at most 8 period labels under the axis, the latest always
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % every == 0:
            parts.append(_text(x_of(index), height - bottom + 16, label, anchor="middle", size=11, colour="#444"))
    for number, one in enumerate(series):
        for run in _runs(one.values):
            points = " ".join(f"{_n(x_of(i))},{_n(y_of(v))}" for i, v in run)
            dash = f' stroke-dasharray="{DASHES[number % len(DASHES)]}"' if DASHES[number % len(DASHES)] else ""
            parts.append(f'<polyline points="{points}" fill="none" stroke="{_colour(number)}" stroke-width="2"{dash}/>')
        for index, value in enumerate(one.values):
            if value is not None:
                tip = f"{labels[index]} {one.name} {percent(value)}"
                parts.append(
                    f'<circle cx="{_n(x_of(index))}" cy="{_n(y_of(value))}" r="3" fill="{_colour(number)}">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    parts.append("</svg>")
    return Markup("".join(parts))


def value_axis(values: Sequence[float]) -> tuple[float, float]:
    """The line chart's lowest tick and step (0–1): a round number under the lowest value, up to 100%."""
    lowest = min(values, default=0.0)
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25):
        low = max(0.0, math.floor((lowest - step / 2) / step) * step)
        if (1 - low) / step <= 6:
            return round(low, 4), step
    return 0.0, 0.25


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {len(labels)} labels")


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Stretches of consecutive known values (a line breaks where a period has no value)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def _colour(number: int) -> str:
    return PALETTE[number % len(PALETTE)]


def _n(value: float) -> str:
    """A coordinate with at most one decimal (small, and the same on every run)."""
    return f"{value:.1f}".removesuffix(".0")


def _open(width: float, height: float, title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {_n(width)} {_n(height)}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="inherit"><title>{escape(title)}</title>'
    )


def _legend(series: Sequence[Series], *, y: float) -> str:
    parts, x = [], 4.0
    for number, one in enumerate(series):
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 8)}" width="10" height="10" fill="{_colour(number)}"/>')
        parts.append(_text(x + 14, y + 1, one.name))
        x += 14 + text_width(one.name) + 14
    return "".join(parts)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}" stroke-width="1"/>'


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: float = FONT_SIZE, colour: str = "#222"
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}" fill="{colour}">'
        f"{escape(text)}</text>"
    )
