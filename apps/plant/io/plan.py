"""Import, step 3: the final state of the hall (document over store) and its checks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from apps.catalog.models import ProductRevision
from apps.plant.io.read import _leg_faces, _port_labels, _Wanted
from apps.plant.io.schema import PortKey, _Errors, _Revision
from apps.plant.io.stored import _Stored
from apps.plant.models import Port


@dataclass
class _Plan:
    """The final state of the hall (document over store) and what to replace."""

    racks_rows: dict[str, str]  # rack -> row, final
    owner_ports: dict[tuple[str, Any, Any], dict[str, tuple[str, str]]]  # owner -> labels
    final_matings: dict[tuple[str, str], PortKey]
    final_sides: dict[tuple[str, str], str]
    final_links: dict[str, tuple[tuple[str, PortKey, tuple[int, ...], str | None], ...]]
    replaced_transceivers: set[tuple[str, str]]
    replaced_modules: set[tuple[str, int]]
    replaced_cables: set[str]
    cable_faces: dict[str, dict[str, str]]  # final cable -> its leg faces
    final: dict[str, set[Any]] = field(default_factory=dict)  # kind -> final natural keys
    t_apps: dict[tuple[str, str], str | None] = field(default_factory=dict)  # default apps

    def end_keys(self) -> list[PortKey]:
        return [key for ends in self.final_links.values() for _r, key, _l, _a in ends]


def _plan(
    errors: _Errors,
    wanted: _Wanted,
    stored: _Stored,
    prune: bool,
    adapter_families: dict[str, str],
    revisions: dict[tuple[str, int | None], _Revision],
) -> _Plan:
    by_pk = {r.pk: r for r in revisions.values()}
    missing = set(stored.products) - set(by_pk)
    if missing:
        for pk, code, number, kind, spec, product in ProductRevision.objects.filter(
            pk__in=sorted(missing)
        ).values_list("id", "product__code", "number", "product__kind", "spec", "product_id"):
            by_pk[pk] = _Revision(pk, code, number, str(spec.get("kind") or kind), spec, product)
    products = {pk: revision.product for pk, revision in by_pk.items()}
    keep = not prune
    # rows and racks
    rows = set(wanted.rows) | (set(stored.rows) if keep else set())
    stored_rows = {pk: name for name, (pk, _i) in stored.rows.items()}
    racks: dict[str, tuple[str, int, int, str]] = {}
    if keep:
        for name, (_pk, row_id, position, height) in stored.racks.items():
            racks[name] = (stored_rows[row_id], position, height, "")
    racks.update(wanted.racks)
    indices: dict[int, str] = {}
    for name in rows:
        index = wanted.rows[name][0] if name in wanted.rows else stored.rows[name][1]
        if index in indices:
            path = wanted.rows.get(name, wanted.rows.get(indices[index], (0, "/rows")))[1]
            errors.add(f"{path}/index", f"Row index {index} is taken.", "duplicate")
        indices[index] = name
    places: dict[tuple[str, int], str] = {}
    for name, (row, position, height, path) in racks.items():
        if row not in rows:
            errors.add(path or "/rows", f"Row {row} does not exist.", "does_not_exist")
        if (row, position) in places and path:
            errors.add(
                f"{path}/position",
                f"Position {position} is taken by rack {places[(row, position)]}.",
                "position_occupied",
            )
        places[(row, position)] = name
        if height < 1:
            errors.add(f"{path}/height_u", "A rack is at least 1 U tall.")
    stored_racks = {pk: name for name, (pk, *_r) in stored.racks.items()}
    # U occupancy: devices and enclosures
    occupants: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    if keep:
        for name, (_pk, rack_id, _k, u, height) in stored.devices.items():
            if name not in wanted.devices:
                occupants[stored_racks[rack_id]].append((u, height, name, ""))
        for name, (_pk, rack_id, _r, u, height) in stored.enclosures.items():
            if name not in wanted.enclosures:
                occupants[stored_racks[rack_id]].append((u, height, name, ""))
    for name, (rack, _kind, u, height, path) in wanted.devices.items():
        occupants[rack].append((u, height, name, path))
    enclosure_revisions: dict[str, _Revision | None] = {}
    for name, (rack, revision, u, path) in wanted.enclosures.items():
        height = int((revision.spec.get("rack_units") if revision else 1) or 1)
        occupants[rack].append((u, height, name, path))
        enclosure_revisions[name] = revision
    if keep:
        for name, (_pk, _rack, revision_id, _u, _h) in stored.enclosures.items():
            enclosure_revisions.setdefault(name, by_pk.get(revision_id))
    for rack, items in occupants.items():
        if rack not in racks:
            for _u, _h, _name, path in items:
                errors.add(path, f"Rack {rack} does not exist.", "does_not_exist")
            continue
        rack_height = racks[rack][2]
        items.sort()
        top_seen = 0
        last = ""
        for u, height, name, path in items:
            top = u + height - 1
            if u < 1 or top > rack_height:
                errors.add(
                    f"{path}/u",
                    f"U{u}-U{top} does not fit a {rack_height} U rack.",
                    "u_out_of_range",
                )
            if u <= top_seen:
                errors.add(f"{path}/u", f"U{u}-U{top} overlaps {last}.", "u_occupied")
            if top > top_seen:
                top_seen, last = top, name
    # devices, transceivers, enclosures, modules: the owners of ports in the final state
    devices = set(wanted.devices) | (set(stored.devices) if keep else set())
    owner_ports: dict[tuple[str, Any, Any], dict[str, tuple[str, str]]] = {}
    replaced_t: set[tuple[str, str]] = set()
    final_t: dict[tuple[str, str], _Revision | None] = {}
    if keep:
        for key, (_pk, _d, revision_id) in stored.transceivers.items():
            final_t[key] = by_pk.get(revision_id)
    for key, (revision, _path) in wanted.transceivers.items():
        final_t[key] = revision
        old = stored.transceivers.get(key)
        if old is not None and revision is not None and products.get(old[2]) != revision.product:
            replaced_t.add(key)
    for key, revision in final_t.items():
        if key[0] not in devices:
            path = wanted.transceivers.get(key, (None, "/rows"))[1]
            errors.add(path, f"Device {key[0]} does not exist.", "does_not_exist")
        if revision is not None:
            owner_ports[("t", *key)] = _port_labels(revision, adapter_families)
    enclosures = set(wanted.enclosures) | (set(stored.enclosures) if keep else set())
    replaced_m: set[tuple[str, int]] = set()
    final_m: dict[tuple[str, int], _Revision | None] = {}
    if keep:
        for mkey, (_pk, _e, revision_id, _o) in stored.modules.items():
            final_m[mkey] = by_pk.get(revision_id)
    for mkey, (revision, _o, _path) in wanted.modules.items():
        final_m[mkey] = revision
        old_m = stored.modules.get(mkey)
        if (
            old_m is not None
            and revision is not None
            and products.get(old_m[2]) != revision.product
        ):
            replaced_m.add(mkey)
    for mkey, revision in final_m.items():
        path = wanted.modules.get(mkey, (None, "", "/rows"))[2]
        if mkey[0] not in enclosures:
            errors.add(path, f"Enclosure {mkey[0]} does not exist.", "does_not_exist")
            continue
        enclosure = enclosure_revisions.get(mkey[0])
        slots = int((enclosure.spec.get("slots") if enclosure else 0) or 0)
        if enclosure is not None and not 1 <= mkey[1] <= slots:
            errors.add(f"{path}/slot", f"The enclosure has slots 1..{slots}.", "slot_out_of_range")
        if revision is not None:
            owner_ports[("m", *mkey)] = _port_labels(revision, adapter_families)
    # cables and matings
    replaced_c: set[str] = set()
    cable_faces: dict[str, dict[str, str]] = {}
    if keep:
        for label, (_pk, revision_id, _l, _s) in stored.cables.items():
            revision = by_pk.get(revision_id)
            if revision is not None:
                cable_faces[label] = _leg_faces(revision)
    for label, (revision, _l, _s, _path) in wanted.cables.items():
        if revision is None:
            continue
        cable_faces[label] = _leg_faces(revision)
        if label in stored.cables and products.get(stored.cables[label][1]) != products.get(
            revision.pk
        ):
            replaced_c.add(label)
    stored_port_keys = {pk: key for key, (pk, _f) in stored.ports.items()} | stored.foreign
    final_matings: dict[tuple[str, str], PortKey] = {}
    final_sides: dict[tuple[str, str], str] = {}
    if keep:
        for leg, (_m, port_id, side) in stored.matings.items():
            if leg[0] in wanted.cables and leg[0] in replaced_c:
                continue
            if leg[1] not in cable_faces.get(leg[0], {}):
                continue
            final_matings[leg] = stored_port_keys[port_id]
            final_sides[leg] = side
    for leg, (port_key, side, path) in wanted.matings.items():
        if leg[0] in cable_faces and leg[1] not in cable_faces[leg[0]]:
            errors.add(f"{path}/leg", f"Cable {leg[0]} has no leg {leg[1]}.", "does_not_exist")
            continue
        final_matings[leg] = port_key
        final_sides[leg] = side
    # links
    final_links: dict[str, tuple[tuple[str, PortKey, tuple[int, ...], str | None], ...]] = {}
    if keep:
        for name, stored_ends in stored.ends.items():
            if name not in wanted.links:
                final_links[name] = tuple(
                    (role, stored_port_keys[port_id], lanes, app)
                    for role, port_id, lanes, app in stored_ends
                )
    for name, (_shape, ends, _path) in wanted.links.items():
        final_links[name] = tuple(  # an end without an application runs its transceiver's
            (role, pkey, lanes, app or _default_app(pkey, final_t))
            for role, pkey, lanes, app in ends
        )
    return _Plan(
        racks_rows={name: value[0] for name, value in racks.items()},
        owner_ports=owner_ports,
        final_matings=final_matings,
        final_sides=final_sides,
        final_links=final_links,
        replaced_transceivers=replaced_t,
        replaced_modules=replaced_m,
        replaced_cables=replaced_c,
        cable_faces=cable_faces,
        t_apps={key: rev.spec.get("application") for key, rev in final_t.items() if rev},
        final={
            "rows": rows,
            "racks": set(racks),
            "devices": devices,
            "enclosures": enclosures,
            "transceivers": set(final_t),
            "modules": set(final_m),
            "cables": set(cable_faces),
        },
    )


def _default_app(key: PortKey, transceivers: dict[tuple[str, str], _Revision | None]) -> str | None:
    if key[0] or key[1] != "t":
        return None
    revision = transceivers.get((key[2], key[3]))
    return None if revision is None else revision.spec.get("application")


def _check_references(
    errors: _Errors, wanted: _Wanted, plan: _Plan, foreign: dict[PortKey, tuple[int, str]]
) -> None:
    def resolve(key: PortKey) -> tuple[str, str] | None:
        """(face, kind "t"/"m") of a final-state port, or None."""
        if key[0]:
            found = foreign.get(key)
            return None if found is None else (found[1], key[1])
        labels = plan.owner_ports.get((key[1], key[2], key[3]))
        if labels is None or key[4] not in labels:
            return None
        return labels[key[4]][0], key[1]

    def describe(key: PortKey) -> str:
        where = f" in hall {key[0]}" if key[0] else ""
        if key[1] == "t":
            return f"port {key[4]} of {key[2]} cage {key[3]}{where}"
        return f"port {key[4]} of {key[2]} slot {key[3]}{where}"

    sides: dict[tuple[PortKey, str], tuple[str, str]] = {}
    for leg, key in plan.final_matings.items():
        side = plan.final_sides[leg]
        path = wanted.matings[leg][2] if leg in wanted.matings else ""
        found = resolve(key)
        if found is None:
            errors.add(f"{path}/port", f"There is no {describe(key)}.", "does_not_exist")
            continue
        face = found[0]
        allowed = ("front", "rear") if face == Port.Face.BOTH else (face,)
        if side not in allowed:
            errors.add(
                f"{path}/side",
                f"This port is mated at its {' or '.join(allowed)} side.",
                "invalid_side",
            )
            continue
        other = sides.get((key, side))
        if other is not None:
            first = wanted.matings.get(other, (None, None, ""))[2]
            errors.add(
                f"{path or first}/port",
                f"{describe(key)} ({side}) is taken by {other[0]} {other[1]}.",
                "port_mated",
            )
        sides[(key, side)] = leg
    used: dict[PortKey, str] = {}
    for name, ends in plan.final_links.items():
        path = wanted.links[name][2] if name in wanted.links else ""
        for j, (_role, key, _lanes, _app) in enumerate(ends):
            found = resolve(key)
            if found is None:
                errors.add(
                    f"{path}/ends/{j}/port", f"There is no {describe(key)}.", "does_not_exist"
                )
                continue
            if found[1] != "t":
                errors.add(
                    f"{path}/ends/{j}/port",
                    "A link ends at a transceiver port.",
                    "not_a_transceiver",
                )
            if key in used:
                errors.add(
                    f"{path}/ends/{j}/port",
                    f"{describe(key)} is already an end of link {used[key]}.",
                    "port_linked",
                )
            used[key] = name
