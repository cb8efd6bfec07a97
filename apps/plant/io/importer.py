"""Import: `hall_import`, validating the whole document first, then applying it atomically."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from apps.accounts.models import Project, User
from apps.catalog.models import Application, Product, ProductRevision
from apps.plant.io.apply import _apply, _taken_elsewhere
from apps.plant.io.plan import _check_references, _plan
from apps.plant.io.read import _PORT_LABELS, _read, _revisions
from apps.plant.io.schema import HALL_DEFAULTS, HALL_FIELDS, DocumentInvalid, ImportReport, _Errors
from apps.plant.io.stored import _foreign_ports, _stored
from apps.plant.models import Hall, Mating, Site

# --- import --------------------------------------------------------------------------------------


def hall_import(
    *, project: Project, document: Any, prune: bool = False, by: User | None = None
) -> ImportReport:
    """Create or update a hall of the project from a hall document (see apps/plant/io/__init__.py).

    Raises DocumentInvalid (400, every error with its JSON pointer) before writing anything.
    """
    with transaction.atomic():
        return _import(project=project, document=document, prune=prune, by=by)


def _import(*, project: Project, document: Any, prune: bool, by: User | None) -> ImportReport:
    errors = _Errors()
    _PORT_LABELS.clear()
    revisions = _revisions(document)
    wanted = _read(errors, document, revisions)
    here = str(wanted.hall.get("name") or "")
    site = Site.objects.filter(project=project, name=wanted.site).first() if wanted.site else None
    hall = (
        Hall.objects.select_for_update().filter(site=site, name=here).first()
        if site is not None and here
        else None
    )
    stored = _stored(hall)
    cords = {key: wanted.hall.get(key) for key in ("standard_duplex_cord", "standard_array_cord")}
    cord_products = {
        code: (pk, kind)
        for code, pk, kind in Product.objects.filter(
            code__in=[c for c in cords.values() if isinstance(c, str)]
        ).values_list("code", "id", "kind")
    }
    for key, code in cords.items():
        if code is not None and cord_products.get(code, (0, ""))[1] != Product.Kind.CABLE:
            errors.add(f"/hall/{key}", f"{code} is not a cable of the catalog.", "invalid_product")
    adapter_codes = {str(r.spec.get("adapter")) for r in revisions.values() if r.kind == "panel"}
    adapter_families = {
        code: str(spec.get("family"))
        for code, spec in ProductRevision.objects.filter(
            product__code__in=sorted(adapter_codes), is_current=True
        ).values_list("product__code", "spec")
    }
    plan = _plan(errors, wanted, stored, prune, adapter_families, revisions)
    foreign = _foreign_ports(site, here, [*plan.final_matings.values(), *plan.end_keys()])
    _check_references(errors, wanted, plan, foreign)
    for kind, names, pointer in (
        ("cable", {k: v[3] for k, v in wanted.cables.items()}, "/label"),
        ("link", {k: v[2] for k, v in wanted.links.items()}, "/name"),
    ):
        for name in _taken_elsewhere(kind, project, hall, list(names)):
            errors.add(
                names[name] + pointer, f"The {kind} {name} exists in another hall.", "duplicate"
            )
    applications = {
        code: pk
        for code, pk in Application.objects.filter(
            code__in=sorted(
                {a for link in wanted.links.values() for *_x, a in link[1] if a}
                | {a for a in plan.t_apps.values() if a}
            )
        ).values_list("code", "id")
    }
    for link in wanted.links.values():
        for j, (_role, _key, _lanes, application) in enumerate(link[1]):
            if application and application not in applications:
                errors.add(
                    f"{link[2]}/ends/{j}/application",
                    f"No application {application}.",
                    "unknown_application",
                )
    if errors.items:
        raise DocumentInvalid(errors.items)
    report = ImportReport(hall=hall)  # type: ignore[arg-type]
    if site is None:
        site = Site.objects.create(project=project, name=wanted.site)
    hall_values = {name: wanted.hall.get(name, HALL_DEFAULTS[name]) for name in HALL_FIELDS}
    hall_values["standard_duplex_cord_id"] = cord_products.get(
        cords["standard_duplex_cord"] or "", (None, "")
    )[0]
    hall_values["standard_array_cord_id"] = cord_products.get(
        cords["standard_array_cord"] or "", (None, "")
    )[0]
    if hall is None:
        hall = Hall.objects.create(site=site, project=project, name=here, **hall_values)
        report.created["halls"] += 1
    elif any(getattr(hall, k) != v for k, v in hall_values.items()):
        Hall.objects.filter(pk=hall.pk).update(**hall_values)
        report.updated["halls"] += 1
    report.hall = hall
    # Matings of this hall's cables on other halls' ports carry those halls' ids: before and after
    # the import, every such hall is touched by it (and its audits and cached graphs go stale).
    touched = {hall.pk, *_cross_hall_ids(hall)}
    _apply(plan, wanted, stored, hall, report, foreign, applications, by)
    if report.changed:
        touched.update(_cross_hall_ids(hall))
        Hall.objects.filter(pk__in=touched).update(plant_revision=F("plant_revision") + 1)
        hall.refresh_from_db(fields=["plant_revision"])
    return report


def _cross_hall_ids(hall: Hall) -> set[int]:
    """The other halls cabled to this one: their ports on its cables, their cables on its ports."""
    theirs_on_ours = Mating.objects.filter(hall=hall).exclude(leg__cable__hall=hall)
    ours_on_theirs = Mating.objects.filter(leg__cable__hall=hall).exclude(hall=hall)
    return set(
        theirs_on_ours.values_list("leg__cable__hall_id", flat=True).union(
            ours_on_theirs.values_list("hall_id", flat=True)
        )
    )
