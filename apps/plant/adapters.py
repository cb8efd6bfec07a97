"""The only place that turns stored plant rows into engine channels (and reports back into JSON).

Loading is one bounded fetch of tuples (`values_list` or a cursor, never model instances) scoped
to what the links can reach, whatever the size of their halls: link ends; one recursive query for
the ports reachable from the ends (across mated cables and through cassettes); those ports with
their places, matings, legs and cables; hall geometry and product revisions (5 queries) plus the
cached engine catalog (1 query while the catalog is unchanged). The loaded graph is indexed once
(legs by cable, owners' names and revisions), so per-link work is O(the link's channel). Links
whose cabling passes through a third hall holding none of their ends are followed only as far as
the loaded halls (the halls of the links' ends). Audits load whole halls instead, once per worker
and plant revision (`apps.plant.hallgraph`), into the same `PlantGraph`: the walk and the channel
building below serve both loaders.

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
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from apps.catalog.adapters import engine_catalog
from apps.catalog.models import Application, ProductRevision
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
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    LinkEnd,
    Mating,
    Module,
    Port,
    Rack,
    Row,
    Transceiver,
)

FaceRef = tuple[str, str]  # (ref, face)
_BOTH, _FRONT = str(Port.Face.BOTH.value), str(Port.Face.FRONT.value)  # plain str: fast compares
_UNKNOWN: Any = object()  # a memo miss (None is a memoised "nothing plugged")


# --- the bounded fetch ---------------------------------------------------------------------------

# The ports the links' channels can reach, from their ends: across every mated cable (all of its
# mated legs) and into every port of an entered cassette (a panel port, face "both", is an element
# of its own: its siblings are not entered); matings in the loaded halls only. The recursive term
# probes indexes per reached port (mating by port, leg by cable, mating by leg, port by module), so
# the cost follows the chunk's channels, not the hall.
_REACH_SQL = """
WITH RECURSIVE reach(id) AS (
    SELECT unnest(%(ports)s::bigint[])
  UNION
    SELECT x.id FROM reach r CROSS JOIN LATERAL (
        SELECT m2.port_id AS id
        FROM {mating} m1
        JOIN {leg} l1 ON l1.id = m1.leg_id
        JOIN {leg} l2 ON l2.cable_id = l1.cable_id
        JOIN {mating} m2 ON m2.leg_id = l2.id
        WHERE m1.port_id = r.id AND m2.hall_id = ANY(%(halls)s::bigint[])
      UNION ALL
        SELECT p2.id FROM {port} p1 JOIN {port} p2 ON p2.module_id = p1.module_id
        WHERE p1.id = r.id AND p1.face <> 'both'
    ) x
)
SELECT array_agg(id) FROM reach
"""

# The reached ports, one row per (port, mating): the port with its owner, place and product
# revision, and the mated leg with its cable. A separate statement from the reach so that the
# planner sees the real number of ports (an array constant) and joins by index.
_PORTS_SQL = """
SELECT p.id, p.label, p.face, p.transceiver_id, p.module_id,
       COALESCE(t.product_revision_id, m.product_revision_id),
       k.id, COALESCE(d.u_position, e.u_position), w.index, k.position, k.hall_id, k.row_id,
       COALESCE(d.name || ' ' || t.cage, e.name || ' slot ' || m.slot),
       g.leg_id, g.side, l.cable_id, l."end", l.index,
       c.product_revision_id, c.length_mm, c.label, c.hall_id
