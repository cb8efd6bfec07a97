"""Reads for the pages: each a fixed number of queries over plant rows the request may see.

The objects passed in (hall, rack, enclosure) have already been fetched through the plant's
scoped `*_list(user=...)` selectors, so everything read here belongs to the same project.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.accounts.models import Project, Role, User
from apps.accounts.selectors import project_list_with_roles, project_role, project_role_of
from apps.catalog.models import Product
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
from apps.plant.selectors import link_ids_for_hall

# Worst first: the colour of a rack is the worst status among the links it carries.
STATUS_ORDER = ("error", "stale", "warning", "unknown", "ok")


def can_design(*, user: User, project: Project) -> bool:
    """True when the user may change the project's plant (designer or owner)."""
    role = project_role(user=user, project=project)
    return role is not None and role.at_least(Role.DESIGNER)


# --- projects, sites, halls ----------------------------------------------------------------------


@dataclass
class ProjectCard:
    """A project with its role, sites and halls (hall counts of racks and links)."""

    project: Project
    role: str
    sites: list[Site] = field(default_factory=list)
    halls: dict[int, list[Hall]] = field(default_factory=dict)

    def site_halls(self) -> list[tuple[Site, list[Hall]]]:
        """Each site with its halls."""
        return [(site, self.halls.get(site.pk, [])) for site in self.sites]


def project_cards(*, user: User) -> list[ProjectCard]:
    """Every project the user may see, with its sites and halls: 3 queries."""
    projects = list(project_list_with_roles(user=user))
    cards = {p.pk: ProjectCard(p, project_role_of(p).label) for p in projects}
    sites = Site.objects.filter(project_id__in=list(cards)).order_by("name", "pk")
    for site in sites:
        cards[site.project_id].sites.append(site)
    halls = (
        Hall.objects.filter(project_id__in=list(cards))
        .annotate(
            rack_count=Count("racks", distinct=True), link_count=Count("links", distinct=True)
        )
        .order_by("name", "pk")
    )
    for hall in halls:
        cards[hall.project_id].halls.setdefault(hall.site_id, []).append(hall)
    return list(cards.values())


# --- hall floor plan -----------------------------------------------------------------------------


def _worst(statuses: list[str]) -> str:
    if not statuses:
        return "empty"
    return min(statuses, key=STATUS_ORDER.index)


def link_status(status: str, needs_revalidation: bool) -> str:
    """A link's shown status: stale once something it runs through changed since validation."""
    if status != Link.Status.UNKNOWN and needs_revalidation:
        return "stale"
    return status


@dataclass
class HallPlan:
    """Rows with their racks, each rack's status and counts, and the hall's link statuses."""

    rows: list[tuple[Row, list[tuple[Rack, str, int]]]]
    links: list[Link]
    counts: dict[str, int]
    rack_links: dict[int, set[int]] = field(default_factory=dict)


def hall_plan(*, hall: Hall) -> HallPlan:
    """The hall's rows and racks, each rack's worst link status (ends or cabling): 5 queries."""
    rows = list(Row.objects.filter(hall=hall).order_by("index"))
    racks = list(Rack.objects.filter(hall=hall).order_by("row__index", "position"))
    links = list(
        Link.objects.filter(pk__in=link_ids_for_hall(hall_id=hall.pk)).order_by("name", "pk")
    )
    ends = LinkEnd.objects.filter(link__in=[link.pk for link in links]).values_list(
        "link_id", "port__transceiver__device__rack_id"
    )
    module_ports = dict(
        Port.objects.filter(hall=hall, module__isnull=False).values_list(
            "id", "module__enclosure__rack_id"
        )
    )
    rack_links: dict[int, set[int]] = defaultdict(set)
    for link_id, rack_id in ends:
        if rack_id is not None:
            rack_links[rack_id].add(link_id)
    for link in links:
        for rack_id in {module_ports[p] for p in link.touched_port_ids if p in module_ports}:
            rack_links[rack_id].add(link.pk)
    shown = {link.pk: link_status(link.status, link.needs_revalidation) for link in links}
    per_rack = {rack_id: [shown[i] for i in ids] for rack_id, ids in rack_links.items()}
    by_row: dict[int, list[tuple[Rack, str, int]]] = defaultdict(list)
    for rack in racks:
        statuses = per_rack.get(rack.pk, [])
        by_row[rack.row_id].append((rack, _worst(statuses), len(statuses)))
    counts: dict[str, int] = defaultdict(int)
    for status in shown.values():
        counts[status] += 1
    for link in links:
        link.shown_status = shown[link.pk]  # type: ignore[attr-defined]
    return HallPlan(
        [(row, by_row.get(row.pk, [])) for row in rows], links, dict(counts), dict(rack_links)
    )


