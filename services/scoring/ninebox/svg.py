"""The national 9-box as small multiples: the national sum first, then one 3x3 grid per agency, axes in Indonesian."""

from __future__ import annotations

import math
import textwrap
from xml.sax.saxutils import escape, quoteattr

from services.scoring.ninebox.schemas import NationalNineBox
from services.scoring.placements.svg import AXIS_WORDS, FILLS, PERFORMANCE_ROWS, PERFORMANCE_WORDS, POTENTIAL_COLUMNS

COLUMNS, PANEL_W, PANEL_H, MARGIN, HEADER = 4, 256, 300, 16, 118
CELL, GAP, GRID_LEFT, GRID_TOP = 54, 3, 78, 62
GRID = 3 * CELL + 2 * GAP
POOL = (7, 8, 9)  # the default policy's pool boxes, drawn with a thick border
# Box number of each (performance, potential) cell, from DOMAIN.md's grid.
BOX_AT = {
    ("above", "low"): 4, ("above", "medium"): 7, ("above", "high"): 9,
    ("meets", "low"): 2, ("meets", "medium"): 5, ("meets", "high"): 8,
    ("below", "low"): 1, ("below", "medium"): 3, ("below", "high"): 6,
}  # fmt: skip


def _text(x: float, y: float, content: str, size: int, *, weight: str = "normal", anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _panel(x0: float, y0: float, title: str, subtitle: str, counts: dict[int, int]) -> list[str]:
    parts = [f"<g><title>{escape(f'{title}: {subtitle}')}</title>"]
    parts.append(
        f'<rect x="{x0}" y="{y0}" width="{PANEL_W - 8}" height="{PANEL_H - 8}" rx="8" fill="#fafafa" stroke="#ccc"/>'
    )
    for index, line in enumerate(textwrap.wrap(title, 26)[:2]):
        parts.append(_text(x0 + (PANEL_W - 8) / 2, y0 + 20 + index * 17, line, 14, weight="bold"))
    parts.append(_text(x0 + (PANEL_W - 8) / 2, y0 + 54, subtitle, 12))
    left, top = x0 + GRID_LEFT, y0 + GRID_TOP + 8
    for row, performance in enumerate(PERFORMANCE_ROWS):
        for column, potential in enumerate(POTENTIAL_COLUMNS):
            box = BOX_AT[(performance, potential)]
            x, y = left + column * (CELL + GAP), top + row * (CELL + GAP)
            stroke = 'stroke="#1b5e20" stroke-width="3"' if box in POOL else 'stroke="#777" stroke-width="1"'
            fill = FILLS[(2 - row) + column]
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="5" fill="{fill}" {stroke}/>')
            parts.append(_text(x + 5, y + 13, str(box), 10, anchor="start"))
            count = str(counts.get(box, 0))
            size = 18 if len(count) <= 4 else 13 if len(count) <= 6 else 11
            parts.append(_text(x + CELL / 2, y + 38, count, size, weight="bold"))
        parts.append(
            _text(left - 6, top + row * (CELL + GAP) + CELL / 2 + 4, PERFORMANCE_WORDS[performance], 10, anchor="end")
        )
    for column, potential in enumerate(POTENTIAL_COLUMNS):
        parts.append(_text(left + column * (CELL + GAP) + CELL / 2, top + GRID + 14, AXIS_WORDS[potential], 11))
    parts.append(_text(left + GRID / 2, top + GRID + 30, "Potensial →", 12, weight="bold"))
    axis_x, axis_y = x0 + 9, top + GRID / 2
    parts.append(
        f'<text x="{axis_x:.0f}" y="{axis_y:.0f}" font-size="12" font-weight="bold" text-anchor="middle" '
        f'transform="rotate(-90 {axis_x:.0f} {axis_y:.0f})">{escape("Kinerja →")}</text>'
    )
    parts.append("</g>")
    return parts


def national_nine_box_svg(grid: NationalNineBox) -> str:
    """The SVG document: small multiples of the national sum and every agency's grid (by effective box)."""
    panels = [
        (
            "Nasional (jumlah)",
            f"{grid.total} pegawai · suksesi {grid.talent_pool}",
            {c.box: c.count for c in grid.boxes},
        )
    ]
    panels += [
        (agency.name, f"{agency.total} pegawai · suksesi {agency.talent_pool}", {b.box: b.count for b in agency.boxes})
        for agency in grid.agencies
    ]
    rows = math.ceil(len(panels) / COLUMNS)
    waiting = textwrap.wrap(", ".join(a.name for a in grid.awaiting_decree), 150)[:4]
    width = 2 * MARGIN + COLUMNS * PANEL_W
    height = HEADER + rows * PANEL_H + MARGIN + (22 * (len(waiting) + 1) if waiting else 0)
    title = f"Matriks 9 Kotak Talenta Nasional, periode {grid.period}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-label={quoteattr(title)} '
        'font-family="Noto Sans, Arial, Helvetica, sans-serif" fill="#111">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(width / 2, 34, title, 24, weight="bold"),
        _text(
            width / 2,
            62,
            f"{grid.agencies_counted} instansi · {grid.total} pegawai · {grid.placed} terpetakan · "
            f"kelompok rencana suksesi {grid.talent_pool} · dikalibrasi {grid.calibrated}",
            15,
        ),
        _text(
            width / 2,
            86,
            "Baris: kinerja (atas tinggi, bawah rendah) · kolom: potensial (kiri rendah, kanan tinggi)",
            14,
        ),
        _text(
            width / 2,
            106,
            "Angka = jumlah pegawai menurut kotak efektif; bingkai hijau tebal = kelompok rencana suksesi",
            14,
        ),
    ]
    for index, (name, subtitle, counts) in enumerate(panels):
        x0 = MARGIN + (index % COLUMNS) * PANEL_W
        y0 = HEADER + (index // COLUMNS) * PANEL_H
        parts.extend(_panel(x0, y0, name, subtitle, counts))
    if waiting:
        y = HEADER + rows * PANEL_H + 20
        parts.append(_text(MARGIN, y, "Menunggu penetapan SK (tidak dihitung):", 14, weight="bold", anchor="start"))
        parts.extend(_text(MARGIN, y + 22 * (i + 1), line, 13, anchor="start") for i, line in enumerate(waiting))
    parts.append("</svg>")
    return "\n".join(parts)
