"""The engine's output: a Report of findings, lane traces and loss, plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from typing import Any

from apps.engine.channel import Options


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a fix: element `ref` takes `product`, other enter/exit faces or a length.

    A breakout branch ("/branches/<j>") changes its `exit` when two legs are swapped. In a
    `GraphBreakout` a swap re-mates: face `face` of element `ref` is plugged into `mate`
    ((ref, face) of a child end) instead of what it is mated to now; a swap is two such changes.
    """

    ref: str
    product: str | None = None
    enter: str | None = None
    exit: str | None = None
    length_m: Decimal | None = None
    face: str | None = None
    mate: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """The smallest set of changes found that makes the channel's polarity and matings pass."""

    message: str
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class Basis:
    """What a finding rests on: source markers, and whether all of them are verified."""

    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: a stable code, its severity, the element and positions it concerns."""

    code: str
    severity: str
    ref: str
    face: str | None
    position: int | None
    positions: tuple[int, ...]
    message: str
    fix: Fix | None
    basis: Basis
    consequence_of: int | None


@dataclass(frozen=True, slots=True)
class Hop:
    """A fibre at one face of one element: position in that element's numbering, TIA-598 colour."""

    ref: str
    face: str
    position: int
    colour: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a lit fibre ends: on a receiver (rx), a transmitter (tx), dark or open."""

    status: str
    ref: str
    face: str
    position: int
    lane: int | None
    ok: bool
    code: str | None


@dataclass(frozen=True, slots=True)
class LaneTrace:
    """One transmitter's light from its end to wherever it arrives."""

    direction: str
    source: str
    target: str
    lane: int
    band_nm: int
    hops: tuple[Hop, ...]
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class LossItem:
    """One contribution to a path's loss: a mated pair, a cassette, a splice or a cable's fibre."""

    ref: str
    kind: str
    max_db: Decimal
    typ_db: Decimal
    grade: str | None
    note: str


@dataclass(frozen=True, slots=True)
class PathLoss:
    """The loss budget of the channel or one branch: its worst path against the limits."""

    label: str
    ends: tuple[str, str]
    application: str
    fiber_type: str | None
    total_max_db: Decimal
    total_typ_db: Decimal
    limit_db: Decimal | None
    margin_db: Decimal | None
    reach_m: Decimal | None
    length_m: Decimal
    min_length_m: Decimal | None
    items: tuple[LossItem, ...]
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True, slots=True)
class Report:
    """The result of validating one channel. `ok`: no finding of severity error."""

    ok: bool
    findings: tuple[Finding, ...]
    trace: tuple[LaneTrace, ...]
    loss: tuple[PathLoss, ...]
    options: Options

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-friendly data: Decimals as strings, tuples as lists."""
        result = _plain(self)
        assert isinstance(result, dict)
        return result

    def codes(self) -> list[str]:
        """The finding codes, in order (handy in tests and logs)."""
        return [f.code for f in self.findings]

    def errors(self) -> list[Finding]:
        """The findings of severity error."""
        return [f for f in self.findings if f.severity == "error"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