# --- rack elevation ------------------------------------------------------------------------------


def rack_contents(*, rack: Rack) -> tuple[list[Device], list[Any]]:
    """Devices (transceivers, ports) and enclosures (product, modules) of a rack: 7 queries."""
    transceivers = Transceiver.objects.select_related("product_revision__product").prefetch_related(
        Prefetch("ports", queryset=Port.objects.order_by("label"))
    )
    devices = list(
        Device.objects.filter(rack=rack)
        .prefetch_related(Prefetch("transceivers", queryset=transceivers.order_by("cage")))
        .order_by("-u_position")
    )
    enclosures = list(
        Enclosure.objects.filter(rack=rack)
        .select_related("product_revision__product")
        .prefetch_related(Prefetch("modules", queryset=Module.objects.only("slot", "enclosure")))
        .annotate(module_count=Count("modules"))
        .order_by("-u_position")
    )
    return devices, enclosures


def enclosure_products() -> QuerySet[Product]:
    """Enclosures that can be placed (not retired)."""
    return Product.objects.filter(kind=Product.Kind.ENCLOSURE, retired=False).order_by("code")


def module_products() -> QuerySet[Product]:
    """Cassettes and panels that can be installed (not retired)."""
    return Product.objects.filter(
        kind__in=[Product.Kind.CASSETTE, Product.Kind.PANEL], retired=False
    ).order_by("kind", "code")


def transceiver_products() -> QuerySet[Product]:
    """Transceivers that can be installed (not retired)."""
    return Product.objects.filter(kind=Product.Kind.TRANSCEIVER, retired=False).order_by("code")


def cable_products() -> QuerySet[Product]:
    """Cables (cords, trunks, harnesses) that can be ordered (not retired)."""
    return Product.objects.filter(kind=Product.Kind.CABLE, retired=False).order_by("code")


# --- ports and what they are mated with ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a port is, as installers read it."""

    port_id: int
    rack: str
    u: int
    owner: str  # "E1 slot 2" or "sw1 cage 1"
    label: str
    face: str
    family: str
    positions: int
    is_transceiver: bool
    rack_id: int
    module_id: int | None
    transceiver_id: int | None
    code: str  # the transceiver's or module's catalog product

    def __str__(self) -> str:
        return f"{self.rack} U{self.u} {self.owner} port {self.label}"


_PLACE_FIELDS = (
    "id",
    "label",
    "face",
    "family",
    "transceiver_id",
    "module_id",
    "transceiver__device__rack__name",
    "module__enclosure__rack__name",
    "transceiver__device__u_position",
    "module__enclosure__u_position",
    "transceiver__device__name",
    "transceiver__cage",
    "module__enclosure__name",
    "module__slot",
    "transceiver__device__rack_id",
    "module__enclosure__rack_id",
    "transceiver__product_revision__product__code",
    "module__product_revision__product__code",
)


def _place(row: tuple[Any, ...], positions: dict[str, int]) -> Place:
    pk, label, face, family, t_id, m_id, t_rack, m_rack, t_u, m_u, dev, cage, enc, slot = row[:14]
    t_rack_id, m_rack_id, t_code, m_code = row[14:]
    owner = f"{dev} cage {cage}" if t_id else f"{enc} slot {slot}"
    return Place(
        pk,
        t_rack or m_rack,
        t_u or m_u,
        owner,
        label,
        face,
        family,
        positions.get(family, 2),
        bool(t_id),
        t_rack_id or m_rack_id,
        m_id,
        t_id,
        t_code or m_code,
    )


def _positions() -> dict[str, int]:
    from apps.catalog.models import ConnectorType

    return {
        code: len(lit) if lit else rows * columns
        for code, rows, columns, lit in ConnectorType.objects.values_list(
            "code", "rows", "columns", "lit"
        )
    }


def port_places(*, ports: QuerySet[Port]) -> dict[int, Place]:
    """Places of the given ports: 2 queries (ports, connector sizes)."""
    positions = _positions()
    return {row[0]: _place(row, positions) for row in ports.values_list(*_PLACE_FIELDS)}


