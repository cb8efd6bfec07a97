"""Catalog serializers (read-only; shape only). Every one has a brief form: id, url, code, name."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.catalog.models import (
    Application,
    ApplicationLimit,
    ConnectorType,
    FiberType,
    LossGrade,
    Product,
    ProductRevision,
    SpliceType,
)
from apps.core.api.brief import BriefSerializer

SOURCED = ("sources", "source", "verified", "unverified_fields", "origin", "created", "updated")


def _brief(model_: type[Model], view_name: str) -> type[BriefSerializer]:
    class Brief(BriefSerializer, serializers.ModelSerializer):
        url = serializers.HyperlinkedIdentityField(view_name=view_name)

        class Meta:
            model = model_
            fields: ClassVar[tuple[str, ...]] = ("id", "url", "code", "name")

    Brief.__name__ = f"Brief{model_.__name__}Serializer"
    Brief.__doc__ = (
        f"The brief form of a {model_._meta.verbose_name} (`?brief=true`): id, url, code, name."
    )
    return Brief


BriefFiberTypeSerializer = _brief(FiberType, "catalog-fiber-type-detail")
BriefConnectorTypeSerializer = _brief(ConnectorType, "catalog-connector-type-detail")
BriefLossGradeSerializer = _brief(LossGrade, "catalog-loss-grade-detail")
BriefSpliceTypeSerializer = _brief(SpliceType, "catalog-splice-type-detail")
BriefApplicationSerializer = _brief(Application, "catalog-application-detail")
# The plant API nests products as {id, code, name} under the component name BriefProduct; the
# catalog's brief form (with url) is named apart.
BriefProductSerializer = extend_schema_serializer(component_name="BriefCatalogProduct")(
    _brief(Product, "catalog-product-detail")
)


class FiberTypeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog-fiber-type-detail")

    class Meta:
        model = FiberType
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "code",
            "name",
            "mode",
            "core_um",
            "modal_bandwidth_mhz_km",
            "jacket_color",
            "attenuation_db_per_km",
            *SOURCED,
        )


class ConnectorTypeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog-connector-type-detail")

    class Meta:
        model = ConnectorType
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "code",
            "name",
            "rows",
            "columns",
            "lit",
            "key",
            "gendered",
            "intermates",
            "loss_class",
            *SOURCED,
        )


class LossGradeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog-loss-grade-detail")

    class Meta:
        model = LossGrade
        fields: ClassVar[tuple[str, ...]] = ("id", "url", "code", "name", "rank", "pairs", *SOURCED)


class SpliceTypeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog-splice-type-detail")

    class Meta:
        model = SpliceType
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "code",
            "name",
            "max_db",
            "typ_db",
            *SOURCED,
        )


class ApplicationLimitSerializer(serializers.ModelSerializer):
    fiber_type: serializers.SlugRelatedField[FiberType] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = ApplicationLimit
        fields: ClassVar[tuple[str, ...]] = (
            "fiber_type",
            "reach_m",
            "il_db",
            "alloc_db",
            "sources",
            "verified",
        )


class ApplicationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog-application-detail")
    limits = ApplicationLimitSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "code",
            "name",
            "standard",
            "standard_body",
            "lanes",
            "signalling",
            "modulation",
            "wavelength_nm",
            "mode",
            "core_um",
            "mdi",
            "endface",
            "min_length_m",
            "reorders_lanes",
            "wdm",
            "bidirectional",
            "attenuation_db_per_km",
            "limits",
            "breakouts",
            "interoperates",
            *SOURCED,
        )


class ProductSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog-product-detail")
    fiber_type = BriefFiberTypeSerializer(read_only=True, allow_null=True)
    application = BriefApplicationSerializer(read_only=True, allow_null=True)
    revision = serializers.IntegerField(
        source="revision_number",
        read_only=True,
        allow_null=True,
        help_text="Number of the current revision.",
    )

    class Meta:
        model = Product
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "code",
            "kind",
            "name",
            "vendor",
            "description",
            "fiber_type",
            "application",
            "form_factor",
            "cable_type",
            "polarity",
            "families",
            "retired",
            "revision",
            "sources",
            "verified",
            "origin",
            "created",
            "updated",
        )


class ProductRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductRevision
        fields: ClassVar[tuple[str, ...]] = ("number", "content_hash", "origin", "created", "spec")


class ProductDetailSerializer(ProductSerializer):
    current_revision = serializers.SerializerMethodField(
        help_text="The current revision; `spec` is the normalised record the engine uses."
    )

    class Meta(ProductSerializer.Meta):
        fields = (*ProductSerializer.Meta.fields, "current_revision")

    @extend_schema_field(ProductRevisionSerializer(allow_null=True))
    def get_current_revision(self, product: Product) -> dict[str, Any] | None:
        # Prefetched by the selector (`current_revisions`): no query here.
        revisions = getattr(product, "current_revisions", [])
        return ProductRevisionSerializer(revisions[0]).data if revisions else None
