"""The demo hall (`manage.py load_demo`, run by `make run`): a small spine-leaf fabric, Method B.

    row A: A01 spine | A02 leaf | A03 leaf        row B: B01 leaf | B02 leaf | B03 leaf

* 400GBASE-DR4 -> 4 × 100GBASE-DR through a Base-8 OS2 APC harness, and through APC cords, a
  key-up/key-down MPO panel, a Base-8 Type B OS2 APC trunk and a Base-8 breakout cassette
  (U1-style: lane k-1 at LC port k) with LC/UPC A-to-B cords (reference §5.4).
* 100GBASE-SR4 over Type B cords, key-up/key-up panels and Base-8 Type B trunks (§5.3, parallel B).
* 25GBASE-SR duplex through Base-12 Type B cassettes, a Type B trunk and A-to-B cords (§5.2 B:
  port k meets far port 7-k).
* One link per common mistake (MISTAKES: link name -> the one error code it shows), built like
  the generator's planted faults (apps/plant/generate.py), plus an A-to-A cord in Method B.

Idempotent: the document is imported (apps/plant/io/), so a second run changes nothing; only
links that need it are validated, and their status stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.accounts.models import Organization, Project, ProjectMembership, Role, User
from apps.plant.generate import FAULTS, HallBuilder, _Rack, _Templates
from apps.plant.io import ImportReport, hall_import
from apps.plant.models import Link
from apps.plant.services import links_revalidate

ORGANIZATION = ("Demo", "demo")
PROJECT = ("Demo DC", "demo-dc")
SITE, HALL = "Demo site", "Hall 1"

MISTAKES: dict[str, str] = {
    "mistake-wrong-trunk-type": FAULTS["wrong_trunk_type"],
    "mistake-type-c-trunk": FAULTS["type_c_trunk"],
    "mistake-gender-conflict": FAULTS["gender_conflict"],
    "mistake-apc-against-upc": FAULTS["apc_upc"],
    "mistake-mpo12-against-mpo16": FAULTS["mpo12_mpo16"],
    "mistake-single-mode-against-multimode": FAULTS["sm_mm"],
    "mistake-over-reach": FAULTS["over_reach"],
    "mistake-over-budget": FAULTS["over_budget"],
    "mistake-missing-cable": FAULTS["missing_cable"],
    "mistake-swapped-breakout-legs": FAULTS["swapped_legs"],
    "mistake-misrouted-cord": FAULTS["misrouted"],
    "mistake-a-to-a-cord-in-method-b": "POLARITY_REVERSED",
}


@dataclass
class Demo:
    """What load_demo made or found."""

    project: Project
    report: ImportReport
    validated: int


def demo_document() -> dict[str, object]:
    """The demo hall as a hall document."""
    builder = HallBuilder(
        site=SITE,
        name=HALL,
        polarity_method="B",
        standard_duplex_cord="PCD-LC-AB-OM4",
        standard_array_cord="CRD-MPO12-B-FF-OM4",
    )
    racks: dict[str, _Rack] = {}
    for index, row_name in enumerate(("A", "B")):
        row = builder.row(f"Row {row_name}", index)
        for position in range(3):
            name = f"{row_name}{position + 1:02d}"
            racks[name] = _Rack(builder, builder.rack(row, name, position))
    t = _Templates(builder, "DEMO-")
    spine, a2, a3, b1, b2, b3 = (racks[n] for n in ("A01", "A02", "A03", "B01", "B02", "B03"))
    # the fabric
    for n, leaf in enumerate((a2, a3, b1, b2), start=1):
        t.breakout(f"spine-dr4-harness-{n}", spine, leaf)
    for n, leaf in enumerate((a2, b1), start=1):
        _dr4_cassette(t, f"spine-dr4-cassette-{n}", spine, leaf)
    for n, leaf in enumerate((a2, a3, b1, b2, b3), start=1):
        t.parallel(f"spine-sr4-{n}", spine, leaf)
    for n in range(1, 7):
        t.duplex(f"leaf-25g-{n}", a3 if n % 2 else b2, b3)
    # one link per mistake
    for name, kind in (
        ("mistake-wrong-trunk-type", "wrong_trunk_type"),
        ("mistake-type-c-trunk", "type_c_trunk"),
        ("mistake-gender-conflict", "gender_conflict"),
        ("mistake-apc-against-upc", "apc_upc"),
        ("mistake-mpo12-against-mpo16", "mpo12_mpo16"),
        ("mistake-single-mode-against-multimode", "sm_mm"),
        ("mistake-over-reach", "over_reach"),
        ("mistake-over-budget", "over_budget"),
        ("mistake-missing-cable", "missing_cable"),
        ("mistake-swapped-breakout-legs", "swapped_legs"),
        ("mistake-misrouted-cord", "misrouted"),
    ):
        t.fault(kind, name, b2, b3)
    # Method B needs A-to-B cords at both ends: an A-to-A cord lands Tx on Tx
    near, far = b1.slot("CAS-B12-6LC-B-OM4-VL"), b3.slot("CAS-B12-6LC-B-OM4-VL")
    trunk = builder.cable(t._label("T"), "TRK-B12-MPO12-B-FF-OM4")
    builder.plug(trunk, "A1", builder.port(near, "R1"), "rear")
    builder.plug(trunk, "B1", builder.port(far, "R1"), "rear")
    x, y = b1.cage("SFP28-25G-SR"), b3.cage("SFP28-25G-SR")
    c1 = builder.cable(t._label("C"), "PCD-LC-AB-OM4-LL")
    c2 = builder.cable(t._label("C"), "PCD-LC-AA-OM4")
    builder.plug(c1, "A1", x)
    builder.plug(c1, "B1", builder.port(near, "1"))
    builder.plug(c2, "B1", builder.port(far, "6"))
    builder.plug(c2, "A1", y)
    builder.aggregate("mistake-a-to-a-cord-in-method-b", x, y)
    return builder.document()


def _dr4_cassette(t: _Templates, name: str, spine: _Rack, leaf: _Rack) -> None:
    """DR4 -> 4 × DR: APC cord, key-up/key-down panel, Base-8 B trunk, Base-8 breakout cassette."""
    b = t.b
    parent = spine.cage("QSFPDD-400G-DR4")
    panel = spine.slot("PNL-1U-12MPO-A")
    cassette = leaf.slot("CAS-B8-4LC-U1-OS2-APC")
    cord = b.cable(t._label("C"), "CRD-MPO12-A-FF-OS2-APC")
    b.plug(cord, "A1", parent)
    b.plug(cord, "B1", b.port(panel, "1"))
    trunk = b.cable(t._label("T"), "TRK-B8-MPO8-B-MM-OS2-APC")
    b.plug(trunk, "A1", b.port(panel, "1"), "rear")
    b.plug(trunk, "B1", b.port(cassette, "R1"), "rear")
    children = []
    for k in range(4):
        child = leaf.cage("QSFP28-100G-DR")
        lc = b.cable(t._label("C"), "PCD-LC-AB-OS2-UPC")
        b.plug(lc, "A1", b.port(cassette, str(k + 1)))
        b.plug(lc, "B1", child)
        children.append((child, [k]))
    b.breakout(name, parent, children)


@transaction.atomic
def demo_load() -> Demo:
    """Create or bring up to date the demo organization, project and hall; validate its links."""
    organization, _ = Organization.objects.get_or_create(
        slug=ORGANIZATION[1], defaults={"name": ORGANIZATION[0]}
    )
    project, _ = Project.objects.get_or_create(
        organization=organization, slug=PROJECT[1], defaults={"name": PROJECT[0]}
    )
    user = User.objects.filter(username="demo").first()
    if user is not None:
        ProjectMembership.objects.get_or_create(
            user=user, project=project, defaults={"role": Role.OWNER}
        )
    report = hall_import(project=project, document=demo_document(), by=user)
    pending = list(
        Link.objects.filter(hall=report.hall, needs_revalidation=True).values_list("pk", flat=True)
    )
    if pending:
        links_revalidate(hall_id=report.hall.pk, link_ids=pending)
    return Demo(project, report, len(pending))
