"""Plant reads: scoped querysets for the API, and validation, trace and loss from the store.

Scoping: every `<noun>_list(*, user, token=None)` is one indexed filter,
`project_id IN (project_list(user, token))`, evaluated as a subquery; another project's rows are
simply absent (the API answers 404). Resolve related objects of a write through these lists too.

Engine input: `channel_inputs_for_hall/rack/row`, `channel_for_link` and `link_reports(_for_hall)`
(also the audits' chunks) share one loader, `adapters.load`: a fixed number of queries scoped to
what the given links reach (see adapters.py); `link_validate`, `link_trace` and
`link_loss_budget` return JSON-ready dicts (Decimals as strings) in the engine's report shape,
with plant findings such as CABLE_TOO_SHORT in the same finding shape and `elements` (ref -> name)
to label refs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model, Prefetch, Q, QuerySet

from apps.accounts.models import APIToken, User
from apps.accounts.selectors import project_list
from apps.engine.channel import Channel, ElementSpec, Options
from apps.engine.errors import ChannelError
from apps.engine.permanent import HallCords, PermanentLinkReport, permanent_link
from apps.plant import adapters
from apps.plant.geometry import Route, next_orderable_m, route
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

M = TypeVar("M", bound=Model)


# --- scoped lists --------------------------------------------------------------------------------


def _scoped(model: type[M], user: User, token: APIToken | None) -> QuerySet[M]:
    projects = project_list(user=user, token=token).values("pk")
    return model._default_manager.filter(project_id__in=projects)


def site_list(*, user: User, token: APIToken | None = None) -> QuerySet[Site]:
    """Sites of the projects the request may see."""
    return _scoped(Site, user, token).order_by("name", "pk")


def hall_list(*, user: User, token: APIToken | None = None) -> QuerySet[Hall]:
    """Halls the request may see, with their site."""
    return _scoped(Hall, user, token).select_related("site").order_by("name", "pk")


def row_list(*, user: User, token: APIToken | None = None) -> QuerySet[Row]:
    """Rows the request may see."""
    return _scoped(Row, user, token).order_by("hall_id", "index")


def rack_list(*, user: User, token: APIToken | None = None) -> QuerySet[Rack]:
    """Racks the request may see, with their row."""
    return _scoped(Rack, user, token).select_related("row").order_by("hall_id", "name")


def device_list(*, user: User, token: APIToken | None = None) -> QuerySet[Device]:
    """Devices the request may see."""
    return _scoped(Device, user, token).order_by("hall_id", "name")


def transceiver_list(*, user: User, token: APIToken | None = None) -> QuerySet[Transceiver]:
    """Transceivers the request may see, with their product revision and product."""
    return (
        _scoped(Transceiver, user, token)
        .select_related("product_revision__product")
        .order_by("device_id", "cage")
    )


def enclosure_list(*, user: User, token: APIToken | None = None) -> QuerySet[Enclosure]:
    """Enclosures the request may see."""
    return (
        _scoped(Enclosure, user, token)
        .select_related("product_revision__product")
        .order_by("rack_id", "u_position")
    )


def module_list(*, user: User, token: APIToken | None = None) -> QuerySet[Module]:
    """Modules (cassettes, panels) the request may see."""
    return (
        _scoped(Module, user, token)
        .select_related("product_revision__product")
        .order_by("enclosure_id", "slot")
    )


def port_list(*, user: User, token: APIToken | None = None) -> QuerySet[Port]:
    """Ports the request may see."""
    return _scoped(Port, user, token).order_by("pk")


def cable_list(*, user: User, token: APIToken | None = None) -> QuerySet[Cable]:
    """Cables the request may see, with their legs (and each leg's mating) prefetched."""
    legs = CableLeg.objects.select_related("mating").order_by("end", "index")
    return (
        _scoped(Cable, user, token)
        .select_related("product_revision__product")
        .prefetch_related(Prefetch("legs", queryset=legs))
        .order_by("label", "pk")
    )


def cable_leg_list(*, user: User, token: APIToken | None = None) -> QuerySet[CableLeg]:
    """Cable legs the request may see."""
    return _scoped(CableLeg, user, token).order_by("cable_id", "end", "index")


def mating_list(*, user: User, token: APIToken | None = None) -> QuerySet[Mating]:
    """Matings the request may see, with leg and port."""
    return _scoped(Mating, user, token).select_related("leg", "port").order_by("pk")


def link_list(*, user: User, token: APIToken | None = None) -> QuerySet[Link]:
    """Links the request may see, with their ends (and applications) prefetched."""
    ends = LinkEnd.objects.select_related("application").order_by("pk")
    return (
        _scoped(Link, user, token)
        .prefetch_related(Prefetch("ends", queryset=ends))
        .order_by("name", "pk")
    )


def link_ids_for_hall(*, hall_id: int) -> QuerySet[Link, Any]:
    """Links belonging to a hall: its own and those with an end in it (crossing halls)."""
    return Link.objects.filter(Q(hall_id=hall_id) | Q(ends__hall_id=hall_id)).values("pk")


# --- engine input --------------------------------------------------------------------------------


def _inputs(link_ids: Any) -> tuple[adapters.PlantGraph, list[adapters.LinkInput]]:
    graph = adapters.load(link_ids)
    return graph, [adapters.link_input(graph, pk) for pk in sorted(graph.ends)]


def channel_for_link(*, link: Link) -> Channel | None:
    """One link's engine channel (None when no channel can be built; see link_validate)."""
    return _inputs([link.pk])[1][0].channel


def channel_inputs_for_hall(*, hall_id: int) -> list[tuple[int, Channel | None]]:
    """Every link of one hall as (link id, engine channel), in a fixed number of queries."""
    _graph, items = _inputs(link_ids_for_hall(hall_id=hall_id))
    return [(item.link_id, item.channel) for item in items]


def channel_inputs_for_rack(*, rack_id: int) -> list[tuple[int, Channel | None]]:
    """Links with an end on a device in the rack, as (link id, channel), fixed queries."""
    ids = LinkEnd.objects.filter(port__transceiver__device__rack_id=rack_id).values("link_id")
    _graph, items = _inputs(ids)
    return [(item.link_id, item.channel) for item in items]


def channel_inputs_for_row(*, row_id: int) -> list[tuple[int, Channel | None]]:
    """Links with an end on a device in the row, as (link id, channel), fixed queries."""
    ids = LinkEnd.objects.filter(port__transceiver__device__rack__row_id=row_id).values("link_id")
    _graph, items = _inputs(ids)
    return [(item.link_id, item.channel) for item in items]


# --- validation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkResult:
    """One link validated from the store: status, report, what its walk touched, where it is.

    `rack_id`/`row_id`: the rack and row of the link's first end (end A, or the parent).
    """

    link_id: int
    status: str
    report: dict[str, Any]
    cable_ids: frozenset[int]
    port_ids: frozenset[int]
    name: str = ""
    rack_id: int | None = None
    row_id: int | None = None


def link_reports(
    *,
    link_ids: Any,
    options: Options | None = None,
    trace: bool = True,
    findings_only: bool = False,
) -> list[LinkResult]:
    """Validate the given links in a fixed number of queries (the load is scoped to them).

    `trace=False`: the reports carry no lane traces; findings, fixes and loss are the same.
    `findings_only` (audits): the reports' `trace` and `loss` are left empty.
    """
    graph, items = _inputs(link_ids)
    out = []
    for item in items:
        report = adapters.report_for(graph, item, options, trace=trace, findings_only=findings_only)
        rack = graph.ports[graph.ends[item.link_id][0].port_id][5]
        out.append(
            LinkResult(
                item.link_id,
                adapters.status_of(report),
                report,
                frozenset(item.cable_ids),
                frozenset(item.port_ids),
                item.name,
                rack,
                graph.rack_rows.get(rack) if rack is not None else None,
            )
        )
    return out


def link_reports_for_hall(
    *, hall_id: int, link_ids: Any = None, options: Options | None = None, trace: bool = True
) -> list[LinkResult]:
    """Validate the hall's links (or only `link_ids` among them) in a fixed number of queries."""
    scope = link_ids_for_hall(hall_id=hall_id)
    if link_ids is not None:
        scope = scope.filter(pk__in=list(link_ids))
    return link_reports(link_ids=scope, options=options, trace=trace)


def link_validate(*, link: Link, options: Options | None = None) -> dict[str, Any]:
    """Validate one link from the store: the engine's report plus plant findings (JSON data).

    Keys: ok, findings (engine shape; plant codes CABLE_TOO_SHORT, OPEN_FIBER for branches the
    engine cannot see, CHANNEL_INVALID), trace, loss, options, elements (ref -> name), status.
    An incomplete link still validates: OPEN_FIBER names the element and face where it stops.
    """
    graph, items = _inputs([link.pk])
    report = adapters.report_for(graph, items[0], options)
    report["status"] = adapters.status_of(report)
    return report


def link_trace(*, link: Link) -> dict[str, Any]:
    """Per fibre, per element: hops with positions and TIA-598 colours, and where each ends."""
    report = link_validate(link=link)
    return {
        "link": link.pk,
        "ok": report["ok"],
        "trace": report["trace"],
        "elements": report["elements"],
    }


def link_loss_budget(*, link: Link, options: Options | None = None) -> dict[str, Any]:
    """The link's loss budget: per channel (or branch) worst path, items, limit and margin."""
    report = link_validate(link=link, options=options)
    return {
        "link": link.pk,
        "ok": report["ok"],
        "loss": report["loss"],
        "elements": report["elements"],
    }


# --- cable routes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CableRoute:
    """A cable's routed length (mm), its parts, the cable's own length and what to order."""

    cable_id: int
    route: Route
    length_mm: int | None
    next_orderable_m: Decimal

    @property
    def routed_length_mm(self) -> int:
        """Rise + run + rise + slack per end."""
        return self.route.length_mm

    @property
    def too_short(self) -> bool:
        """The cable is shorter than its route."""
        return self.length_mm is not None and self.length_mm < self.route.length_mm


def cable_route_length(*, cable: Cable) -> CableRoute | None:
    """The routed length of a plugged cable; None if an end is free or the ends are in two halls.

    With several legs per end (harnesses) the longest leg-to-leg route counts. Two queries.
    """
    spots: dict[str, list[tuple[int, adapters.Spot]]] = {"A": [], "B": []}
    for end, hall_id, *place in Mating.objects.filter(leg__cable=cable).values_list(
        "leg__end",
        "port__hall_id",
        "port__transceiver__device__rack_id",
        "port__transceiver__device__rack__row__index",
        "port__transceiver__device__rack__position",
        "port__transceiver__device__u_position",
        "port__module__enclosure__rack_id",
        "port__module__enclosure__rack__row__index",
        "port__module__enclosure__rack__position",
        "port__module__enclosure__u_position",
    ):
        rack, index, position, u = place[:4] if place[0] is not None else place[4:]
        spots[end].append((hall_id, adapters.Spot(rack, index, position, u)))
    halls = {h for values in spots.values() for h, _s in values}
    if not spots["A"] or not spots["B"] or len(halls) != 1:
        return None
    geometry = _hall_geometry(halls.pop())
    best = max(
        (route(a, b, geometry) for _h, a in spots["A"] for _h2, b in spots["B"]),
        key=lambda r: r.length_mm,
    )
    return CableRoute(cable.pk, best, cable.length_mm, next_orderable_m(best.length_mm))


def _hall_geometry(hall_id: int) -> adapters.HallGeometry:
    rack, row, tray, offset, slack, project = (
        Hall.objects.filter(pk=hall_id)
        .values_list(
            "rack_pitch_mm",
            "row_pitch_mm",
            "tray_height_mm",
            "rack_floor_offset_mm",
            "cable_slack_mm",
            "project__cable_slack_m",
        )
        .get()
    )
    return adapters.HallGeometry(
        rack, row, tray, offset, slack if slack is not None else int(project * 1000)
    )


# --- permanent links -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PermanentLink:
    """A trunk leg pair with the cassette or panel at each end, checked by the engine.

    `report` is `apps.engine.permanent.PermanentLinkReport.as_dict()`: ok, method, findings
    (PERMANENT_LINK_POLARITY, TIER1_LIMIT_EXCEEDED, mating errors), loss (TierOneLoss: length,
    mated pairs counting both end connections, fibre, total max/typ, Tier-1 limit, margin), and the
    traced test channels. Refs: the trunk "cable:<id>", ends "module:<id>" or "port:<id>".
    """

    cable_id: int
    cable_label: str
    legs: tuple[str, str]
    ends: tuple[str, str]
    end_names: tuple[str, str]
    report: dict[str, Any]

    @property
    def tier1_limit_db(self) -> Decimal | None:
        """The TIA-568.3 Tier-1 limit (length × α + pairs × 0.75 + splices × 0.3), in dB."""
        loss = self.report.get("loss")
        return None if loss is None else Decimal(loss["limit_db"])

    @property
    def loss_db(self) -> Decimal | None:
        """The worst port pair's maximum loss, in dB."""
        loss = self.report.get("loss")
        return None if loss is None else Decimal(loss["total_max_db"])


def _permanent_matings(hall_id: int) -> QuerySet[Mating]:
    """Matings of the hall's trunk legs into cassettes or panel ports."""
    return Mating.objects.filter(leg__cable__hall_id=hall_id, port__module__isnull=False).filter(
        leg__cable__product_revision__product__cable_type="trunk"
    )


def trunk_ids_for_hall(*, hall_id: int) -> list[int]:
    """The hall's trunks with a leg in a cassette or panel port (permanent-link candidates)."""
    return list(
        _permanent_matings(hall_id)
        .order_by("leg__cable_id")
        .values_list("leg__cable_id", flat=True)
        .distinct()
    )


def _findings_only(report: PermanentLinkReport) -> PermanentLinkReport:
    """The report without its traced test channels and the per-item loss (refs in both)."""
    loss = None if report.loss is None else replace(report.loss, items=())
    return replace(report, channels=(), loss=loss)


def hall_cords(
    duplex: str | None, duplex_polarity: str | None, array: str | None, array_polarity: str | None
) -> HallCords:
    """The hall's standard cords as the engine's HallCords, by their polarity labels."""
    return HallCords(
        duplex_ab=duplex if duplex_polarity == "A-to-B" else None,
        duplex_aa=duplex if duplex_polarity == "A-to-A" else None,
        array_a=array if array_polarity == "A" else None,
        array_b=array if array_polarity == "B" else None,
    )


def permanent_links_for_hall(
    *, hall_id: int, cable_ids: Any = None, findings_only: bool = False
) -> list[PermanentLink]:
    """Derived permanent links: each trunk leg whose two ends sit in cassettes or panel ports.

    Checked by `apps.engine.permanent.permanent_link` against the hall's polarity method, closed
    with the hall's standard cords (`hall_cords`); a cord kind the hall does not name (Method A
    needs both an A-to-B and an A-to-A cord) the engine picks from the catalog. Three queries
    plus the catalog, whatever the number of trunks. `cable_ids`: only those trunks (an audit's
    slice); `findings_only` (audits): the reports keep findings and loss totals, not the traced test
    channels or the loss items, and trunks of one shape without findings share one check.
    """
    method, *standard = (
        Hall.objects.filter(pk=hall_id)
        .values_list(
            "polarity_method",
            "standard_duplex_cord__code",
            "standard_duplex_cord__polarity",
            "standard_array_cord__code",
            "standard_array_cord__polarity",
        )
        .get()
    )
    cords = hall_cords(*standard)
    matings = _permanent_matings(hall_id)
    if cable_ids is not None:
        matings = matings.filter(leg__cable_id__in=list(cable_ids))
    rows = list(
        matings.order_by("leg__cable_id", "leg__index", "leg__end").values_list(
            "leg__cable_id",
            "leg__cable__label",
            "leg__cable__length_mm",
            "leg__cable__product_revision_id",
            "leg__end",
            "leg__index",
            "port_id",
            "port__face",
            "port__label",
            "port__module_id",
            "port__module__product_revision_id",
            "port__module__enclosure__name",
            "port__module__slot",
        )
    )
    catalog, codes = adapters.revision_codes({r[3] for r in rows} | {r[10] for r in rows})
    pairs: dict[tuple[int, int], dict[str, tuple[Any, ...]]] = {}
    for row in rows:
        pairs.setdefault((row[0], row[5]), {})[row[4]] = row
    out: list[PermanentLink] = []
    # findings_only: a report without findings depends on the parts, faces, length and method
    # only (not on the refs), so trunks of the same shape share it (most of a hall's trunks).
    passed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for (cable_id, index), by_end in sorted(pairs.items()):
        if set(by_end) != {"A", "B"}:
            continue
        a, b = by_end["A"], by_end["B"]
        specs: list[ElementSpec] = []
        refs: list[str] = []
        names: list[str] = []
        for row, at_a in ((a, True), (b, False)):
            panel = row[7] == Port.Face.BOTH
            ref = f"port:{row[6]}" if panel else f"module:{row[9]}"
            code = codes[row[10]]
            if panel:  # the trunk at the rear ("1"), the test cord at the front ("2")
                spec = (
                    ElementSpec(code, None, "2", "1", ref)
                    if at_a
                    else ElementSpec(code, None, "1", "2", ref)
                )
            else:  # every front port is tested: name only the rear port the trunk is in
                spec = (
                    ElementSpec(code, None, None, row[8], ref)
                    if at_a
                    else ElementSpec(code, None, row[8], None, ref)
                )
            specs.append(spec)
            refs.append(ref)
            names.append(f"{row[11]} slot {row[12]}" + (f" port {row[8]}" if panel else ""))
        length = None if a[2] is None else Decimal(a[2]).scaleb(-3)
        trunk = ElementSpec(codes[a[3]], length, f"A{index}", f"B{index}", f"cable:{cable_id}")
        elements = (specs[0], trunk, specs[1])
        shape = tuple((e.product, e.length_m, e.enter, e.exit) for e in elements)
        try:
            report = passed.get(shape) if findings_only else None
            if report is None:
                checked = permanent_link(elements, catalog, method=method, cords=cords)
                if findings_only:
                    report = _findings_only(checked).as_dict()
                    if not checked.findings:
                        passed[shape] = report
                else:
                    report = checked.as_dict()
        except ChannelError as error:
            report = {
                "ok": False,
                "method": method,
                "findings": [
                    adapters.finding("CHANNEL_INVALID", refs[0], f"{error.code}: {error.message}")
                ],
                "loss": None,
                "channels": [],
            }
        out.append(
            PermanentLink(
                cable_id=cable_id,
                cable_label=a[1],
                legs=(f"A{index}", f"B{index}"),
                ends=(refs[0], refs[1]),
                end_names=(names[0], names[1]),
                report=report,
            )
        )
    return out
