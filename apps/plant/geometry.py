"""Cable routes in a hall, in integer millimetres (pure functions, no ORM).

    tray ──────────────────────────────────────────────  tray_height_mm
      │ rise A                                   rise B │
    [rack A, U u_a]  ... run: Manhattan over ...  [rack B, U u_b]
                         rack pitch × |Δposition| + row pitch × |Δrow index|

Height of an end: `rack_floor_offset_mm + (u − 1) × 44.45 mm` (the bottom of its lowest U).
Between two racks a cable rises to the tray at each end and runs along and between rows; inside
one rack it runs the vertical distance only. Each end adds the slack (hall setting, else the
project's `cable_slack_m`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

U_UM = 44_450  # one rack unit in micrometres

# Orderable lengths (m): the usual catalogue steps; beyond the table, the next multiple of 50 m.
STANDARD_LENGTHS_M = tuple(
    Decimal(v)
    for v in (
        "0.5", "1", "1.5", "2", "3", "5", "7", "10", "15", "20", "25", "30", "40", "50",
        "60", "70", "80", "90", "100", "125", "150", "175", "200", "250", "300",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a cable end is plugged: rack, its row index and position, and the U height."""

    rack_id: int
    row_index: int
    position: int
    u_position: int


@dataclass(frozen=True, slots=True)
class HallGeometry:
    """The pitches, tray height, floor offset and slack per end of a hall, in mm."""

    rack_pitch_mm: int
    row_pitch_mm: int
    tray_height_mm: int
    rack_floor_offset_mm: int
    slack_mm: int


@dataclass(frozen=True, slots=True)
class Route:
    """A routed length and its parts, in mm."""

    rise_a_mm: int
    rise_b_mm: int
    run_mm: int
    slack_mm: int

    @property
    def length_mm(self) -> int:
        """Rise + run + rise + slack at both ends."""
        return self.rise_a_mm + self.rise_b_mm + self.run_mm + self.slack_mm


def height_mm(spot: Spot, hall: HallGeometry) -> int:
    """Height above the floor of the bottom of the end's U, rounded down (the rise rounds up)."""
    micrometres = hall.rack_floor_offset_mm * 1000 + (spot.u_position - 1) * U_UM
    return micrometres // 1000


def route(a: Spot, b: Spot, hall: HallGeometry) -> Route:
    """The routed length between two ends of one hall."""
    slack = 2 * hall.slack_mm
    if a.rack_id == b.rack_id:
        return Route(0, 0, abs(height_mm(a, hall) - height_mm(b, hall)), slack)
    rise_a = max(hall.tray_height_mm - height_mm(a, hall), 0)
    rise_b = max(hall.tray_height_mm - height_mm(b, hall), 0)
    run = (
        abs(a.position - b.position) * hall.rack_pitch_mm
        + abs(a.row_index - b.row_index) * hall.row_pitch_mm
    )
    return Route(rise_a, rise_b, run, slack)


def next_orderable_m(length_mm: int) -> Decimal:
    """The shortest orderable length (m) at least `length_mm` long."""
    for standard in STANDARD_LENGTHS_M:
        if standard * 1000 >= length_mm:
            return standard
    return Decimal(-(-length_mm // 50_000) * 50)
