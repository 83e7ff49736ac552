"""Geometry of the dashboard's stacked bar chart; the template draws it as inline SVG."""

import math
from dataclasses import dataclass

from .dashboard import DailyLeads

WIDTH, HEIGHT = 720, 260
# Room for labels of 24 units, the size they get on a phone (style.css).
LEFT, RIGHT, TOP, BOTTOM = 52, 24, 14, 34
# Colours that stay apart for common colour blindness (Okabe-Ito), one per source.
SOURCE_COLOURS = {
    "ebook": "#0072B2",
    "webinar": "#E69F00",
    "comment": "#009E73",
    "callback": "#D55E00",
    "import": "#CC79A7",
}


@dataclass(frozen=True)
class Bar:
    """One source's part of one day's bar."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line with its value, or a day label under the bars."""

    x: float
    y: float
    label: str


def nice_maximum(value: int) -> int:
    """A round top for the y axis (1, 2, 5 x 10^n) at or above the largest day."""
    if value <= 4:
        return 4
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(daily: DailyLeads) -> dict:
    """Bars, y grid lines and x labels for the chart, in SVG user units."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_maximum(max((daily.total(i) for i in range(len(daily.days))), default=0))
    slot = plot_width / max(len(daily.days), 1)
    scale = plot_height / top
    bars = []
    for index, day in enumerate(daily.days):
        base = TOP + plot_height
        for source, series in daily.counts.items():
            count = series[index]
            if not count:
                continue
            height = count * scale
            base -= height
            label = f"{day:%a %-d %b}: {count} {source} lead{'s' if count != 1 else ''}"
            bars.append(Bar(LEFT + index * slot + 1, base, slot - 2, height, SOURCE_COLOURS[source], label))
    parts = 5 if top % 5 == 0 else 4  # whole numbers on every grid line
    grid = [Tick(LEFT, TOP + plot_height - n * plot_height / parts, str(top * n // parts)) for n in range(parts + 1)]
    # A label every 7 days keeps them readable at a phone's width.
    days = [
        Tick(LEFT + index * slot + slot / 2, HEIGHT - BOTTOM + 6, f"{day:%-d %b}")  # hanging below the bars
        for index, day in enumerate(daily.days)
        if (len(daily.days) - 1 - index) % 7 == 0
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bars": bars,
        "grid": grid,
        "days": days,
        "colours": SOURCE_COLOURS,
    }
