"""The link builder pairs trunk ports by the fibres of the installed parts, not the declared method.

    [sw-a]--cord--[CAS U1 front k | R1]==TRK B (MPO, Method B)==[R1 | CAS U1 front k]--cord--[sw-b]

The hall declares Method B, whose partner of port k is n+1-k; the cassettes installed are Method U1
ones, with which the fibres of front port k arrive at front port k. The proposal follows them.
"""

from __future__ import annotations

import pytest

from apps.accounts.models import Project, Role, User
from apps.catalog.models import Product
from apps.catalog.validation import channel_validate
from apps.plant import services
from apps.plant.models import Hall, Module, Transceiver
from tests.configurator.conftest import signed_in
from tests.configurator.support import leg, member, port, revision
from tests.factories.accounts import ProjectFactory

pytestmark = pytest.mark.django_db


class DeclaredB:
    """Row A: A01 ==TRK-AB== B01; the hall says Method B, the cassettes installed are U1."""

    def __init__(self, project: Project) -> None:
        site = services.site_create(project=project, name="Site")
        self.hall: Hall = services.hall_create(
            site=site,
            name="Hall B",
            polarity_method=Hall.PolarityMethod.B,
            standard_duplex_cord=Product.objects.get(code="PCD-LC-AB-OS2-UPC"),
        )
        row = services.row_create(hall=self.hall, name="A", index=0)
        self.cassettes: dict[str, Module] = {}
        self.tx: dict[str, Transceiver] = {}
        for position, name in enumerate(("A01", "B01")):
            rack = services.rack_create(row=row, name=name, position=position)
            enclosure = services.enclosure_place(
                rack=rack, name=f"ENC-{name}", revision=revision("ENC-1U-4SLOT"), u_position=40
            )
            self.cassettes[name] = services.module_install(
                enclosure=enclosure, slot=1, revision=revision("CAS-B12-6LC-U1-OS2-APC")
            )
            device = services.device_create(rack=rack, name=f"sw-{name.lower()}", u_position=20)
            self.tx[name] = services.transceiver_install(
                device=device, cage="1", revision=revision("SFP-10G-LR")
            )
        cable = services.cable_create(
            hall=self.hall,
            label="TRK-AB",
            revision=revision("TRK-B12-MPO12-B-FF-OS2-APC"),
            length_mm=30000,
        )
        services.leg_connect(
            leg=leg(cable, "A1"), port=port(self.cassettes["A01"], "R1"), side="rear"
        )
        services.leg_connect(
            leg=leg(cable, "B1"), port=port(self.cassettes["B01"], "R1"), side="rear"
        )

    def url(self) -> str:
        a, b = port(self.tx["A01"], "1"), port(self.tx["B01"], "1")
        return f"/halls/{self.hall.pk}/links/new/?a_port={a.pk}&b_port={b.pk}"


@pytest.fixture
def declared_b(catalog: object, designer: User) -> DeclaredB:
    project = ProjectFactory.create(name="Declared B")
    member(designer, project, Role.DESIGNER)
    return DeclaredB(project)


def test_builder_pairs_ports_by_the_installed_cassettes_not_the_declared_method(
    declared_b: DeclaredB, designer: User
) -> None:
    # when
    response = signed_in(designer).get(declared_b.url())
    # then: U1 cassettes over a Method B trunk bring port k to port k, whatever the hall declares
    assert response.status_code == 200
    draft = response.context["draft"]
    report = response.context["report"]
    assert report["ok"] is True, [(f["code"], f["message"]) for f in report["findings"]]
    assert [(h.near.label, h.far.label) for h in draft.hops] == [("1", "1")]
    assert channel_validate(request=draft.request())["ok"] is True
