"""Pure layout functions: plain data in, boxes, lines and labels out; templates draw them.

Nothing here touches the database or returns markup: every label reaches the page through the
template's auto-escaping, so no `|safe` is ever needed. Coordinates are SVG user units (px).

    floor_layout(rows)        the hall from above: one rectangle per rack, coloured by status
    rack_layout(...)          a rack elevation: U scale, devices and enclosures, free ranges
    trace_layout(report)      per lane, the fibre hop by hop through each element (TIA-598)
    loss_layout(path)         each element's dB stacked against the application's limit
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# TIA-598 fibre colours as drawn (white gets an outline in the template).
TIA598_HEX = {
    "blue": "#1f6fd1",
    "orange": "#f58220",
    "green": "#2e9d3a",
    "brown": "#8b5a2b",
    "slate": "#708090",
    "white": "#f7f7f7",
    "red": "#d62728",
    "black": "#222222",
    "yellow": "#f2d000",
    "violet": "#8e44ad",
    "rose": "#f29bb8",
    "aqua": "#1fc2d6",
}

STATUS_LABELS = {
    "ok": "Pass",
    "warning": "Warnings",
    "error": "Failures",
    "unknown": "Not audited",
    "stale": "Stale",
    "empty": "No links",
}


def colour_hex(name: str | None) -> tuple[str, str | None]:
    """(fill, tracer) for a TIA-598 colour name such as "aqua" or "blue/black (group 3)"."""
    if not name:
        return "#9aa3ad", None
    base, _, rest = name.partition("/")
    tracer = rest.split(" ")[0] if rest else None
    return TIA598_HEX.get(base, "#9aa3ad"), TIA598_HEX.get(tracer) if tracer else None


# --- floor plan ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RackInput:
    """A rack as the floor plan needs it."""

    pk: int
    name: str
    position: int
    status: str
    url: str
    summary: str = ""


@dataclass(frozen=True, slots=True)
class RackShape:
    """One rack drawn on the floor plan."""

    x: int
    y: int
    width: int
    height: int
    name: str
    status: str
    status_label: str
    url: str
    summary: str


@dataclass(frozen=True, slots=True)
class RowLabel:
    """A row's name at the left of its racks."""

    x: int
    y: int
    name: str


@dataclass(frozen=True, slots=True)
class FloorLayout:
    """The hall from above."""

    width: int
    height: int
    racks: tuple[RackShape, ...]
    rows: tuple[RowLabel, ...]


FLOOR_RACK_W, FLOOR_RACK_H, FLOOR_GAP, FLOOR_ROW_GAP, FLOOR_LEFT = 72, 84, 8, 40, 96


