"""A small Method B hall built through the plant services, for the configurator's tests.

    row A:  rack A01                                      rack A02
            sw-a01 U20 (2 × SFP-10G-SR)                   sw-a02 U20 (2 × SFP-10G-SR)
            ENC-A01 U40 slot 1 CAS-B12-6LC-B ==TRK-001 30 m== ENC-A02 U40 slot 1 CAS-B12-6LC-B

`with_link=True` adds link L-1: port 1 at A01 --PCD-LC-AA (wrong: Tx on Tx)--> cassette port 1,
trunk, far port 6 --PCD-LC-AB--> A02: a polarity failure with a one-cable fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import Project, ProjectMembership, Role, User
from apps.catalog.models import Product, ProductRevision
from apps.plant import services
from apps.plant.models import Cable, CableLeg, Hall, Link, Module, Port, Rack, Transceiver


def revision(code: str) -> ProductRevision:
    return ProductRevision.objects.get(product__code=code, is_current=True)


@dataclass
class SmallHall:
    hall: Hall
    racks: tuple[Rack, Rack]
    transceivers: tuple[list[Transceiver], list[Transceiver]]
    cassettes: tuple[Module, Module]
    link: Link | None = None


def member(user: User, project: Project, role: str = Role.DESIGNER) -> None:
    ProjectMembership.objects.create(user=user, project=project, role=role)


def port(owner: Transceiver | Module, label: str) -> Port:
    if isinstance(owner, Transceiver):
        return Port.objects.get(transceiver=owner, label=label)
    return Port.objects.get(module=owner, label=label)


def leg(cable: Cable, face: str) -> CableLeg:
    return CableLeg.objects.get(cable=cable, end=face[0], index=int(face[1:]))


def small_hall(project: Project, *, with_link: bool = False, name: str = "Hall 1") -> SmallHall:
    site = services.site_create(project=project, name=f"Site of {name}")
    hall = services.hall_create(
        site=site,
        name=name,
        standard_duplex_cord=Product.objects.get(code="PCD-LC-AB-OM4"),
    )
    row = services.row_create(hall=hall, name="A", index=0)
    racks = (
        services.rack_create(row=row, name="A01", position=0),
        services.rack_create(row=row, name="A02", position=1),
    )
    transceivers: tuple[list[Transceiver], list[Transceiver]] = ([], [])
    cassettes = []
    for side, rack in enumerate(racks):
        device = services.device_create(rack=rack, name=f"sw-{rack.name.lower()}", u_position=20)
        for cage in ("1", "2"):
            transceivers[side].append(
                services.transceiver_install(
                    device=device, cage=cage, revision=revision("SFP-10G-SR")
                )
            )
        enclosure = services.enclosure_place(
            rack=rack, name=f"ENC-{rack.name}", revision=revision("ENC-1U-4SLOT"), u_position=40
        )
        cassettes.append(
            services.module_install(
                enclosure=enclosure, slot=1, revision=revision("CAS-B12-6LC-B-OM4")
            )
        )
    trunk = services.cable_create(
        hall=hall, label="TRK-001", revision=revision("TRK-B12-MPO12-B-FF-OM4"), length_mm=30000
    )
    services.leg_connect(leg=leg(trunk, "A1"), port=port(cassettes[0], "R1"), side="rear")
    services.leg_connect(leg=leg(trunk, "B1"), port=port(cassettes[1], "R1"), side="rear")
    build = SmallHall(hall, racks, transceivers, (cassettes[0], cassettes[1]))
    if with_link:
        build.link = wrong_cord_link(build)
    return build


def wrong_cord_link(build: SmallHall, name: str = "L-1") -> Link:
    """Link over cassette ports 1 and 6 with an A-to-A cord at A: POLARITY_REVERSED."""
    hall = build.hall
    a, b = port(build.transceivers[0][0], "1"), port(build.transceivers[1][0], "1")
    cord_a = services.cable_create(
        hall=hall, label="PC-901", revision=revision("PCD-LC-AA-OM4"), length_mm=5000
    )
    cord_b = services.cable_create(
        hall=hall, label="PC-902", revision=revision("PCD-LC-AB-OM4"), length_mm=5000
    )
    services.leg_connect(leg=leg(cord_a, "A1"), port=a, side="front")
    services.leg_connect(leg=leg(cord_a, "B1"), port=port(build.cassettes[0], "1"), side="front")
    services.leg_connect(leg=leg(cord_b, "A1"), port=port(build.cassettes[1], "6"), side="front")
    services.leg_connect(leg=leg(cord_b, "B1"), port=b, side="front")
    link = services.link_create(project=hall.project, name=name, a_port=a, b_port=b)
    services.links_revalidate(hall_id=hall.pk)
    return link


def showcase_hall(project: Project) -> SmallHall:
    """The small hall, fuller: more devices, a second enclosure, cassettes in several slots.

    Rack A01 from the top: ENC-A01 (U40, cassettes in slots 1-3, slot 3 inverted), ENC-A01-2
    (2U at U36, two cassettes), spine-1 (2U at U30, two SR4 optics), sw-a01 (U20), srv-1 (2U at
    U10). L-1 keeps its A-to-A cord: the polarity failure the README's trace shows.
    """
    build = small_hall(project, with_link=True, name="DH1")
    rack = build.racks[0]
    enclosure = build.cassettes[0].enclosure
    services.module_install(enclosure=enclosure, slot=2, revision=revision("CAS-B12-6LC-B-OM4"))
    services.module_install(
        enclosure=enclosure, slot=3, revision=revision("CAS-B12-6LC-B-OM4"), orientation="inverted"
    )
    second = services.enclosure_place(
        rack=rack, name="ENC-A01-2", revision=revision("ENC-2U-8SLOT"), u_position=36
    )
    for slot in (1, 2):
        services.module_install(
            enclosure=second, slot=slot, revision=revision("CAS-B12-6LC-U1-OM4")
        )
    spine = services.device_create(rack=rack, name="spine-1", u_position=30, height_u=2)
    for cage in ("1", "2"):
        services.transceiver_install(device=spine, cage=cage, revision=revision("QSFP28-100G-SR4"))
    services.device_create(rack=rack, name="srv-1", u_position=10, height_u=2, kind="server")
    return build