@dataclass(frozen=True, slots=True)
class Mate:
    """What one side of a port is mated with: the cable, its leg, and where its other end is."""

    cable_id: int
    cable_label: str
    product: str
    leg: str
    far: tuple[str, ...]


def mates_for_ports(*, port_ids: list[int]) -> dict[tuple[int, str], Mate]:
    """(port id, side) -> the leg plugged there and the far ends of its cable: 3 queries."""
    here = list(
        Mating.objects.filter(port_id__in=port_ids).values_list(
            "port_id",
            "side",
            "leg__cable_id",
            "leg__cable__label",
            "leg__cable__product_revision__product__code",
            "leg__end",
            "leg__index",
        )
    )
    cable_ids = {row[2] for row in here}
    far_rows = list(
        Mating.objects.filter(leg__cable_id__in=cable_ids).values_list(
            "leg__cable_id", "leg__end", "leg__index", "port_id"
        )
    )
    places = port_places(ports=Port.objects.filter(pk__in=[r[3] for r in far_rows]))
    out: dict[tuple[int, str], Mate] = {}
    for port_id, side, cable_id, label, code, end, index in here:
        far = tuple(
            f"{e}{i} → {places[p]}"
            for c, e, i, p in far_rows
            if c == cable_id and e != end and p in places
        )
        out[(port_id, side)] = Mate(cable_id, label, code, f"{end}{index}", far)
    return out


@dataclass
class ModuleView:
    """A module with its ports, each side's mate and its fibres used and free."""

    module: Module | None
    slot: int
    ports: list[tuple[Place, Mate | None, Mate | None]] = field(default_factory=list)
    fibres_used: int = 0
    fibres_total: int = 0


def enclosure_detail(*, enclosure: Enclosure) -> list[ModuleView]:
    """Every slot of the enclosure: its module, ports and mates, fibres used/free: 7 queries."""
    slots = int(enclosure.product_revision.spec.get("slots") or 0)
    modules = {
        m.slot: m
        for m in Module.objects.filter(enclosure=enclosure).select_related(
            "product_revision__product"
        )
    }
    places = port_places(ports=Port.objects.filter(module__enclosure=enclosure).order_by("pk"))
    mates = mates_for_ports(port_ids=list(places))
    views = {slot: ModuleView(modules.get(slot), slot) for slot in range(1, slots + 1)}
    for module in modules.values():
        views.setdefault(module.slot, ModuleView(module, module.slot))
    for place in places.values():
        module = next(m for m in modules.values() if m.pk == place.module_id)
        view = views[module.slot]
        front = mates.get((place.port_id, "front"))
        rear = mates.get((place.port_id, "rear"))
        view.ports.append((place, front, rear))
        # fibres, counted on the patching face: a cassette's front ports (its rear MPO carries
        # the same fibres), a panel's adapters; a fibre is used once a cord is plugged there
        if place.face != Port.Face.REAR:
            view.fibres_total += place.positions
            if front is not None:
                view.fibres_used += place.positions
    return [views[k] for k in sorted(views)]


# --- links ---------------------------------------------------------------------------------------


def link_ends(*, link: Link) -> list[tuple[str, Place]]:
    """(role, place) of each end of a link: 2 queries."""
    ends = list(LinkEnd.objects.filter(link=link).order_by("pk").values_list("role", "port_id"))
    places = port_places(ports=Port.objects.filter(pk__in=[p for _r, p in ends]))
    return [(role, places[port_id]) for role, port_id in ends]


def element_urls(*, elements: dict[str, str]) -> dict[str, str]:
    """ref -> page URL for the refs of a report (modules and panel ports: their enclosure)."""
    from django.urls import reverse

    modules = [int(r[7:]) for r in elements if r.startswith("module:")]
    ports = [int(r[5:]) for r in elements if r.startswith("port:")]
    transceivers = [int(r[12:]) for r in elements if r.startswith("transceiver:")]
    urls: dict[str, str] = {}
    rows = Port.objects.filter(
        Q(module_id__in=modules) | Q(pk__in=ports) | Q(transceiver_id__in=transceivers)
    ).values_list(
        "pk", "module_id", "module__enclosure_id", "transceiver_id", "transceiver__device__rack_id"
    )
    for pk, module_id, enclosure_id, t_id, rack_id in rows:
        if module_id is not None:
            url = reverse("configurator:enclosure", args=[enclosure_id])
            urls[f"module:{module_id}"] = url
            urls[f"port:{pk}"] = url
        if t_id is not None:
            urls[f"transceiver:{t_id}"] = reverse("configurator:rack", args=[rack_id])
    return urls


