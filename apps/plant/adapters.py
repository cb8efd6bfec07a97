"""The only place that turns stored plant rows into engine channels (and reports back into JSON).

Loading is one bounded fetch of tuples (`values_list`, never model instances) for the halls the
links' ends are in, whatever their size: link ends, ports, matings, legs, racks, halls and product
revisions (7 queries) plus the cached engine catalog (1 query while the catalog is unchanged).
Links whose cabling passes through a third hall holding none of their ends are followed only as
far as the loaded halls.

Refs of stored elements: "cable:<id>", "module:<id>" (a cassette), "port:<id>" (one bare adapter
of a panel: face "1" is its rear, "2" its front), "transceiver:<id>" (a link end).

The walk follows fibres, not faces: from each end's lit positions (its MDI layout) across matings
(`apps.engine.tracing.cross`) and through each element's map, so a cassette shared by six links
pulls in only this link's cords. Transceivers other than the link's ends are not entered: light
that reaches one leaves the channel by a face the engine reports as PATH_MISROUTED.

Faces that are free *in the store* (nothing plugged) go to the engine as `open_faces`, so light
leaving by one is OPEN_FIBER; faces plugged into something off the channel stay PATH_MISROUTED.
Aggregate links become `GraphChannel`s, breakouts `GraphBreakout`s (parent, children with the
parent lanes they carry), both with the stored matings the walk reached.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from apps.catalog.adapters import engine_catalog
from apps.catalog.models import ProductRevision
from apps.engine.catalog import Catalog, Product
from apps.engine.channel import (
    Channel,
    ElementSpec,
    End,
    GraphBreakout,
    GraphChannel,
    GraphChild,
    Options,
)
from apps.engine.errors import ChannelError
from apps.engine.tracing import cross
from apps.engine.validate import validate
from apps.plant.geometry import HallGeometry, Spot, next_orderable_m, route

__all__ = ["HallGeometry", "Spot", "load", "link_input", "report_for", "status_of"]
from apps.plant.models import CableLeg, Hall, LinkEnd, Mating, Port, Rack

FaceRef = tuple[str, str]  # (ref, face)


# --- the bounded fetch ---------------------------------------------------------------------------


@dataclass(slots=True)
class EndRow:
    """One link end as loaded."""

    link_id: int
    link_name: str
    shape: str
    role: str
    port_id: int
    lanes: tuple[int, ...]
    application: str | None


@dataclass(slots=True)
class PlantGraph:
    """The stored plant of some halls as plain dicts: ports, matings, legs, places, products."""

    catalog: Catalog
    ends: dict[int, list[EndRow]]
    # port id -> (label, face, transceiver id, module id, revision id, rack id, u, owner name)
    ports: dict[int, tuple[str, str, int | None, int | None, int, int, int, str]]
    port_by_owner: dict[tuple[str, int, str], int]  # ("t"|"m", owner id, label) -> port id
    at_port: dict[tuple[int, str], int]  # (port id, side) -> leg id
    leg_port: dict[int, tuple[int, str]]  # leg id -> (port id, side)
    legs: dict[int, tuple[int, str]]  # leg id -> (cable id, face "A1")
    leg_by_face: dict[tuple[int, str], int]  # (cable id, face) -> leg id
    cables: dict[int, tuple[int, int | None, str, int]]  # id -> (revision, length, label, hall)
    racks: dict[int, tuple[int, int, int]]  # id -> (row index, position, hall id)
    halls: dict[int, HallGeometry]
    codes: dict[int, str]  # revision id -> engine product code
    owners: dict[tuple[str, int], int] = field(default_factory=dict)  # ("t"|"m", id) -> revision


def load(link_ids: QuerySet[Any] | Iterable[int]) -> PlantGraph:
    """Load everything the given links' channels need, in a fixed number of queries."""
    end_rows = list(
        LinkEnd.objects.filter(link_id__in=link_ids)
        .order_by("link_id", "pk")
        .values_list(
            "link_id",
            "link__name",
            "link__shape",
            "role",
            "port_id",
            "lanes",
            "application__code",
            "hall_id",
        )
    )
    ends: dict[int, list[EndRow]] = defaultdict(list)
    hall_ids: set[int] = set()
    for link_id, name, shape, role, port_id, lanes, app, hall_id in end_rows:
        ends[link_id].append(EndRow(link_id, name, shape, role, port_id, tuple(lanes), app))
        hall_ids.add(hall_id)
    halls = sorted(hall_ids)
    ports: dict[int, tuple[str, str, int | None, int | None, int, int, int, str]] = {}
    port_by_owner: dict[tuple[str, int, str], int] = {}
    owners: dict[tuple[str, int], int] = {}
    for row in Port.objects.filter(hall_id__in=halls).values_list(
        "id",
        "label",
        "face",
        "transceiver_id",
        "module_id",
        "transceiver__product_revision_id",
        "module__product_revision_id",
        "transceiver__device__rack_id",
        "module__enclosure__rack_id",
        "transceiver__device__u_position",
        "module__enclosure__u_position",
        "transceiver__device__name",
        "transceiver__cage",
        "module__enclosure__name",
        "module__slot",
    ):
        pk, label, face, t_id, m_id, t_rev, m_rev, t_rack, m_rack, t_u, m_u = row[:11]
        t_name, cage, e_name, slot = row[11:]
        owner = f"{t_name} {cage}" if t_id else f"{e_name} slot {slot}"
        ports[pk] = (label, face, t_id, m_id, t_rev or m_rev, t_rack or m_rack, t_u or m_u, owner)
        port_by_owner[("t" if t_id else "m", t_id or m_id, label)] = pk
        owners[("t" if t_id else "m", t_id or m_id)] = t_rev or m_rev
    at_port: dict[tuple[int, str], int] = {}
    leg_port: dict[int, tuple[int, str]] = {}
    for leg_id, port_id, side in Mating.objects.filter(hall_id__in=halls).values_list(
        "leg_id", "port_id", "side"
    ):
        at_port[(port_id, side)] = leg_id
        leg_port[leg_id] = (port_id, side)
    mated_cables = Mating.objects.filter(hall_id__in=halls).values("leg__cable_id")
    legs: dict[int, tuple[int, str]] = {}
    leg_by_face: dict[tuple[int, str], int] = {}
    cables: dict[int, tuple[int, int | None, str, int]] = {}
    for leg_id, cable_id, end, index, rev, length, label, hall_id in CableLeg.objects.filter(
        cable_id__in=mated_cables
    ).values_list(
        "id",
        "cable_id",
        "end",
        "index",
        "cable__product_revision_id",
        "cable__length_mm",
        "cable__label",
        "cable__hall_id",
    ):
        legs[leg_id] = (cable_id, f"{end}{index}")
        leg_by_face[(cable_id, f"{end}{index}")] = leg_id
        cables[cable_id] = (rev, length, label, hall_id)
    racks = {
        pk: (row_index, position, hall_id)
        for pk, row_index, position, hall_id in Rack.objects.filter(hall_id__in=halls).values_list(
            "id", "row__index", "position", "hall_id"
        )
    }
    geometry = {
        pk: HallGeometry(
            rack, row, tray, offset, slack if slack is not None else int(project * 1000)
        )
        for pk, rack, row, tray, offset, slack, project in Hall.objects.filter(
            pk__in=halls
        ).values_list(
            "id",
            "rack_pitch_mm",
            "row_pitch_mm",
            "tray_height_mm",
            "rack_floor_offset_mm",
            "cable_slack_mm",
            "project__cable_slack_m",
        )
    }
    revisions = {p[4] for p in ports.values()} | {c[0] for c in cables.values()}
    catalog, codes = revision_codes(revisions)
    return PlantGraph(
        catalog=catalog,
        ends=dict(ends),
        ports=ports,
        port_by_owner=port_by_owner,
        at_port=at_port,
        leg_port=leg_port,
        legs=legs,
        leg_by_face=leg_by_face,
        cables=cables,
        racks=racks,
        halls=geometry,
        codes=codes,
        owners=owners,
    )


