"""Hall export: the hall as one JSON document of natural keys."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from apps.plant.io.schema import FORMAT, HALL_FIELDS, VERSION
from apps.plant.models import (
    Cable,
    Device,
    Enclosure,
    Hall,
    Link,
    LinkEnd,
    Mating,
    Module,
    Rack,
    Row,
    Transceiver,
)

# --- export --------------------------------------------------------------------------------------


def _port_ref(
    hall_name: str,
    here: str,
    label: str,
    device: str | None,
    cage: str | None,
    enclosure: str | None,
    slot: int | None,
) -> dict[str, Any]:
    ref: dict[str, Any] = {}
    if hall_name != here:
        ref["hall"] = hall_name
    if device is not None:
        ref.update(device=device, cage=cage, port=label)
    else:
        ref.update(enclosure=enclosure, slot=slot, port=label)
    return ref


PORT_FIELDS = (
    "port__hall__name",
    "port__label",
    "port__transceiver__device__name",
    "port__transceiver__cage",
    "port__module__enclosure__name",
    "port__module__slot",
)


def hall_export(*, hall: Hall) -> dict[str, Any]:
    """The hall as one JSON document of natural keys (11 queries whatever its size)."""
    info = (
        Hall.objects.filter(pk=hall.pk)
        .values(
            "name",
            "site__name",
            "standard_duplex_cord__code",
            "standard_array_cord__code",
            *HALL_FIELDS,
        )
        .get()
    )
    here = info["name"]
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "site": info["site__name"],
        "hall": {
            "name": here,
            "polarity_method": info["polarity_method"],
            "standard_duplex_cord": info["standard_duplex_cord__code"],
            "standard_array_cord": info["standard_array_cord__code"],
            **{name: info[name] for name in HALL_FIELDS[1:]},
        },
    }
    product = ("product_revision__product__code", "product_revision__number")
    transceivers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for device_id, cage, code, number in Transceiver.objects.filter(hall=hall).values_list(
        "device_id", "cage", *product
    ):
        transceivers[device_id].append({"cage": cage, "product": code, "revision": number})
    devices: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, rack_id, name, kind, u, height in Device.objects.filter(hall=hall).values_list(
        "id", "rack_id", "name", "kind", "u_position", "height_u"
    ):
        cages = sorted(transceivers.get(pk, []), key=lambda t: _natural(t["cage"]))
        devices[rack_id].append(
            {"name": name, "kind": kind, "u": u, "height_u": height, "transceivers": cages}
        )
    modules: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for enclosure_id, slot, code, number, orientation in Module.objects.filter(
        hall=hall
    ).values_list("enclosure_id", "slot", *product, "orientation"):
        modules[enclosure_id].append(
            {"slot": slot, "product": code, "revision": number, "orientation": orientation}
        )
    enclosures: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, rack_id, name, code, number, u in Enclosure.objects.filter(hall=hall).values_list(
        "id", "rack_id", "name", *product, "u_position"
    ):
        enclosures[rack_id].append(
            {
                "name": name,
                "product": code,
                "revision": number,
                "u": u,
                "modules": sorted(modules.get(pk, []), key=lambda m: m["slot"]),
            }
        )
    racks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pk, row_id, name, position, height in Rack.objects.filter(hall=hall).values_list(
        "id", "row_id", "name", "position", "height_u"
    ):
        racks[row_id].append(
            {
                "name": name,
                "position": position,
                "height_u": height,
                "devices": sorted(devices.get(pk, []), key=lambda d: (d["u"], d["name"])),
                "enclosures": sorted(enclosures.get(pk, []), key=lambda e: (e["u"], e["name"])),
            }
        )
    document["rows"] = [
        {
            "name": name,
            "index": index,
            "racks": sorted(racks.get(pk, []), key=lambda r: r["position"]),
        }
        for pk, name, index in Row.objects.filter(hall=hall)
        .order_by("index")
        .values_list("id", "name", "index")
    ]
    legs: dict[int, list[tuple[tuple[str, int], dict[str, Any]]]] = defaultdict(list)
    for cable_id, end, index, side, *port in Mating.objects.filter(
        leg__cable__hall=hall
    ).values_list("leg__cable_id", "leg__end", "leg__index", "side", *PORT_FIELDS):
        legs[cable_id].append(
            (
                (end, index),
                {"leg": f"{end}{index}", "port": _port_ref(port[0], here, *port[1:]), "side": side},
            )
        )
    document["cables"] = [
        {
            "label": label,
            "product": code,
            "revision": number,
            "length_mm": length,
            "status": status,
            "legs": [item for _key, item in sorted(legs.get(pk, []), key=lambda x: x[0])],
        }
        for pk, label, code, number, length, status in Cable.objects.filter(hall=hall)
        .order_by("label")
        .values_list("id", "label", *product, "length_mm", "status")
    ]
    ends: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link_id, role, lanes, application, *port in LinkEnd.objects.filter(
        link__hall=hall
    ).values_list("link_id", "role", "lanes", "application__code", *PORT_FIELDS):
        ends[link_id].append(
            {
                "role": role,
                "port": _port_ref(port[0], here, *port[1:]),
                "lanes": list(lanes),
                "application": application,
            }
        )
    order = {"a": 0, "b": 1, "parent": 0, "child": 2}
    document["links"] = [
        {
            "name": name,
            "shape": shape,
            "ends": sorted(
                ends.get(pk, []), key=lambda e: (order[e["role"]], e["lanes"], _sort_ref(e))
            ),
        }
        for pk, name, shape in Link.objects.filter(hall=hall)
        .order_by("name")
        .values_list("id", "name", "shape")
    ]
    return document


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (1 << 30, text)


def _sort_ref(end: dict[str, Any]) -> str:
    return repr(sorted(end["port"].items()))