FROM {port} p
LEFT JOIN {transceiver} t ON t.id = p.transceiver_id
LEFT JOIN {device} d ON d.id = t.device_id
LEFT JOIN {module} m ON m.id = p.module_id
LEFT JOIN {enclosure} e ON e.id = m.enclosure_id
LEFT JOIN {rack} k ON k.id = COALESCE(d.rack_id, e.rack_id)
LEFT JOIN {row} w ON w.id = k.row_id
LEFT JOIN {mating} g ON g.port_id = p.id AND g.hall_id = ANY(%(halls)s::bigint[])
LEFT JOIN {leg} l ON l.id = g.leg_id
LEFT JOIN {cable} c ON c.id = l.cable_id
WHERE p.id = ANY(%(reach)s::bigint[]) AND p.hall_id = ANY(%(halls)s::bigint[])
"""


def _sql(template: str) -> str:
    tables = {
        "port": Port,
        "mating": Mating,
        "leg": CableLeg,
        "cable": Cable,
        "transceiver": Transceiver,
        "device": Device,
        "module": Module,
        "enclosure": Enclosure,
        "rack": Rack,
        "row": Row,
        "linkend": LinkEnd,
        "link": Link,
        "application": Application,
    }
    quote = connection.ops.quote_name
    return template.format(**{k: quote(m._meta.db_table) for k, m in tables.items()})


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
    """The stored plant the links reach, as plain dicts: ports, matings, legs, places, products.

    Indexed once per load so that every lookup of the walk, of names and of cable spots is O(1):
    per-link work is proportional to the link's own channel, never to what else was loaded.
    """

    catalog: Catalog
    ends: dict[int, list[EndRow]]
    # port id -> (label, face, transceiver id, module id, revision id, rack id, u, owner name)
    ports: dict[int, tuple[str, str, int | None, int | None, int, int, int, str]]
    port_by_owner: dict[tuple[str, int, str], int]  # ("t"|"m", owner id, label) -> port id
    at_port: dict[tuple[int, str], int]  # (port id, side) -> leg id
    legs: dict[int, tuple[int, str, int, str]]  # leg id -> (cable id, face "A1", port id, side)
    cables: dict[int, tuple[int, int | None, str, int]]  # id -> (revision, length, label, hall)
    racks: dict[int, tuple[int, int, int]]  # id -> (row index, position, hall id)
    halls: dict[int, HallGeometry]
    codes: dict[int, str]  # revision id -> engine product code
    owners: dict[tuple[str, int], int] = field(default_factory=dict)  # ("t"|"m", id) -> revision
    owner_names: dict[tuple[str, int], str] = field(default_factory=dict)  # ("t"|"m", id) -> name
    cable_legs: dict[int, list[int]] = field(default_factory=dict)  # cable id -> its mated legs
    rack_rows: dict[int, int] = field(default_factory=dict)  # rack id -> row id
    # memos filled by the walks: elements and matings shared by several links are resolved once
    products: dict[str, Product] = field(default_factory=dict)  # ref -> engine product
    mates: dict[FaceRef, FaceRef | None] = field(default_factory=dict)  # (ref, face) -> mated
    routes: dict[int, int | None] = field(default_factory=dict)  # cable id -> routed length
    # (product, face, product, face, positions) -> ((exit face, positions), ...): products are
    # few, so one hop of a cassette or trunk shape is crossed once per graph, not once per link
    hops: dict[tuple[Any, ...], tuple[tuple[str, frozenset[int]], ...]] = field(
        default_factory=dict
    )
    lit: dict[tuple[str, str, str | None], frozenset[int]] = field(default_factory=dict)


def load(link_ids: QuerySet[Any] | Iterable[int]) -> PlantGraph:
    """Load what the given links' channels reach, in a fixed number of queries.

    Link ends (1), the reach (1), its ports with their matings, legs and cables (1), hall
    geometry (1), product revisions (1) and the cached engine catalog (1 while it is unchanged).
    """
    ends, end_halls = load_ends(link_ids)
    hall_ids = {hall for halls_of in end_halls.values() for hall in halls_of}
    halls = sorted(hall_ids)
    ports: dict[int, tuple[str, str, int | None, int | None, int, int, int, str]] = {}
    port_by_owner: dict[tuple[str, int, str], int] = {}
    owners: dict[tuple[str, int], int] = {}
    owner_names: dict[tuple[str, int], str] = {}
    at_port: dict[tuple[int, str], int] = {}
    legs: dict[int, tuple[int, str, int, str]] = {}
    cables: dict[int, tuple[int, int | None, str, int]] = {}
    cable_legs: dict[int, list[int]] = defaultdict(list)
    racks: dict[int, tuple[int, int, int]] = {}
    rack_rows: dict[int, int] = {}
    rows: list[tuple[Any, ...]] = []
    if ends:
        end_ports = [end.port_id for rows_of in ends.values() for end in rows_of]
        with connection.cursor() as cursor:
            cursor.execute(_sql(_REACH_SQL), {"ports": end_ports, "halls": halls})
            reach = cursor.fetchone()[0] or []
            cursor.execute(_sql(_PORTS_SQL), {"reach": reach, "halls": halls})
            rows = cursor.fetchall()
    for row in rows:
        pk = row[0]
        if pk not in ports:
            label, face, t_id, m_id, rev, rack, u, row_index, position, hall, row_id, name = row[
                1:13
            ]
            owner = ("t", t_id) if t_id else ("m", m_id)
            ports[pk] = (label, face, t_id, m_id, rev, rack, u, name)
            port_by_owner[(owner[0], owner[1], label)] = pk
            owners[owner] = rev
            owner_names[owner] = name
            if rack is not None and rack not in racks:
                racks[rack] = (row_index, position, hall)
                rack_rows[rack] = row_id
        leg_id = row[13]
        if leg_id is None:
            continue
        side, cable_id, end, index, rev, length, label, hall = row[14:]
        at_port[(pk, side)] = leg_id
        legs[leg_id] = (cable_id, f"{end}{index}", pk, side)
        cable_legs[cable_id].append(leg_id)
        cables[cable_id] = (rev, length, label, hall)
    geometry = hall_geometries(halls)
    revisions = {p[4] for p in ports.values()} | {c[0] for c in cables.values()}
    catalog, codes = revision_codes(revisions)
    return PlantGraph(
        catalog=catalog,
        ends=ends,
        ports=ports,
        port_by_owner=port_by_owner,
        at_port=at_port,
        legs=legs,
        cables=cables,
        racks=racks,
        halls=geometry,
        codes=codes,
        owners=owners,
        owner_names=owner_names,
        cable_legs=dict(cable_legs),
        rack_rows=rack_rows,
    )


def hall_geometries(hall_ids: Iterable[int]) -> dict[int, HallGeometry]:
    """Each hall's pitches, tray height and slack, for cable routes (one query, none if empty)."""
    ids = sorted(set(hall_ids))
    if not ids:
        return {}
    return {
        pk: HallGeometry(
            rack, row, tray, offset, slack if slack is not None else int(project * 1000)
        )
        for pk, rack, row, tray, offset, slack, project in Hall.objects.filter(
            pk__in=ids
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


_ENDS_SQL = """
SELECT e.link_id, k.name, k.shape, e.role, e.port_id, e.lanes, a.code, e.hall_id
FROM {linkend} e JOIN {link} k ON k.id = e.link_id
LEFT JOIN {application} a ON a.id = e.application_id
WHERE e.link_id = ANY(%s::bigint[]) ORDER BY e.link_id, e.id
"""


def load_ends(
    link_ids: QuerySet[Any] | Iterable[int],
) -> tuple[dict[int, list[EndRow]], dict[int, set[int]]]:
    """The links' ends in order (one query), and the halls each link's ends are in."""
    rows: Iterable[tuple[Any, ...]]
    if isinstance(link_ids, QuerySet):
        rows = (
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
    else:  # an array parameter: one plan whatever the number of links
        with connection.cursor() as cursor:
            cursor.execute(_sql(_ENDS_SQL), [list(link_ids)])
            rows = cursor.fetchall()
    ends: dict[int, list[EndRow]] = defaultdict(list)
    halls: dict[int, set[int]] = defaultdict(set)
    for link_id, name, shape, role, port_id, lanes, app, hall_id in rows:
        ends[link_id].append(EndRow(link_id, name, shape, role, port_id, tuple(lanes), app))
        halls[link_id].add(hall_id)
    return dict(ends), dict(halls)


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
    if face == _BOTH:
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
    return port_id, "front" if side == _FRONT else side


def mated(graph: PlantGraph, ref: str, face: str) -> FaceRef | None:
    """What is plugged into `face` of `ref` in the store, or None (memoised per load)."""
    key = (ref, face)
    if key in graph.mates:
        return graph.mates[key]
    found = graph.mates[key] = _mated(graph, ref, face)
    return found


def _mated(graph: PlantGraph, ref: str, face: str) -> FaceRef | None:
    kind, _, pk = ref.partition(":")
    if kind == "cable":
        for mated_leg in graph.cable_legs.get(int(pk), ()):
            _cable, leg_face, port_id, side = graph.legs[mated_leg]
            if leg_face == face:
                return _port_face(graph, port_id, side)
        return None
    port = _port_of(graph, ref, face)
    leg = graph.at_port.get(port) if port is not None else None
    if leg is None:
        return None
    cable_id, cable_face, _port, _side = graph.legs[leg]
    return f"cable:{cable_id}", cable_face


def product_of(graph: PlantGraph, ref: str) -> Product:
    """The engine product of a stored element or end (memoised per load)."""
    product = graph.products.get(ref)
    if product is not None:
        return product
    kind, _, pk = ref.partition(":")
    if kind == "cable":
        revision = graph.cables[int(pk)][0]
    elif kind == "port":
        revision = graph.ports[int(pk)][4]
    else:
        revision = graph.owners[("t" if kind == "transceiver" else "m", int(pk))]
    product = graph.products[ref] = graph.catalog.product(graph.codes[revision])
    return product


def name_of(graph: PlantGraph, ref: str) -> str:
    """What a person calls a stored element: the cable label, "ENC-1 slot 2", "leaf-1 Eth1"."""
    kind, _, pk = ref.partition(":")
    if kind == "cable":
        return graph.cables[int(pk)][2]
    if kind == "port":
        port = graph.ports[int(pk)]
        owner = graph.owner_names.get(("m", port[3])) if port[3] else None
        return f"{owner or port[7]} port {port[0]}"
    owner = "t" if kind == "transceiver" else "m"
    return graph.owner_names.get((owner, int(pk)), ref)


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


def _end_positions(
    graph: PlantGraph, ref: str, label: str, application: str | None
) -> frozenset[int]:
    """The lit positions of an end (its MDI layout), or every position of the receptacle."""
    product = product_of(graph, ref)
    key = (product.code, label, application)
    lit = graph.lit.get(key)
    if lit is None:
        lit = graph.lit[key] = frozenset(_lit(graph, product, label, application))
    return lit


def _lit(graph: PlantGraph, product: Product, label: str, application: str | None) -> set[int]:
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
    """Follow every lit position from the ends through the stored plant, a face at a time.

    A state is a face with the positions that arrive at it; one hop (a mating, then the entered
    element's map) turns a position set into exit faces with theirs, memoised per product pair
    in `graph.hops`. Positions that already reached a face are not followed twice.
    """
    result = Walk()
    end_refs = {ref for ref, _label, _app in ends}
    # (face, the product it belongs to, positions arriving there)
    queue: deque[tuple[FaceRef, Product, frozenset[int]]] = deque()
    seen: dict[FaceRef, set[int]] = {}
    for ref, label, app in ends:
        start = (ref, label)
        lit = _end_positions(graph, ref, label, app) - seen.get(start, set())
        if lit:
            seen.setdefault(start, set()).update(lit)
            queue.append((start, product_of(graph, ref), frozenset(lit)))
    included: set[str] = set()
    matings, exits, hops, products = result.matings, result.exits, graph.hops, graph.products
    free, foreign, elements, mates = result.free, result.foreign, result.elements, graph.mates
    while queue:
        state, here, positions = queue.popleft()
        other = mates.get(state, _UNKNOWN)
        if other is _UNKNOWN:
            other = mated(graph, *state)
        if other is None:
            free.add(state)
            continue
        other_ref, other_face = other
        if other_ref in end_refs:
            matings[state] = other
            matings[other] = state
            continue
        if other_ref.startswith("transceiver:"):
            foreign.add(state)
            continue
        matings[state] = other
        matings[other] = state
        if other_ref not in included:
            included.add(other_ref)
            elements.append(other_ref)
        there = products.get(other_ref) or product_of(graph, other_ref)
        key = (here.code, state[1], there.code, other_face, positions)
        hop = hops.get(key)
        if hop is None:
            hop = hops[key] = _hop(here, state[1], there, other_face, positions)
        if not hop:
            continue
        faces = exits.get(other)
        if faces is None:
            faces = exits[other] = set()
        for exit_face, exit_positions in hop:
            faces.add(exit_face)
            after = (other_ref, exit_face)
            have = seen.get(after)
            if have is None:
                seen[after] = set(exit_positions)
                queue.append((after, there, exit_positions))
                continue
            new = exit_positions - have
            if new:
                have |= new
                queue.append((after, there, frozenset(new)))
    return result


def hop_across(
    here: Product, face: str, there: Product, other_face: str, positions: frozenset[int]
) -> tuple[tuple[str, frozenset[int]], ...]:
    """Exit faces of `there` with the positions arriving at each, for positions leaving `face`."""
    return _hop(here, face, there, other_face, positions)


def _hop(
    here: Product, face: str, there: Product, other_face: str, positions: frozenset[int]
) -> tuple[tuple[str, frozenset[int]], ...]:
    """Positions leaving `face` of `here`, across the mating into `there` and through its map."""
    left, right = here.faces.get(face), there.faces.get(other_face)
    if left is None or right is None:
        return ()
    out: dict[str, set[int]] = {}
    for position in sorted(positions):
        landed = cross(left, right, position)
        if landed is None:
            continue
        through = there.map.get((other_face, landed))
        if through is None:
            continue
        out.setdefault(through[0], set()).add(through[1])
    return tuple((exit_face, frozenset(found)) for exit_face, found in out.items())


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


def link_input(
    graph: PlantGraph, link_id: int, *, touched: bool = True, names: bool = True
) -> LinkInput:
    """Build one link's engine channel from the loaded plant.

    `touched=False` (audits, which do not store them): `cable_ids` and `port_ids` stay empty.
    `names=False` (audits, which name only what findings mention): `refs` maps refs to themselves.
    """
    ends = graph.ends[link_id]
    first = ends[0]
    walk_ends = [(*_end_ref(graph, e), e.application) for e in ends]
    result = walk(graph, walk_ends)
    cables, ports = (
        _touched(graph, result, (e.port_id for e in ends)) if touched else (set(), set())
    )
    refs = {
        ref: name_of(graph, ref) if names else ref
        for ref in [r for r, _l, _a in walk_ends] + result.elements
    }
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
    graph: PlantGraph,
    item: LinkInput,
    options: Options | None = None,
    *,
    trace: bool = True,
    findings_only: bool = False,
) -> dict[str, Any]:
    """Validate one link's input: the engine's report plus the plant's findings, as JSON data.

    `trace=False`: the engine renders no lane traces. `findings_only` (audits, which store
    findings only): `trace`, `loss` and `options` are left empty instead of converted to JSON.
    """
    report: dict[str, Any]
    if item.channel is None:
        report = {"ok": True, "findings": [], "trace": [], "loss": [], "options": None}
    else:
        try:
            result = validate(item.channel, graph.catalog, options, trace=trace)
            if findings_only:  # most links have none: skip converting the rest to JSON data
                found = (
                    replace(result, trace=(), loss=()).as_dict()["findings"]
                    if result.findings
                    else []
                )
                report = {
                    "ok": result.ok,
                    "findings": found,
                    "trace": [],
                    "loss": [],
                    "options": None,
                }
            else:
                report = result.as_dict()
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
    for leg in graph.cable_legs.get(cable_id, ()):
        _cable, face, port_id, _side = graph.legs[leg]
        port = graph.ports.get(port_id)
        if port is None or port[5] not in graph.racks:
            continue
        row_index, position, hall_id = graph.racks[port[5]]
        out[face[0]].append((hall_id, Spot(port[5], row_index, position, port[6])))
    return out


def routed_length_mm(graph: PlantGraph, cable_id: int) -> int | None:
    """The longest route between the cable's plugged ends (None: an end is free or elsewhere)."""
    if cable_id in graph.routes:
        return graph.routes[cable_id]
    where = spots(graph, cable_id)
    lengths = [
        route(a, b, graph.halls[hall_a]).length_mm
        for hall_a, a in where["A"]
        for hall_b, b in where["B"]
        if hall_a == hall_b
    ]
    found = graph.routes[cable_id] = max(lengths) if lengths else None
    return found


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