def free_transceiver_ports(*, hall: Hall) -> dict[int, Place]:
    """Transceiver ports of the hall that are not the end of a link yet: 2 queries."""
    ports = Port.objects.filter(hall=hall, transceiver__isnull=False, link_end__isnull=True)
    return port_places(
        ports=ports.order_by("transceiver__device__name", "transceiver__cage", "label")
    )


def free_port_sides(*, hall: Hall) -> list[tuple[Place, str]]:
    """Every (port, side) of the hall with nothing plugged: 3 queries."""
    places = port_places(ports=Port.objects.filter(hall=hall).order_by("pk"))
    taken = set(Mating.objects.filter(hall=hall).values_list("port_id", "side"))
    out: list[tuple[Place, str]] = []
    for place in places.values():
        sides = ("front", "rear") if place.face == Port.Face.BOTH else (place.face,)
        out.extend((place, side) for side in sides if (place.port_id, side) not in taken)
    out.sort(key=lambda ps: (ps[0].rack, -ps[0].u, ps[0].owner, ps[0].label, ps[1]))
    return out


def cables_for_hall(*, hall: Hall) -> QuerySet[Cable]:
    """The hall's cables with product and legs: 2 queries."""
    return (
        Cable.objects.filter(hall=hall)
        .select_related("product_revision__product")
        .prefetch_related(Prefetch("legs", queryset=CableLeg.objects.order_by("end", "index")))
        .order_by("label")
    )


# --- audits --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: chunks done of the total, as a percentage too."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        """0..100."""
        return 100 if not self.total else round(100 * self.done / self.total)


def audit_progress(*, run: Any) -> Progress:
    """Chunks done of the run's total: 1 query."""
    from apps.audits.models import AuditChunk

    done = AuditChunk.objects.filter(run=run, status=AuditChunk.Status.DONE).count()
    return Progress(done, run.chunks_total)


@dataclass(frozen=True, slots=True)
class HallPlaces:
    """Row and rack names of a hall by id (audit findings carry ids)."""

    rows: dict[int, str]
    racks: dict[int, str]


def hall_rows_and_racks(*, hall: Hall) -> HallPlaces:
    """Names of the hall's rows and racks: 2 queries."""
    return HallPlaces(
        dict(Row.objects.filter(hall=hall).values_list("pk", "name")),
        dict(Rack.objects.filter(hall=hall).values_list("pk", "name")),
    )


def audit_rack_status(*, hall: Hall, plan: HallPlan) -> tuple[Any, dict[int, str]] | None:
    """Rack colours from the hall's current audit (worst severity of its findings per rack).

    Racks the audit found nothing on pass if they carry links; once the plant has changed since
    the audit, racks whose links need re-validation show as stale. None without a done audit.
    """
    from apps.audits.models import AuditFinding
    from apps.audits.selectors import audit_run_is_stale, hall_current_audit

    run = hall_current_audit(hall_id=hall.pk)
    if run is None:
        return None
    run.hall = hall
    # worst severity per link, and per rack for findings without a link (permanent links)
    by_link: dict[int, str] = {}
    worst: dict[int, str] = {}
    for link_id, rack_id, severity in (
        AuditFinding.objects.filter(run=run, consequence=False, severity__in=["error", "warning"])
        .values_list("link_id", "rack_id", "severity")
        .distinct()
    ):
        for key, bucket in ((link_id, by_link), (None if link_id else rack_id, worst)):
            if key is not None and (key not in bucket or severity == "error"):
                bucket[key] = severity
    for rack_id, link_ids in plan.rack_links.items():
        for severity in (by_link[i] for i in link_ids if i in by_link):
            if rack_id not in worst or severity == "error":
                worst[rack_id] = severity
    stale = audit_run_is_stale(run=run)
    out: dict[int, str] = {}
    for _row, racks in plan.rows:
        for rack, link_status_, count in racks:
            status = worst.get(rack.pk) or ("ok" if count else "empty")
            if stale and link_status_ == "stale":
                status = "stale"
            out[rack.pk] = status
    return run, out
