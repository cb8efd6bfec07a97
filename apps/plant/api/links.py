"""Link operations: validate (stored status), trace and loss budget, from what is stored.

    GET  /links/{id}/validate/      the stored status and report (any member)
    POST /links/{id}/validate/      validate now with options, store status and report (designer)
    GET  /links/{id}/trace/         per fibre, per element: positions and TIA-598 colours
    GET  /links/{id}/loss-budget/   per channel or branch: items, limit and margin

An incomplete link still answers: the trace's outcome and an OPEN_FIBER finding name the element
and face where the path stops.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.engine.channel import Options
from apps.plant import selectors, services
from apps.plant.api import serializers as s
from apps.plant.api.base import require_writable
from apps.plant.api.schema import LINK_REPORT_EXAMPLE, LOSS_EXAMPLE, TRACE_EXAMPLE
from apps.plant.models import Link


def _options(data: Any) -> Options:
    params = s.ValidateOptionsSerializer(data=data)
    params.is_valid(raise_exception=True)
    return Options(**params.validated_data)


def _stored(link: Link) -> dict[str, Any]:
    return {
        "link": link.pk,
        "status": link.status,
        "status_revision": link.status_revision,
        "needs_revalidation": link.needs_revalidation,
        "report": link.last_report,
    }


class LinkOperationsMixin:
    """Actions of LinkViewSet."""

    get_object: Any

    @extend_schema(
        methods=["GET"],
        summary="The link's stored validation (status and last report)",
        responses={200: s.LinkReportSerializer},
        parameters=[],
        filters=False,
    )
    @extend_schema(
        methods=["POST"],
        summary="Validate the link now from the store and keep its status (designers)",
        request=s.ValidateOptionsSerializer,
        responses={200: s.LinkReportSerializer},
        examples=[
            OpenApiExample(
                "Options",
                value={"basis": "tia", "count_transceiver_matings": False, "low_margin_db": "0.5"},
                request_only=True,
            ),
            OpenApiExample("Report", value=LINK_REPORT_EXAMPLE, response_only=True),
        ],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def validate(self, request: Request, pk: str) -> Response:
        link = self.get_object()
        if request.method == "POST":
            require_writable(request, link.project_id)
            options = _options(request.data)
            services.links_revalidate(hall_id=link.hall_id, link_ids=[link.pk], options=options)
            link.refresh_from_db()
        return Response(s.LinkReportSerializer(_stored(link)).data)

    @extend_schema(
        summary="Trace the link fibre by fibre (positions, TIA-598 colours, where it stops)",
        responses={200: s.LinkTraceSerializer},
        examples=[OpenApiExample("Trace", value=TRACE_EXAMPLE, response_only=True)],
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def trace(self, request: Request, pk: str) -> Response:
        link = self.get_object()
        return Response(s.LinkTraceSerializer(selectors.link_trace(link=link)).data)

    @extend_schema(
        summary="The link's loss budget (per channel or breakout branch)",
        parameters=[s.ValidateOptionsSerializer],
        responses={200: s.LinkLossSerializer},
        examples=[OpenApiExample("Loss budget", value=LOSS_EXAMPLE, response_only=True)],
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="loss-budget", pagination_class=None)
    def loss_budget(self, request: Request, pk: str) -> Response:
        link = self.get_object()
        options = _options(request.query_params)
        report = selectors.link_loss_budget(link=link, options=options)
        return Response(s.LinkLossSerializer(report).data)
