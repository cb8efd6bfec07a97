"""Links: create, delete and re-validate end-to-end links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from apps.accounts.models import Project, User
from apps.catalog.models import Application, ProductRevision
from apps.core.exceptions import ApplicationError
from apps.plant.models import (
    Hall,
    Link,
    LinkEnd,
    Port,
)
from apps.plant.services._common import (
    _conflict,
    _hall_bump,
    _links_revalidate_later,
    _same_project,
    _save,
)

# --- links ---------------------------------------------------------------------------------------


def _transceiver_port(project: Project, port: Port, attr: str) -> None:
    _same_project(project.pk, port, "The port", attr)
    if port.transceiver_id is None:
        raise ApplicationError(
            "A link ends at a transceiver port.", code="not_a_transceiver", attr=attr
        )


def _end_application(port: Port, application: Application | None) -> Application | None:
    if application is not None:
        return application
    spec = (
        ProductRevision.objects.filter(plant_transceivers__ports=port)
        .values_list("spec", flat=True)
        .first()
    )
    code = (spec or {}).get("application")
    return Application.objects.filter(code=code).first() if code else None


@transaction.atomic
def link_create(
    *,
    project: Project,
    name: str,
    a_port: Port | None = None,
    b_port: Port | None = None,
    parent_port: Port | None = None,
    children: Sequence[tuple[Port, Sequence[int]]] = (),
    a_application: Application | None = None,
    b_application: Application | None = None,
    by: User | None = None,
) -> Link:
    """Define a link: aggregate (a_port, b_port) or breakout (parent_port, [(port, lanes)]).

    Ends are transceiver ports of the project; each end's application defaults to its
    transceiver's. A port is the end of one link at most (409 `port_linked`). The link starts with
    status `unknown` and `needs_revalidation=True`.
    """
    aggregate = a_port is not None or b_port is not None
    if aggregate == (parent_port is not None) or (aggregate and (a_port is None or b_port is None)):
        raise ApplicationError(
            "Give a_port and b_port, or parent_port and children.", code="invalid_shape"
        )
    if parent_port is not None and not children:
        raise ApplicationError("A breakout needs children.", code="invalid_shape", attr="children")
    ends: list[tuple[str, Port, list[int], Application | None, str]] = []
    if aggregate:
        assert a_port is not None
        assert b_port is not None
        ends = [
            ("a", a_port, [], a_application, "a_port"),
            ("b", b_port, [], b_application, "b_port"),
        ]
    else:
        assert parent_port is not None
        ends = [("parent", parent_port, [], None, "parent_port")]
        seen: set[int] = set()
        for port, lanes in children:
            if not lanes or seen & set(lanes) or min(lanes) < 0:
                raise ApplicationError(
                    "Each child carries its own parent lanes (0-based).",
                    code="invalid_lanes",
                    attr="children",
                )
            seen |= set(lanes)
            ends.append(("child", port, list(lanes), None, "children"))
    ports = [port.pk for _role, port, *_ in ends]
    if len(set(ports)) != len(ports):
        raise ApplicationError("A port appears twice.", code="invalid_shape")
    for _role, port, _lanes, _app, attr in ends:
        _transceiver_port(project, port, attr)
    hall_id = ends[0][1].hall_id
    link = Link(
        project=project,
        hall_id=hall_id,
        name=name,
        shape=Link.Shape.AGGREGATE if aggregate else Link.Shape.BREAKOUT,
        created_by=by,
    )
    _save(link)
    if LinkEnd.objects.filter(port_id__in=ports).exists():
        raise ApplicationError(
            "A port is already the end of a link.", code="port_linked", status=409
        )
    rows = [
        LinkEnd(
            link=link,
            project=project,
            hall_id=port.hall_id,
            role=role,
            port=port,
            lanes=lanes,
            application=_end_application(port, application),
        )
        for role, port, lanes, application, _attr in ends
    ]
    try:
        with transaction.atomic():
            LinkEnd.objects.bulk_create(rows)
    except IntegrityError as error:
        raise _conflict(error) from error
    _hall_bump(*(port.hall_id for _r, port, *_ in ends))
    _links_revalidate_later(Link.objects.filter(pk=link.pk))
    return link


@transaction.atomic
def link_delete(*, link: Link) -> None:
    """Delete a link and its ends (the cabling stays)."""
    halls = set(LinkEnd.objects.filter(link=link).values_list("hall_id", flat=True))
    link.delete()
    _hall_bump(link.hall_id, *halls)


@transaction.atomic
def links_revalidate(
    *, hall_id: int, link_ids: Sequence[int] | None = None, options: Any = None
) -> list[Link]:
    """Validate the hall's links (or the given ones) from the store and save status and report.

    Stores each link's status (ok / warning / error), report, the hall revision it was computed at
    and what its walk touched, with one bulk update. `options`: engine Options (default: its own).
    """
    from apps.plant.selectors import link_reports_for_hall

    revision = Hall.objects.filter(pk=hall_id).values_list("plant_revision", flat=True).get()
    results = link_reports_for_hall(hall_id=hall_id, link_ids=link_ids, options=options)
    links = list(Link.objects.filter(pk__in=[r.link_id for r in results]).order_by("pk"))
    by_id = {r.link_id: r for r in results}
    for link in links:
        result = by_id[link.pk]
        link.status = result.status
        link.last_report = result.report
        link.status_revision = revision
        link.needs_revalidation = False
        link.touched_cable_ids = sorted(result.cable_ids)
        link.touched_port_ids = sorted(result.port_ids)
    Link.objects.bulk_update(
        links,
        [
            "status",
            "last_report",
            "status_revision",
            "needs_revalidation",
            "touched_cable_ids",
            "touched_port_ids",
        ],
    )
    return links
