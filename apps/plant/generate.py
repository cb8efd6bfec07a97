"""Synthetic halls of any size, seeded and repeatable, with planted faults (`generate_hall`).

A generated hall is built as a hall document (apps/plant/io/) and imported in bulk: a fixed
number of queries per table whatever the size. Method B throughout (TIA-568.3 §5.2/§5.3):

    duplex    [SFP28 25G-SR]-AB cord-[CAS-B12 B k]R1==TRK-B12 B==R1[CAS-B12 B 7-k]-AB cord-[SFP28]
              (six links per cassette pair and trunk; low-loss cords, 0.5 dB cassettes)
    parallel  [QSFP28 SR4]-B cord FF-[PNL MPO-B n]==TRK-B8 B (MM)==[PNL MPO-B n]-B cord-[QSFP28]
    breakout  [QSFP-DD 400G-DR4]-HRN Base-8 OS2 APC-+ B1..B4 -[QSFP28 100G-DR] x 4 (lane k-1)

Cable lengths are the next orderable length of the routed length (apps/plant/geometry.py), so no
cable is too short. Each planted fault gets its own link, built from one of the templates with one
thing wrong (FAULTS below), and is expected as exactly one named error code; findings that follow
from it further along the path are the engine's consequences of it, not faults of their own.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apps.accounts.models import Project, User
from apps.plant.geometry import HallGeometry, Spot, next_orderable_m, route
from apps.plant.io import FORMAT, VERSION, ImportReport, hall_create_trusted

# kind -> the one error code validation must find for it
FAULTS: dict[str, str] = {
    "wrong_trunk_type": "POLARITY_REVERSED",
    "type_c_trunk": "POLARITY_REVERSED",
    "gender_conflict": "GENDER_CONFLICT",
    "apc_upc": "ENDFACE_MISMATCH",
    "mpo12_mpo16": "CONNECTOR_MISMATCH",
    "sm_mm": "FIBER_TYPE_MISMATCH",
    "over_reach": "REACH_EXCEEDED",
    "over_budget": "LOSS_BUDGET_EXCEEDED",
    "missing_cable": "OPEN_FIBER",
    "swapped_legs": "LANE_MISMATCH",
    "misrouted": "PATH_MISROUTED",
}

Ref = dict[str, Any]


# --- the document builder ------------------------------------------------------------------------


@dataclass
class HallBuilder:
    """Builds a hall document; cables given `length_mm=None` get their routed orderable length."""

    site: str
    name: str
    polarity_method: str = "B"
    standard_duplex_cord: str | None = None
    standard_array_cord: str | None = None
    geometry: HallGeometry = field(default_factory=lambda: HallGeometry(600, 2400, 2600, 0, 1000))
    rows: list[dict[str, Any]] = field(default_factory=list)
    cables: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    spots: dict[str, Spot] = field(default_factory=dict)  # device or enclosure name -> spot
    auto: set[str] = field(default_factory=set)  # cables whose length is the routed one
    _racks: dict[str, tuple[int, int]] = field(default_factory=dict)  # rack -> (row index, pos)

    def row(self, name: str, index: int) -> dict[str, Any]:
        row: dict[str, Any] = {"name": name, "index": index, "racks": []}
        self.rows.append(row)
        return row

    def rack(self, row: dict[str, Any], name: str, position: int, height_u: int = 42) -> Ref:
        rack = {
            "name": name,
            "position": position,
            "height_u": height_u,
            "devices": [],
            "enclosures": [],
        }
        row["racks"].append(rack)
        self._racks[name] = (row["index"], position)
        return rack

    def device(self, rack: Ref, name: str, u: int, kind: str = "switch") -> Ref:
        device = {"name": name, "kind": kind, "u": u, "height_u": 1, "transceivers": []}
        rack["devices"].append(device)
        self.spots[name] = Spot(hash(rack["name"]), *self._racks[rack["name"]], u)
        return device

    def transceiver(self, device: Ref, cage: str, product: str) -> Ref:
        """Put a transceiver in a cage; returns its port "1"."""
        device["transceivers"].append({"cage": cage, "product": product})
        return {"device": device["name"], "cage": cage, "port": "1"}

    def enclosure(self, rack: Ref, name: str, product: str, u: int) -> Ref:
        enclosure = {"name": name, "product": product, "u": u, "modules": []}
        rack["enclosures"].append(enclosure)
        self.spots[name] = Spot(hash(rack["name"]), *self._racks[rack["name"]], u)
        return enclosure

    def module(self, enclosure: Ref, slot: int, product: str) -> tuple[str, int]:
        enclosure["modules"].append({"slot": slot, "product": product, "orientation": "normal"})
        return enclosure["name"], slot

    @staticmethod
    def port(module: tuple[str, int], label: str) -> Ref:
        return {"enclosure": module[0], "slot": module[1], "port": label}

    def cable(self, label: str, product: str, length_mm: int | None = None) -> str:
        self.cables[label] = {
            "label": label,
            "product": product,
            "length_mm": length_mm,
            "status": "installed",
            "legs": [],
        }
        if length_mm is None:
            self.auto.add(label)
        return label

    def plug(self, cable: str, leg: str, port: Ref, side: str = "front") -> None:
        self.cables[cable]["legs"].append({"leg": leg, "port": port, "side": side})

    def aggregate(self, name: str, a: Ref, b: Ref) -> None:
        self.links.append(
            {
                "name": name,
                "shape": "aggregate",
                "ends": [
                    {"role": "a", "port": a, "lanes": [], "application": None},
                    {"role": "b", "port": b, "lanes": [], "application": None},
                ],
            }
        )

    def breakout(self, name: str, parent: Ref, children: list[tuple[Ref, list[int]]]) -> None:
        ends: list[dict[str, Any]] = [
            {"role": "parent", "port": parent, "lanes": [], "application": None}
        ]
        ends += [
            {"role": "child", "port": port, "lanes": lanes, "application": None}
            for port, lanes in children
        ]
        self.links.append({"name": name, "shape": "breakout", "ends": ends})

    def _length(
        self, cable: dict[str, Any], known: dict[tuple[str, ...], int | None]
    ) -> int | None:
        """The orderable length of the longest route between the cable's A and B ends."""
        ends: dict[str, list[str]] = {"A": [], "B": []}
        for leg in cable["legs"]:
            ends[leg["leg"][0]].append(leg["port"].get("device") or leg["port"].get("enclosure"))
        key = (*ends["A"], "", *ends["B"])  # the owners' names (and so their spots)
        if key in known:  # many cables join the same two devices or enclosures
            return known[key]
        length = None
        if ends["A"] and ends["B"]:
            longest = max(
                route(self.spots[a], self.spots[b], self.geometry).length_mm
                for a in ends["A"]
                for b in ends["B"]
            )
            length = int(next_orderable_m(longest) * 1000)
        known[key] = length
        return length

    def document(self) -> dict[str, Any]:
        """The hall document (apps/plant/io/ format)."""
        known: dict[tuple[str, ...], int | None] = {}
        for label in self.auto:
            self.cables[label]["length_mm"] = self._length(self.cables[label], known)
        geometry = self.geometry
        return {
            "format": FORMAT,
            "version": VERSION,
            "site": self.site,
            "hall": {
                "name": self.name,
                "polarity_method": self.polarity_method,
                "standard_duplex_cord": self.standard_duplex_cord,
                "standard_array_cord": self.standard_array_cord,
                "rack_pitch_mm": geometry.rack_pitch_mm,
                "row_pitch_mm": geometry.row_pitch_mm,
                "tray_height_mm": geometry.tray_height_mm,
                "rack_floor_offset_mm": geometry.rack_floor_offset_mm,
                "cable_slack_mm": geometry.slack_mm,
            },
            "rows": self.rows,
            "cables": list(self.cables.values()),
            "links": self.links,
        }


