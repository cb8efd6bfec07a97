"""The link builder's reads: candidate paths between two transceiver ports and the draft channel.

    [tx A]--cord A--[cassette front k | rear]==existing trunk==[rear | front k']--cord B--[tx B]

For two ports in different racks it lists, in cassette order (enclosure from the top, slot, port),
every free front port pair on the existing trunks between the two racks (k' = where the fibres of
k arrive through the installed cassettes and trunk leg, traced with the plant walk's hop; only when
that trace cannot decide, the hall's declared method: n+1-k for Method B, k otherwise; panels: the
two adapters the trunk leg is in). With no trunk
between them it goes hop by hop: the shortest chain of racks joined by existing trunks with a free
pair (breadth first over racks), the first free pair of each hop, and a cross-connect cord in each
rack between two hops:

    [tx A]--cord A--[A]==trunk 1==[X]--cross-connect cord--[X]==trunk 2==[B]--cord B--[tx B]

It never creates trunks. In one rack (or with no trunk) the only path is a direct cord. Cords are
chosen from the catalog by the families they join, the hall's standard cord first; lengths from
the route.

The draft is an aggregate channel in the shape POST /api/v1/validate/ takes, validated by the same
`apps.catalog.validation.channel_validate` call.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.catalog.adapters import engine_catalog
from apps.catalog.models import Product, ProductRevision
from apps.catalog.validation import channel_validate
from apps.core.exceptions import ApplicationError
from apps.engine.catalog import Catalog
from apps.plant.adapters import hop_across
from apps.plant.geometry import HallGeometry, Spot, next_orderable_m, route
from apps.plant.models import Hall, Mating, Port, Rack

from .selectors import Place, port_places


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way through an existing trunk: the front port at each end and the trunk leg."""

    cable_id: int
    cable_label: str
    trunk_code: str
    trunk_length_mm: int | None
    leg_index: int
    trunk_reversed: bool  # the trunk's end B is on the A side
    near: Place  # front port at rack A
    far: Place  # front port at rack B
    near_rear: str
    far_rear: str
    near_code: str
    far_code: str

    @property
    def key(self) -> str:
        """The form value naming this candidate."""
        return f"{self.cable_id}:{self.leg_index}:{self.near.port_id}:{self.far.port_id}"

    def __str__(self) -> str:
        return (
            f"{self.near.owner} port {self.near.label} ⇒ {self.cable_label} "
            f"({'B' if self.trunk_reversed else 'A'}{self.leg_index}) ⇒ "
            f"{self.far.owner} port {self.far.label}"
        )


def _number(label: str) -> tuple[int, str]:
    return (int(label), label) if label.isdigit() else (10_000, label)


def _far_front(
    catalog: Catalog,
    *,
    near: tuple[str, str, str],
    trunk: tuple[str, str, str],
    far: tuple[str, str],
) -> str | None:
    """The far front face the fibres of a near front face reach, or None when they do not agree.

    near = (cassette code, front face, rear face), trunk = (code, leg face entered, leg face
    left), far = (cassette code, rear face). Follows every position of the near front face through
    the installed cassette's map, across the trunk leg and through the far cassette (the plant
    walk's own hop), so the pairing is the installed parts', not the hall's declared method's.
    """
    near_code, front, rear = near
    trunk_code, enter, leave = trunk
    far_code, far_rear = far
    cassette = catalog.products.get(near_code)
    cable = catalog.products.get(trunk_code)
    other = catalog.products.get(far_code)
    if cassette is None or cable is None or other is None:
        return None
    face = cassette.faces.get(front)
    if face is None or face.connector is None:
        return None
    count = face.connector.rows * face.connector.columns
    at_rear: set[int] = set()
    for position in range(1, count + 1):
        through = cassette.map.get((front, position))
        if through is None:
            continue
        if through[0] != rear:
            return None  # this front port does not reach the rear the trunk leg is in
        at_rear.add(through[1])
    if not at_rear:
        return None
    across = hop_across(cassette, rear, cable, enter, frozenset(at_rear))
    if len(across) != 1 or across[0][0] != leave:
        return None
    arrived = hop_across(cable, leave, other, far_rear, across[0][1])
    if len(arrived) != 1 or sum(len(p) for _f, p in arrived) != len(at_rear):
        return None
    return arrived[0][0]