def revision_codes(revision_ids: Iterable[int]) -> tuple[Catalog, dict[int, str]]:
    """The engine catalog and each revision's product code in it (one query + the catalog).

    The engine catalog holds the current revisions; an installed row on an older revision is
    validated against that revision's own spec (added inline), so a new catalog revision changes
    nothing installed until the hall adopts it.
    """
    catalog = engine_catalog()
    codes: dict[int, str] = {}
    for pk, code, current, spec in ProductRevision.objects.filter(
        pk__in=sorted(set(revision_ids))
    ).values_list("id", "product__code", "is_current", "spec"):
        if current or code not in catalog.products:
            codes[pk] = code
        else:
            catalog, codes[pk] = catalog.with_inline(dict(spec, name=f"{code} (older revision)"))
    return catalog, codes


# --- faces of the stored graph -------------------------------------------------------------------


def _port_face(graph: PlantGraph, port_id: int, side: str) -> FaceRef | None:
    port = graph.ports.get(port_id)
    if port is None:
        return None
    label, face, t_id, m_id = port[:4]
    if t_id:
        return f"transceiver:{t_id}", label
    if face == Port.Face.BOTH:
        return f"port:{port_id}", "1" if side == "rear" else "2"
    return f"module:{m_id}", label


def _port_of(graph: PlantGraph, ref: str, face: str) -> tuple[int, str] | None:
    """(port id, side) behind the face of a transceiver, cassette or panel element."""
    kind, _, pk = ref.partition(":")
    if kind == "port":
        return int(pk), "rear" if face == "1" else "front"
    owner = "t" if kind == "transceiver" else "m"
    port_id = graph.port_by_owner.get((owner, int(pk), face))
    if port_id is None:
        return None
    side = graph.ports[port_id][1]
    return port_id, "front" if side == Port.Face.FRONT else side