# --- racks that fill up --------------------------------------------------------------------------


class HallFull(ValueError):
    """The racks cannot hold the links asked for."""


@dataclass
class _Rack:
    """Allocates switches (from U1 up, 48 cages each) and enclosures (from the top down)."""

    builder: HallBuilder
    ref: Ref
    bottom: int = 1
    top: int = 42
    device: Ref | None = None
    cages: int = 0
    enclosures: dict[str, tuple[Ref, int]] = field(default_factory=dict)  # product -> (enc, used)

    def cage(self, product: str) -> Ref:
        if self.device is None or self.cages == 48:
            if self.bottom > self.top:
                raise HallFull(f"rack {self.ref['name']} is full")
            name = f"{self.ref['name']}-SW{self.bottom:02d}"
            self.device = self.builder.device(self.ref, name, self.bottom)
            self.bottom += 1
            self.cages = 0
        self.cages += 1
        return self.builder.transceiver(self.device, str(self.cages), product)

    def slot(self, product: str) -> tuple[str, int]:
        """A new module of `product` in the current enclosure (a 4U, 12-slot one when full)."""
        enclosure, used = self.enclosures.get("enc", (None, 12))
        if enclosure is None or used == 12:
            if self.top - 3 < self.bottom:
                raise HallFull(f"rack {self.ref['name']} is full")
            self.top -= 4
            enclosure = self.builder.enclosure(
                self.ref, f"{self.ref['name']}-E{self.top + 1:02d}", "ENC-4U-12SLOT", self.top + 1
            )
            used = 0
        self.enclosures["enc"] = (enclosure, used + 1)
        return self.builder.module(enclosure, used + 1, product)


