"""A small plant in one project, the personas around it, and another project next door.

    organization Acme ── org_admin
        project P ── owner · designer · viewer · service (user with a designer token)
            site S ── hall H (parallel_hall: 2 racks, panels, link L over cord/trunk/cord)
                      + spares to delete or connect: site, hall, row, rack, device,
                        transceiver, enclosure, module, cable
    organization Other
        project Q ── both (owner of P too; its token is limited to Q)
            site ── hall ── row ── rack          (another project's plant: always invisible)
    outsider: no project; catalog_manager: the catalog only

Tokens: rw (owner, read-write, P), ro (owner, read-only, P), expired (owner, read-write, P,
expired), other (both, read-write, Q only), service (service user, designer, read-write, P).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import APIToken, Role
from apps.plant.models import CableLeg, Port
from tests.factories.accounts import (
    OrganizationFactory,
    OrganizationMembershipFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
    token_make,
)
from tests.factories.plant import (
    DeviceFactory,
    HallFactory,
    RackFactory,
    RowFactory,
    SiteFactory,
    cable_make,
    enclosure_make,
    module_make,
    parallel_hall,
    transceiver_make,
)


@dataclass
class World:
    project: Any
    other_project: Any
    users: dict[str, Any]
    keys: dict[str, str]
    objects: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)

    def client(self, persona: str) -> APIClient:
        """A client for a persona: a signed-in user, or a token's Bearer key."""
        client = APIClient()
        if persona in self.keys:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.keys[persona]}")
        else:
            client.force_authenticate(user=self.users[persona])
        return client


def _member(project: Any, username: str, role: str) -> Any:
    person = UserFactory.create(username=username)
    ProjectMembershipFactory.create(user=person, project=project, role=role)
    return person


def world_build() -> World:
    """The project P with its plant and personas, and project Q with its own small plant."""
    acme = OrganizationFactory.create(name="Acme", slug="acme")
    project = ProjectFactory.create(organization=acme, name="P", slug="p")
    other_project = ProjectFactory.create(name="Q", slug="q")
    users: dict[str, Any] = {
        "owner": _member(project, "owner", Role.OWNER),
        "designer": _member(project, "designer", Role.DESIGNER),
        "viewer": _member(project, "viewer", Role.VIEWER),
        "org_admin": UserFactory.create(username="org_admin"),
        "outsider": UserFactory.create(username="outsider"),
        "both": _member(project, "both", Role.OWNER),
        "service": UserFactory.create(username="svc-netbox", is_service=True),
    }
    OrganizationMembershipFactory.create(user=users["org_admin"], organization=acme, is_admin=True)
    ProjectMembershipFactory.create(user=users["both"], project=other_project, role=Role.DESIGNER)
    ProjectMembershipFactory.create(user=users["service"], project=project, role=Role.DESIGNER)
    from apps.catalog.permissions import catalog_managers_group_sync

    manager = UserFactory.create(username="catalog_manager", is_staff=True)
    manager.groups.add(catalog_managers_group_sync())
    users["catalog_manager"] = manager

    keys: dict[str, str] = {}
    owner = users["owner"]
    _t, keys["rw_token"] = token_make(
        user=owner, projects=[project], role=Role.OWNER, write_enabled=True, name="rw"
    )
    _t, keys["ro_token"] = token_make(
        user=owner, projects=[project], role=Role.OWNER, write_enabled=False, name="ro"
    )
    expired, keys["expired_token"] = token_make(
        user=owner,
        projects=[project],
        role=Role.OWNER,
        write_enabled=True,
        expires=timezone.now() + timedelta(days=1),
        name="expired",
    )
    APIToken.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(days=1))
    _t, keys["other_token"] = token_make(
        user=users["both"],
        projects=[other_project],
        role=Role.DESIGNER,
        write_enabled=True,
        name="other",
    )
    _t, keys["service_token"] = token_make(
        user=users["service"],
        projects=[project],
        role=Role.DESIGNER,
        write_enabled=True,
        name="service",
    )

    site = SiteFactory.create(project=project, name="S")
    hall = HallFactory.create(site=site, name="H")
    build = parallel_hall(hall)
    row = build.racks[0].row
    objects: dict[str, Any] = {
        "site": site,
        "hall": hall,
        "row": row,
        "rack": build.racks[0],
        "link": build.links[0],
        "cable": build.cables["trunk0"],
        "module": build.panels[0][0],
        "enclosure": build.panels[0][0].enclosure,
        "transceiver": build.transceivers[0][0],
        "device": build.transceivers[0][0].device,
    }
    objects["port"] = Port.objects.filter(module=objects["module"]).order_by("pk").first()
    objects["leg"] = CableLeg.objects.filter(cable=objects["cable"]).order_by("pk").first()
    objects["mating"] = objects["leg"].mating
    # spares: free to delete, connect or fill
    objects["spare_site"] = SiteFactory.create(project=project, name="S-spare")
    objects["spare_hall"] = HallFactory.create(site=site, name="H-spare")
    objects["spare_row"] = RowFactory.create(hall=hall, name="Row-spare", index=9)
    objects["spare_rack"] = RackFactory.create(row=row, name="R-spare", position=9)
    objects["spare_device"] = DeviceFactory.create(
        rack=objects["spare_rack"], name="spare", u_position=1
    )
    objects["spare_transceiver"] = transceiver_make(objects["spare_device"], "QSFP28-100G-SR4")
    objects["spare_enclosure"] = enclosure_make(objects["spare_rack"], 30, name="E-spare")
    objects["spare_module"] = module_make(objects["spare_enclosure"], "PNL-1U-12MPO-B", 1)
    objects["spare_cable"] = cable_make(hall, "CRD-MPO12-B-FM-OM4-LL", "C-spare", 3000)
    objects["spare_port"] = Port.objects.get(module=objects["spare_module"], label="1")

    other_site = SiteFactory.create(project=other_project, name="S-other")
    other_hall = HallFactory.create(site=other_site, name="H-other")
    other_row = RowFactory.create(hall=other_hall, name="Row-other", index=0)
    other = {
        "site": other_site,
        "hall": other_hall,
        "row": other_row,
        "rack": RackFactory.create(row=other_row, name="R-other", position=0),
    }
    return World(project, other_project, users, keys, objects, other)
