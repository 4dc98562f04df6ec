"""Server-rendered SVG charts of the management-information figures: no script, no CDN. Each chart
is drawn with its numbers written on it (so nothing is told by colour alone), carries a title and a
description for screen readers, and is shown beside a data table and a sentence that says what it
shows (templates/mi/dashboard.html). Every text is escaped."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

INK, BAR, PALE, ALT = "#0b0c0c", "#1d70b8", "#f3f2f1", "#505a5f"
WIDTH = 640


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str  # the sentence that says what the chart shows
    svg: Markup


def _svg(chart_id: str, title: str, summary: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="cf-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="inherit" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(summary)}</desc>'
        + "".join(body) + "</svg>")


def _text(x: float, y: float, words: Any, anchor: str = "start", fill: str = INK, weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">'
            f'{escape(str(words))}</text>')


def bars(chart_id: str, title: str, summary: str, rows: list[tuple[str, float, str]], hatched: bool = False) -> Chart:
    """Horizontal bars: (label, value, value as written) a row; the longest bar is the largest value."""
    label_w, row_h = 220, 26
    top = max((v for _, v, _ in rows), default=0) or 1
    body = ['<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="3"/></pattern></defs>' % (chart_id, ALT)]
    for i, (label, value, written) in enumerate(rows):
        y = 10 + i * row_h
        w = (WIDTH - label_w - 70) * value / top
        fill = f"url(#{chart_id}-hatch)" if hatched else BAR
        body.append(_text(label_w - 8, y + 15, label[:34], "end"))
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{fill}" '
                    f'stroke="{INK}" stroke-width="0.5"/>')
        body.append(_text(label_w + w + 6, y + 15, written, weight="bold"))
    height = 20 + len(rows) * row_h
    return Chart(chart_id, title, summary, _svg(chart_id, title, summary, height, body))


def columns(chart_id: str, title: str, summary: str, rows: list[tuple[str, int]], label_every: int = 1,
            marked: str | None = None) -> Chart:
    """Vertical columns (a day or a band each) with the value on top of each; ``marked`` (a label) is
    drawn hatched and named as the peak in the summary."""
    height, base, left = 240, 200, 30
    top = max((v for _, v in rows), default=0) or 1
    step = (WIDTH - left - 10) / max(1, len(rows))
    body = [f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{BAR}"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="2"/></pattern></defs>',
            f'<line x1="{left}" y1="{base}" x2="{WIDTH - 5}" y2="{base}" stroke="{INK}"/>']
    for i, (label, value) in enumerate(rows):
        x, h = left + i * step, (base - 30) * value / top
        fill = f"url(#{chart_id}-hatch)" if label == marked else BAR
        body.append(f'<rect x="{x + step * 0.1:.1f}" y="{base - h:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" '
                    f'fill="{fill}"/>')
        if len(rows) <= 31 or label == marked:
            body.append(_text(x + step / 2, base - h - 4, value, "middle"))
        if i % label_every == 0:
            body.append(_text(x + step / 2, base + 16, label, "middle"))
    return Chart(chart_id, title, summary, _svg(chart_id, title, summary, height, body))


def heat_map(chart_id: str, title: str, summary: str, grid: list[dict[str, Any]]) -> Chart:
    """Weekday × hour: each cell shaded by its count and with the count written in it."""
    left, top_pad, cell_w, cell_h = 80, 24, (WIDTH - 85) / 24, 26
    top = max((n for row in grid for n in row["hours"]), default=0) or 1
    body = [_text(left + h * cell_w + cell_w / 2, 16, f"{h:02d}", "middle") for h in range(0, 24, 2)]
    for d, row in enumerate(grid):
        y = top_pad + d * cell_h
        body.append(_text(left - 6, y + 17, row["weekday"][:3], "end"))
        for h, n in enumerate(row["hours"]):
            share = n / top
            shade = f"rgba(29,112,184,{0.08 + 0.92 * share:.2f})" if n else PALE
            ink = "#fff" if share > 0.55 else INK
            x = left + h * cell_w
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 2}" fill="{shade}"/>')
            if n:
                body.append(_text(x + cell_w / 2, y + 16, n, "middle", ink))
    height = top_pad + 7 * cell_h + 6
    return Chart(chart_id, title, summary, _svg(chart_id, title, summary, height, body))