# --- the generator -------------------------------------------------------------------------------


@dataclass
class Generated:
    """What generate_hall made: the import report, the planted faults and the timings."""

    report: ImportReport
    manifest: dict[str, str]  # link name -> expected error code
    links: int
    build_seconds: float
    import_seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # import seconds per phase and table

    @property
    def links_per_second(self) -> float:
        """Links generated per second, document and import together."""
        return self.links / max(self.build_seconds + self.import_seconds, 1e-9)


class _Templates:
    """One link of each template (healthy or with one fault) between two racks."""

    def __init__(self, builder: HallBuilder, prefix: str) -> None:
        self.b = builder
        self.prefix = prefix
        self.count = 0
        self.groups: dict[tuple[str, str, str], tuple[tuple[str, int], tuple[str, int], int]] = {}

    def _label(self, kind: str) -> str:
        self.count += 1
        return f"{self.prefix}{kind}{self.count:06d}"

    def duplex(self, name: str, near: _Rack, far: _Rack) -> None:
        """25G-SR through Base-12 Type B cassettes and a shared Type B trunk (6 per cassette)."""
        key = (near.ref["name"], far.ref["name"], "duplex")
        group = self.groups.get(key)
        if group is None or group[2] == 6:
            a, b = near.slot("CAS-B12-6LC-B-OM4-VL"), far.slot("CAS-B12-6LC-B-OM4-VL")
            trunk = self.b.cable(self._label("T"), "TRK-B12-MPO12-B-FF-OM4")
            self.b.plug(trunk, "A1", self.b.port(a, "R1"), "rear")
            self.b.plug(trunk, "B1", self.b.port(b, "R1"), "rear")
            group = (a, b, 0)
        a, b, used = group
        self.groups[key] = (a, b, used + 1)
        k = used + 1
        self._duplex_ends(name, near, far, self.b.port(a, str(k)), self.b.port(b, str(7 - k)))

    def _duplex_ends(
        self,
        name: str,
        near: _Rack,
        far: _Rack,
        near_port: Ref,
        far_port: Ref,
        cord: str = "PCD-LC-AB-OM4-LL",
    ) -> None:
        x, y = near.cage("SFP28-25G-SR"), far.cage("SFP28-25G-SR")
        c1, c2 = self.b.cable(self._label("C"), cord), self.b.cable(self._label("C"), cord)
        self.b.plug(c1, "A1", x)
        self.b.plug(c1, "B1", near_port)
        self.b.plug(c2, "B1", far_port)
        self.b.plug(c2, "A1", y)
        self.b.aggregate(name, x, y)

    def parallel(
        self,
        name: str,
        near: _Rack,
        far: _Rack,
        *,
        trunk: str = "TRK-B8-MPO8-B-MM-OM4",
        cord_a: str = "CRD-MPO12-B-FF-OM4-LL",
        cord_b: str = "CRD-MPO12-B-FF-OM4-LL",
        cord_b_plugged: bool = True,
        hops: int = 1,
        b_end: Ref | None = None,
    ) -> tuple[Ref, Ref]:
        """100G-SR4 over Type B cords, key-up/key-up panels and Base-8 Type B trunks."""
        x = near.cage("QSFP28-100G-SR4")
        y = b_end if b_end is not None else far.cage("QSFP28-100G-SR4")
        c1 = self.b.cable(self._label("C"), cord_a)
        self.b.plug(c1, "A1", x)
        here = self._panel(near, "near")
        self.b.plug(c1, "B1", here)
        for hop in range(hops):
            there = self._panel(far, f"far{hop}")
            t = self.b.cable(self._label("T"), trunk)
            self.b.plug(t, "A1", here, "rear")
            self.b.plug(t, "B1", there, "rear")
            if hop < hops - 1:  # a jumper from this panel's front to the next panel's front
                here = self._panel(far, f"mid{hop}")
                jumper = self.b.cable(self._label("C"), "CRD-MPO12-B-FF-OM4")
                self.b.plug(jumper, "A1", there)
                self.b.plug(jumper, "B1", here)
            previous = there
        if cord_b_plugged:
            c2 = self.b.cable(self._label("C"), cord_b)
            self.b.plug(c2, "B1", previous)
            self.b.plug(c2, "A1", y)
        self.b.aggregate(name, x, y)
        return x, y

    def _panel(self, rack: _Rack, role: str) -> Ref:
        """The next free port of a key-up/key-up MPO panel in the rack."""
        key = (rack.ref["name"], role, "panel")
        group = self.groups.get(key)
        if group is None or group[2] == 12:
            module = rack.slot("PNL-1U-12MPO-B")
            group = (module, module, 0)
        self.groups[key] = (group[0], group[1], group[2] + 1)
        return self.b.port(group[0], str(group[2] + 1))

    def breakout(
        self, name: str, near: _Rack, far: _Rack, legs: tuple[int, ...] = (1, 2, 3, 4)
    ) -> None:
        """400G-DR4 to 4 x 100G-DR through a Base-8 single-mode APC harness."""
        parent = near.cage("QSFPDD-400G-DR4")
        harness = self.b.cable(self._label("H"), "HRN-B8-MPO12F-4LC-OS2-APC")
        self.b.plug(harness, "A1", parent)
        children = []
        for k, leg in enumerate(legs):
            child = far.cage("QSFP28-100G-DR")
            self.b.plug(harness, f"B{leg}", child)
            children.append((child, [k]))
        self.b.breakout(name, parent, children)

    def direct(
        self,
        name: str,
        near: _Rack,
        far: _Rack,
        product: str,
        cord: str,
        length_mm: int | None = None,
    ) -> None:
        """Two duplex transceivers joined by one cord."""
        x, y = near.cage(product), far.cage(product)
        c = self.b.cable(self._label("C"), cord, length_mm)
        self.b.plug(c, "A1", x)
        self.b.plug(c, "B1", y)
        self.b.aggregate(name, x, y)

    def fault(self, kind: str, name: str, near: _Rack, far: _Rack) -> None:
        """One link of `kind` (FAULTS): a template with one thing wrong."""
        if kind == "wrong_trunk_type":
            self.parallel(name, near, far, trunk="TRK-B8-MPO8-A-MM-OM4")
        elif kind == "type_c_trunk":
            self.parallel(name, near, far, trunk="TRK-B8-MPO8-C-MM-OM4")
        elif kind == "gender_conflict":  # a male cord end meets the male (pinned) trunk
            self.parallel(name, near, far, cord_b="CRD-MPO12-B-FM-OM4")
        elif kind == "apc_upc":
            self.direct(name, near, far, "QSFP28-100G-DR", "PCD-LC-AB-OS2-APC")
        elif kind == "mpo12_mpo16":
            self.parallel(name, near, far, cord_b="CRD-MPO16-B-FF-OM4")
        elif kind == "sm_mm":
            self.direct(name, near, far, "SFP28-25G-SR", "PCD-LC-AB-OS2-UPC")
        elif kind == "over_reach":
            self.direct(name, near, far, "QSFP28-100G-DR", "PCD-LC-AB-OS2-UPC", 600_000)
        elif kind == "over_budget":
            self.parallel(name, near, far, hops=2)
        elif kind == "missing_cable":
            self.parallel(name, near, far, cord_b_plugged=False)
        elif kind == "swapped_legs":
            self.breakout(name, near, far, legs=(2, 1, 3, 4))
        elif kind == "misrouted":
            self.misrouted(name, near, far)
        else:
            raise ValueError(f"unknown fault kind {kind!r}")

    def misrouted(self, name: str, near: _Rack, far: _Rack) -> None:
        """Each end's cords lead to a transceiver that is not the link's other end."""
        decoy_far = far.cage("QSFP28-100G-SR4")
        decoy_near = near.cage("QSFP28-100G-SR4")
        x, _ = self.parallel(name, near, far, b_end=decoy_far)
        self.b.links.pop()
        y, _ = self.parallel(name, far, near, b_end=decoy_near)
        self.b.links.pop()
        self.b.aggregate(name, x, y)