def mated(graph: PlantGraph, ref: str, face: str) -> FaceRef | None:
    """What is plugged into `face` of `ref` in the store, or None."""
    kind, _, pk = ref.partition(":")
    if kind == "cable":
        leg = graph.leg_by_face.get((int(pk), face))
        where = graph.leg_port.get(leg) if leg is not None else None
        return None if where is None else _port_face(graph, *where)
    port = _port_of(graph, ref, face)
    leg = graph.at_port.get(port) if port is not None else None
    if leg is None:
        return None
    cable_id, leg_face = graph.legs[leg]
    return f"cable:{cable_id}", leg_face


def product_of(graph: PlantGraph, ref: str) -> Product:
    """The engine product of a stored element or end."""
    kind, _, pk = ref.partition(":")
    if kind == "cable":
        revision = graph.cables[int(pk)][0]
    elif kind == "port":
        revision = graph.ports[int(pk)][4]
    else:
        revision = graph.owners[("t" if kind == "transceiver" else "m", int(pk))]
    return graph.catalog.product(graph.codes[revision])


def name_of(graph: PlantGraph, ref: str) -> str:
    """What a person calls a stored element: the cable label, "ENC-1 slot 2", "leaf-1 Eth1"."""
    kind, _, pk = ref.partition(":")
    if kind == "cable":
        return graph.cables[int(pk)][2]
    if kind == "port":
        port = graph.ports[int(pk)]
        return f"{port[7]} port {port[0]}"
    owner = "t" if kind == "transceiver" else "m"
    port_id = next(
        (p for (o, i, _label), p in graph.port_by_owner.items() if o == owner and i == int(pk)),
        None,
    )
    return graph.ports[port_id][7] if port_id is not None else ref


# --- the walk ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Walk:
    """What the fibres of one link reach: elements, matings, free faces, per-face exits."""

    elements: list[str] = field(default_factory=list)
    matings: dict[FaceRef, FaceRef] = field(default_factory=dict)
    free: set[FaceRef] = field(default_factory=set)
    foreign: set[FaceRef] = field(default_factory=set)
    exits: dict[FaceRef, set[str]] = field(default_factory=dict)

    def mating_tuples(self) -> tuple[tuple[str, str, str, str], ...]:
        """Each mating once, as the engine's (ref, face, ref, face)."""
        out: list[tuple[str, str, str, str]] = []
        for left, right in self.matings.items():
            if left < right:
                out.append((left[0], left[1], right[0], right[1]))
        return tuple(sorted(out))


def _end_positions(graph: PlantGraph, ref: str, label: str, application: str | None) -> set[int]:
    """The lit positions of an end (its MDI layout), or every position of the receptacle."""
    product = product_of(graph, ref)
    face = product.faces.get(label)
    if face is None or face.connector is None:
        return set()
    layout_name = face.layout
    app = graph.catalog.applications.get(application or product.application or "")
    if layout_name is None and app is not None:
        layout_name = next((lay for fam, lay in app.mdi if fam == face.connector.code), None)
    layout = graph.catalog.layouts.get(layout_name or "")
    if layout is None:
        return set(range(1, face.connector.rows * face.connector.columns + 1))
    return {p for p, _lane, _band in layout.tx} | {p for p, _lane, _band in layout.rx}


