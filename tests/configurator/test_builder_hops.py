"""The link builder, hop by hop: with no trunk between the two racks it proposes the shortest chain
of racks joined by existing trunks, a cross-connect cord in each rack between, and saves it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Project, Role, User
from apps.catalog.adapters import engine_catalog
from apps.catalog.models import Product
from apps.catalog.validation import channel_validate
from apps.configurator.builder import report_validate
from apps.plant import services
from apps.plant.models import Cable, Hall, Link, Mating, Module, Rack, Transceiver
from apps.plant.selectors import link_validate
from tests.configurator.conftest import signed_in
from tests.configurator.support import leg, member, port, revision
from tests.factories.accounts import ProjectFactory

pytestmark = pytest.mark.django_db


class ThreeRacks:
    """Row A: A01 ==TRK-AX== X01 ==TRK-XB== B01; no trunk joins A01 and B01.

    Single-mode (10GBASE-LR over OS2, U1 cassettes): two hops put four MPO and six LC matings in
    the channel, more than the multimode 10GBASE-SR budget allows.
    """

    def __init__(self, project: Project) -> None:
        site = services.site_create(project=project, name="Site")
        self.hall: Hall = services.hall_create(
            site=site,
            name="Hall 3",
            polarity_method=Hall.PolarityMethod.U1,
            standard_duplex_cord=Product.objects.get(code="PCD-LC-AB-OS2-UPC"),
        )
        self.row = services.row_create(hall=self.hall, name="A", index=0)
        self.racks: dict[str, Rack] = {}
        self.cassettes: dict[str, list[Module]] = {}
        self.tx: dict[str, Transceiver] = {}
        for position, name in enumerate(("A01", "X01", "B01")):
            rack = services.rack_create(row=self.row, name=name, position=position)
            self.racks[name] = rack
            enclosure = services.enclosure_place(
                rack=rack, name=f"ENC-{name}", revision=revision("ENC-1U-4SLOT"), u_position=40
            )
            slots = (1, 2) if name == "X01" else (1,)
            self.cassettes[name] = [
                services.module_install(
                    enclosure=enclosure, slot=slot, revision=revision("CAS-B12-6LC-U1-OS2-APC")
                )
                for slot in slots
            ]
            if name != "X01":
                device = services.device_create(rack=rack, name=f"sw-{name.lower()}", u_position=20)
                self.tx[name] = services.transceiver_install(
                    device=device, cage="1", revision=revision("SFP-10G-LR")
                )
        self.trunk("TRK-AX", self.cassettes["A01"][0], self.cassettes["X01"][0])
        self.trunk("TRK-XB", self.cassettes["X01"][1], self.cassettes["B01"][0])

    def trunk(self, label: str, a: Module, b: Module) -> Cable:
        cable = services.cable_create(
            hall=self.hall,
            label=label,
            revision=revision("TRK-B12-MPO12-B-FF-OS2-APC"),
            length_mm=30000,
        )
        services.leg_connect(leg=leg(cable, "A1"), port=port(a, "R1"), side="rear")
        services.leg_connect(leg=leg(cable, "B1"), port=port(b, "R1"), side="rear")
        return cable

    def url(self) -> str:
        a, b = port(self.tx["A01"], "1"), port(self.tx["B01"], "1")
        return f"/halls/{self.hall.pk}/links/new/?a_port={a.pk}&b_port={b.pk}"


@pytest.fixture
def three(catalog: object, designer: User) -> ThreeRacks:
    project = ProjectFactory.create(name="Three racks")
    member(designer, project, Role.DESIGNER)
    return ThreeRacks(project)


def test_builder_proposes_two_hops_with_a_cross_connect_and_validates_like_the_api(
    three: ThreeRacks, designer: User
) -> None:
    client = signed_in(designer)
    cables = Cable.objects.count()
    response = client.get(three.url())
    assert response.status_code == 200
    draft = response.context["draft"]
    assert [h.cable_label for h in draft.hops] == ["TRK-AX", "TRK-XB"]
    first, second = draft.hops
    # the first free pair in cassette order on each trunk; Method U1 pairs port k with k
    assert (first.near.label, first.far.label) == ("1", "1")
    assert (second.near.label, second.far.label) == ("1", "1")
    assert first.far.rack_id == second.near.rack_id == three.racks["X01"].pk
    assert [c.product.code for c in draft.cords()] == ["PCD-LC-AB-OS2-UPC"] * 3
    assert len(draft.cross) == 1  # the cross-connect cord in X01
    assert [e["product"] for e in draft.request()["elements"]] == [
        "PCD-LC-AB-OS2-UPC",
        "CAS-B12-6LC-U1-OS2-APC",
        "TRK-B12-MPO12-B-FF-OS2-APC",
        "CAS-B12-6LC-U1-OS2-APC",
        "PCD-LC-AB-OS2-UPC",
        "CAS-B12-6LC-U1-OS2-APC",
        "TRK-B12-MPO12-B-FF-OS2-APC",
        "CAS-B12-6LC-U1-OS2-APC",
        "PCD-LC-AB-OS2-UPC",
    ]
    report = response.context["report"]
    assert report["ok"] is True, [(f["code"], f["message"]) for f in report["findings"]]
    assert channel_validate(request=draft.request())["ok"] is True  # the API's very call
    body = response.content.decode()
    assert "cross-connect cord" in body
    assert "TRK-XB" in body
    assert 'name="cord_x1"' in body
    assert Cable.objects.count() == cables  # nothing written by proposing


def test_builder_saves_the_two_hop_link_with_its_cords_and_matings(
    three: ThreeRacks, designer: User
) -> None:
    client = signed_in(designer)
    a, b = port(three.tx["A01"], "1"), port(three.tx["B01"], "1")
    trunks = set(Cable.objects.filter(label__startswith="TRK-").values_list("pk", flat=True))
    matings = Mating.objects.count()
    response = client.post(
        f"/halls/{three.hall.pk}/links/new/",
        {"a_port": a.pk, "b_port": b.pk, "name": "L-HOP", "action": "save"},
    )
    assert response.status_code == 302, response.context["form"].errors
    link = Link.objects.get(name="L-HOP")
    cords = Cable.objects.filter(hall=three.hall).exclude(pk__in=trunks)
    assert cords.count() == 3  # cord A, the cross-connect in X01, cord B; no new trunk
    assert set(Cable.objects.filter(label__startswith="TRK-").values_list("pk", flat=True)) == (
        trunks
    )
    assert Mating.objects.count() == matings + 6
    x_ports = {port(three.cassettes["X01"][0], "1").pk, port(three.cassettes["X01"][1], "1").pk}
    cross = Mating.objects.filter(port_id__in=x_ports, side="front")
    assert cross.count() == 2
    assert len({m.leg.cable_id for m in cross}) == 1
    assert link.status == "ok"
    assert link_validate(link=link)["ok"] is True


def test_builder_proposal_keeps_its_query_count_as_the_hall_grows(
    three: ThreeRacks, designer: User
) -> None:
    client = signed_in(designer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(three.url())
        assert response.status_code == 200
        assert len(response.context["draft"].hops) == 2
        return len(queries)

    # The engine catalog is cached per process while the catalog version is unchanged: cold, the
    # first request would also pay its rebuild (8 queries), warm from an earlier test in the same
    # process it would not. Warm it here so both counts measure the builder alone.
    engine_catalog()
    small = count()
    # a bigger hall: three more racks trunked to X01 and to each other, more cassettes in X01
    x_enclosure = three.cassettes["X01"][0].enclosure
    previous: Module | None = None
    for position, name in enumerate(("C01", "D01"), start=3):
        rack = services.rack_create(row=three.row, name=name, position=position)
        enclosure = services.enclosure_place(
            rack=rack, name=f"ENC-{name}", revision=revision("ENC-1U-4SLOT"), u_position=40
        )
        here = [
            services.module_install(
                enclosure=enclosure, slot=slot, revision=revision("CAS-B12-6LC-U1-OS2-APC")
            )
            for slot in (1, 2)
        ]
        x = services.module_install(
            enclosure=x_enclosure, slot=position, revision=revision("CAS-B12-6LC-U1-OS2-APC")
        )
        three.trunk(f"TRK-X{name}", x, here[0])
        if previous is not None:
            three.trunk(f"TRK-{name}", previous, here[1])
        previous = here[1]
    bigger = count()
    assert small == bigger


def test_a_draft_the_api_refuses_is_a_failing_report_with_the_apis_code(
    three: ThreeRacks, designer: User, authed_client: Any
) -> None:
    # given: the proposed two-hop draft entering its second trunk by a leg it does not have
    draft = signed_in(designer).get(three.url()).context["draft"]
    request = draft.request()
    request["elements"][6]["enter"] = "A99"
    # when
    api = authed_client(designer).post("/api/v1/validate/", request, format="json")
    report = report_validate(request=request)
    # then: the API refuses it with a named code; the builder shows that code as its one finding
    assert api.status_code == 400, api.json()
    error = api.json()["errors"][0]
    assert error["code"] == "unknown_face"
    assert report["ok"] is False
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [
        (error["code"].upper(), "error")
    ]
    assert report["findings"][0]["message"] == error["detail"]
    assert report["trace"] == report["loss"] == []
