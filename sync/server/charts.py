"""Charts drawn on the server as inline SVG: they need no script, no font download, no internet.

The SVG scales to its container (``viewBox`` and ``width: 100%``); ``responsive`` draws it twice, wide
for a desk and narrow for a phone (the stylesheet shows one), so its text stays readable on both.
Every text in it is escaped; colours come from the stylesheet's classes.
"""
import math
from typing import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
NARROW = 380  # a phone: the chart at about its own size, so 13-unit text is 13 px
LEGEND_ITEM = 180
LEFT, RIGHT, TOP, BOTTOM = 48, 28, 16, 40


def _nice_top(value: float) -> int:
    """A round number at least ``value``, for the top of the axis (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def _day_month(label: str) -> str:
    """``2026-12-01`` -> ``01/12``, as dates are read in Vietnam; other labels as they are."""
    return f"{label[8:10]}/{label[5:7]}" if len(label) == 10 and label[4] == "-" else label


def line_chart(labels: Sequence[str], series: dict[str, Sequence[int]], *, target: float | None = None,
               title: str, target_label: str = "", width: int = WIDTH) -> Markup:
    """Lines over ``labels`` (days), one per series (at most three, styled ``series-0`` … ``series-2``),
    and a dashed target line when ``target`` is given."""
    top = _nice_top(max([*(v for values in series.values() for v in values), target or 0, 1]))
    legend = [(f"series-{n}", name) for n, name in enumerate(series)] + ([("target", target_label)] if target else [])
    per_row = max(1, (width - LEFT) // LEGEND_ITEM)
    height = HEIGHT + 18 * ((len(legend) - 1) // per_row)
    inner_w, inner_h = width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(labels) - 1, 1)

    def y(value: float) -> float:
        return TOP + inner_h - inner_h * value / top

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
             f' xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for tick in range(5):
        value = top * tick / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                     f'<text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>')
    every = max(1, math.ceil(len(labels) / (8 if width >= WIDTH else 4)))
    for index, label in enumerate(labels):
        if index % every == 0 or (index == len(labels) - 1 and index % every > every // 2):
            parts.append(f'<text class="axis" x="{LEFT + index * step:.1f}" y="{HEIGHT - BOTTOM + 18}"'
                         f' text-anchor="middle">{escape(_day_month(label))}</text>')
    if target:
        parts.append(f'<line class="target" x1="{LEFT}" x2="{width - RIGHT}" y1="{y(target):.1f}" y2="{y(target):.1f}">'
                     f'<title>{escape(target_label)}: {target:g}</title></line>')
    for number, (name, values) in enumerate(series.items()):
        points = " ".join(f"{LEFT + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline class="series-{number}" points="{points}"><title>{escape(name)}</title></polyline>')
    for n, (style, name) in enumerate(legend):
        x, y_key = LEFT + (n % per_row) * LEGEND_ITEM, HEIGHT - 8 + 18 * (n // per_row)
        parts.append(f'<line class="key {style}" x1="{x}" x2="{x + 24}" y1="{y_key}" y2="{y_key}"/>'
                     f'<text class="legend" x="{x + 30}" y="{y_key + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str, width: int = WIDTH) -> Markup:
    """Horizontal bars, one per (label, value), in the order given (the caller puts the lagging first)."""
    bar, gap, label_w = 22, 8, 200 if width >= WIDTH else 120
    height = TOP + len(rows) * (bar + gap) + 8
    top = _nice_top(max([value for _, value in rows] + [1]))
    inner_w = width - label_w - 50
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
             f' xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (label, value) in enumerate(rows):
        y = TOP + index * (bar + gap)
        length = inner_w * value / top
        parts.append(f'<text class="axis" x="{label_w - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end">{escape(label[:28 if width >= WIDTH else 16])}</text>'
                     f'<rect class="bar" x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}"/>'
                     f'<text class="value" x="{label_w + length + 6:.1f}" y="{y + bar * 0.7:.1f}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def responsive(draw, *args, **kwargs) -> Markup:
    """``draw`` (``line_chart`` or ``bar_chart``) wide and narrow, for the stylesheet to show one."""
    return Markup(f'<div class="chart-wide">{draw(*args, **kwargs)}</div>'
                  f'<div class="chart-narrow">{draw(*args, width=NARROW, **kwargs)}</div>')
