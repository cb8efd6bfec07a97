"""Import without re-validation, for documents built by code (the generator): `hall_create_trusted`.

`generate_hall` builds its document valid by construction and then writes several hundred thousand
rows; checking every reference of a document it has just built again costs as much as writing it.
This path writes the rows straight from the document, in the order and with the values `_apply`
gives a new hall (tests/plant/test_generate.py proves that a generated document passes
`hall_import`'s validation and gives the same hall through both paths). It only creates: a hall
that exists, a name taken elsewhere in the project or a port in another hall sends the document
through `hall_import` instead (so does any IntegrityError: its savepoint is rolled back first).
The database still checks every constraint; the foreign keys are checked set-wise
(bulk.unchecked_foreign_keys) instead of by a trigger per row, and each table's binary COPY runs
in a worker thread while the next table's rows are built (bulk.copies_in_background).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model

from apps.accounts.models import Project, User
from apps.catalog.models import Application, Product, ProductRevision
from apps.plant.io.bulk import (
    COLUMNS,
    Background,
    KeyCheck,
    _insert,
    copies_in_background,
    unchecked_foreign_keys,
)
from apps.plant.io.importer import hall_import
from apps.plant.io.read import _leg_faces, _port_labels_of, _revisions
from apps.plant.io.schema import HALL_DEFAULTS, HALL_FIELDS, ImportReport, _Revision
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    LinkEnd,
    Mating,
    Module,
    Port,
    Rack,
    Row,
    Site,
    Transceiver,
)

TABLES: tuple[type[Model], ...] = (
    Row,
    Rack,
    Device,
    Enclosure,
    Transceiver,
    Module,
    Port,
    Cable,
    CableLeg,
    Mating,
    Link,
    LinkEnd,
)


def hall_create_trusted(
    *,
    project: Project,
    document: dict[str, Any],
    by: User | None = None,
    timings: dict[str, float] | None = None,
) -> ImportReport:
    """Create the document's hall without validating the document (see the module docstring).

    `timings`, when given, receives the seconds spent per phase: "prepare" (catalog reads, the
    hall row), "rows" (building the rows in Python, while the previous table's COPY runs in the
    background), "copy" (waiting for COPYs and reserving ids), "keys" (the set-wise key check).
    """
    with transaction.atomic():
        return _create(project=project, document=document, by=by, timings=timings)


def _create(
    *,
    project: Project,
    document: dict[str, Any],
    by: User | None,
    timings: dict[str, float] | None,
) -> ImportReport:
    site = Site.objects.filter(project=project, name=document["site"]).first()
    if site is None or not Hall.objects.filter(site=site, name=document["hall"]["name"]).exists():
        try:
            with transaction.atomic():  # a savepoint: hall_import below starts from a clean state
                return _create_new(project, site, document, by, _Clock(timings))
        except (IntegrityError, _Elsewhere, KeyError):
            # a name taken in another hall, a port in another hall, a product or port the catalog
            # does not have: hall_import's business (it names the problem with its pointer)
            pass
    return hall_import(project=project, document=document, by=by)


class _Elsewhere(Exception):
    """The document names a port in another hall."""


def _create_new(
    project: Project,
    site: Site | None,
    document: dict[str, Any],
    by: User | None,
    clock: _Clock,
) -> ImportReport:
    info = document["hall"]
    revisions = _revisions(document)
    adapters = {
        code: str(spec.get("family"))
        for code, spec in ProductRevision.objects.filter(
            product__code__in=sorted(
                {str(r.spec.get("adapter")) for r in revisions.values() if r.kind == "panel"}
            ),
            is_current=True,
        ).values_list("product__code", "spec")
    }
    cords = dict(
        Product.objects.filter(
            code__in=[info.get(k) for k in ("standard_duplex_cord", "standard_array_cord")]
        ).values_list("code", "id")
    )
    applications = dict(Application.objects.values_list("code", "id"))
    if site is None:
        site = Site.objects.create(project=project, name=document["site"])
    values = {name: info.get(name, HALL_DEFAULTS[name]) for name in HALL_FIELDS}
    hall = Hall.objects.create(
        site=site,
        project=project,
        name=info["name"],
        standard_duplex_cord_id=cords.get(info.get("standard_duplex_cord")),
        standard_array_cord_id=cords.get(info.get("standard_array_cord")),
        **values,
    )
    report = ImportReport(hall=hall)
    report.created["halls"] = 1
    clock.lap("prepare")
    with unchecked_foreign_keys(TABLES) as keys:
        with copies_in_background() as background:
            write = _Writer(keys, background, report, clock)
            _write(document, hall, revisions, adapters, applications, by, write)
        clock.lap("copy")  # the last COPY
    clock.lap("keys")
    Hall.objects.filter(pk=hall.pk).update(plant_revision=F("plant_revision") + 1)
    hall.refresh_from_db(fields=["plant_revision"])
    return report


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now


class _Writer:
    """`_insert` with the set-wise key check and the background COPY; counts and times tables."""

    def __init__(
        self, keys: KeyCheck | None, background: Background, report: ImportReport, clock: _Clock
    ) -> None:
        self.keys, self.background, self.report, self.clock = keys, background, report, clock

    def __call__(
        self, kind: str, model: type[Model], columns: Sequence[str], rows: list[Any]
    ) -> Sequence[int]:
        self.clock.lap("rows")  # building the rows (while the previous table's COPY runs)
        ids = _insert(model, columns, rows, keys=self.keys, background=self.background)
        if kind:
            self.report.created[kind] += len(rows)
        self.clock.lap("copy")  # waiting for the previous COPY, reserving ids, recording keys
        return ids


def _write(
    document: dict[str, Any],
    hall: Hall,
    revisions: dict[tuple[str, int | None], _Revision],
    adapters: dict[str, str],
    applications: dict[str, int],
    by: User | None,
    insert: _Writer,
) -> None:
    """The rows of a new hall, table by table, as `_apply` writes them."""
    hall_id, project_id = hall.pk, hall.project_id
    by_id = by.pk if by is not None else None

    def revision(item: dict[str, Any]) -> _Revision:
        return revisions[(item["product"], item.get("revision"))]

    rows = document["rows"]
    row_ids = insert(
        "rows",
        Row,
        COLUMNS[Row],
        [(hall_id, project_id, row["name"], row["index"]) for row in rows],
    )
    racks = [(rack, pk) for row, pk in zip(rows, row_ids, strict=True) for rack in row["racks"]]
    rack_ids = insert(
        "racks",
        Rack,
        COLUMNS[Rack],
        [
            (pk, hall_id, project_id, rack["name"], rack["position"], rack.get("height_u", 42))
            for rack, pk in racks
        ],
    )
    racks_ids = list(zip((rack for rack, _ in racks), rack_ids, strict=True))
    devices = [(device, pk) for rack, pk in racks_ids for device in rack["devices"]]
    device_ids = insert(
        "devices",
        Device,
        COLUMNS[Device],
        [
            (
                pk,
                hall_id,
                project_id,
                device["name"],
                device.get("kind", "switch"),
                device["u"],
                device.get("height_u", 1),
            )
            for device, pk in devices
        ],
    )
    enclosures = [(item, pk) for rack, pk in racks_ids for item in rack["enclosures"]]
    enclosure_ids = insert(
        "enclosures",
        Enclosure,
        COLUMNS[Enclosure],
        [
            (
                pk,
                hall_id,
                project_id,
                item["name"],
                revision(item).pk,
                item["u"],
                int(revision(item).spec.get("rack_units") or 1),
            )
            for item, pk in enclosures
        ],
    )
    # transceivers and modules, then their ports (labels from the product, as the services make)
    cages = [
        (device["name"], item, pk)
        for (device, _r), pk in zip(devices, device_ids, strict=True)
        for item in device["transceivers"]
    ]
    cage_ids = insert(
        "transceivers",
        Transceiver,
        COLUMNS[Transceiver],
        [(pk, hall_id, project_id, item["cage"], revision(item).pk) for _d, item, pk in cages],
    )
    modules = [
        (enclosure["name"], item, pk)
        for (enclosure, _r), pk in zip(enclosures, enclosure_ids, strict=True)
        for item in enclosure["modules"]
    ]
    module_ids = insert(
        "modules",
        Module,
        COLUMNS[Module],
        [
            (
                pk,
                hall_id,
                project_id,
                item["slot"],
                revision(item).pk,
                item.get("orientation", "normal"),
            )
            for _e, item, pk in modules
        ],
    )
    labels: dict[int, dict[str, tuple[str, str]]] = {}

    def ports_of(item: dict[str, Any]) -> dict[str, tuple[str, str]]:
        found = revision(item)
        if found.pk not in labels:
            labels[found.pk] = _port_labels_of(found, adapters)
        return labels[found.pk]

    port_keys: list[tuple[str, str, Any, str]] = []
    port_rows: list[tuple[Any, ...]] = []
    applications_at: dict[tuple[str, str], Any] = {}
    for (device, item, _d), pk in zip(cages, cage_ids, strict=True):
        applications_at[(device, item["cage"])] = revision(item).spec.get("application")
        for label, (face, family) in ports_of(item).items():
            port_keys.append(("t", device, item["cage"], label))
            port_rows.append((hall_id, project_id, pk, None, label, face, family))
    for (enclosure, item, _e), pk in zip(modules, module_ids, strict=True):
        for label, (face, family) in ports_of(item).items():
            port_keys.append(("m", enclosure, item["slot"], label))
            port_rows.append((hall_id, project_id, None, pk, label, face, family))
    port_ids = dict(
        zip(
            port_keys,
            insert(
                "",
                Port,
                COLUMNS[Port],
                port_rows,
            ),
            strict=True,
        )
    )

    here = hall.name

    def port(ref: dict[str, Any]) -> int:
        if ref.get("hall") not in (None, "", here):
            raise _Elsewhere
        if "device" in ref:
            return port_ids[("t", ref["device"], ref["cage"], ref["port"])]
        return port_ids[("m", ref["enclosure"], ref["slot"], ref["port"])]

    # cables, their legs (from the product) and the legs' matings
    cables = document["cables"]
    cable_ids = insert(
        "cables",
        Cable,
        COLUMNS[Cable],
        [
            (
                project_id,
                hall_id,
                revision(cable).pk,
                cable["label"],
                cable.get("length_mm"),
                cable.get("status", "planned"),
            )
            for cable in cables
        ],
    )
    leg_keys: list[tuple[str, str]] = []
    leg_rows: list[tuple[Any, ...]] = []
    faces: dict[int, dict[str, str]] = {}
    for cable, pk in zip(cables, cable_ids, strict=True):
        found = revision(cable)
        if found.pk not in faces:
            faces[found.pk] = _leg_faces(found)
        for face, label in faces[found.pk].items():
            leg_keys.append((cable["label"], face))
            leg_rows.append((pk, hall_id, project_id, face[0], int(face[1:]), label))
    leg_ids = dict(
        zip(
            leg_keys,
            insert(
                "",
                CableLeg,
                COLUMNS[CableLeg],
                leg_rows,
            ),
            strict=True,
        )
    )
    insert(
        "matings",
        Mating,
        COLUMNS[Mating],
        [
            (
                project_id,
                hall_id,
                leg_ids[(cable["label"], leg["leg"])],
                port(leg["port"]),
                leg.get("side", "front"),
                by_id,
            )
            for cable in cables
            for leg in cable["legs"]
        ],
    )
    # links and their ends (an end without an application runs its transceiver's)
    links = document["links"]
    link_ids = insert(
        "links",
        Link,
        COLUMNS[Link],
        [
            (
                project_id,
                hall_id,
                link["name"],
                link.get("shape", "aggregate"),
                Link.Status.UNKNOWN,
                None,
                True,
                None,
                [],
                [],
                by_id,
            )
            for link in links
        ],
    )
    end_rows = []
    for link, pk in zip(links, link_ids, strict=True):
        for end in link["ends"]:
            ref = end["port"]
            code = end.get("application") or (
                applications_at.get((ref["device"], ref["cage"])) if "device" in ref else None
            )
            end_rows.append(
                (
                    pk,
                    project_id,
                    hall_id,
                    end["role"],
                    port(ref),
                    list(end.get("lanes") or []),
                    applications.get(code or ""),
                )
            )
    insert(
        "",
        LinkEnd,
        COLUMNS[LinkEnd],
        end_rows,
    )
