"""The 9-box as an SVG picture: the 3x3 grid with counts and box labels, axes in Indonesian, phone-readable."""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape, quoteattr

from services.scoring.placements.schemas import NineBox, NineBoxCell

CELL, GAP, LEFT, TOP = 180, 8, 96, 112
GRID = 3 * CELL + 2 * GAP
WIDTH, HEIGHT = LEFT + GRID + 24, TOP + GRID + 132
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
    fill = FILLS[(2 - row) + column]
    stroke = ' stroke="#1b5e20" stroke-width="4"' if cell.in_talent_pool else ' stroke="#555" stroke-width="1"'
    parts = [
        f"<g><title>{escape(f'{cell.label_id}: {cell.count} orang')}</title>",
        f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="10" fill="{fill}"{stroke}/>',
        _text(x + 12, y + 26, f"Kotak {cell.box}", 18, weight="bold", anchor="start"),
        _text(x + CELL / 2, y + 84, str(cell.count), 48, weight="bold"),
    ]
    label = cell.label_id.split(": ", 1)[-1] if cell.label_id.startswith(f"Kotak {cell.box}") else cell.label_id
    for index, line in enumerate(textwrap.wrap(label, 24)[:3]):
        parts.append(_text(x + CELL / 2, y + 112 + index * 17, line, 14))
    if cell.calibrated:
        parts.append(_text(x + CELL / 2, y + CELL - 10, f"{cell.calibrated} dikalibrasi", 13, weight="bold"))
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
        f'<text x="28" y="{axis_y:.0f}" font-size="20" font-weight="bold" text-anchor="middle" '
        f'transform="rotate(-90 28 {axis_y:.0f})">{escape("Kinerja →")}</text>'
    )
    parts.append(
        _text(
            LEFT + GRID / 2,
            TOP + GRID + 100,
            "Bingkai hijau tebal: kelompok rencana suksesi. Jumlah menurut kotak efektif (hasil kalibrasi bila ada).",
            13,
        )
    )
    parts.append("</svg>")
    return "\n".join(parts)
