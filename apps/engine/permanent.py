"""Permanent links (TIA-568.3): polarity against a declared method, and the Tier-1 test limit.

A permanent link is the installed part between two patching fields: the cassettes (or MPO adapter
panels) at both ends and the trunk(s) between them, in order from end A.

    [cord]--[front k  cassette A  R1]==trunk==[R1  cassette B  front k']--[cord]
            |<-------------------- permanent link -------------------->|

(a) Polarity: the link is closed with the hall's standard cords for the declared method (§5.2:
A-to-B at end 1 and A-to-A at end 2 for method A, A-to-B at both ends otherwise; §5.3 array cords
for MPO panels) and a generic transceiver of the right family at each end, then traced like any
channel. Every front port k at end A must deliver transmit to receive at its method partner at
end B (method B joins k to n+1-k, the others k to k); if not: PERMANENT_LINK_POLARITY.

(a') Breakout permanent link (§5.4): an MPO panel/adapter at one end, a cassette with duplex front
ports at the other (the demo's key-up/key-down panel, Base-8 type B trunk, Base-8 breakout
cassette). It is closed as a `Breakout`: the method's array cord and a generic parallel
transceiver (the most lanes that fit the front ports: 4 × LC -> 4 lanes) at the panel, the
method's duplex cord and a generic duplex transceiver at each front port. The method is the
cassette's own declared polarity when it names one ("U1 (Base-8)": a breakout cassette fixes
its parallel polarity, §5.3 U1-style takes type A array cords, and §5.2 method B cannot carry
APC), else the hall's; a hall cord that does not fit the link's medium or face is replaced by
the catalog's cord of the same kind. Lane order is not defined for a permanent link (the
breakout channel's Branch lanes decide it), so front port k passes when its receiver gets
exactly one parent lane's transmitter, its transmitter reaches that same lane's receiver, and
no other port uses that lane. Front ports beyond the parent's lanes are not tested.

(b) Loss (§3.3, 1-jumper reference method): Tier-1 limit = Σ length × α(TIA, λ) + N mated pairs ×
0.75 dB + splices × 0.3 dB, N counting both end connections and every intermediate pair (a
cassette counts two: front and rear; a breakout link the same, over its worst lane's path). The
measured-style total takes each component's max: pairs at the worse grade of their two plugs
(end connections at the link's own grade: test cords are reference grade), a cassette's vendor
figure instead of its two pairs, splices, fibre at α(TIA).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.engine.catalog import Application, Catalog, Face, Product
from apps.engine.channel import Aggregate, Branch, Breakout, ElementSpec, End, Options, human
from apps.engine.errors import ChannelError
from apps.engine.graph import Graph, flatten, lengths_mm
from apps.engine.loss import band
from apps.engine.report import Basis, Finding, LossItem, Report, _plain
from apps.engine.tracing import LaneTrace
from apps.engine.units import db_to_ndb, mm_to_m, ndb_to_db

METHODS = ("A", "B", "C", "U1", "U2")
TIA_PAIR_DB = Decimal("0.75")  # §3.1: standard-grade mated pair, MM and SM [S36]
TIA_SPLICE_DB = Decimal("0.3")  # §3.1: splice [OK]
TIA_SOURCES = ("TIA-568.3 mated pair 0.75 dB=S36", "TIA-568.3 splice 0.3 dB=OK")

# method -> (cord at end 1, cord at end 2): duplex maps (§5.2) and array cord types (§5.3)
DUPLEX_CORDS = {"A": ("AB", "AA"), "B": ("AB", "AB"), "C": ("AB", "AB"), "U1": ("AB", "AB"),
                "U2": ("AB", "AB")}  # fmt: skip
ARRAY_CORDS = {"A": ("A", "B"), "B": ("B", "B"), "U1": ("A", "A"), "U2": ("B", "B")}
_MAPS = {
    "AB": {("A1", 1): ("B1", 2), ("A1", 2): ("B1", 1)},
    "AA": {("A1", 1): ("B1", 1), ("A1", 2): ("B1", 2)},
}


@dataclass(frozen=True, slots=True)
class HallCords:
    """The hall's standard cords (product codes); None: found in the catalog by map and faces."""

    duplex_ab: str | None = None
    duplex_aa: str | None = None
    array_a: str | None = None
    array_b: str | None = None