def _hop_table(*, hall: Hall, rack_ids: list[int] | None) -> dict[tuple[int, int], list[Candidate]]:
    """(from rack, to rack) -> the free front port pairs over existing trunks, in cassette order.

    Every trunk leg whose two ends land in cassettes/panels of the given racks (all the hall's
    racks for None) gives candidates both ways round: 4 queries, whatever the hall's size.
    """
    matings = Mating.objects.filter(
        hall=hall,
        port__module__isnull=False,
        leg__cable__product_revision__product__cable_type="trunk",
    )
    if rack_ids is not None:
        matings = matings.filter(port__module__enclosure__rack_id__in=rack_ids)
    rows = list(
        matings.values_list(
            "leg__cable_id",
            "leg__cable__label",
            "leg__cable__product_revision__product__code",
            "leg__cable__length_mm",
            "leg__end",
            "leg__index",
            "port_id",
            "port__label",
            "port__face",
            "port__module_id",
            "port__module__enclosure__rack_id",
            "port__module__enclosure__u_position",
            "port__module__slot",
            "port__module__product_revision__product__code",
        )
    )
    legs: dict[tuple[int, int], dict[str, tuple[Any, ...]]] = {}
    for row in rows:
        legs.setdefault((row[0], row[5]), {})[row[4]] = row
    modules = {row[9] for row in rows}
    ports = port_places(ports=Port.objects.filter(module_id__in=modules))
    taken = set(
        Mating.objects.filter(port_id__in=list(ports), side="front").values_list(
            "port_id", flat=True
        )
    )
    front_free = {pk for pk in ports if pk not in taken}
    by_module: dict[int, list[Place]] = {}
    for place in ports.values():
        if place.face in (Port.Face.FRONT, Port.Face.BOTH) and place.module_id is not None:
            by_module.setdefault(place.module_id, []).append(place)
    for places in by_module.values():
        places.sort(key=lambda p: _number(p.label))
    method_b = hall.polarity_method == Hall.PolarityMethod.B
    catalog = engine_catalog()  # cached per process: no query while the catalog is unchanged
    table: dict[tuple[int, int], list[tuple[tuple[int, int, int], Candidate]]] = {}
    for (_cable, index), ends in legs.items():
        if set(ends) != {"A", "B"}:
            continue
        a, b = ends["A"], ends["B"]
        if a[10] == b[10]:
            continue  # a trunk within one rack joins no two racks
        for here, there, reversed_ in ((a, b, False), (b, a, True)):
            if here[8] == Port.Face.BOTH:  # panels: the adapters the trunk leg is in
                pairs = [(ports[here[6]], ports[there[6]])]
            else:
                near_fronts = [p for p in by_module.get(here[9], []) if p.face == Port.Face.FRONT]
                far_fronts = [p for p in by_module.get(there[9], []) if p.face == Port.Face.FRONT]
                n = len(far_fronts)
                by_label = {p.label: p for p in far_fronts}
                pairs = []
                for k, p in enumerate(near_fronts):
                    traced = _far_front(
                        catalog,
                        near=(here[13], p.label, here[7]),
                        trunk=(a[2], f"{here[4]}{here[5]}", f"{there[4]}{there[5]}"),
                        far=(there[13], there[7]),
                    )
                    if traced is not None and traced in by_label:
                        pairs.append((p, by_label[traced]))
                    elif k < n:  # the trace cannot decide: the hall's declared method
                        pairs.append((p, far_fronts[n - 1 - k] if method_b else far_fronts[k]))
            for p, q in pairs:
                if p.port_id in front_free and q.port_id in front_free:
                    order = (-here[11], here[12], _number(p.label)[0])
                    candidate = Candidate(
                        a[0], a[1], a[2], a[3], index, reversed_, p, q,
                        here[7], there[7], here[13], there[13],
                    )  # fmt: skip
                    table.setdefault((here[10], there[10]), []).append((order, candidate))
    out: dict[tuple[int, int], list[Candidate]] = {}
    for key, items in table.items():
        items.sort(key=lambda item: item[0])
        out[key] = [c for _o, c in items]
    return out


def candidates(*, hall: Hall, near: Place, far: Place) -> list[Candidate]:
    """Free front port pairs over existing trunks between the two ports' racks: 4 queries."""
    if near.rack_id == far.rack_id:
        return []
    table = _hop_table(hall=hall, rack_ids=[near.rack_id, far.rack_id])
    return table.get((near.rack_id, far.rack_id), [])


