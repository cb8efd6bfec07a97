"""Factories for the plant: structure rows with factory_boy, installed equipment via the services.

Rows with no side effects (sites, halls, rows, racks, devices) are plain factories that copy
`project`/`hall` from their parent. Transceivers, modules, cables and links go through the
services, since those create ports and legs from the catalog product.

    build = parallel_hall()      # the small hall of the plant tests (diagram in its docstring)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import factory
from factory.django import DjangoModelFactory

from apps.catalog.models import ProductRevision
from apps.plant import services
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    Module,
    Port,
    Rack,
    Row,
    Site,
    Transceiver,
)
from tests.factories.accounts import ProjectFactory


class SiteFactory(DjangoModelFactory[Site]):
    class Meta:
        model = Site

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class HallFactory(DjangoModelFactory[Hall]):
    class Meta:
        model = Hall

    site = factory.SubFactory(SiteFactory)
    project = factory.SelfAttribute("site.project")
    name = factory.Sequence(lambda n: f"Hall {n}")
    cable_slack_mm = 500


class RowFactory(DjangoModelFactory[Row]):
    class Meta:
        model = Row

    hall = factory.SubFactory(HallFactory)
    project = factory.SelfAttribute("hall.project")
    name = factory.Sequence(lambda n: f"Row {n}")
    index = factory.Sequence(lambda n: n)


class RackFactory(DjangoModelFactory[Rack]):
    class Meta:
        model = Rack

    row = factory.SubFactory(RowFactory)
    hall = factory.SelfAttribute("row.hall")
    project = factory.SelfAttribute("row.project")
    name = factory.Sequence(lambda n: f"R{n:03d}")
    position = factory.Sequence(lambda n: n)
    height_u = 42


class DeviceFactory(DjangoModelFactory[Device]):
    class Meta:
        model = Device

    rack = factory.SubFactory(RackFactory)
    hall = factory.SelfAttribute("rack.hall")
    project = factory.SelfAttribute("rack.project")
    name = factory.Sequence(lambda n: f"sw{n:03d}")
    kind = Device.Kind.SWITCH
    u_position = 20
    height_u = 1


def revision(code: str) -> ProductRevision:
    """The current revision of catalog product `code`."""
    return ProductRevision.objects.get(product__code=code, is_current=True)


def transceiver_make(device: Device, code: str, cage: str = "1") -> Transceiver:
    """A transceiver of product `code` in a cage of the device (through the service)."""
    return services.transceiver_install(device=device, cage=cage, revision=revision(code))


def enclosure_make(rack: Rack, u_position: int = 40, name: str = "") -> Enclosure:
    """A 1U 4-slot enclosure at U `u_position`."""
    return services.enclosure_place(
        rack=rack,
        name=name or f"{rack.name}-U{u_position}",
        revision=revision("ENC-1U-4SLOT"),
        u_position=u_position,
    )


def module_make(enclosure: Enclosure, code: str, slot: int = 1) -> Module:
    """A cassette or panel in a slot of the enclosure."""
    return services.module_install(enclosure=enclosure, slot=slot, revision=revision(code))


def cable_make(hall: Hall, code: str, label: str, length_mm: int | None = None) -> Cable:
    """A cable of product `code` with its legs."""
    return services.cable_create(
        hall=hall, label=label, revision=revision(code), length_mm=length_mm
    )


def leg(cable: Cable, face: str) -> CableLeg:
    """The leg "A1", "B3", ... of a cable."""
    return CableLeg.objects.get(cable=cable, end=face[0], index=int(face[1:]))


def port(owner: Transceiver | Module, label: str) -> Port:
    """The port `label` of a transceiver or module."""
    if isinstance(owner, Transceiver):
        return Port.objects.get(transceiver=owner, label=label)
    return Port.objects.get(module=owner, label=label)


def plug(cable: Cable, face: str, owner: Transceiver | Module, label: str, side: str) -> None:
    """Connect leg `face` of the cable to port `label` of `owner` on `side`."""
    services.leg_connect(leg=leg(cable, face), port=port(owner, label), side=side)


@dataclass
class ParallelHall:
    """The small hall: two racks, panels, and SR4 links over Method B parallel cabling."""

    hall: Hall
    racks: tuple[Rack, Rack]
    panels: tuple[list[Module], list[Module]]
    links: list[Link] = field(default_factory=list)
    cables: dict[str, Cable] = field(default_factory=dict)
    transceivers: list[tuple[Transceiver, Transceiver]] = field(default_factory=list)


def parallel_hall(hall: Hall | None = None, links: int = 1, panels: int = 1) -> ParallelHall:
    """Two racks side by side in one row; each link is Method B parallel (TIA-568.3 §5.3):

        rack 0                                                     rack 1
        [sw QSFP28-SR4]--B cord A1>B1--[panel front|rear]==TRK-B 30 m==[rear|front panel]
                                                          --B cord B1>A1--[sw QSFP28-SR4]

    Switches at U20 (one per link), a 1U enclosure at U40 holding `panels` MPO key-up/key-up
    panels in each rack; cords 3 m, trunks 30 m; hall slack 0.5 m per end.
    """
    hall = hall if hall is not None else HallFactory.create()
    row = RowFactory.create(hall=hall, index=0)
    racks = (RackFactory.create(row=row, position=0), RackFactory.create(row=row, position=1))
    modules: tuple[list[Module], list[Module]] = ([], [])
    for side, rack in enumerate(racks):
        enclosure = enclosure_make(rack)
        for slot in range(1, panels + 1):
            modules[side].append(module_make(enclosure, "PNL-1U-12MPO-B", slot))
    build = ParallelHall(hall, racks, modules)
    for n in range(links):
        parallel_link(build, n)
    return build


def parallel_link(build: ParallelHall, n: int, trunk_code: str = "TRK-B12-MPO12-B-FF-OM4") -> Link:
    """Link number `n` of the parallel hall (panel n // 12, port n % 12 + 1)."""
    hall = build.hall
    ends = []
    for side, rack in enumerate(build.racks):
        device = DeviceFactory.create(
            rack=rack, u_position=20 - (n % 19), name=f"sw{side}-{n}-{hall.pk}"
        )
        ends.append(transceiver_make(device, "QSFP28-100G-SR4"))
    label = f"{hall.pk}-{n}"
    cord_a = cable_make(hall, "CRD-MPO12-B-FM-OM4-LL", f"CA-{label}", 3000)
    trunk = cable_make(hall, trunk_code, f"TRK-{label}", 30000)
    cord_b = cable_make(hall, "CRD-MPO12-B-FM-OM4-LL", f"CB-{label}", 3000)
    panel_a, panel_b = build.panels[0][n // 12], build.panels[1][n // 12]
    number = str(n % 12 + 1)
    plug(cord_a, "A1", ends[0], "1", "front")
    plug(cord_a, "B1", panel_a, number, "front")
    plug(trunk, "A1", panel_a, number, "rear")
    plug(trunk, "B1", panel_b, number, "rear")
    plug(cord_b, "B1", panel_b, number, "front")
    plug(cord_b, "A1", ends[1], "1", "front")
    link = services.link_create(
        project=hall.project,
        name=f"L-{label}",
        a_port=port(ends[0], "1"),
        b_port=port(ends[1], "1"),
    )
    build.links.append(link)
    build.cables.update({f"cord_a{n}": cord_a, f"trunk{n}": trunk, f"cord_b{n}": cord_b})
    build.transceivers.append((ends[0], ends[1]))
    return link


def breakout_link(
    hall: Hall, rack: Rack, legs: Sequence[int] = (1, 2, 3, 4), name: str = "DR4-breakout"
) -> tuple[Link, Cable]:
    """400GBASE-DR4 to 4 × 100GBASE-DR through a Base-8 OS2 harness; child k on leg legs[k].

    [QSFP-DD DR4]--HRN A1 ... B1..B4--[QSFP28 DR] × 4   (child k carries parent lane k)
    """
    parent_device = DeviceFactory.create(rack=rack, u_position=30, name=f"spine-{hall.pk}")
    parent = transceiver_make(parent_device, "QSFPDD-400G-DR4")
    harness = cable_make(hall, "HRN-B8-MPO12F-4LC-OS2-APC", f"HRN-{hall.pk}", 3000)
    plug(harness, "A1", parent, "1", "front")
    children = []
    for k, leg_index in enumerate(legs):
        device = DeviceFactory.create(rack=rack, u_position=31 + k, name=f"leaf-{hall.pk}-{k}")
        child = transceiver_make(device, "QSFP28-100G-DR")
        plug(harness, f"B{leg_index}", child, "1", "front")
        children.append((port(child, "1"), [k]))
    link = services.link_create(
        project=hall.project, name=name, parent_port=port(parent, "1"), children=children
    )
    return link, harness