# --- the hall ------------------------------------------------------------------------------------

MIX = ("duplex", "duplex", "parallel", "duplex", "parallel", "breakout")  # healthy link shapes


def hall_document(
    *,
    rows: int,
    racks_per_row: int,
    links: int,
    seed: int = 0,
    faults: Mapping[str, int] | None = None,
    fault_rate: float = 0.0,
    site: str = "Synthetic",
    name: str = "Generated",
) -> tuple[dict[str, Any], dict[str, str]]:
    """A generated hall document and its manifest (link name -> expected error code).

    `faults` plants N links of each kind (FAULTS); `fault_rate` plants round(rate × links) more,
    kinds drawn in turn. The same arguments give the same document.
    """
    if rows < 1 or racks_per_row < 2 and rows < 2:
        raise ValueError("A hall needs at least two racks.")
    planted = dict(faults or {})
    unknown = sorted(set(planted) - set(FAULTS))
    if unknown:
        raise ValueError(f"Unknown fault kinds: {', '.join(unknown)} (known: {', '.join(FAULTS)}).")
    extra = round(fault_rate * links)
    kinds = list(FAULTS)
    for n in range(extra):
        planted[kinds[n % len(kinds)]] = planted.get(kinds[n % len(kinds)], 0) + 1
    total = sum(planted.values())
    if total > links:
        raise ValueError(f"{total} faults do not fit in {links} links.")
    rng = random.Random(seed)
    fault_at: dict[int, str] = {}
    chosen = sorted(rng.sample(range(links), total))
    order = [kind for kind in kinds for _n in range(planted.get(kind, 0))]
    rng.shuffle(order)
    fault_at = dict(zip(chosen, order, strict=True))
    builder = HallBuilder(
        site=site,
        name=name,
        standard_duplex_cord="PCD-LC-AB-OM4",
        standard_array_cord="CRD-MPO12-B-FF-OM4",
    )
    racks: list[_Rack] = []
    for r in range(rows):
        row = builder.row(f"{name}-R{r + 1:02d}", r)
        for k in range(racks_per_row):
            racks.append(_Rack(builder, builder.rack(row, f"{name}-R{r + 1:02d}K{k + 1:02d}", k)))
    templates = _Templates(builder, f"{name}-")
    manifest: dict[str, str] = {}
    count = len(racks)
    for i in range(links):
        index = i % count
        # a few partner racks per rack, so that cassettes and trunks between two racks fill up;
        # the next ones, or the previous ones at the end of the hall (never from the last row
        # back to the first: in a large hall that run would exceed the applications' reach)
        step = 1 + rng.randrange(min(3, count - 1))
        near = racks[index]
        far = racks[index + step if index + step < count else (index - step) % count]
        link = f"{name}-L{i + 1:06d}"
        kind = fault_at.get(i)
        if kind is not None:
            templates.fault(kind, link, near, far)
            manifest[link] = FAULTS[kind]
            continue
        shape = MIX[rng.randrange(len(MIX))]
        if shape == "duplex":
            templates.duplex(link, near, far)
        elif shape == "parallel":
            templates.parallel(link, near, far)
        else:
            templates.breakout(link, near, far)
    return builder.document(), manifest


def generate_hall(
    *,
    project: Project,
    rows: int,
    racks_per_row: int,
    links: int,
    seed: int = 0,
    faults: Mapping[str, int] | None = None,
    fault_rate: float = 0.0,
    site: str = "Synthetic",
    name: str | None = None,
    by: User | None = None,
) -> Generated:
    """Generate a hall in the project from `hall_document`; see the module docstring.

    The document is written with `hall_create_trusted`: it is valid by construction, so it is not
    validated again (tests/plant/test_generate.py proves it passes `hall_import`'s validation).
    """
    # Millions of small acyclic dicts, tuples and strings: the cyclic garbage collector would walk
    # them again and again as they are made (a third of the Python time) and finds nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        document, manifest = hall_document(
            rows=rows,
            racks_per_row=racks_per_row,
            links=links,
            seed=seed,
            faults=faults,
            fault_rate=fault_rate,
            site=site,
            name=name or f"GEN-{seed}",
        )
        built = time.perf_counter()
        phases: dict[str, float] = {}
        report = hall_create_trusted(project=project, document=document, by=by, timings=phases)
        done = time.perf_counter()
    finally:
        if collecting:
            gc.enable()
    return Generated(report, manifest, links, built - started, done - built, phases)