@dataclass(frozen=True, slots=True)
class Path:
    """A way from rack A to rack B: one trunk hop, or several with a cross-connect between."""

    hops: tuple[Candidate, ...]

    @property
    def key(self) -> str:
        """The form value naming this path."""
        return "~".join(h.key for h in self.hops)

    def __str__(self) -> str:
        if len(self.hops) == 1:
            return str(self.hops[0])
        return f"{len(self.hops)} hops: " + " ⇒ cross-connect ⇒ ".join(str(h) for h in self.hops)


def paths(*, hall: Hall, near: Place, far: Place) -> list[Path]:
    """The ways over existing trunks, hop by hop; never a new trunk.

    Every free pair on a trunk joining the two racks directly is a one-hop path (4 queries).
    Without one, the shortest chain of racks joined by trunks with free pairs (breadth first over
    racks) with the first free pair of each hop in cassette order: one path (4 more queries).
    """
    if near.rack_id == far.rack_id:
        return []
    direct = candidates(hall=hall, near=near, far=far)
    if direct:
        return [Path((c,)) for c in direct]
    table = _hop_table(hall=hall, rack_ids=None)
    neighbours: dict[int, list[int]] = {}
    for here, there in sorted(table):
        neighbours.setdefault(here, []).append(there)
    previous: dict[int, int] = {near.rack_id: near.rack_id}
    queue = deque([near.rack_id])
    while queue and far.rack_id not in previous:
        rack = queue.popleft()
        for nxt in neighbours.get(rack, []):
            if nxt not in previous:
                previous[nxt] = rack
                queue.append(nxt)
    if far.rack_id not in previous:
        return []
    racks = [far.rack_id]
    while racks[-1] != near.rack_id:
        racks.append(previous[racks[-1]])
    racks.reverse()
    used: set[int] = set()
    hops: list[Candidate] = []
    for here, there in zip(racks, racks[1:], strict=False):
        hop = next(
            (
                c
                for c in table[(here, there)]
                if c.near.port_id not in used and c.far.port_id not in used
            ),
            None,
        )
        if hop is None:
            return []
        used |= {hop.near.port_id, hop.far.port_id}
        hops.append(hop)
    return [Path(tuple(hops))]


# --- cords ---------------------------------------------------------------------------------------


def cord_choices(*, family_a: str, family_b: str) -> list[Product]:
    """Single-leg cords joining the two connector families (either way round): 1 query."""
    products = Product.objects.filter(
        kind=Product.Kind.CABLE,
        retired=False,
        cable_type__in=["patch_cord", "array_cord"],
        families__contains=[family_a],
    ).order_by("code")
    return [p for p in products if set(p.families) == {family_a, family_b}]


def cord_default(*, hall: Hall, choices: list[Product], fiber_type: str | None) -> Product | None:
    """The hall's standard cord when it fits, else an A-to-B / Type B cord of the fibre type."""
    standards = (hall.standard_duplex_cord_id, hall.standard_array_cord_id)
    for product in choices:
        if product.pk in standards:
            return product

    def rank(p: Product) -> tuple[int, int, int, str]:
        return (
            0 if fiber_type is None or p.fiber_type_id == fiber_type else 1,
            0 if p.polarity in ("A-to-B", "B") else 1,
            0 if "-FM-" in p.code else 1,
            p.code,
        )

    return min(choices, key=rank) if choices else None


def cord_length_m(*, hall: Hall, racks: dict[int, Rack], a: Place, b: Place) -> Decimal:
    """The next orderable length for a cord between two places of the hall."""
    geometry = HallGeometry(
        hall.rack_pitch_mm,
        hall.row_pitch_mm,
        hall.tray_height_mm,
        hall.rack_floor_offset_mm,
        hall.cable_slack_mm
        if hall.cable_slack_mm is not None
        else int(hall.project.cable_slack_m * 1000),
    )

    def spot(place: Place) -> Spot:
        rack = racks[place.rack_id]
        return Spot(rack.pk, rack.row.index, rack.position, place.u)

    return next_orderable_m(route(spot(a), spot(b), geometry).length_mm)


