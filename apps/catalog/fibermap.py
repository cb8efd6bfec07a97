"""Fibre maps for the admin: the checks beyond the loader's, and the preview drawing.

The one loader (`apps.engine.seed.normalise_product`) parses a product, expands its map rule and
refuses positions outside a connector, dark positions and a position mapped twice. On top of the
normalised record, `spec_validate` refuses what a catalog manager must not save:

* a trunk, array cord or patch cord whose map is not a full permutation between end A and end B;
* a map that contradicts the declared polarity label (a "B" trunk must carry the reversed map), by
  comparing it with the map the loader expands from the label's rule, naming the first position
  that differs;
* an intended application (`applications` in the record) whose lit positions the map leaves open.

`map_layout` is a pure function from a normalised record to boxes, dots and lines; the template
`admin/catalog/product/fibermap.svg.html` draws them (auto-escaped, no `|safe`). Colours follow
TIA-598 (shared/reference/fiber-standards.md §6.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.engine import seed
from apps.engine.types import Record, SeedError

FILE = "admin"

# Polarity label -> the map rule it promises. Other labels (breakouts, conversions) are names
# only: their explicit maps are checked by the loader and by the trace, not against a rule.
CABLE_POLARITY_RULES = {
    "A": "straight",
    "B": "reversed",
    "C": "pair-flip",
    "A-to-B": "duplex-ab",
    "A-to-A": "duplex-aa",
}
CASSETTE_POLARITY_RULES = {"A": "module-a", "B": "module-b", "U1": "module-u1", "U2": "module-u2"}
# Cables whose map must join every lit position of end A to one of end B (a permutation).
PERMUTATION_CABLE_TYPES = ("trunk", "array_cord", "patch_cord")


class SpecError(Exception):
    """A product record the admin refuses: the message names the field or the position."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- validation ----------------------------------------------------------------------------------


def spec_validate(raw: Mapping[str, Any], *, context: seed.SeedContext) -> Record:
    """The normalised record of `raw`, or SpecError: the loader's checks, then the map's."""
    try:
        record = seed.normalise_product(dict(raw), FILE, context)
    except SeedError as error:
        raise SpecError(error.message, _field_of(error.message)) from error
    for application in record.get("applications") or []:
        if application not in context.applications:
            raise SpecError(f"unknown application {application!r}", "applications")
    if record["kind"] in ("cable", "cassette"):
        faces = _faces(record, context)
        _check_permutation(record, faces)
        _check_polarity(raw, record, context)
        _check_applications(record, faces, context)
    return record


def _field_of(message: str) -> str | None:
    if "map" in message or "position" in message:
        return "map"
    return None


@dataclass(frozen=True)
class Face:
    """One leg or port: its reference label, side in the drawing and geometry."""

    label: str  # "A1" for cable legs, the port label for cassettes
    side: str  # "left" (end A, rear) | "right" (end B, front)
    family: str
    rows: int
    columns: int
    lit: tuple[int, ...]
    plug: bool  # a cable leg (plug numbering) rather than a port
    title: str


def _faces(record: Record, context: seed.SeedContext) -> list[Face]:
    return faces_of(record, context.connectors)


def faces_of(record: Mapping[str, Any], connectors: Mapping[str, Mapping[str, Any]]) -> list[Face]:
    """The faces a normalised cable or cassette record maps between, in map order."""
    out: list[Face] = []
    items: list[tuple[str, str, Mapping[str, Any], bool]] = []
    if record.get("kind") == "cable":
        for end, side in (("A", "left"), ("B", "right")):
            for index, leg in enumerate(record["ends"][end], start=1):
                items.append((f"{end}{index}", side, leg, True))
    elif record.get("kind") == "cassette":
        for port in record["ports"]:
            side = "left" if port.get("face") == "rear" else "right"
            items.append((str(port["label"]), side, port, False))
    for label, side, face, plug in items:
        connector = connectors[face["family"]]
        rows, columns = int(connector["rows"]), int(connector["columns"])
        lit = tuple(connector["lit"] or range(1, rows * columns + 1))
        details = [face["family"], face.get("gender") or "", face.get("endface") or ""]
        if face.get("label") and plug:
            details.insert(0, f"“{face['label']}”")
        title = f"{label} · " + " ".join(d for d in details if d)
        out.append(Face(label, side, face["family"], rows, columns, lit, plug, title))
    return out