def floor_layout(rows: Sequence[tuple[str, Sequence[RackInput]]]) -> FloorLayout:
    """Rows top to bottom, racks left to right at their positions (gaps stay visible)."""
    racks: list[RackShape] = []
    labels: list[RowLabel] = []
    width = FLOOR_LEFT + 4 * (FLOOR_RACK_W + FLOOR_GAP)
    y = 16
    for name, row_racks in rows:
        labels.append(RowLabel(12, y + FLOOR_RACK_H // 2 + 5, name))
        for rack in row_racks:
            x = FLOOR_LEFT + rack.position * (FLOOR_RACK_W + FLOOR_GAP)
            racks.append(
                RackShape(
                    x,
                    y,
                    FLOOR_RACK_W,
                    FLOOR_RACK_H,
                    rack.name,
                    rack.status,
                    STATUS_LABELS.get(rack.status, rack.status),
                    rack.url,
                    rack.summary,
                )
            )
            width = max(width, x + FLOOR_RACK_W + 16)
        y += FLOOR_RACK_H + FLOOR_ROW_GAP
    return FloorLayout(width, max(y - FLOOR_ROW_GAP + 16, 60), tuple(racks), tuple(labels))


# --- rack elevation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RackItem:
    """Something mounted in a rack: a device or an enclosure."""

    kind: str  # "device" | "enclosure"
    pk: int
    name: str
    model: str
    u_position: int
    height_u: int
    url: str
    marks: tuple[bool, ...] = ()  # enclosure slots (occupied?) or device cages (all True)


@dataclass(frozen=True, slots=True)
class Mark:
    """A slot or a cage drawn on the front of an item: filled when occupied."""

    x: int
    y: int
    width: int
    height: int
    filled: bool


@dataclass(frozen=True, slots=True)
class ItemShape:
    """A mounted item drawn at its height."""

    x: int
    y: int
    width: int
    height: int
    kind: str
    name: str
    model: str
    units: str
    url: str
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, slots=True)
class FreeShape:
    """A run of free units."""

    x: int
    y: int
    width: int
    height: int
    label: str


@dataclass(frozen=True, slots=True)
class UnitLabel:
    """A U number at the side of the rack."""

    y: int
    number: int


@dataclass(frozen=True, slots=True)
class RackLayout:
    """A rack elevation, U1 at the bottom."""

    width: int
    height: int
    frame_x: int
    frame_y: int
    frame_width: int
    frame_height: int
    units: tuple[UnitLabel, ...]
    items: tuple[ItemShape, ...]
    free: tuple[FreeShape, ...]
    free_u: int


U_PX, RACK_LEFT, RACK_INNER_W, RACK_TOP = 20, 44, 360, 14


def rack_layout(height_u: int, items: Sequence[RackItem]) -> RackLayout:
    """Each item from its lowest U upwards; runs of free U drawn (and counted) between them."""

    def y_of(top_u: int) -> int:
        return RACK_TOP + (height_u - top_u) * U_PX

    shapes = []
    used: set[int] = set()
    for item in sorted(items, key=lambda i: -i.u_position):
        top = item.u_position + item.height_u - 1
        used.update(range(item.u_position, top + 1))
        span = f"U{item.u_position}" if item.height_u == 1 else f"U{item.u_position}–U{top}"
        x, y, height = RACK_LEFT + 2, y_of(top) + 1, item.height_u * U_PX - 2
        step = 12 if len(item.marks) <= 8 else 8
        marks = tuple(
            Mark(x + 100 + i * step, y + height // 2 - 4, step - 3, 8, filled)
            for i, filled in enumerate(item.marks[:12])
        )
        # the model (right-aligned) gets what the name and the marks leave, ~6 px a character
        # (1U: the marks share the text line; taller items draw them below it)
        beside = len(marks) * step if item.height_u == 1 else 0
        room = (RACK_INNER_W - 4 - 112 - beside - 16) * 2 // 13 - len(span) - 3
        model = item.model if len(item.model) <= room else item.model[: max(room - 1, 0)] + "…"
        shape = ItemShape(
            x, y, RACK_INNER_W - 4, height, item.kind, item.name, model, span, item.url, marks
        )
        shapes.append(shape)
    free: list[FreeShape] = []
    u = height_u
    while u >= 1:
        if u in used:
            u -= 1
            continue
        top = u
        while u >= 1 and u not in used:
            u -= 1
        bottom = u + 1
        count = top - bottom + 1
        label = f"U{bottom}–U{top} free ({count} U)" if count > 1 else f"U{bottom} free"
        free.append(
            FreeShape(RACK_LEFT + 2, y_of(top) + 1, RACK_INNER_W - 4, count * U_PX - 2, label)
        )
    units = tuple(UnitLabel(y_of(n) + U_PX // 2 + 4, n) for n in range(height_u, 0, -1))
    frame_height = height_u * U_PX
    return RackLayout(
        RACK_LEFT + RACK_INNER_W + 16,
        RACK_TOP + frame_height + 16,
        RACK_LEFT,
        RACK_TOP,
        RACK_INNER_W,
        frame_height,
        units,
        tuple(shapes),
        tuple(free),
        height_u - len(used & set(range(1, height_u + 1))),
    )


# --- fibre trace ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElementShape:
    """An element column of the trace (transceiver, cord, cassette, trunk, panel)."""

    x: int
    y: int
    width: int
    height: int
    ref: str
    name: str
    kind: str
    failed: bool
    culprit: bool  # a fix changes this element
    url: str
    positions: tuple[tuple[int, str], ...]  # (y, "A1·2 → B1·2") lines drawn under the box


@dataclass(frozen=True, slots=True)
class Dot:
    """A hop: one fibre position on one face, in its TIA-598 colour."""

    x: int
    y: int
    fill: str
    tracer: str | None
    dark_text: bool
    label: str
    title: str
    failed: bool


@dataclass(frozen=True, slots=True)
class Segment:
    """The fibre between two hops: inside an element (coloured) or across a mating (grey)."""

    x1: int
    y1: int
    x2: int
    y2: int
    stroke: str
    mating: bool


@dataclass(frozen=True, slots=True)
class LaneShape:
    """One traced direction of one lane."""

    y: int
    title: str
    ok: bool
    outcome: str
    code: str
    dots: tuple[Dot, ...]
    segments: tuple[Segment, ...]
    arrow_x: int
    arrow_left: bool
    tx_x: int


TRACE_TOP_DEFAULT = 84


@dataclass(frozen=True, slots=True)
class TraceLayout:
    """The whole trace diagram."""

    width: int
    height: int
    elements: tuple[ElementShape, ...]
    lanes: tuple[LaneShape, ...]
    face_labels: tuple[tuple[int, str], ...]
    map_y: int
    face_y: int = TRACE_TOP_DEFAULT - 8


LANE_H, TRACE_TOP, FACE_GAP, ELEMENT_GAP, TRACE_LEFT = 46, 84, 64, 60, 24
_REF = re.compile(r"\b(cable|module|port|transceiver):(\d+)\b")


_POINTER_WORDS = re.compile(r"\b(?:element (\d+)|end ([AB])|child (\d+))\b")


def ref_names(text: str, names: Mapping[str, str]) -> str:
    """Replace the refs in an engine message by what people call them.

    Plant refs ("cable:12") always; for a draft named by request pointers, also the engine's
    words for them ("element 2" is /elements/1, "end A" is /a, "child 3" is /branches/2/end).
    """
    text = _REF.sub(lambda m: names.get(m.group(0), m.group(0)), text)

    def pointer(match: re.Match[str]) -> str:
        element, end, child = match.groups()
        if element:
            key = f"/elements/{int(element) - 1}"
        elif end:
            key = f"/{end.lower()}"
        else:
            key = f"/branches/{int(child) - 1}/end"
        return names.get(key, match.group(0))

    return _POINTER_WORDS.sub(pointer, text)


def _kind_of(ref: str) -> str:
    """ "cable:3" -> cable; request pointers: "/a", "/b" -> transceiver, else element."""
    if ref.startswith("/"):
        return "transceiver" if ref in ("/a", "/b", "/parent") else "element"
    return ref.partition(":")[0] or "element"


def trace_layout(
    report: Mapping[str, Any],
    names: Mapping[str, str] | None = None,
    urls: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> TraceLayout:
    """Columns: each element's faces in path order; rows: each traced lane, Tx end to its end."""
    names = names or report.get("elements") or {}
    urls = urls or {}
    traces: list[Mapping[str, Any]] = list(report.get("trace") or [])
    keys: list[tuple[str, str]] = []
    for trace in traces:
        previous: int | None = None
        for hop in trace["hops"]:
            key = (hop["ref"], hop["face"])
            if key in keys:
                previous = keys.index(key)
                continue
            at = len(keys) if previous is None else previous + 1
            keys.insert(at, key)
            previous = at
    failed_faces = {
        (t["outcome"]["ref"], t["outcome"]["face"]) for t in traces if not t["outcome"]["ok"]
    }
    culprits = {
        change.get("ref")
        for f in report.get("findings") or []
        for change in ((f.get("fix") or {}).get("changes") or [])
    }
    failed_refs = {
        f["ref"]
        for f in report.get("findings") or []
        if f.get("severity") == "error" and not f.get("consequence_of")
    }
    # x of every face: faces of one element sit FACE_GAP apart, elements ELEMENT_GAP apart
    x_of: dict[tuple[str, str], int] = {}
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    # one column group per element, in order of first appearance (a harness's legs stay together)
    by_ref: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        by_ref.setdefault(key[0], []).append(key)
    groups = list(by_ref.items())
    x = TRACE_LEFT + 60
    for _ref, faces in groups:
        for i, key in enumerate(faces):
            x_of[key] = x + i * FACE_GAP
        x += (len(faces) - 1) * FACE_GAP + ELEMENT_GAP + 60
    width = max(x + 40, 480)
    lanes_bottom = TRACE_TOP + len(traces) * LANE_H
    # position maps per element: "A1 p2 → B1 p2" for each traced lane
    maps: dict[str, list[str]] = {}
    for trace in traces:
        hops = trace["hops"]
        for first, second in zip(hops, hops[1:], strict=False):
            if first["ref"] == second["ref"] and first["face"] != second["face"]:
                line = (
                    f"{first['face']}·{first['position']} → {second['face']}·{second['position']}"
                )
                bucket = maps.setdefault(first["ref"], [])
                if line not in bucket:
                    bucket.append(line)
    map_lines = max((len(v) for v in maps.values()), default=0)
    elements = []
    for ref, faces in groups:
        half = 50 if len(faces) == 1 else 30
        left = x_of[faces[0]] - half
        right = x_of[faces[-1]] + half
        elements.append(
            ElementShape(
                left,
                TRACE_TOP - 50,
                right - left,
                lanes_bottom - TRACE_TOP + 54,
                ref,
                names.get(ref, ref),
                (kinds or {}).get(ref) or _kind_of(ref),
                ref in failed_refs or any(k[0] == ref for k in failed_faces),
                ref in culprits,
                urls.get(ref, ""),
                tuple(
                    (lanes_bottom + 24 + i * 14, line) for i, line in enumerate(maps.get(ref, ()))
                ),
            )
        )
    lanes = []
    for index, trace in enumerate(traces):
        y = TRACE_TOP + index * LANE_H + LANE_H // 2
        dots: list[Dot] = []
        segments: list[Segment] = []
        hops = trace["hops"]
        outcome = trace["outcome"]
        for n, hop in enumerate(hops):
            key = (hop["ref"], hop["face"])
            fill, tracer = colour_hex(hop.get("colour"))
            failed = (not outcome["ok"]) and n == len(hops) - 1
            dots.append(
                Dot(
                    x_of[key],
                    y,
                    fill,
                    tracer,
                    hop.get("colour") in ("white", "yellow", "aqua", "rose"),
                    str(hop["position"]),
                    f"{names.get(hop['ref'], hop['ref'])} {hop['face']}, position "
                    f"{hop['position']} ({hop.get('colour') or 'dark'})",
                    failed,
                )
            )
            if n:
                before = hops[n - 1]
                inside = before["ref"] == hop["ref"]
                stroke = colour_hex(before.get("colour"))[0] if inside else "#8a94a0"
                segments.append(
                    Segment(x_of[(before["ref"], before["face"])], y, x_of[key], y, stroke, False)
                    if inside
                    else Segment(
                        x_of[(before["ref"], before["face"])], y, x_of[key], y, stroke, True
                    )
                )
        first_x = x_of[(hops[0]["ref"], hops[0]["face"])] if hops else TRACE_LEFT
        last_x = x_of[(hops[-1]["ref"], hops[-1]["face"])] if hops else TRACE_LEFT
        source, target = (
            names.get(trace["source"], trace["source"]),
            names.get(trace["target"], trace["target"]),
        )
        band = f", {trace['band_nm']} nm" if trace.get("band_nm") else ""
        status = outcome.get("status") or ""
        if outcome["ok"]:
            verdict = "reaches its receiver"
        else:
            where = names.get(outcome.get("ref") or "", outcome.get("ref") or "")
            landed = {"tx": "a transmitter", "dark": "a dark position", "open": "nothing"}
            verdict = f"{outcome.get('code') or 'fails'}: lands on {landed.get(status, status)}"
            verdict += f" at {where}, face {outcome.get('face') or '?'}"
            if outcome.get("position"):
                verdict += f" position {outcome['position']}"
        lanes.append(
            LaneShape(
                y,
                f"Tx {source} → {target}, lane {trace['lane']}{band}",
                bool(outcome["ok"]),
                verdict,
                outcome.get("code") or "",
                tuple(dots),
                tuple(segments),
                last_x,
                last_x < first_x or (len(hops) == 1 and last_x > width // 2),
                first_x,
            )
        )
    face_labels = tuple((x_of[k], k[1]) for k in keys)
    height = lanes_bottom + 28 + map_lines * 14 + 12
    return TraceLayout(width, height, tuple(elements), tuple(lanes), face_labels, lanes_bottom + 24)


# --- loss budget ---------------------------------------------------------------------------------

LOSS_COLOURS = {
    "mated pair": "#4f7bd9",
    "fibre": "#1fb5a5",
    "splice": "#e39b2d",
    "cassette": "#8e6bd6",
}


@dataclass(frozen=True, slots=True)
class LossBar:
    """One element's share of the budget."""

    x: int
    width: int
    fill: str
    label: str
    title: str


@dataclass(frozen=True, slots=True)
class LossLayout:
    """A stacked bar of the worst path's losses, with the limit line and the margin."""

    width: int
    height: int
    bar_y: int
    bar_height: int
    bars: tuple[LossBar, ...]
    limit_x: int
    total_x: int
    margin_x1: int
    margin_x2: int
    ok: bool
    label: str
    application: str
    total_db: str
    limit_db: str
    margin_db: str
    ticks: tuple[tuple[int, str], ...]
    legend: tuple[tuple[str, str], ...]
    items: tuple[dict[str, str], ...] = field(default=())


LOSS_W, LOSS_LEFT, LOSS_RIGHT = 760, 16, 24


def loss_layout(path: Mapping[str, Any], names: Mapping[str, str]) -> LossLayout:
    """Each loss item's max dB stacked left to right, scaled so the limit line always shows."""
    items = list(path.get("items") or [])
    total = Decimal(path.get("total_max_db") or "0")
    limit = Decimal(path["limit_db"]) if path.get("limit_db") is not None else None
    scale_to = max(total, limit or Decimal(0), Decimal("0.5")) * Decimal("1.12")
    inner = LOSS_W - LOSS_LEFT - LOSS_RIGHT

    def px(value: Decimal) -> int:
        return LOSS_LEFT + int(inner * value / scale_to)

    bars = []
    at = Decimal(0)
    for item in items:
        value = Decimal(item["max_db"] or "0")
        name = names.get(item["ref"], item["ref"])
        bars.append(
            LossBar(
                px(at),
                max(px(at + value) - px(at), 1),
                LOSS_COLOURS.get(item["kind"], "#9aa3ad"),
                (item.get("note") or name) if px(at + value) - px(at) > 44 else "",
                f"{name}: {item['kind']} {item.get('note') or ''} {value} dB",
            )
        )
        at += value
    step = Decimal("0.5") if scale_to <= 4 else Decimal(1) if scale_to <= 10 else Decimal(5)
    ticks = []
    tick = Decimal(0)
    while tick <= scale_to:
        ticks.append((px(tick), f"{tick:g}"))
        tick += step
    margin = Decimal(path["margin_db"]) if path.get("margin_db") is not None else None
    legend = tuple(
        (kind, colour)
        for kind, colour in LOSS_COLOURS.items()
        if any(i["kind"] == kind for i in items)
    )
    rows = tuple(
        {
            "name": names.get(i["ref"], i["ref"]),
            "kind": i["kind"],
            "note": i.get("note") or "",
            "grade": i.get("grade") or "",
            "max_db": i["max_db"] or "—",
            "typ_db": i["typ_db"] or "—",
            "colour": LOSS_COLOURS.get(i["kind"], "#9aa3ad"),
        }
        for i in items
    )
    return LossLayout(
        LOSS_W,
        118,
        34,
        34,
        tuple(bars),
        px(limit) if limit is not None else -1,
        max(px(total), LOSS_LEFT + 64),  # where the total's label ends
        min(px(total), px(limit)) if limit is not None else 0,
        max(px(total), px(limit)) if limit is not None else 0,
        margin is None or margin >= 0,
        str(path.get("label") or "channel"),
        str(path.get("application") or ""),
        str(total),
        str(limit) if limit is not None else "unknown",
        str(margin) if margin is not None else "unknown",
        tuple(ticks),
        legend,
        rows,
    )