# --- the draft -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CordChoice:
    """A cord of the draft: product, length, and which end faces the channel's A side."""

    product: Product
    length_m: Decimal | None
    backwards: bool = False  # runs B1 -> A1 (its end B on the channel's A side)

    @property
    def faces(self) -> tuple[str, str]:
        """(leg on the A side, leg on the B side)."""
        return ("B1", "A1") if self.backwards else ("A1", "B1")


def orient(product: Product, *, transceiver_side: str) -> bool:
    """True when the cord must run backwards so its female end meets the transceiver."""
    spec = product.revisions.filter(is_current=True).values_list("spec", flat=True).first() or {}
    ends = spec.get("ends") or {}
    gender_a = (ends.get("A") or [{}])[0].get("gender")
    gender_b = (ends.get("B") or [{}])[0].get("gender")
    if gender_a == gender_b:
        return False
    female_at_a = gender_a == "female"
    # transceiver on the channel's A side wants the female end first; on the B side, last
    return not female_at_a if transceiver_side == "a" else female_at_a


@dataclass(frozen=True, slots=True)
class Draft:
    """A link not yet saved: its ends, the path (trunk hops) and the cords.

    cord A runs from end A to the first hop, `cross[i]` joins hop i's arrival port to hop i+1's
    departure port in the rack between them (a cross-connect), cord B runs from the last hop to
    end B. With no hops, cord A alone joins the two ends.
    """

    a: Place
    b: Place
    a_code: str
    b_code: str
    hops: tuple[Candidate, ...]
    cord_a: CordChoice
    cord_b: CordChoice | None
    cross: tuple[CordChoice, ...] = ()

    @property
    def candidate(self) -> Candidate | None:
        """The first trunk hop (the only one on a direct path)."""
        return self.hops[0] if self.hops else None

    def cords(self) -> list[CordChoice]:
        """The new cords in channel order."""
        if not self.hops or self.cord_b is None:
            return [self.cord_a]
        return [self.cord_a, *self.cross, self.cord_b]

    def stops(self) -> list[Place]:
        """The ports the cords join, in pairs: cord i runs from stops[2i] to stops[2i + 1]."""
        out = [self.a]
        for hop in self.hops:
            out += [hop.near, hop.far]
        return [*out, self.b]

    def request(self) -> dict[str, Any]:
        """The channel in the shape POST /api/v1/validate/ takes (validated request data)."""
        cords = self.cords()
        elements: list[dict[str, Any]] = [_cord_element(cords[0])]
        if len(cords) == len(self.hops) + 1:
            for hop, cord in zip(self.hops, cords[1:], strict=True):
                elements += _hop_elements(hop)
                elements.append(_cord_element(cord))
        return {
            "shape": "aggregate",
            "a": {"transceiver": self.a_code, "receptacle": self.a.label},
            "elements": elements,
            "b": {"transceiver": self.b_code, "receptacle": self.b.label},
        }

    def labels(self) -> list[tuple[str, str]]:
        """(name, kind) of each request element, in order."""
        out = [("cord A (new)", "cable")]
        if len(self.cords()) == len(self.hops) + 1:
            for i, hop in enumerate(self.hops):
                last = i == len(self.hops) - 1
                out += [
                    (hop.near.owner, "module"),
                    (hop.cable_label, "cable"),
                    (hop.far.owner, "module"),
                    ("cord B (new)" if last else f"cross-connect cord {i + 1} (new)", "cable"),
                ]
        return out

    def names(self) -> dict[str, str]:
        """Request pointers -> what the designer calls them (for the trace and findings)."""
        names = {
            "/a": f"{self.a.owner} port {self.a.label}",
            "/b": f"{self.b.owner} port {self.b.label}",
        }
        for i, (label, _kind) in enumerate(self.labels()):
            names[f"/elements/{i}"] = label
        return names


def _cord_element(cord: CordChoice) -> dict[str, Any]:
    enter, exit_ = cord.faces
    return {
        "product": cord.product.code,
        "length_m": cord.length_m,
        "enter": enter,
        "exit": exit_,
    }


def _hop_elements(c: Candidate) -> list[dict[str, Any]]:
    panel = c.near.face == Port.Face.BOTH
    ends = ("B", "A") if c.trunk_reversed else ("A", "B")
    length = None if c.trunk_length_mm is None else Decimal(c.trunk_length_mm) / 1000
    return [
        {
            "product": c.near_code,
            "enter": "2" if panel else c.near.label,
            "exit": "1" if panel else c.near_rear,
        },
        {
            "product": c.trunk_code,
            "length_m": length,
            "enter": f"{ends[0]}{c.leg_index}",
            "exit": f"{ends[1]}{c.leg_index}",
        },
        {
            "product": c.far_code,
            "enter": "1" if panel else c.far_rear,
            "exit": "2" if panel else c.far.label,
        },
    ]