def _pairs(record: Mapping[str, Any]) -> dict[str, str]:
    """Every mapped endpoint -> its partner (both directions)."""
    partner: dict[str, str] = {}
    for first, second in record.get("map") or []:
        partner[first] = second
        partner[second] = first
    return partner


def _check_permutation(record: Record, faces: Sequence[Face]) -> None:
    if record["kind"] != "cable" or record.get("cable_type") not in PERMUTATION_CABLE_TYPES:
        return
    kind = str(record["cable_type"]).replace("_", " ")
    partner = _pairs(record)
    for face in faces:
        for position in face.lit:
            endpoint = f"{face.label}:{position}"
            if endpoint not in partner:
                raise SpecError(
                    f"position {endpoint} is not mapped: a {kind}'s map must join every lit "
                    "position of end A to one of end B",
                    "map",
                )
            if partner[endpoint][0] == endpoint[0]:
                raise SpecError(
                    f"position {endpoint} is mapped to {partner[endpoint]} on the same end: "
                    f"a {kind} joins end A to end B",
                    "map",
                )


def _check_polarity(raw: Mapping[str, Any], record: Record, context: seed.SeedContext) -> None:
    label = str(record.get("polarity") or "")
    if record["kind"] == "cable":
        if record.get("cable_type") not in PERMUTATION_CABLE_TYPES:
            return
        rule = CABLE_POLARITY_RULES.get(label)
    else:
        rule = CASSETTE_POLARITY_RULES.get(label)
    if rule is None:
        return
    promised = {key: value for key, value in raw.items() if key != "map"}
    promised["map_rule"] = rule
    try:
        expected = seed.normalise_product(promised, FILE, context)["map"]
    except SeedError as error:
        raise SpecError(
            f"polarity {label} promises the {rule} map, which these legs cannot carry: "
            f"{error.message}",
            "polarity",
        ) from error
    actual = _pairs(record)
    for first, second in expected:
        if actual.get(first) != second:
            sent = actual.get(first) or "nowhere"
            raise SpecError(
                f"position {first} goes to {sent}, but polarity {label} ({rule}) sends it to "
                f"{second}: fix the map or the polarity",
                "map",
            )
    promised_pairs = _pairs({"map": expected})
    for first, second in record["map"]:
        if promised_pairs.get(first) != second:
            raise SpecError(
                f"position {first} goes to {second}, which polarity {label} ({rule}) does not "
                "map: fix the map or the polarity",
                "map",
            )


def _mirror(position: int, columns: int) -> int:
    row, column = divmod(position - 1, columns)
    return row * columns + (columns - column)


def _check_applications(record: Record, faces: Sequence[Face], context: seed.SeedContext) -> None:
    partner = _pairs(record)
    for code in record.get("applications") or []:
        application = context.applications[code]
        fitted = False
        for mdi in application["mdi"]:
            family = context.connectors[mdi["family"]]
            accepted = {family["code"], *family["intermates"]}
            layout = context.layouts[mdi["layout"]]
            positions = sorted({entry[0] for side in ("tx", "rx") for entry in layout[side]})
            for face in faces:
                if face.family not in accepted:
                    continue
                fitted = True
                for position in positions:
                    # A plug meets the transceiver's port with a mirror (the one convention).
                    own = _mirror(position, face.columns) if face.plug else position
                    endpoint = f"{face.label}:{own}"
                    if endpoint not in partner:
                        raise SpecError(
                            f"position {endpoint} is not mapped, but {code} ({mdi['layout']} on "
                            f"{mdi['family']}) carries light there",
                            "map",
                        )
        if not fitted:
            raise SpecError(
                f"{code} needs a {' or '.join(m['family'] for m in application['mdi'])} face; "
                "this product has none",
                "applications",
            )


# --- the drawing ---------------------------------------------------------------------------------

