"""Import, step 4: writing the difference between the plan and the store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Q

from apps.accounts.models import Project, User
from apps.plant.io.bulk import COLUMNS, _delete, _insert, _r
from apps.plant.io.plan import _Plan
from apps.plant.io.read import _Wanted
from apps.plant.io.schema import ImportReport, PortKey
from apps.plant.io.stored import _Stored
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
    Transceiver,
)


def _apply(
    plan: _Plan,
    wanted: _Wanted,
    stored: _Stored,
    hall: Hall,
    report: ImportReport,
    foreign: dict[PortKey, tuple[int, str]],
    applications: dict[str, int],
    by: User | None,
) -> None:
    project_id, hall_id = hall.project_id, hall.pk
    pruning = _pruning(plan, wanted, stored)
    # 1. links: deleted (pruned) or with changed ends (ends rewritten)
    stored_port_keys = {pk: key for key, (pk, _f) in stored.ports.items()} | stored.foreign
    replaced_owners = {("t", *k) for k in plan.replaced_transceivers} | {
        ("m", *k) for k in plan.replaced_modules
    }
    rewrite: list[str] = []
    for name, ends in plan.final_links.items():
        if name not in stored.links:
            continue
        old = tuple(
            (role, stored_port_keys.get(port_id), lanes, app)
            for role, port_id, lanes, app in stored.ends.get(name, ())
        )
        moved = any((key[1], key[2], key[3]) in replaced_owners for _r, key, _l, _a in ends if key)
        shape = wanted.links[name][0] if name in wanted.links else stored.links[name][1]
        if (
            sorted(old, key=repr) != sorted(ends, key=repr)
            or moved
            or shape != stored.links[name][1]
        ):
            rewrite.append(name)
    dropped_links = [stored.links[n][0] for n in stored.links if n not in plan.final_links]
    LinkEnd.objects.filter(
        link_id__in=[stored.links[n][0] for n in rewrite] + dropped_links
    ).delete()
    report.deleted["links"] += _delete(Link, dropped_links)
    report.updated["links"] += len(rewrite)
    # 2. matings that go or change
    drop_matings: list[int] = []
    new_matings: list[tuple[str, str]] = []
    for leg, (mating_id, port_id, side) in stored.matings.items():
        key = plan.final_matings.get(leg)
        owner_replaced = (
            key is not None and not key[0] and (key[1], key[2], key[3]) in replaced_owners
        )
        if (
            key is None
            or stored_port_keys.get(port_id) != key
            or plan.final_sides[leg] != side
            or owner_replaced
            or leg[0] in plan.replaced_cables
        ):
            drop_matings.append(mating_id)
            if key is None:
                report.deleted["matings"] += 1
            else:
                report.updated["matings"] += 1
                new_matings.append(leg)
    for leg in plan.final_matings:
        if leg not in stored.matings:
            new_matings.append(leg)
            report.created["matings"] += 1
    _delete(Mating, drop_matings)
    # 3. cables, transceivers, modules replaced or pruned (ports and legs go with them)
    cables_gone = [stored.cables[c][0] for c in pruning["cables"]]
    report.deleted["cables"] += len(cables_gone)
    cables_gone += [stored.cables[c][0] for c in plan.replaced_cables]
    Cable.objects.filter(pk__in=cables_gone).delete()
    gone_t = [stored.transceivers[k][0] for k in pruning["transceivers"]]
    report.deleted["transceivers"] += len(gone_t)
    gone_t += [stored.transceivers[k][0] for k in plan.replaced_transceivers]
    Transceiver.objects.filter(pk__in=gone_t).delete()
    gone_m = [stored.modules[k][0] for k in pruning["modules"]]
    report.deleted["modules"] += len(gone_m)
    gone_m += [stored.modules[k][0] for k in plan.replaced_modules]
    Module.objects.filter(pk__in=gone_m).delete()
    for kind, model, table in (
        ("devices", Device, stored.devices),
        ("enclosures", Enclosure, stored.enclosures),
        ("racks", Rack, stored.racks),
        ("rows", Row, stored.rows),
    ):
        ids = [table[name][0] for name in pruning[kind]]
        report.deleted[kind] += len(ids)
        model._default_manager.filter(pk__in=ids).delete()
    # 4. rows, racks, devices, enclosures: update in place, create the new ones
    row_ids = {name: pk for name, (pk, _i) in stored.rows.items()}
    changed_rows = [
        Row(pk=row_ids[name], index=index)
        for name, (index, _p) in wanted.rows.items()
        if name in stored.rows and stored.rows[name][1] != index
    ]
    Row.objects.bulk_update(changed_rows, ["index"])
    report.updated["rows"] += len(changed_rows)
    new = [name for name in wanted.rows if name not in stored.rows]
    for name, pk in zip(
        new,
        _insert(
            Row,
            COLUMNS[Row],
            [(hall_id, project_id, name, wanted.rows[name][0]) for name in new],
        ),
        strict=True,
    ):
        row_ids[name] = pk
    report.created["rows"] += len(new)
    rack_ids = {name: value[0] for name, value in stored.racks.items()}
    changed = [
        Rack(pk=rack_ids[name], row_id=row_ids[row], position=position, height_u=height)
        for name, (row, position, height, _p) in wanted.racks.items()
        if name in stored.racks and stored.racks[name][1:] != (row_ids[row], position, height)
    ]
    Rack.objects.bulk_update(changed, ["row_id", "position", "height_u"])
    report.updated["racks"] += len(changed)
    new = [name for name in wanted.racks if name not in stored.racks]
    rows_of = wanted.racks
    for name, pk in zip(
        new,
        _insert(
            Rack,
            COLUMNS[Rack],
            [
                (row_ids[rows_of[n][0]], hall_id, project_id, n, rows_of[n][1], rows_of[n][2])
                for n in new
            ],
        ),
        strict=True,
    ):
        rack_ids[name] = pk
    report.created["racks"] += len(new)
    device_ids = {name: value[0] for name, value in stored.devices.items()}
    changed_devices = [
        Device(
            pk=device_ids[name], rack_id=rack_ids[rack], kind=kind, u_position=u, height_u=height
        )
        for name, (rack, kind, u, height, _p) in wanted.devices.items()
        if name in stored.devices and stored.devices[name][1:] != (rack_ids[rack], kind, u, height)
    ]
    Device.objects.bulk_update(changed_devices, ["rack_id", "kind", "u_position", "height_u"])
    report.updated["devices"] += len(changed_devices)
    new = [name for name in wanted.devices if name not in stored.devices]
    spec = wanted.devices
    for name, pk in zip(
        new,
        _insert(
            Device,
            COLUMNS[Device],
            [
                (rack_ids[spec[n][0]], hall_id, project_id, n, spec[n][1], spec[n][2], spec[n][3])
                for n in new
            ],
        ),
        strict=True,
    ):
        device_ids[name] = pk
    report.created["devices"] += len(new)
    enclosure_ids = {name: value[0] for name, value in stored.enclosures.items()}
    changed_enclosures = []
    for name, (rack, revision, u, _p) in wanted.enclosures.items():
        assert revision is not None
        height = int(revision.spec.get("rack_units") or 1)
        if name in stored.enclosures and stored.enclosures[name][1:] != (
            rack_ids[rack],
            revision.pk,
            u,
            height,
        ):
            changed_enclosures.append(
                Enclosure(
                    pk=enclosure_ids[name],
                    rack_id=rack_ids[rack],
                    product_revision_id=revision.pk,
                    u_position=u,
                    height_u=height,
                )
            )
    Enclosure.objects.bulk_update(
        changed_enclosures, ["rack_id", "product_revision_id", "u_position", "height_u"]
    )
    report.updated["enclosures"] += len(changed_enclosures)
    new = [name for name in wanted.enclosures if name not in stored.enclosures]
    espec = wanted.enclosures
    for name, pk in zip(
        new,
        _insert(
            Enclosure,
            COLUMNS[Enclosure],
            [
                (
                    rack_ids[espec[n][0]],
                    hall_id,
                    project_id,
                    n,
                    _r(espec[n][1]).pk,
                    espec[n][2],
                    int(_r(espec[n][1]).spec.get("rack_units") or 1),
                )
                for n in new
            ],
        ),
        strict=True,
    ):
        enclosure_ids[name] = pk
    report.created["enclosures"] += len(new)
    # 5. transceivers and modules: revision-only changes in place; new and replaced ones created
    port_ids: dict[PortKey, int] = {
        key: pk
        for key, (pk, _f) in stored.ports.items()
        if (key[1], key[2], key[3]) not in replaced_owners
    }
    port_ids.update({key: pk for key, (pk, _f) in foreign.items()})
    same = [
        Transceiver(pk=stored.transceivers[key][0], product_revision_id=revision.pk)
        for key, (revision, _p) in wanted.transceivers.items()
        if revision is not None
        and key in stored.transceivers
        and key not in plan.replaced_transceivers
        and stored.transceivers[key][2] != revision.pk
    ]
    Transceiver.objects.bulk_update(same, ["product_revision_id"])
    report.updated["transceivers"] += len(same) + len(plan.replaced_transceivers)
    new_t = [
        key
        for key in wanted.transceivers
        if key not in stored.transceivers or key in plan.replaced_transceivers
    ]
    report.created["transceivers"] += len(new_t) - len(plan.replaced_transceivers)
    t_ids = _insert(
        Transceiver,
        COLUMNS[Transceiver],
        [
            (device_ids[k[0]], hall_id, project_id, k[1], _r(wanted.transceivers[k][0]).pk)
            for k in new_t
        ],
    )
    same_m = [
        Module(pk=stored.modules[key][0], product_revision_id=revision.pk, orientation=orient)
        for key, (revision, orient, _p) in wanted.modules.items()
        if revision is not None
        and key in stored.modules
        and key not in plan.replaced_modules
        and stored.modules[key][2:] != (revision.pk, orient)
    ]
    Module.objects.bulk_update(same_m, ["product_revision_id", "orientation"])
    report.updated["modules"] += len(same_m) + len(plan.replaced_modules)
    new_m = [
        key for key in wanted.modules if key not in stored.modules or key in plan.replaced_modules
    ]
    report.created["modules"] += len(new_m) - len(plan.replaced_modules)
    m_ids = _insert(
        Module,
        COLUMNS[Module],
        [
            (
                enclosure_ids[k[0]],
                hall_id,
                project_id,
                k[1],
                _r(wanted.modules[k][0]).pk,
                wanted.modules[k][1],
            )
            for k in new_m
        ],
    )
    port_rows: list[tuple[Any, ...]] = []
    port_keys: list[PortKey] = []
    owners: list[tuple[str, Sequence[tuple[str, Any]], Sequence[int]]] = [
        ("t", new_t, t_ids),
        ("m", new_m, m_ids),
    ]
    for owner, keys, owner_ids in owners:
        for okey, pk in zip(keys, owner_ids, strict=True):
            for label, (face, family) in plan.owner_ports[(owner, *okey)].items():
                port_keys.append(("", owner, okey[0], okey[1], label))
                port_rows.append(
                    (
                        hall_id,
                        project_id,
                        pk if owner == "t" else None,
                        pk if owner == "m" else None,
                        label,
                        face,
                        family,
                    )
                )
    for key, pk in zip(
        port_keys,
        _insert(
            Port,
            COLUMNS[Port],
            port_rows,
        ),
        strict=True,
    ):
        port_ids[key] = pk
    # 6. cables and their legs
    cable_ids = {label: value[0] for label, value in stored.cables.items()}
    changed_cables = []
    for label, (revision, length, status, _p) in wanted.cables.items():
        assert revision is not None
        if (
            label in stored.cables
            and label not in plan.replaced_cables
            and stored.cables[label][1:] != (revision.pk, length, status)
        ):
            changed_cables.append(
                Cable(
                    pk=cable_ids[label],
                    product_revision_id=revision.pk,
                    length_mm=length,
                    status=status,
                )
            )
    Cable.objects.bulk_update(changed_cables, ["product_revision_id", "length_mm", "status"])
    report.updated["cables"] += len(changed_cables) + len(plan.replaced_cables)
    new_c = [
        label
        for label in wanted.cables
        if label not in stored.cables or label in plan.replaced_cables
    ]
    report.created["cables"] += len(new_c) - len(plan.replaced_cables)
    for label, pk in zip(
        new_c,
        _insert(
            Cable,
            COLUMNS[Cable],
            [
                (
                    project_id,
                    hall_id,
                    _r(wanted.cables[c][0]).pk,
                    c,
                    wanted.cables[c][1],
                    wanted.cables[c][2],
                )
                for c in new_c
            ],
        ),
        strict=True,
    ):
        cable_ids[label] = pk
    leg_ids = {leg: pk for leg, pk in stored.legs.items() if leg[0] not in plan.replaced_cables}
    leg_keys: list[tuple[str, str]] = []
    leg_rows: list[tuple[Any, ...]] = []
    for label in new_c:
        for face, leg_label in plan.cable_faces[label].items():
            leg_keys.append((label, face))
            leg_rows.append(
                (cable_ids[label], hall_id, project_id, face[0], int(face[1:]), leg_label)
            )
    for leg, pk in zip(
        leg_keys,
        _insert(CableLeg, COLUMNS[CableLeg], leg_rows),
        strict=True,
    ):
        leg_ids[leg] = pk
    # 7. matings
    hall_of_port: dict[int, int] = {}
    foreign_ids = [pk for pk, _f in foreign.values()]
    if foreign_ids:
        hall_of_port = dict(Port.objects.filter(pk__in=foreign_ids).values_list("id", "hall_id"))
    by_id = by.pk if by is not None else None
    _insert(
        Mating,
        COLUMNS[Mating],
        [
            (
                project_id,
                hall_of_port.get(port_ids[plan.final_matings[leg]], hall_id),
                leg_ids[leg],
                port_ids[plan.final_matings[leg]],
                plan.final_sides[leg],
                by_id,
            )
            for leg in new_matings
        ],
    )
    # 8. links and their ends
    new_links = [name for name in wanted.links if name not in stored.links]
    report.created["links"] += len(new_links)
    Link.objects.bulk_update(
        [
            Link(pk=stored.links[name][0], shape=wanted.links[name][0], needs_revalidation=True)
            for name in rewrite
            if name in wanted.links
        ],
        ["shape", "needs_revalidation"],
    )
    link_ids = {name: value[0] for name, value in stored.links.items()}
    for name, pk in zip(
        new_links,
        _insert(
            Link,
            COLUMNS[Link],
            [
                (
                    project_id,
                    hall_id,
                    n,
                    wanted.links[n][0],
                    Link.Status.UNKNOWN,
                    None,
                    True,
                    None,
                    [],
                    [],
                    by_id,
                )
                for n in new_links
            ],
        ),
        strict=True,
    ):
        link_ids[name] = pk
    end_rows = []
    for name in [*rewrite, *new_links]:
        for role, key, lanes, application in plan.final_links[name]:
            port_id = port_ids[key]
            end_rows.append(
                (
                    link_ids[name],
                    project_id,
                    hall_of_port.get(port_id, hall_id),
                    role,
                    port_id,
                    list(lanes),
                    applications.get(
                        application
                        or (
                            plan.t_apps.get((key[2], key[3]))
                            if key[1] == "t" and not key[0]
                            else ""
                        )
                        or ""
                    ),
                )
            )
    _insert(
        LinkEnd,
        COLUMNS[LinkEnd],
        end_rows,
    )
    _default_applications(end_rows)
    # 9. what changed under the remaining links: re-validate them
    if report.changed:  # a bulk change: every link of the hall is re-validated
        Link.objects.filter(
            pk__in=Link.objects.filter(Q(hall_id=hall_id) | Q(ends__hall_id=hall_id)).values("pk")
        ).exclude(needs_revalidation=True).update(needs_revalidation=True)


def _taken_elsewhere(kind: str, project: Project, hall: Hall | None, names: list[str]) -> list[str]:
    """Cable labels or link names (unique in a project) already used outside this hall."""
    if not names:
        return []
    table, column = ("plant_cable", "label") if kind == "cable" else ("plant_link", "name")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE project_id = %s AND hall_id <> %s"  # noqa: S608
            f" AND {column} = ANY(%s)",
            [project.pk, hall.pk if hall is not None else 0, names],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _default_applications(end_rows: list[tuple[Any, ...]]) -> None:
    """Ends imported without an application take their transceiver's (as link_create does)."""
    missing = [row[4] for row in end_rows if row[6] is None]
    if not missing:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE plant_linkend AS e SET application_id = a.id
            FROM plant_port p
            JOIN plant_transceiver t ON t.id = p.transceiver_id
            JOIN catalog_productrevision r ON r.id = t.product_revision_id
            JOIN catalog_application a ON a.code = r.spec ->> 'application'
            WHERE e.port_id = p.id AND e.application_id IS NULL AND e.port_id = ANY(%s)
            """,
            [missing],
        )


def _pruning(plan: _Plan, wanted: _Wanted, stored: _Stored) -> dict[str, list[Any]]:
    """Stored objects absent from the final state (there are some only with prune)."""
    tables: dict[str, Any] = {
        "rows": stored.rows,
        "racks": stored.racks,
        "devices": stored.devices,
        "enclosures": stored.enclosures,
        "transceivers": stored.transceivers,
        "modules": stored.modules,
        "cables": stored.cables,
    }
    return {kind: [k for k in table if k not in plan.final[kind]] for kind, table in tables.items()}
