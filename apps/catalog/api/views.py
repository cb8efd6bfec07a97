"""The read-only catalog API under /api/v1/catalog/ (any signed-in user may read it).

NetBox conventions: limit/offset pagination, `?brief=true` for {id, url, code, name}, filters with
`__n`, `__ic`, ... lookups, `?q=` search and `?ordering=`. Detail is by id; to find a record by its
code use the `?code=` filter (`/api/v1/catalog/products/?code=QSFP28-SR4`), as in NetBox.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.filters import OrderingFilter

from apps.catalog import filtersets, selectors
from apps.catalog.api import serializers as s
from apps.core.api.brief import BriefModeMixin, brief_or_full

BRIEF = OpenApiParameter(
    "brief",
    OpenApiTypes.BOOL,
    description=(
        "Answer with the brief form of each record: id, url, code and name (the `Brief<Model>` "
        "branch of the answer's `oneOf`); absent or false: the full form."
    ),
)


class CatalogViewSet(BriefModeMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only catalog records with NetBox's brief mode."""

    filter_backends = (DjangoFilterBackend, OrderingFilter)
    ordering_fields: tuple[str, ...] = ("id", "code", "name", "created", "updated")


def _brief_example(example: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(
        "Brief (?brief=true)",
        value={k: example[k] for k in ("id", "url", "code", "name")},
        response_only=True,
    )


def _examples(
    name: str,
    example: dict[str, Any],
    full: type[serializers.Serializer],
    brief: type[serializers.Serializer],
) -> dict[str, Any]:
    """Schema decorators for list and retrieve: oneOf [full, brief], one example of each form.

    Examples are single records: drf-spectacular wraps them in a page for the list.
    """
    answer = brief_or_full(full, brief)
    examples = [OpenApiExample("Full", value=example, response_only=True), _brief_example(example)]
    return {
        "list": extend_schema(
            summary=f"List {name}", parameters=[BRIEF], responses=answer, examples=examples
        ),
        "retrieve": extend_schema(
            summary=f"One of the {name}, by id",
            parameters=[BRIEF],
            responses=answer,
            examples=examples,
        ),
    }


SOURCED_EXAMPLE = {
    "sources": {"attenuation_db_per_km.tia": "OK"},
    "source": "",
    "verified": False,
    "unverified_fields": ["attenuation_db_per_km.tia"],
    "origin": "seed",
    "created": "2026-01-05T10:00:00Z",
    "updated": "2026-01-05T10:00:00Z",
}


@extend_schema_view(
    **_examples(
        "fibre types",
        {
            "id": 4,
            "url": "https://fiber.example/api/v1/catalog/fiber-types/4/",
            "code": "OM4",
            "name": "OM4 50/125 µm laser-optimised multimode",
            "mode": "multimode",
            "core_um": "50",
            "modal_bandwidth_mhz_km": 4700,
            "jacket_color": "aqua",
            "attenuation_db_per_km": {
                "ieee": {"850": "3.5", "1300": "1.5"},
                "tia": {"850": "3.0", "1300": "1.5"},
            },
            **SOURCED_EXAMPLE,
        },
        s.FiberTypeSerializer,
        s.BriefFiberTypeSerializer,
    )
)
class FiberTypeViewSet(CatalogViewSet):
    """Fibre types (OM1-OM5, OS1a, OS2) and their attenuation per basis and band."""

    queryset = selectors.fiber_type_list()
    serializer_class = s.FiberTypeSerializer
    brief_serializer_class = s.BriefFiberTypeSerializer
    filterset_class = filtersets.FiberTypeFilterSet
    ordering_fields = (*CatalogViewSet.ordering_fields, "mode", "modal_bandwidth_mhz_km")


@extend_schema_view(
    **_examples(
        "connector types",
        {
            "id": 3,
            "url": "https://fiber.example/api/v1/catalog/connector-types/3/",
            "code": "MPO-8",
            "name": "MPO 8-fibre",
            "rows": 1,
            "columns": 12,
            "lit": [1, 2, 3, 4, 9, 10, 11, 12],
            "key": "standard",
            "gendered": True,
            "intermates": ["MPO-12"],
            "loss_class": "mpo",
            **SOURCED_EXAMPLE,
        },
        s.ConnectorTypeSerializer,
        s.BriefConnectorTypeSerializer,
    )
)
class ConnectorTypeViewSet(CatalogViewSet):
    """Connector families: ferrule geometry, lit positions, key, gender and loss class."""

    queryset = selectors.connector_type_list()
    serializer_class = s.ConnectorTypeSerializer
    brief_serializer_class = s.BriefConnectorTypeSerializer
    filterset_class = filtersets.ConnectorTypeFilterSet


@extend_schema_view(
    **_examples(
        "loss grades",
        {
            "id": 1,
            "url": "https://fiber.example/api/v1/catalog/loss-grades/1/",
            "code": "standard",
            "name": "Standard (TIA-568.3)",
            "rank": 3,
            "pairs": {
                "mpo": {"max_db": "0.75", "typ_db": "0.25"},
                "duplex": {"max_db": "0.75", "typ_db": "0.25"},
            },
            **{**SOURCED_EXAMPLE, "sources": {"*": "S36"}, "verified": True},
            "unverified_fields": [],
        },
        s.LossGradeSerializer,
        s.BriefLossGradeSerializer,
    )
)
class LossGradeViewSet(CatalogViewSet):
    """Connector loss grades: max (budget) and typical dB per mated pair, per loss class."""

    queryset = selectors.loss_grade_list()
    serializer_class = s.LossGradeSerializer
    brief_serializer_class = s.BriefLossGradeSerializer
    filterset_class = filtersets.LossGradeFilterSet
    ordering_fields = (*CatalogViewSet.ordering_fields, "rank")


@extend_schema_view(
    **_examples(
        "splice types",
        {
            "id": 1,
            "url": "https://fiber.example/api/v1/catalog/splice-types/1/",
            "code": "fusion",
            "name": "Fusion splice",
            "max_db": "0.300",
            "typ_db": "0.050",
            **SOURCED_EXAMPLE,
            "sources": {},
            "source": "OK",
            "unverified_fields": ["*"],
        },
        s.SpliceTypeSerializer,
        s.BriefSpliceTypeSerializer,
    )
)
class SpliceTypeViewSet(CatalogViewSet):
    """Splice kinds with their max and typical loss."""

    queryset = selectors.splice_type_list()
    serializer_class = s.SpliceTypeSerializer
    brief_serializer_class = s.BriefSpliceTypeSerializer
    filterset_class = filtersets.SpliceTypeFilterSet


@extend_schema_view(
    **_examples(
        "applications",
        {
            "id": 7,
            "url": "https://fiber.example/api/v1/catalog/applications/7/",
            "code": "100GBASE-SR4",
            "name": "100GBASE-SR4",
            "standard": "IEEE 802.3bm cl.95",
            "standard_body": "ieee",
            "lanes": 4,
            "signalling": "4 × 25.78125 GBd NRZ (RS-FEC)",
            "modulation": "nrz",
            "wavelength_nm": 850,
            "mode": "multimode",
            "core_um": "50",
            "mdi": [{"family": "MPO-12", "layout": "mpo12-4x4"}],
            "endface": "PC",
            "min_length_m": "0.500",
            "reorders_lanes": True,
            "wdm": False,
            "bidirectional": False,
            "attenuation_db_per_km": "3.500",
            "limits": [
                {
                    "fiber_type": "OM4",
                    "reach_m": "100.000",
                    "il_db": "1.900",
                    "alloc_db": "1.500",
                    "sources": {"limits.OM4": "S10"},
                    "verified": True,
                }
            ],
            "breakouts": [{"children": ["25GBASE-SR"], "legs": 4, "lanes_per_leg": 1}],
            "interoperates": [],
            **{**SOURCED_EXAMPLE, "sources": {"limits.OM4": "S10"}, "verified": True},
            "unverified_fields": [],
        },
        s.ApplicationSerializer,
        s.BriefApplicationSerializer,
    )
)
class ApplicationViewSet(CatalogViewSet):
    """Applications (PMDs) with their MDI options and limits per fibre type.

    A fibre type missing from `limits` means the application does not run on it; a null
    `reach_m` or `il_db` means the reference gives no value.
    """

    queryset = selectors.application_list()
    serializer_class = s.ApplicationSerializer
    brief_serializer_class = s.BriefApplicationSerializer
    filterset_class = filtersets.ApplicationFilterSet
    ordering_fields = (*CatalogViewSet.ordering_fields, "lanes", "wavelength_nm")


PRODUCT_EXAMPLE = {
    "id": 12,
    "url": "https://fiber.example/api/v1/catalog/products/12/",
    "code": "TRK-B8-MPO12-B-OM4-MM",
    "kind": "cable",
    "name": "MPO-8 trunk, Type B, OM4, pinned both ends",
    "vendor": "",
    "description": "",
    "fiber_type": {
        "id": 4,
        "url": "https://fiber.example/api/v1/catalog/fiber-types/4/",
        "code": "OM4",
        "name": "OM4 50/125 µm laser-optimised multimode",
    },
    "application": None,
    "form_factor": "",
    "cable_type": "trunk",
    "polarity": "B",
    "families": ["MPO-8"],
    "retired": False,
    "revision": 1,
    "sources": {},
    "verified": True,
    "origin": "seed",
    "created": "2026-01-05T10:00:00Z",
    "updated": "2026-01-05T10:00:00Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List products",
        description=(
            "Retired products are hidden unless `?retired=` is given. Find one product by its "
            "code with `?code=`."
        ),
        parameters=[BRIEF],
        responses=brief_or_full(s.ProductSerializer, s.BriefProductSerializer),
        examples=[
            OpenApiExample("Full", value=PRODUCT_EXAMPLE, response_only=True),
            _brief_example(PRODUCT_EXAMPLE),
        ],
    ),
    retrieve=extend_schema(
        summary="One product by id, with its current revision's spec",
        parameters=[BRIEF],
        responses=brief_or_full(s.ProductDetailSerializer, s.BriefProductSerializer),
        examples=[
            OpenApiExample(
                "Cable",
                value={
                    **PRODUCT_EXAMPLE,
                    "current_revision": {
                        "number": 1,
                        "content_hash": "9f2c…",
                        "origin": "seed",
                        "created": "2026-01-05T10:00:00Z",
                        "spec": {
                            "code": "TRK-B8-MPO12-B-OM4-MM",
                            "kind": "cable",
                            "cable_type": "trunk",
                            "polarity": "B",
                            "fiber_type": "OM4",
                            "fiber_count": 8,
                            "grade": "low-loss",
                            "ends": {
                                "A": [{"family": "MPO-8", "gender": "male", "endface": "PC"}],
                                "B": [{"family": "MPO-8", "gender": "male", "endface": "PC"}],
                            },
                            "map": [["A1:1", "B1:12"], ["A1:2", "B1:11"], ["…", "…"]],
                            "verified": True,
                        },
                    },
                },
                response_only=True,
            ),
            _brief_example(PRODUCT_EXAMPLE),
        ],
    ),
)
class ProductViewSet(CatalogViewSet):
    """Products: transceivers, cables, cassettes, adapters, panels, enclosures and splices."""

    queryset = selectors.product_list()
    serializer_class = s.ProductSerializer
    brief_serializer_class = s.BriefProductSerializer
    filterset_class = filtersets.ProductFilterSet
    ordering_fields = (
        *CatalogViewSet.ordering_fields,
        "kind",
        "vendor",
        "cable_type",
        "polarity",
        "form_factor",
    )

    def get_queryset(self) -> QuerySet:
        if self.action == "retrieve" and not self.brief:
            return selectors.product_detail_list()
        return selectors.product_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve" and not self.brief:
            return s.ProductDetailSerializer
        return super().get_serializer_class()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and "retired" not in self.request.query_params:
            queryset = queryset.filter(retired=False)
        return queryset