@dataclass(frozen=True, slots=True)
class TierOneLoss:
    """A permanent link's Tier-1 test limit and its worst path's measured-style (max) loss."""

    wavelength_nm: int
    length_m: Decimal
    mated_pairs: int
    splices: int
    fibre_db: Decimal
    total_max_db: Decimal
    total_typ_db: Decimal
    limit_db: Decimal
    margin_db: Decimal
    items: tuple[LossItem, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PermanentLinkReport:
    """The verdict on one permanent link: findings, Tier-1 loss and the test channels traced."""

    ok: bool
    method: str
    findings: tuple[Finding, ...]
    loss: TierOneLoss | None
    channels: tuple[Report, ...]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-friendly data: Decimals as strings, tuples as lists."""
        result = _plain(self)
        assert isinstance(result, dict)
        return result

    def codes(self) -> list[str]:
        """The finding codes, in order."""
        return [f.code for f in self.findings]


def permanent_link(
    elements: tuple[ElementSpec, ...],
    catalog: Catalog,
    *,
    method: str,
    cords: HallCords | None = None,
    wavelength_nm: int | None = None,
    options: Options | None = None,
) -> PermanentLinkReport:
    """Check a permanent link's polarity against `method` and budget it against Tier 1."""
    from apps.engine.validate import validate, verdict_for

    if method not in METHODS:
        raise ChannelError("INVALID_METHOD", f"unknown polarity method {method!r}", "/method")
    if len(elements) < 2:
        raise ChannelError("INVALID_LINK", "a permanent link has two ends", "/elements")
    options = options or Options()
    first, last = (catalog.product(e.product, f"/elements/{i}/product")
                   for i, e in ((0, elements[0]), (len(elements) - 1, elements[-1])))  # fmt: skip
    if _mixed(first, last):
        return _breakout_link(elements, catalog, method, cords, wavelength_nm, options)
    pairs = _port_pairs(first, last, elements, method)
    fiber = _fiber(elements, catalog)
    channels: list[Report] = []
    findings: list[Finding] = []
    failing: list[str] = []
    worst: TierOneLoss | None = None
    for port_a, port_b, face_a, face_b in pairs:
        a_spec = _end_spec(elements[0], first, port_a, toward_link=True)
        b_spec = _end_spec(elements[-1], last, port_b, toward_link=False)
        link = (a_spec, *elements[1:-1], b_spec)
        cord_a, cord_b, end_a, end_b = _closure(catalog, method, face_a, face_b, fiber, link, cords)
        catalog, code_a = catalog.with_inline(end_a)
        catalog, code_b = catalog.with_inline(end_b)
        channel = Aggregate(
            End(code_a, ref="/test/a"),
            (cord_a, *_link_refs(link), cord_b),
            End(code_b, ref="/test/b"),
        )
        report = validate(channel, catalog, options)
        channels.append(report)
        link_refs = {str(e.ref) for e in _link_refs(link)}
        for finding in report.findings:
            if finding.ref in link_refs and finding.code in _MATING and finding not in findings:
                findings.append(finding)
        if any(f.code in _TRACE and f.severity == "error" for f in report.findings):
            failing.append(f"{port_a} -> {port_b}")
        flat = flatten(channel, catalog)
        verdict = verdict_for(flat, catalog, options, fixes=False)
        link_nodes = set(range(2, len(verdict.graph.nodes) - 2))
        loss = _tier_one(verdict.graph, verdict.traces, lengths_mm(flat), flat.refs, catalog,
                         fiber, wavelength_nm, findings, link_nodes)  # fmt: skip
        if loss is not None and (worst is None or loss.total_max_db > worst.total_max_db):
            worst = loss
    closure = f"the hall's method {method} cords"
    ok, found = _conclude(closure, elements, findings, failing, len(pairs), worst)
    return PermanentLinkReport(ok, method, found, worst, tuple(channels))


def _conclude(
    closure: str,
    elements: tuple[ElementSpec, ...],
    findings: list[Finding],
    failing: list[str],
    tested: int,
    worst: TierOneLoss | None,
) -> tuple[bool, tuple[Finding, ...]]:
    """ok and the findings: PERMANENT_LINK_POLARITY first, the link's mating ones, Tier 1 last."""
    if failing:
        findings.insert(0, _finding(
            "PERMANENT_LINK_POLARITY", "/elements/0",
            f"with {closure}, {len(failing)} of {tested} port pairs"
            f" ({', '.join(failing)}) do not deliver transmit to receive (transmit meets"
            " transmit, another port or nothing)",
        ))  # fmt: skip
    if worst is not None and worst.margin_db < 0:
        findings.append(_finding(
            "TIER1_LIMIT_EXCEEDED", f"/elements/{len(elements) - 1}",
            f"worst-case {worst.total_max_db} dB exceeds the Tier-1 limit {worst.limit_db} dB",
        ))  # fmt: skip
    ok = not any(f.severity == "error" for f in findings)
    return ok, tuple(findings)


def mixed_polarity_methods(found: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[Finding]:
    """MIXED_POLARITY_METHODS (warning) when a hall's links or modules use more than one method.

    `found` maps a ref (link, cassette, module) to its method or module type ("B", "Type A",
    "U1", "module-u2"). Mixing is legal link by link (each link's own check catches a broken
    one), but the hall then needs several cord types and a module swapped across methods fails.
    """
    items = list(found.items()) if isinstance(found, Mapping) else list(found)
    by_method: dict[str, list[str]] = {}
    for ref, raw in items:
        by_method.setdefault(_method_name(raw, ref), []).append(ref)
    if len(by_method) < 2:
        return []
    ranked = sorted(by_method.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    majority = ranked[0][0]
    parts = [f"{name} ({len(refs)}: {', '.join(refs[:3])}{', …' if len(refs) > 3 else ''})"
             for name, refs in ranked]  # fmt: skip
    message = (
        f"the hall mixes polarity methods {', '.join(parts)}: standardise on method {majority}"
        " or keep each method's cords and modules apart"
    )
    return [_finding("MIXED_POLARITY_METHODS", ranked[1][1][0], message)]


# --- helpers -------------------------------------------------------------------------------------

_MATING = {"GENDER_CONFLICT", "ENDFACE_MISMATCH", "CONNECTOR_MISMATCH", "FIBER_TYPE_MISMATCH"}
_TRACE = {"POLARITY_REVERSED", "LANE_MISMATCH", "OPEN_FIBER", "PATH_MISROUTED"}


def _finding(code: str, ref: str, message: str) -> Finding:
    from apps.engine.findings import severity

    return Finding(code, severity(code), ref, None, None, (), f"{human(ref)}: {message}", None,
                   Basis((), True), None)  # fmt: skip


def _method_name(raw: str, ref: str) -> str:
    text = raw.upper().replace(" ", "").replace("_", "-")
    for prefix in ("METHOD", "TYPE", "MODULE-", "MODULE"):
        text = text.removeprefix(prefix)
    text = text.removeprefix("-")
    if text not in METHODS:
        raise ChannelError("INVALID_METHOD", f"{ref}: unknown polarity method {raw!r}", ref)
    return text


def _fronts(product: Product) -> list[str]:
    return [label for label, face in product.faces.items() if face.side == "front"]


def _rear(product: Product) -> str:
    rears = [label for label, face in product.faces.items() if face.side == "rear"]
    if len(rears) != 1:
        raise ChannelError("INVALID_LINK", f"{product.code} needs one rear port", "/elements")
    return rears[0]


def _port_pairs(
    first: Product, last: Product, elements: tuple[ElementSpec, ...], method: str
) -> list[tuple[str, str, tuple[Product, str], tuple[Product, str]]]:
    """(port at A, port at B, outward face at A, outward face at B) for every port tested."""
    kinds = {first.kind, last.kind}
    if kinds <= {"adapter", "panel"}:
        if method == "C":
            raise ChannelError("INVALID_METHOD", "method C cannot carry parallel optics", "/method")
        return [("1", "2", (first, "1"), (last, "2"))]
    if kinds != {"cassette"}:
        raise ChannelError("INVALID_LINK", "a permanent link ends in cassettes or panels",
                           "/elements")  # fmt: skip
    fronts_a, fronts_b = _fronts(first), _fronts(last)
    chosen = [elements[0].enter] if elements[0].enter is not None else fronts_a
    out = []
    for port in chosen:
        if port not in fronts_a:
            raise ChannelError("UNKNOWN_FACE", f"{first.code} has no front port {port!r}",
                               "/elements/0/enter")  # fmt: skip
        k = fronts_a.index(port) + 1
        if elements[-1].exit is not None:
            far = elements[-1].exit
        else:
            partner = len(fronts_b) + 1 - k if method == "B" else k
            if partner > len(fronts_b):
                continue
            far = fronts_b[partner - 1]
        out.append((port, far, (first, port), (last, far)))
    return out


def _end_spec(spec: ElementSpec, product: Product, port: str, *, toward_link: bool) -> ElementSpec:
    if product.kind in ("adapter", "panel"):
        return ElementSpec(spec.product, spec.length_m, "1", "2", spec.ref)
    rear = _rear(product)
    enter, exit_ = (port, rear) if toward_link else (rear, port)
    return ElementSpec(spec.product, spec.length_m, enter, exit_, spec.ref)


def _link_refs(link: tuple[ElementSpec, ...]) -> tuple[ElementSpec, ...]:
    return tuple(
        ElementSpec(e.product, e.length_m, e.enter, e.exit, e.ref or f"/elements/{i}")
        for i, e in enumerate(link)
    )


def _fiber(elements: tuple[ElementSpec, ...], catalog: Catalog) -> str:
    for spec in elements:
        product = catalog.product(spec.product)
        if product.kind == "cable" and product.fiber_type is not None:
            return product.fiber_type
    for spec in elements:
        product = catalog.product(spec.product)
        if product.fiber_type is not None:
            return product.fiber_type
    raise ChannelError("INVALID_LINK", "no fibre type in the link", "/elements")


def _outward(catalog: Catalog, face: tuple[Product, str], link: tuple[ElementSpec, ...],
             at_a: bool) -> Face:  # fmt: skip
    """The face a cord meets at the link's end: a cassette front port, or the trunk's plug."""
    product, label = face
    if product.kind == "cassette":
        return product.faces[label]
    neighbour = link[1] if at_a else link[-2]
    cable = catalog.product(neighbour.product)
    if cable.kind != "cable":
        raise ChannelError("INVALID_LINK", "an end panel needs a cable behind it", "/elements")
    leg = (neighbour.enter or "A1") if at_a else (neighbour.exit or "B1")
    return cable.faces[leg]


def _closure(
    catalog: Catalog,
    method: str,
    face_a: tuple[Product, str],
    face_b: tuple[Product, str],
    fiber: str,
    link: tuple[ElementSpec, ...],
    cords: HallCords | None,
) -> tuple[ElementSpec, ElementSpec, dict[str, Any], dict[str, Any]]:
    """The standard cords and generic transceivers that close the link into a channel."""
    outer_a = _outward(catalog, face_a, link, True)
    outer_b = _outward(catalog, face_b, link, False)
    assert outer_a.connector is not None
    family = outer_a.connector.code
    duplex = outer_a.connector.key == "duplex"
    kinds = DUPLEX_CORDS[method] if duplex else ARRAY_CORDS[method]
    specs: list[ElementSpec] = []
    plugs: list[Face] = []
    for end, (kind, outer) in enumerate(((kinds[0], outer_a), (kinds[1], outer_b))):
        code = _cord(catalog, kind, duplex, outer, fiber, cords)
        cord = catalog.product(code)
        # the cord's leg that meets the link: its other leg meets the transceiver
        link_leg = "B1" if _meets(cord.faces["B1"], outer) else "A1"
        xcvr_leg = "A1" if link_leg == "B1" else "B1"
        ref = "/test/cord-a" if end == 0 else "/test/cord-b"
        enter, exit_ = (xcvr_leg, link_leg) if end == 0 else (link_leg, xcvr_leg)
        specs.append(ElementSpec(code, Decimal(0), enter, exit_, ref))
        plugs.append(cord.faces[xcvr_leg])
    app, mdi_family = _generic_application(catalog, family, fiber, duplex)
    ends = [
        {
            "kind": "transceiver",
            "name": f"generic {app.code}",
            "application": app.code,
            "receptacles": [
                {
                    "label": "1",
                    "family": mdi_family,
                    "gender": _opposite(plug),
                    "endface": plug.endface,
                }
            ],
        }  # fmt: skip
        for plug in plugs
    ]
    return specs[0], specs[1], ends[0], ends[1]


def _opposite(plug: Face) -> str | None:
    """A generic transceiver's receptacle gender: pinned, unless the cord's plug is pinned."""
    if plug.connector is None or not plug.connector.gendered:
        return None
    return "female" if plug.gender == "male" else "male"


def _meets(plug: Face, other: Face) -> bool:
    if plug.connector is None or other.connector is None:
        return False
    if not plug.connector.mates_with(other.connector):
        return False
    gendered = plug.connector.gendered and other.connector.gendered
    if gendered and plug.gender is not None and plug.gender == other.gender:
        return False
    apc = (plug.endface == "APC", other.endface == "APC")
    return not (plug.endface and other.endface and apc[0] != apc[1])


def _cord(catalog: Catalog, kind: str, duplex: bool, outer: Face, fiber: str,
          cords: HallCords | None = None) -> str:  # fmt: skip
    """The hall's standard cord of `kind`, or the first catalog cord with that map and faces."""
    named = None
    if cords is not None:
        named = (
            {"AB": cords.duplex_ab, "AA": cords.duplex_aa}.get(kind)
            if duplex
            else ({"A": cords.array_a, "B": cords.array_b}.get(kind))
        )
    if named is not None:
        catalog.product(named, "/cords")
        return named
    ft = catalog.fiber_types[fiber]
    best: tuple[int, str] | None = None
    for code, product in sorted(catalog.products.items()):
        if product.kind != "cable" or product.fiber_type is None:
            continue
        a, b = product.faces.get("A1"), product.faces.get("B1")
        if a is None or b is None or len(product.faces) != 2:
            continue
        other = catalog.fiber_types[product.fiber_type]
        if (other.mode, other.core_um) != (ft.mode, ft.core_um):
            continue
        if not (_meets(a, outer) or _meets(b, outer)):
            continue
        if not _has_map(product, kind, duplex):
            continue
        # prefer: same fibre type, a female leg for the (pinned) transceiver, then the code
        xcvr = a if _meets(b, outer) else b
        score = (product.fiber_type != fiber) * 2 + (xcvr.gender == "male")
        if best is None or (score, code) < best:
            best = (score, code)
    if best is None:
        raise ChannelError(
            "NO_STANDARD_CORD",
            f"no {kind} cord in the catalog fits {outer.connector.code if outer.connector else ''}"
            f" {outer.endface or ''} {outer.gender or ''} on {fiber}",
            "/cords",
        )
    return best[1]


def _has_map(product: Product, kind: str, duplex: bool) -> bool:
    mapping = {k: v for k, v in product.map.items() if k[0] == "A1"}
    if duplex:
        return mapping == _MAPS.get(kind)
    a = product.faces["A1"].connector
    if a is None:
        return False
    columns = a.columns
    lit = sorted(p for face, p in mapping)
    if not lit:
        return False
    for p in lit:
        row, column = divmod(p - 1, columns)
        want = p if kind == "A" else row * columns + (columns - column)
        if mapping[("A1", p)] != ("B1", want):
            return False
    return True


def _generic_application(
    catalog: Catalog, family: str, fiber: str, duplex: bool, fronts: int | None = None
) -> tuple[Application, str]:
    """A plain (one wavelength, not bidirectional) application of this family on this medium.

    Parallel: the most lanes, or with `fronts` (a breakout's duplex ports) the most lanes that
    still fit them (4 × duplex LC: a 4-lane parent, the §5.4 breakouts).
    """
    ft = catalog.fiber_types[fiber]
    candidates = []
    for code, app in sorted(catalog.applications.items()):
        if (app.mode, app.core_um) != (ft.mode, ft.core_um) or app.wdm:
            continue
        for mdi_family, layout_name in app.mdi:
            layout = catalog.layouts.get(layout_name)
            if layout is None or any(b is not None for _p, _l, b in layout.tx):
                continue
            connector = catalog.connectors.get(mdi_family)
            if connector is None or not (mdi_family == family or family in connector.intermates):
                continue
            lanes = app.lanes if duplex else -app.lanes
            too_many = fronts is not None and app.lanes > fronts
            rank = (too_many, fiber not in app.limits, lanes, code)
            candidates.append((rank, mdi_family))
    if not candidates:
        raise ChannelError(
            "NO_APPLICATION", f"no application runs on {family} {fiber}", "/elements"
        )
    rank, mdi_family = min(candidates)
    return catalog.applications[rank[3]], mdi_family


# --- breakout permanent links (an MPO panel at one end, a duplex cassette at the other) ---------


def _mixed(first: Product, last: Product) -> bool:
    """An MPO adapter/panel at one end and a cassette with duplex front ports at the other."""
    panels = (first.kind in ("adapter", "panel"), last.kind in ("adapter", "panel"))
    cassette = last if panels[0] else first
    if panels[0] == panels[1] or cassette.kind != "cassette":
        return False
    connectors = [cassette.faces[label].connector for label in _fronts(cassette)]
    return bool(connectors) and all(c is not None and c.key == "duplex" for c in connectors)


def _declared_method(product: Product) -> str | None:
    """The polarity method a module declares ("U1 (Base-8)" -> "U1"), None if it names none."""
    raw = product.record.get("polarity")
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return _method_name(raw.split("(")[0].strip(), product.code)
    except ChannelError:
        return None


def _reverse(spec: ElementSpec, catalog: Catalog) -> ElementSpec:
    """The same element walked the other way."""
    kind = catalog.product(spec.product).kind
    enter, exit_ = spec.exit, spec.enter
    if kind == "cable":
        enter, exit_ = enter or "B1", exit_ or "A1"
    elif kind in ("adapter", "panel", "splice"):
        enter, exit_ = enter or "2", exit_ or "1"
    return ElementSpec(spec.product, spec.length_m, enter, exit_, spec.ref)


def _fitting_cord(catalog: Catalog, kind: str, duplex: bool, outer: Face, fiber: str,
                  cords: HallCords | None) -> str:  # fmt: skip
    """The hall's standard cord of `kind` if it fits the link's medium and face, else the catalog's.

    A hall names one duplex and one array cord; a breakout link on another medium (the demo's
    OS2 APC breakout in an OM4 hall) is closed with the catalog's cord of the same kind.
    """
    code = _cord(catalog, kind, duplex, outer, fiber, cords)
    if cords is None:
        return code
    product = catalog.product(code)
    want = catalog.fiber_types[fiber]
    have = catalog.fiber_types.get(product.fiber_type or "")
    legs = [product.faces[leg] for leg in ("A1", "B1") if leg in product.faces]
    if (
        have is not None
        and (have.mode, have.core_um) == (want.mode, want.core_um)
        and any(_meets(leg, outer) for leg in legs)
    ):
        return code
    return _cord(catalog, kind, duplex, outer, fiber)


def _generic_end(catalog: Catalog, family: str, fiber: str, duplex: bool, plug: Face,
                 fronts: int | None = None) -> tuple[dict[str, Any], int]:  # fmt: skip
    """A generic transceiver (inline record) for a cord's plug, and its application's lanes."""
    app, mdi_family = _generic_application(catalog, family, fiber, duplex, fronts)
    receptacle = {"label": "1", "family": mdi_family, "gender": _opposite(plug),
                  "endface": plug.endface}  # fmt: skip
    record = {"kind": "transceiver", "name": f"generic {app.code}", "application": app.code,
              "receptacles": [receptacle]}  # fmt: skip
    return record, app.lanes


def _breakout_link(
    elements: tuple[ElementSpec, ...],
    catalog: Catalog,
    method: str,
    cords: HallCords | None,
    wavelength_nm: int | None,
    options: Options,
) -> PermanentLinkReport:
    """A breakout permanent link (§5.4): an MPO panel at one end, a duplex cassette at the other.

    Closed like a breakout channel: the method's array cord (ARRAY_CORDS, at the panel's end of
    the link) and a generic parallel transceiver at the panel; at every front port of the
    cassette the method's duplex cord (DUPLEX_CORDS, at the cassette's end) and a generic duplex
    transceiver. Lane order is not part of a permanent link (the breakout channel's own Branch
    lanes decide it), so front port k passes when its receiver gets exactly one parent lane's
    transmitter, its transmitter reaches that same lane's receiver at the parent, and no other
    port uses that lane. Front ports beyond the parent's lanes are not tested.
    """
    from apps.engine.validate import validate, verdict_for

    panel_at_a = catalog.product(elements[0].product).kind in ("adapter", "panel")
    ordered = [
        ElementSpec(e.product, e.length_m, e.enter, e.exit, e.ref or f"/elements/{i}")
        for i, e in enumerate(elements)
    ]
    if not panel_at_a:
        ordered = [_reverse(e, catalog) for e in reversed(ordered)]
    end = 0 if panel_at_a else 1  # the panel's end of the link: end 1 (A) or end 2 (B)
    panel_spec, cassette_spec = ordered[0], ordered[-1]
    panel = catalog.product(panel_spec.product)
    cassette = catalog.product(cassette_spec.product)
    rear, fronts = _rear(cassette), _fronts(cassette)
    used = _declared_method(cassette) or method
    if used == "C":
        raise ChannelError("INVALID_METHOD", "method C cannot carry parallel optics", "/method")
    named = cassette_spec.exit
    if named is not None and named not in fronts:
        pointer = f"/elements/{len(elements) - 1}/exit" if panel_at_a else "/elements/0/enter"
        raise ChannelError("UNKNOWN_FACE", f"{cassette.code} has no front port {named!r}", pointer)
    link = (
        ElementSpec(panel_spec.product, panel_spec.length_m, "1", "2", panel_spec.ref),
        *ordered[1:-1],
        ElementSpec(cassette_spec.product, cassette_spec.length_m, rear, None, cassette_spec.ref),
    )
    fiber = _fiber(elements, catalog)
    outer = _outward(catalog, (panel, "1"), link, True)
    assert outer.connector is not None
    code = _fitting_cord(catalog, ARRAY_CORDS[used][end], False, outer, fiber, cords)
    cord = catalog.product(code)
    link_leg = "B1" if _meets(cord.faces["B1"], outer) else "A1"
    xcvr_leg = "A1" if link_leg == "B1" else "B1"
    plug = cord.faces[xcvr_leg]
    record, lanes = _generic_end(catalog, outer.connector.code, fiber, False, plug, len(fronts))
    catalog, parent = catalog.with_inline(record)
    array_cord = ElementSpec(code, Decimal(0), xcvr_leg, link_leg, "/test/cord-a")
    branches = []
    for j, port in enumerate(fronts[:lanes]):
        front = cassette.faces[port]
        assert front.connector is not None
        code = _fitting_cord(catalog, DUPLEX_CORDS[used][1 - end], True, front, fiber, cords)
        cord = catalog.product(code)
        link_leg = "B1" if _meets(cord.faces["B1"], front) else "A1"
        xcvr_leg = "A1" if link_leg == "B1" else "B1"
        record, _ = _generic_end(catalog, front.connector.code, fiber, True, cord.faces[xcvr_leg])
        catalog, child = catalog.with_inline(record)
        duplex_cord = ElementSpec(code, Decimal(0), link_leg, xcvr_leg, f"/test/cord-b{j + 1}")
        branches.append(Branch(port, (j,), (duplex_cord,), End(child, ref=f"/test/b{j + 1}")))
    channel = Breakout(End(parent, ref="/test/a"), (array_cord, *link), tuple(branches))
    report = validate(channel, catalog, options)
    link_refs = {str(e.ref) for e in link}
    findings = [f for f in report.findings if f.ref in link_refs and f.code in _MATING]
    findings = [f for k, f in enumerate(findings) if f not in findings[:k]]
    flat = flatten(channel, catalog)
    verdict = verdict_for(flat, catalog, options, fixes=False)
    tested = [port for port in fronts[:lanes] if named is None or port == named]
    failing = [
        f"front {port}"
        for port in _breakout_failures(verdict.graph, verdict.traces, fronts[:lanes])
        if port in tested
    ]
    nodes = set(range(2, 2 + len(link)))
    worst = _tier_one(verdict.graph, verdict.traces, lengths_mm(flat), flat.refs, catalog,
                      fiber, wavelength_nm, findings, nodes)  # fmt: skip
    closure = f"the hall's method {method} cords"
    if used != method:
        closure = f"method {used} cords (the polarity of {cassette.code})"
    ok, found = _conclude(closure, elements, findings, failing, len(tested), worst)
    return PermanentLinkReport(ok, method, found, worst, (report,))


def _breakout_failures(graph: Graph, traces: tuple[LaneTrace, ...], ports: list[str]) -> list[str]:
    """The front ports (branch j = ports[j]) that do not pair with exactly one parent lane."""
    branch_of = {node: j for j, (node, _lanes) in enumerate(graph.branch_lanes)}
    received: dict[int, set[int]] = {}
    sent: dict[int, set[int]] = {}
    for trace in traces:
        if trace.outcome != "rx" or trace.code not in (None, "LANE_MISMATCH", "LANE_ORDER"):
            continue
        if trace.source == 0 and trace.at[0] in branch_of:
            received.setdefault(branch_of[trace.at[0]], set()).add(trace.lane)
        elif trace.source in branch_of and trace.at[0] == 0 and trace.arrived_lane is not None:
            sent.setdefault(branch_of[trace.source], set()).add(trace.arrived_lane)
    lane_of = {
        j: next(iter(received[j]))
        for j in range(len(ports))
        if len(received.get(j, ())) == 1 and received[j] == sent.get(j)
    }
    used = [lane for lane in lane_of.values()]
    return [port for j, port in enumerate(ports) if j not in lane_of or used.count(lane_of[j]) > 1]


def _tier_one(
    graph: Graph,
    traces: tuple[LaneTrace, ...],
    lengths: tuple[int | None, ...],
    refs: tuple[str, ...],
    catalog: Catalog,
    fiber: str,
    wavelength_nm: int | None,
    findings: list[Finding],
    link: set[int],
) -> TierOneLoss | None:
    """The worst traced path's Tier-1 figures over the link's own nodes (`link`)."""
    ft = catalog.fiber_types[fiber]
    wavelength = wavelength_nm or (850 if ft.mode == "multimode" else 1310)
    key = band(ft, "tia", wavelength)
    alpha = None if key is None else (ft.attenuation.get("tia") or {}).get(key)
    if alpha is None:
        if any(f.code == "LIMIT_UNKNOWN" for f in findings):
            return None
        findings.append(_finding("LIMIT_UNKNOWN", "/elements/0",
                                 f"no TIA attenuation for {fiber} at {wavelength} nm"))  # fmt: skip
        return None
    pair_ndb, splice_ndb = db_to_ndb(TIA_PAIR_DB), db_to_ndb(TIA_SPLICE_DB)
    worst: TierOneLoss | None = None
    for trace in traces:
        items: list[tuple[int, str, int, int, str | None, str]] = []
        pairs = splices = 0
        length = 0
        fibre = 0
        for crossing in trace.crossings:
            (ln, lf), (rn, rf) = graph.matings[crossing.mating]
            faces = (graph.nodes[ln].product.faces[lf], graph.nodes[rn].product.faces[rf])
            if {faces[0].role, faces[1].role} != {"plug", "port"}:
                continue
            port_side = 0 if faces[0].role == "port" else 1
            port_node = (ln, rn)[port_side]
            plug_node = (rn, ln)[port_side]
            if port_node not in link or graph.nodes[port_node].product.vendor_loss is not None:
                continue
            pairs += 1
            grades = [faces[port_side].grade] if plug_node not in link else [f.grade for f in faces]
            items.append(_pair(catalog, port_node, grades, faces[port_side]))
        for node_index in trace.nodes:
            if node_index not in link:
                continue
            node = graph.nodes[node_index]
            product = node.product
            if product.kind == "cable":
                mm = lengths[node_index] or 0
                length += mm
                fibre += alpha * mm
                items.append(
                    (node_index, "fibre", alpha * mm, alpha * mm, None, f"TIA α at {key} nm")
                )
            elif product.kind == "cassette" and product.vendor_loss is not None:
                pairs += 2
                mx, typ = product.vendor_loss
                items.append((node_index, "cassette", mx or 0, typ or 0, product.grade,
                              "vendor figure replaces its two mated pairs"))  # fmt: skip
            elif product.kind in ("adapter", "panel"):
                one, two = graph.mates.get((node_index, "1")), graph.mates.get((node_index, "2"))
                if one is None or two is None:
                    continue
                pairs += 1
                plugs = [(k[0], graph.nodes[k[0]].product.faces[k[1]]) for k in (one, two)]
                grades = [f.grade for n, f in plugs if n in link] or [f.grade for _n, f in plugs]
                items.append(_pair(catalog, node_index, grades, plugs[0][1]))
            elif product.kind == "splice":
                splices += 1
                mx, typ = product.splice_loss or (None, None)
                items.append((node_index, "splice", mx or splice_ndb, typ or 0, None, "splice"))
        total_max = sum(i[2] for i in items)
        total_typ = sum(i[3] for i in items)
        limit = fibre + pairs * pair_ndb + splices * splice_ndb
        loss = TierOneLoss(
            wavelength_nm=wavelength,
            length_m=mm_to_m(length),
            mated_pairs=pairs,
            splices=splices,
            fibre_db=ndb_to_db(fibre),
            total_max_db=ndb_to_db(total_max),
            total_typ_db=ndb_to_db(total_typ),
            limit_db=ndb_to_db(limit),
            margin_db=ndb_to_db(limit - total_max),
            items=tuple(
                LossItem(refs[n], kind, ndb_to_db(mx), ndb_to_db(typ), grade, note)
                for n, kind, mx, typ, grade, note in items
            ),  # fmt: skip
            sources=TIA_SOURCES,
        )
        if worst is None or loss.total_max_db > worst.total_max_db:
            worst = loss
    return worst


def _pair(
    catalog: Catalog, node: int, grades: list[str | None], face: Face
) -> tuple[int, str, int, int, str | None, str]:
    from apps.engine.loss import _grade

    assert face.connector is not None
    grade, mx, typ, note = _grade(catalog, grades, face.connector.loss_class)
    return (node, "mated pair", mx or 0, typ or 0, grade, note or f"{face.connector.code}")
