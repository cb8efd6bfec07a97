"""Import, step 2: the hall as stored, keyed like the document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from apps.plant.io.schema import PortKey
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    LinkEnd,
    Module,
    Port,
    Rack,
    Row,
    Site,
    Transceiver,
)

# --- import: the stored hall ---------------------------------------------------------------------


@dataclass
class _Stored:
    """The hall as stored, keyed like `_Wanted` (ids and the values an import compares)."""

    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (id, index)
    racks: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    devices: dict[str, tuple[int, int, str, int, int]] = field(default_factory=dict)
    transceivers: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)
    enclosures: dict[str, tuple[int, int, int, int, int]] = field(default_factory=dict)
    modules: dict[tuple[str, int], tuple[int, int, int, str]] = field(default_factory=dict)
    ports: dict[PortKey, tuple[int, str]] = field(default_factory=dict)  # key -> (id, face)
    cables: dict[str, tuple[int, int, int | None, str]] = field(default_factory=dict)
    legs: dict[tuple[str, str], int] = field(default_factory=dict)  # (label, face) -> leg id
    matings: dict[tuple[str, str], tuple[int, int, str]] = field(default_factory=dict)
    links: dict[str, tuple[int, str]] = field(default_factory=dict)
    ends: dict[str, tuple[tuple[str, int, tuple[int, ...], str | None], ...]] = field(
        default_factory=dict
    )
    products: dict[int, int] = field(default_factory=dict)  # revision id -> product id
    foreign: dict[int, PortKey] = field(default_factory=dict)  # ports elsewhere it uses


def _stored(hall: Hall | None) -> _Stored:
    stored = _Stored()
    if hall is None:
        return stored
    rows = {}
    for pk, name, index in Row.objects.filter(hall=hall).values_list("id", "name", "index"):
        stored.rows[name] = (pk, index)
        rows[pk] = name
    racks = {}
    for pk, name, row_id, position, height in Rack.objects.filter(hall=hall).values_list(
        "id", "name", "row_id", "position", "height_u"
    ):
        stored.racks[name] = (pk, row_id, position, height)
        racks[pk] = name
    devices = {}
    for pk, name, rack_id, kind, u, height in Device.objects.filter(hall=hall).values_list(
        "id", "name", "rack_id", "kind", "u_position", "height_u"
    ):
        stored.devices[name] = (pk, rack_id, kind, u, height)
        devices[pk] = name
    transceivers = {}
    for pk, device_id, cage, revision, product in Transceiver.objects.filter(hall=hall).values_list(
        "id", "device_id", "cage", "product_revision_id", "product_revision__product"
    ):
        stored.transceivers[(devices[device_id], cage)] = (pk, device_id, revision)
        stored.products[revision] = product
        transceivers[pk] = (devices[device_id], cage)
    enclosures = {}
    for pk, name, rack_id, revision, u, height, product in Enclosure.objects.filter(
        hall=hall
    ).values_list(
        "id",
        "name",
        "rack_id",
        "product_revision_id",
        "u_position",
        "height_u",
        "product_revision__product",
    ):
        stored.enclosures[name] = (pk, rack_id, revision, u, height)
        stored.products[revision] = product
        enclosures[pk] = name
    modules = {}
    for pk, enclosure_id, slot, revision, orientation, product in Module.objects.filter(
        hall=hall
    ).values_list(
        "id",
        "enclosure_id",
        "slot",
        "product_revision_id",
        "orientation",
        "product_revision__product",
    ):
        stored.modules[(enclosures[enclosure_id], slot)] = (pk, enclosure_id, revision, orientation)
        stored.products[revision] = product
        modules[pk] = (enclosures[enclosure_id], slot)
    for pk, t_id, m_id, label, face in Port.objects.filter(hall=hall).values_list(
        "id", "transceiver_id", "module_id", "label", "face"
    ):
        owner = ("t", *transceivers[t_id]) if t_id else ("m", *modules[m_id])
        stored.ports[("", *owner, label)] = (pk, face)
    for pk, label, revision, length, status, product in Cable.objects.filter(hall=hall).values_list(
        "id", "label", "product_revision_id", "length_mm", "status", "product_revision__product"
    ):
        stored.cables[label] = (pk, revision, length, status)
        stored.products[revision] = product
    for pk, label, end, index, mating, port_id, side in CableLeg.objects.filter(
        cable__hall=hall
    ).values_list(
        "id", "cable__label", "end", "index", "mating__id", "mating__port_id", "mating__side"
    ):
        stored.legs[(label, f"{end}{index}")] = pk
        if mating is not None:
            stored.matings[(label, f"{end}{index}")] = (mating, port_id, side)
    for pk, name, shape in Link.objects.filter(hall=hall).values_list("id", "name", "shape"):
        stored.links[name] = (pk, shape)
    ends: dict[str, list[tuple[str, int, tuple[int, ...], str | None]]] = defaultdict(list)
    for name, role, port_id, lanes, application in (
        LinkEnd.objects.filter(link__hall=hall)
        .order_by("pk")
        .values_list("link__name", "role", "port_id", "lanes", "application__code")
    ):
        ends[name].append((role, port_id, tuple(lanes), application))
    stored.ends = {name: tuple(items) for name, items in ends.items()}
    elsewhere = Q(link_end__link__hall=hall) | Q(matings__leg__cable__hall=hall)
    for pk, hall_name, label, _face, device, cage, enclosure, slot in (
        Port.objects.filter(elsewhere)
        .exclude(hall=hall)
        .distinct()
        .values_list(
            "id",
            "hall__name",
            "label",
            "face",
            "transceiver__device__name",
            "transceiver__cage",
            "module__enclosure__name",
            "module__slot",
        )
    ):
        owner = ("t", device, cage) if device is not None else ("m", enclosure, slot)
        stored.foreign[pk] = (hall_name, *owner, label)
    return stored


def _foreign_ports(
    site: Site | None, here: str, keys: Iterable[PortKey]
) -> dict[PortKey, tuple[int, str]]:
    """Ports of other halls of the site that the document names: key -> (id, face)."""
    halls = sorted({key[0] for key in keys if key[0]})
    if site is None or not halls:
        return {}
    out: dict[PortKey, tuple[int, str]] = {}
    for pk, hall_name, label, face, device, cage, enclosure, slot in (
        Port.objects.filter(hall__site=site, hall__name__in=halls)
        .exclude(hall__name=here)
        .values_list(
            "id",
            "hall__name",
            "label",
            "face",
            "transceiver__device__name",
            "transceiver__cage",
            "module__enclosure__name",
            "module__slot",
        )
    ):
        owner = ("t", device, cage) if device is not None else ("m", enclosure, slot)
        out[(hall_name, *owner, label)] = (pk, face)
    return out