def draft_kinds(draft: Draft) -> dict[str, str]:
    """Request pointers -> element kind, as the trace labels them."""
    return {f"/elements/{i}": kind for i, (_label, kind) in enumerate(draft.labels())}


def report_validate(*, request: dict[str, Any]) -> dict[str, Any]:
    """The engine's report on a request, exactly as POST /api/v1/validate/ computes it; a request
    the API would refuse (ApplicationError) becomes a failing report with that one finding."""
    try:
        return channel_validate(request=request)
    except ApplicationError as error:
        return {
            "ok": False,
            "findings": [
                {
                    "code": error.code.upper(),
                    "severity": "error",
                    "ref": "",
                    "message": error.detail,
                    "fix": None,
                    "consequence_of": None,
                }
            ],
            "trace": [],
            "loss": [],
        }


def draft_validate(*, draft: Draft) -> dict[str, Any]:
    """The draft's report from the engine, exactly as POST /api/v1/validate/ computes it."""
    return report_validate(request=draft.request())


# --- breakouts -----------------------------------------------------------------------------------


def harness_choices(*, parent: Place, children: list[Place]) -> list[Product]:
    """Harnesses with one plug fitting the parent and at least one leg per child: 1 query."""
    families = {c.family for c in children}
    out = []
    for revision in (
        ProductRevision.objects.filter(
            is_current=True,
            product__kind=Product.Kind.CABLE,
            product__retired=False,
            product__cable_type="harness",
        )
        .select_related("product")
        .order_by("product__code")
    ):
        ends = revision.spec.get("ends") or {}
        a, b = ends.get("A") or [], ends.get("B") or []
        if (
            len(a) == 1
            and a[0].get("family") == parent.family
            and len(b) >= len(children)
            and {leg.get("family") for leg in b} <= families | {None}
            and families <= {leg.get("family") for leg in b}
        ):
            out.append(revision.product)
    return out


def lanes_per_child(*, children: list[Place]) -> int:
    """The lanes each child carries: its application's lane count (1 query)."""
    lanes = Product.objects.filter(code__in=[c.code for c in children]).values_list(
        "application__lanes", flat=True
    )
    return max([n for n in lanes if n] or [1])


@dataclass(frozen=True, slots=True)
class BreakoutDraft:
    """A breakout not yet saved: parent, children (in lane order), the harness between them."""

    parent: Place
    children: tuple[Place, ...]
    harness: Product
    length_m: Decimal | None
    lanes: int  # per child

    def child_lanes(self, index: int) -> list[int]:
        """The parent lanes child `index` carries (0-based)."""
        return list(range(index * self.lanes, (index + 1) * self.lanes))

    def request(self) -> dict[str, Any]:
        """The breakout in the shape POST /api/v1/validate/ takes."""
        return {
            "shape": "breakout",
            "parent": {"transceiver": self.parent.code, "receptacle": self.parent.label},
            "elements": [{"product": self.harness.code, "length_m": self.length_m, "enter": "A1"}],
            "branches": [
                {
                    "exit": f"B{j + 1}",
                    "lanes": self.child_lanes(j),
                    "elements": [],
                    "end": {"transceiver": child.code, "receptacle": child.label},
                }
                for j, child in enumerate(self.children)
            ],
        }

    def names(self) -> dict[str, str]:
        """Request pointers -> names."""
        names = {
            "/parent": f"{self.parent.owner} port {self.parent.label}",
            "/elements/0": "harness (new)",
        }
        for j, child in enumerate(self.children):
            names[f"/branches/{j}/end"] = f"{child.owner} port {child.label}"
        return names

    def kinds(self) -> dict[str, str]:
        """Request pointers -> element kinds."""
        kinds = {"/parent": "transceiver", "/elements/0": "cable"}
        kinds.update({f"/branches/{j}/end": "transceiver" for j in range(len(self.children))})
        return kinds


def breakout_validate(*, draft: BreakoutDraft) -> dict[str, Any]:
    """The breakout draft's report, by the same call as POST /api/v1/validate/."""
    return report_validate(request=draft.request())
