"""A review's summary: counts per effective box, placed, incomplete, talent pool and calibrated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def review_summary(
    box_counts: Mapping[int, int], incomplete: int, calibrated: int, talent_pool_boxes: Iterable[int]
) -> dict[str, Any]:
    """The summary stored with a review; `box_counts` are by effective box (calibrated where calibrated)."""
    boxes = {str(box): int(box_counts.get(box, 0)) for box in range(1, 10)}
    placed = sum(boxes.values())
    pool = sum(boxes[str(box)] for box in set(talent_pool_boxes))
    return {
        "total": placed + incomplete,
        "placed": placed,
        "incomplete": incomplete,
        "talent_pool": pool,
        "calibrated": calibrated,
        "boxes": boxes,
    }