# TIA-598 fibre colours, positions 1-12; 13-24 repeat them with a black tracer (20: yellow).
TIA_598 = (
    ("blue", "#1f5fbf"),
    ("orange", "#f28c28"),
    ("green", "#2e9e48"),
    ("brown", "#8b5a2b"),
    ("slate", "#7d8a96"),
    ("white", "#ffffff"),
    ("red", "#d62828"),
    ("black", "#111111"),
    ("yellow", "#f5d000"),
    ("violet", "#8e44ad"),
    ("rose", "#f4a6c0"),
    ("aqua", "#20c4d0"),
)
TRACERS = {"black": "#111111", "yellow": "#f5d000"}


@dataclass(frozen=True)
class FiberColour:
    """A position's TIA-598 colour and tracer, e.g. 20 = black with a yellow tracer."""

    name: str
    fill: str
    tracer: str | None  # tracer name
    tracer_fill: str | None

    @property
    def label(self) -> str:
        return f"{self.name}/{self.tracer} tracer" if self.tracer else self.name


def fiber_colour(position: int) -> FiberColour:
    """TIA-598 colour of fibre `position` (1-based); beyond 12 with a tracer (20 yellow)."""
    name, fill = TIA_598[(position - 1) % 12]
    if position <= 12:
        return FiberColour(name, fill, None, None)
    tracer = "yellow" if position == 20 else "black"
    return FiberColour(name, fill, tracer, TRACERS[tracer])


@dataclass(frozen=True)
class Dot:
    x: int
    y: int
    position: int
    endpoint: str
    colour: FiberColour
    lit: bool
    text_x: int
    text_anchor: str


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    title: str
    title_x: int
    title_anchor: str


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    stroke: str
    title: str


@dataclass(frozen=True)
class MapLayout:
    """Boxes (faces), dots (positions) and lines (fibres) of one product's map, in px."""

    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    fibers: int = 0


PITCH = 18
BOX_GAP = 26
TOP = 34
BOX_WIDTH = 70
WIDTH = 560


def map_layout(
    record: Mapping[str, Any], connectors: Mapping[str, Mapping[str, Any]]
) -> MapLayout | None:
    """The drawing of a normalised cable or cassette record; None for other kinds."""
    if record.get("kind") not in ("cable", "cassette"):
        return None
    faces = faces_of(record, connectors)
    columns: dict[str, list[Face]] = {"left": [], "right": []}
    for face in faces:
        columns[face.side].append(face)
    dots: dict[str, Dot] = {}
    boxes: list[Box] = []
    heights = []
    for side, stack in columns.items():
        y = TOP
        x = 40 if side == "left" else WIDTH - 40 - BOX_WIDTH
        for face in stack:
            n = face.rows * face.columns
            height = n * PITCH + 8
            title_x = x if side == "left" else x + BOX_WIDTH
            boxes.append(
                Box(
                    x,
                    y,
                    BOX_WIDTH,
                    height,
                    face.title,
                    title_x,
                    "start" if side == "left" else "end",
                )
            )
            dot_x = x + BOX_WIDTH - 12 if side == "left" else x + 12
            for position in range(1, n + 1):
                endpoint = f"{face.label}:{position}"
                dots[endpoint] = Dot(
                    x=dot_x,
                    y=y + 4 + (position - 1) * PITCH + PITCH // 2,
                    position=position,
                    endpoint=endpoint,
                    colour=fiber_colour(position),
                    lit=position in face.lit,
                    text_x=x + 8 if side == "left" else x + BOX_WIDTH - 8,
                    text_anchor="start" if side == "left" else "end",
                )
            y += height + BOX_GAP
        heights.append(y)
    lines = []
    for first, second in record.get("map") or []:
        a, b = dots.get(first), dots.get(second)
        if a is None or b is None:
            continue
        lines.append(
            Line(a.x, a.y, b.x, b.y, a.colour.fill, f"{first} → {second} ({a.colour.label})")
        )
    return MapLayout(
        width=WIDTH,
        height=max(heights) + 4,
        boxes=boxes,
        dots=list(dots.values()),
        lines=lines,
        fibers=len(lines),
    )
