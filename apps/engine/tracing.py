"""Trace every lit position through the face graph, element by element.

The convention (shared/reference/fiber-standards.md): a plug entering a port meets it with a
mirror ((r, c) -> (r, C+1-c)); a plug in a bare adapter keeps its own numbering and the adapter
maps one plug's numbering to the other's (type B and duplex mirror, type A flips rows); a cable or
cassette applies its own map; a splice is the identity. Transceiver Tx/Rx positions are in port
numbering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from apps.engine.catalog import Face
from apps.engine.graph import FaceKey, Graph, Node

MAX_HOPS = 10_000


@dataclass(frozen=True, slots=True)
class Crossing:
    """A fibre crossing mating `mating`: its position on the left and right face."""

    mating: int
    left: int
    right: int | None


@dataclass(frozen=True, slots=True)
class LaneTrace:
    """One lit position traced from a transmitter to wherever it ends."""

    source: int
    lane: int
    band_nm: int
    position: int
    hops: tuple[tuple[int, str, int], ...]
    crossings: tuple[Crossing, ...]
    nodes: tuple[int, ...]
    outcome: str  # rx | tx | dark | open
    at: tuple[int, str, int]
    arrived_lane: int | None
    code: str | None  # None: the lane works
    detail: str


class Done(Protocol):
    """Builds a LaneTrace from an outcome."""

    def __call__(
        self,
        outcome: str,
        at: tuple[int, str, int],
        code: str | None,
        detail: str,
        arrived: int | None = None,
    ) -> LaneTrace: ...


def mirror(position: int, columns: int) -> int:
    """Plug into port (and type B adapters): (r, c) -> (r, C+1-c)."""
    row, column = divmod(position - 1, columns)
    return row * columns + (columns - column)


def cross(left: Face, right: Face, position: int) -> int | None:
    """Position on `right` of the fibre at `position` on `left` (None: the mating is blocked)."""
    roles = {left.role, right.role}
    if "splice" in roles:
        return position
    lc, rc = left.connector, right.connector
    if lc is None or rc is None or (lc.rows, lc.columns) != (rc.rows, rc.columns):
        return None
    if position > rc.positions:
        return None
    if roles == {"plug", "port"}:
        return mirror(position, rc.columns)
    if roles == {"plug", "adapter"}:
        return position
    return None


def trace_all(graph: Graph) -> list[LaneTrace]:
    """Trace every transmitter of every end that the channel assigns a target."""
    index = {}
    for k, (left, right) in enumerate(graph.matings):
        index[left] = k
        index[right] = k
    traces = []
    for end in graph.ends:
        node = graph.nodes[end]
        assert node.layout is not None
        assert node.application is not None
        for position, lane, band in node.layout.tx:
            if (end, lane) not in graph.targets:
                continue
            traces.append(
                _trace(graph, index, node, position, lane, band or node.application.wavelength_nm)
            )
    return traces


def _trace(
    graph: Graph, index: dict[FaceKey, int], start: Node, position: int, lane: int, band: int
) -> LaneTrace:
    assert start.enter is not None
    face_key: FaceKey = (start.index, start.enter)
    pos = position
    hops: list[tuple[int, str, int]] = [(start.index, start.enter, position)]
    crossings: list[Crossing] = []
    visited: list[int] = [start.index]
    seen: set[tuple[int, str, int]] = set()

    def done(
        outcome: str,
        at: tuple[int, str, int],
        code: str | None,
        detail: str,
        arrived: int | None = None,
    ) -> LaneTrace:
        return LaneTrace(
            start.index, lane, band, position, tuple(hops), tuple(crossings), tuple(visited),
            outcome, at, arrived, code, detail,
        )  # fmt: skip

    for _ in range(MAX_HOPS):
        node_index, face = face_key
        node = graph.nodes[node_index]
        other = graph.mates.get(face_key)
        if other is None:
            at = (node_index, face, pos)
            if face in node.declared:
                return done("open", at, "OPEN_FIBER", f"leaves {face} with nothing mated")
            return done(
                "open", at, "PATH_MISROUTED", f"leaves by {face}, not by the channel's next hop"
            )
        mating = index[face_key]
        next_node = graph.nodes[other[0]]
        landed = cross(node.product.faces[face], next_node.product.faces[other[1]], pos)
        crossings.append(Crossing(mating, pos, landed))
        visited.append(other[0])
        if landed is None:
            return done(
                "open",
                (other[0], other[1], pos),
                "OPEN_FIBER",
                "cannot cross a mating that does not join",
            )
        hops.append((other[0], other[1], landed))
        if next_node.is_end:
            return _arrive(graph, start, lane, band, next_node, landed, done)
        state = (other[0], other[1], landed)
        if state in seen:
            return done("open", state, "OPEN_FIBER", "runs in a loop")
        seen.add(state)
        if next_node.product.kind == "splice":
            out_face = "2" if other[1] == "1" else "1"
            through: tuple[str, int] | None = (out_face, landed)
        else:
            through = next_node.product.map.get((other[1], landed))
        if through is None:
            return done("dark", state, "OPEN_FIBER", f"meets dark position {landed} of {other[1]}")
        face_key = (other[0], through[0])
        pos = through[1]
        hops.append((other[0], through[0], pos))
    return done("open", hops[-1], "OPEN_FIBER", "runs in a loop")


def _arrive(
    graph: Graph, start: Node, lane: int, band: int, end: Node, position: int, done: Done
) -> LaneTrace:
    assert end.layout is not None
    assert end.application is not None
    assert end.enter is not None
    at = (end.index, end.enter, position)
    default_band = end.application.wavelength_nm
    rx = [(rx_lane, b or default_band) for p, rx_lane, b in end.layout.rx if p == position]
    tx = [p for p, _lane, _b in end.layout.tx if p == position]
    matching = [rx_lane for rx_lane, b in rx if b == band]
    if not matching:
        if tx or rx:
            what = "a transmitter" if tx else f"a receiver of another wavelength ({rx[0][1]} nm)"
            return done(
                "tx" if tx else "rx",
                at,
                "POLARITY_REVERSED",
                f"lands on {what} at position {position}",
            )
        return done("dark", at, "LANE_MISMATCH", f"lands on unused position {position}")
    arrived = matching[0]
    target = graph.targets.get((start.index, lane))
    assert target is not None
    target_node, target_lane, strict = target
    if end.index != target_node:
        return done(
            "rx", at, "LANE_MISMATCH", f"reaches the wrong end (receiver lane {arrived})", arrived
        )
    if arrived == target_lane:
        return done("rx", at, None, "", arrived)
    detail = f"lands on receiver lane {arrived}, not {target_lane}"
    if not strict and end.application.reorders_lanes:
        return done("rx", at, "LANE_ORDER", detail, arrived)
    return done("rx", at, "LANE_MISMATCH", detail, arrived)
