"""Charts as inline SVG, drawn on the server: they render with no internet access and
print as they look."""

from __future__ import annotations

from html import escape

PALETTE = ["#8a1c1c", "#0b57a4", "#2e7d32", "#c87f0a", "#6a1b9a", "#00838f", "#5d4037", "#ad1457", "#455a64", "#827717", "#1565c0"]


def bars(items: list[tuple[str, int]], *, width: int = 520, row: int = 26, label_width: int = 170) -> str:
    """Horizontal bars with labels and values."""
    items = [(label, value) for label, value in items]
    top = max((v for _, v in items), default=0) or 1
    height = row * len(items) + 10
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
    ]
    span = width - label_width - 50
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        length = max(2, round(span * value / top)) if value else 0
        parts.append(f'<text x="{label_width - 6}" y="{y + row * 0.65:.0f}" text-anchor="end" font-size="13">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 8}" fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: {value}</title></rect>'
        )
        parts.append(f'<text x="{label_width + length + 5}" y="{y + row * 0.65:.0f}" font-size="13">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(series: list[tuple[str, dict[str, int]]], keys: list[tuple[str, str]], *, width: int = 640, height: int = 240) -> str:
    """One column per period, stacked by key, with a legend."""
    if not series:
        return ""
    totals = [sum(values.values()) for _, values in series]
    top = max(totals) or 1
    plot_height = height - 40
    step = (width - 40) / len(series)
    column = max(4.0, step * 0.7)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 20 * ((len(keys) + 2) // 3)}" width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    colors = {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(keys)}
    for i, (label, values) in enumerate(series):
        x = 30 + i * step
        y: float = plot_height
        for key, _ in keys:
            value = values.get(key, 0)
            if not value:
                continue
            h = plot_height * value / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" fill="{colors[key]}"><title>{escape(label)} {escape(key)}: {value}</title></rect>'
            )
        parts.append(f'<text x="{x + column / 2:.1f}" y="{plot_height + 16}" text-anchor="middle" font-size="11">{escape(label)}</text>')
    parts.append(f'<text x="2" y="12" font-size="11">{top}</text>')
    for i, (key, title) in enumerate(keys):
        lx = 30 + (i % 3) * ((width - 40) / 3)
        ly = height + 4 + 20 * (i // 3)
        parts.append(
            f'<rect x="{lx:.0f}" y="{ly - 10}" width="12" height="12" fill="{colors[key]}"/><text x="{lx + 16:.0f}" y="{ly}" font-size="12">{escape(title)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