def walk(graph: PlantGraph, ends: list[tuple[str, str, str | None]]) -> Walk:
    """Follow every lit position from the ends, fibre by fibre, through the stored plant."""
    result = Walk()
    end_refs = {ref for ref, _label, _app in ends}
    queue: deque[tuple[str, str, int]] = deque()
    for ref, label, app in ends:
        for position in sorted(_end_positions(graph, ref, label, app)):
            queue.append((ref, label, position))
    seen: set[tuple[str, str, int]] = set(queue)
    included: set[str] = set()
    while queue:
        ref, face, position = queue.popleft()
        other = mated(graph, ref, face)
        if other is None:
            result.free.add((ref, face))
            continue
        if other[0].startswith("transceiver:") and other[0] not in end_refs:
            result.foreign.add((ref, face))
            continue
        result.matings[(ref, face)] = other
        result.matings[other] = (ref, face)
        if other[0] in end_refs:
            continue
        if other[0] not in included:
            included.add(other[0])
            result.elements.append(other[0])
        here, there = product_of(graph, ref), product_of(graph, other[0])
        left, right = here.faces.get(face), there.faces.get(other[1])
        if left is None or right is None:
            continue
        landed = cross(left, right, position)
        if landed is None:
            continue
        through = there.map.get((other[1], landed))
        if through is None:
            continue
        result.exits.setdefault(other, set()).add(through[0])
        state = (other[0], through[0], through[1])
        if state not in seen:
            seen.add(state)
            queue.append(state)
    return result


# --- channels ------------------------------------------------------------------------------------


@dataclass(slots=True)
class LinkInput:
    """One link's engine input, what its walk touched, and what the engine cannot see."""

    link_id: int
    name: str
    shape: str
    channel: Channel | None
    walk: Walk
    refs: dict[str, str]  # ref -> name, for every ref the report may mention
    plant_findings: list[dict[str, Any]]
    cable_ids: set[int]
    port_ids: set[int]


def _end_ref(graph: PlantGraph, end: EndRow) -> tuple[str, str]:
    label, _face, t_id = graph.ports[end.port_id][:3]
    return f"transceiver:{t_id}", label


def _engine_end(graph: PlantGraph, end: EndRow) -> End:
    ref, label = _end_ref(graph, end)
    return End(product_of(graph, ref).code, label, end.application, ref)


def _element(
    graph: PlantGraph, ref: str, enter: str | None = None, exit_: str | None = None
) -> ElementSpec:
    product = product_of(graph, ref)
    length = None
    if ref.startswith("cable:"):
        mm = graph.cables[int(ref[6:])][1]
        length = None if mm is None else Decimal(mm).scaleb(-3)
    return ElementSpec(product.code, length, enter, exit_, ref)


def finding(
    code: str, ref: str, message: str, *, face: str | None = None, severity: str = "error"
) -> dict[str, Any]:
    """A plant finding in the engine's finding shape (Finding.as_dict)."""
    return {
        "code": code,
        "severity": severity,
        "ref": ref,
        "face": face,
        "position": None,
        "positions": [],
        "message": message,
        "fix": None,
        "basis": {"sources": [], "verified": True},
        "consequence_of": None,
    }


def _touched(
    graph: PlantGraph, result: Walk, end_ports: Iterable[int]
) -> tuple[set[int], set[int]]:
    cables: set[int] = set()
    ports: set[int] = set(end_ports)
    faces = set(result.matings) | result.free | result.foreign
    for ref, face in faces:
        if ref.startswith("cable:"):
            cables.add(int(ref[6:]))
            continue
        port = _port_of(graph, ref, face)
        if port is not None:
            ports.add(port[0])
    return cables, ports


