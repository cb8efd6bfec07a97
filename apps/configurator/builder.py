"""The link builder's reads: candidate paths between two transceiver ports and the draft channel.

    [tx A]--cord A--[cassette front k | rear]==existing trunk==[rear | front k']--cord B--[tx B]

For two ports in different racks it lists, in cassette order (enclosure from the top, slot, port),
every free front port pair on the existing trunks between the two racks (k' = the method's partner
of k: n+1-k for Method B, k otherwise; panels: the two adapters the trunk leg is in). It never
creates trunks. In one rack (or with no trunk) the only path is a direct cord. Cords are chosen from
the catalog by the families they join, the hall's standard cord first; lengths from the route.

The draft is an aggregate channel in the shape POST /api/v1/validate/ takes, validated by the same
`apps.catalog.validation.channel_validate` call.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.catalog.models import Product, ProductRevision
from apps.catalog.validation import channel_validate
from apps.core.exceptions import ApplicationError
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


def candidates(*, hall: Hall, near: Place, far: Place) -> list[Candidate]:
    """Free front port pairs over existing trunks between the two ports' racks: 4 queries."""
    if near.rack_id == far.rack_id:
        return []
    rows = list(
        Mating.objects.filter(
            hall=hall,
            port__module__isnull=False,
            leg__cable__product_revision__product__cable_type="trunk",
            port__module__enclosure__rack_id__in=[near.rack_id, far.rack_id],
        ).values_list(
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
    out: list[tuple[tuple[int, int, int], Candidate]] = []
    for (_cable, index), ends in legs.items():
        if set(ends) != {"A", "B"}:
            continue
        a, b = ends["A"], ends["B"]
        if a[10] == near.rack_id and b[10] == far.rack_id:
            here, there, reversed_ = a, b, False
        elif b[10] == near.rack_id and a[10] == far.rack_id:
            here, there, reversed_ = b, a, True
        else:
            continue
        if here[8] == Port.Face.BOTH:  # panels: the adapters the trunk leg is in
            pairs = [(ports[here[6]], ports[there[6]])]
        else:
            near_fronts = [p for p in by_module.get(here[9], []) if p.face == Port.Face.FRONT]
            far_fronts = [p for p in by_module.get(there[9], []) if p.face == Port.Face.FRONT]
            n = len(far_fronts)
            method_b = hall.polarity_method == Hall.PolarityMethod.B
            pairs = [
                (p, far_fronts[n - 1 - k] if method_b else far_fronts[k])
                for k, p in enumerate(near_fronts)
                if k < n
            ]
        for p, q in pairs:
            if p.port_id in front_free and q.port_id in front_free:
                order = (-here[11], here[12], _number(p.label)[0])
                out.append(
                    (
                        order,
                        Candidate(
                            a[0],
                            a[1],
                            a[2],
                            a[3],
                            index,
                            reversed_,
                            p,
                            q,
                            here[7],
                            there[7],
                            here[13],
                            there[13],
                        ),  # fmt: skip
                    )
                )
    out.sort(key=lambda item: item[0])
    return [c for _o, c in out]


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
    """A link not yet saved: its ends, the path and the cords."""

    a: Place
    b: Place
    a_code: str
    b_code: str
    candidate: Candidate | None
    cord_a: CordChoice
    cord_b: CordChoice | None

    def request(self) -> dict[str, Any]:
        """The channel in the shape POST /api/v1/validate/ takes (validated request data)."""
        elements: list[dict[str, Any]] = []
        enter, exit_ = self.cord_a.faces
        elements.append(
            {
                "product": self.cord_a.product.code,
                "length_m": self.cord_a.length_m,
                "enter": enter,
                "exit": exit_,
            }
        )
        c = self.candidate
        if c is not None and self.cord_b is not None:
            panel = c.near.face == Port.Face.BOTH
            elements.append(
                {
                    "product": c.near_code,
                    "enter": "2" if panel else c.near.label,
                    "exit": "1" if panel else c.near_rear,
                }
            )
            ends = ("B", "A") if c.trunk_reversed else ("A", "B")
            length = None if c.trunk_length_mm is None else Decimal(c.trunk_length_mm) / 1000
            elements.append(
                {
                    "product": c.trunk_code,
                    "length_m": length,
                    "enter": f"{ends[0]}{c.leg_index}",
                    "exit": f"{ends[1]}{c.leg_index}",
                }
            )
            elements.append(
                {
                    "product": c.far_code,
                    "enter": "1" if panel else c.far_rear,
                    "exit": "2" if panel else c.far.label,
                }
            )
            enter, exit_ = self.cord_b.faces
            elements.append(
                {
                    "product": self.cord_b.product.code,
                    "length_m": self.cord_b.length_m,
                    "enter": enter,
                    "exit": exit_,
                }
            )
        return {
            "shape": "aggregate",
            "a": {"transceiver": self.a_code, "receptacle": self.a.label},
            "elements": elements,
            "b": {"transceiver": self.b_code, "receptacle": self.b.label},
        }

    def names(self) -> dict[str, str]:
        """Request pointers -> what the designer calls them (for the trace and findings)."""
        names = {
            "/a": f"{self.a.owner} port {self.a.label}",
            "/b": f"{self.b.owner} port {self.b.label}",
        }
        labels = ["cord A (new)"]
        if self.candidate is not None:
            c = self.candidate
            labels += [c.near.owner, c.cable_label, c.far.owner, "cord B (new)"]
        for i, label in enumerate(labels):
            names[f"/elements/{i}"] = label
        return names


def draft_kinds(draft: Draft) -> dict[str, str]:
    """Request pointers -> element kind, as the trace labels them."""
    kinds = ["cable", "module", "cable", "module", "cable"] if draft.candidate else ["cable"]
    return {f"/elements/{i}": kind for i, kind in enumerate(kinds)}


def draft_validate(*, draft: Draft) -> dict[str, Any]:
    """The draft's report from the engine, exactly as POST /api/v1/validate/ computes it."""
    try:
        return channel_validate(request=draft.request())
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
    try:
        return channel_validate(request=draft.request())
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
