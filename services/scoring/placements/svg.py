"""The 9-box as an SVG picture: the 3x3 grid with counts and box labels, axes in Indonesian, phone-readable."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape, quoteattr

from services.scoring.placements.schemas import NineBox, NineBoxCell

CELL, GAP, LEFT, TOP = 160, 8, 140, 112
GRID = 3 * CELL + 2 * GAP
WIDTH, HEIGHT = LEFT + GRID + 16, TOP + GRID + 150
PERFORMANCE_ROWS = ("above", "meets", "below")  # top to bottom
POTENTIAL_COLUMNS = ("low", "medium", "high")  # left to right
AXIS_WORDS = {"low": "rendah", "medium": "menengah", "high": "tinggi"}
PERFORMANCE_WORDS = {"above": "tinggi", "meets": "menengah", "below": "rendah"}
# Warmer for low performance and potential, greener towards the talent pool.
FILLS = ("#f6c9c9", "#fbe0c3", "#fdf3c4", "#dcefc9", "#bfe3b0")


def _text(x: float, y: float, content: str, size: int, *, weight: str = "normal", anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _cell(cell: NineBoxCell, row: int, column: int) -> list[str]:
    x, y = LEFT + column * (CELL + GAP), TOP + row * (CELL + GAP)
    count = str(cell.count)
    fill = FILLS[(2 - row) + column]
    stroke = ' stroke="#1b5e20" stroke-width="4"' if cell.in_talent_pool else ' stroke="#555" stroke-width="1"'
    parts = [
        f"<g><title>{escape(f'{cell.label_id}: {cell.count} orang')}</title>",
        f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="10" fill="{fill}"{stroke}/>',
        _text(x + 10, y + 24, f"Kotak {cell.box}", 17, weight="bold", anchor="start"),
        _text(x + CELL / 2, y + 74, count, 46 if len(count) <= 4 else 34 if len(count) <= 6 else 26, weight="bold"),
    ]
    label = cell.label_id.split(": ", 1)[-1] if cell.label_id.startswith(f"Kotak {cell.box}") else cell.label_id
    for index, line in enumerate(textwrap.wrap(label, 19)[:3]):
        parts.append(_text(x + CELL / 2, y + 100 + index * 17, line, 15))
    if cell.calibrated:
        parts.append(_text(x + CELL / 2, y + CELL - 6, f"{cell.calibrated} dikalibrasi", 13, weight="bold"))
    parts.append("</g>")
    return parts


def nine_box_svg(grid: NineBox, period: int) -> str:
    """The SVG document of a review's 9-box (counts by effective box; calibrated ones are said so)."""
    cells = {(cell.performance_level, cell.potential_level): cell for cell in grid.boxes}
    title = f"Matriks 9 Kotak Talenta, periode {period}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-label={quoteattr(title)} '
        'font-family="Noto Sans, Arial, Helvetica, sans-serif" fill="#111">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        _text(WIDTH / 2, 36, title, 24, weight="bold"),
        _text(
            WIDTH / 2,
            66,
            f"Total {grid.total} pegawai · {grid.placed} terpetakan · {grid.incomplete} data belum lengkap",
            16,
        ),
        _text(WIDTH / 2, 90, f"Kelompok rencana suksesi: {grid.talent_pool} · dikalibrasi: {grid.calibrated}", 16),
    ]
    for row, performance in enumerate(PERFORMANCE_ROWS):
        for column, potential in enumerate(POTENTIAL_COLUMNS):
            parts.extend(_cell(cells[(performance, potential)], row, column))
        y = TOP + row * (CELL + GAP) + CELL / 2
        parts.append(_text(LEFT - 14, y + 6, PERFORMANCE_WORDS[performance], 16, anchor="end"))
    for column, potential in enumerate(POTENTIAL_COLUMNS):
        x = LEFT + column * (CELL + GAP) + CELL / 2
        parts.append(_text(x, TOP + GRID + 28, AXIS_WORDS[potential], 16))
    parts.append(_text(LEFT + GRID / 2, TOP + GRID + 60, "Potensial →", 20, weight="bold"))
    axis_y = TOP + GRID / 2
    parts.append(
        f'<text x="26" y="{axis_y:.0f}" font-size="20" font-weight="bold" text-anchor="middle" '
        f'transform="rotate(-90 26 {axis_y:.0f})">{escape("Kinerja →")}</text>'
    )
    notes = (
        "Bingkai hijau tebal: kelompok rencana suksesi.",
        "Jumlah menurut kotak efektif (hasil kalibrasi bila ada).",
    )
    for index, note in enumerate(notes):
        parts.append(_text(WIDTH / 2, TOP + GRID + 96 + index * 20, note, 14))
    parts.append("</svg>")
    return "\n".join(parts)