def link_input(graph: PlantGraph, link_id: int) -> LinkInput:
    """Build one link's engine channel from the loaded plant."""
    ends = graph.ends[link_id]
    first = ends[0]
    walk_ends = [(*_end_ref(graph, e), e.application) for e in ends]
    result = walk(graph, walk_ends)
    cables, ports = _touched(graph, result, (e.port_id for e in ends))
    refs = {ref: name_of(graph, ref) for ref in [r for r, _l, _a in walk_ends] + result.elements}
    findings: list[dict[str, Any]] = []
    channel: Channel | None
    if first.shape == "aggregate":
        by_role = {e.role: e for e in ends}
        channel = GraphChannel(
            _engine_end(graph, by_role["a"]),
            _engine_end(graph, by_role["b"]),
            tuple(_element(graph, ref) for ref in result.elements),
            result.mating_tuples(),
            open_faces=frozenset(result.free),
        )
    else:
        parent = next(e for e in ends if e.role == "parent")
        channel = GraphBreakout(
            _engine_end(graph, parent),
            tuple(GraphChild(_engine_end(graph, e), e.lanes) for e in ends if e.role == "child"),
            tuple(_element(graph, ref) for ref in result.elements),
            result.mating_tuples(),
            open_faces=frozenset(result.free),
        )
    return LinkInput(
        link_id, first.link_name, first.shape, channel, result, refs, findings, cables, ports
    )


# --- validation ----------------------------------------------------------------------------------


def report_for(
    graph: PlantGraph, item: LinkInput, options: Options | None = None
) -> dict[str, Any]:
    """Validate one link's input: the engine's report plus the plant's findings, as JSON data."""
    report: dict[str, Any]
    if item.channel is None:
        report = {"ok": True, "findings": [], "trace": [], "loss": [], "options": None}
    else:
        try:
            report = validate(item.channel, graph.catalog, options).as_dict()
        except ChannelError as error:
            report = {"ok": True, "findings": [], "trace": [], "loss": [], "options": None}
            item.plant_findings.append(
                finding("CHANNEL_INVALID", error.pointer or "", f"{error.code}: {error.message}")
            )
    findings = report["findings"]
    findings.extend(item.plant_findings)
    findings.extend(cable_findings(graph, item.walk.elements))
    report["ok"] = not any(f["severity"] == "error" for f in findings)
    report["elements"] = item.refs
    return report


def status_of(report: dict[str, Any]) -> str:
    """ok / warning / error from a report's findings."""
    severities = {f["severity"] for f in report["findings"]}
    if "error" in severities:
        return "error"
    return "warning" if "warning" in severities else "ok"


# --- cable lengths -------------------------------------------------------------------------------


def spots(graph: PlantGraph, cable_id: int) -> dict[str, list[tuple[int, Spot]]]:
    """Where each end of a cable is plugged: end -> [(hall id, spot), ...]."""
    out: dict[str, list[tuple[int, Spot]]] = {"A": [], "B": []}
    for (cable, face), leg in graph.leg_by_face.items():
        if cable != cable_id or leg not in graph.leg_port:
            continue
        port = graph.ports.get(graph.leg_port[leg][0])
        if port is None or port[5] not in graph.racks:
            continue
        row_index, position, hall_id = graph.racks[port[5]]
        out[face[0]].append((hall_id, Spot(port[5], row_index, position, port[6])))
    return out


def routed_length_mm(graph: PlantGraph, cable_id: int) -> int | None:
    """The longest route between the cable's plugged ends (None: an end is free or elsewhere)."""
    where = spots(graph, cable_id)
    lengths = [
        route(a, b, graph.halls[hall_a]).length_mm
        for hall_a, a in where["A"]
        for hall_b, b in where["B"]
        if hall_a == hall_b
    ]
    return max(lengths) if lengths else None


def cable_findings(graph: PlantGraph, refs: Iterable[str]) -> list[dict[str, Any]]:
    """CABLE_TOO_SHORT for every cable of the channel shorter than its routed length."""
    out: list[dict[str, Any]] = []
    for ref in refs:
        if not ref.startswith("cable:"):
            continue
        cable_id = int(ref[6:])
        length = graph.cables[cable_id][1]
        routed = routed_length_mm(graph, cable_id)
        if length is None or routed is None or length >= routed:
            continue
        order = next_orderable_m(routed)
        out.append(
            finding(
                "CABLE_TOO_SHORT",
                ref,
                f"{graph.cables[cable_id][2]} [{ref}]: {Decimal(length).scaleb(-3)} m is shorter "
                f"than its routed length {Decimal(routed).scaleb(-3)} m; order {order} m",
            )
            | {"routed_length_m": str(Decimal(routed).scaleb(-3)), "next_orderable_m": str(order)}
        )
    return out
