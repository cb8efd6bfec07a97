"""Plant serializers: shape only (STYLE.md). Output serializers read rows the selectors fetched;
input serializers check what a write sends and resolve related ids within the caller's projects.

Related ids in writes resolve through the scoped selectors (`ScopedRelatedField`): another
project's id answers exactly like an id that never existed ("does_not_exist"). Catalog products
are global and are given by code (`"product": "TRK-B12-MPO12-B-FF-OM4"`; the current revision).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.authentication import request_token
from apps.accounts.selectors import project_list
from apps.catalog.models import Application, Product, ProductRevision
from apps.core.api.brief import BriefSerializer
from apps.plant import selectors
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

MAX_ID = 2**63 - 1  # bigint: a larger id cannot exist, and must not reach the database
SMALL = 32767  # PositiveSmallIntegerField
BULK_MAX = 1000

# --- related fields ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """An id resolved among the rows the request may see (from a scoped selector), else 400."""

    def __init__(self, selector: Callable[..., QuerySet[Any]], **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context["request"]
        return self.selector(user=request.user, token=request_token(request))

    def to_internal_value(self, data: Any) -> Model:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.isdigit():
            self.fail("incorrect_type", data_type="str")
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


def _projects(*, user: Any, token: Any) -> QuerySet[Any]:
    return project_list(user=user, token=token)


def scoped(selector: Callable[..., QuerySet[Any]], **kwargs: Any) -> ScopedRelatedField:
    return ScopedRelatedField(selector, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class ProductField(serializers.SlugRelatedField):
    """A catalog product by code; resolves to its current revision."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Catalog product code (its current revision is installed).")
        super().__init__(
            slug_field="product__code",
            queryset=ProductRevision.objects.filter(is_current=True).select_related("product"),
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> ProductRevision:
        if not isinstance(data, str) or not 0 < len(data) <= 100:
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
class CordField(serializers.SlugRelatedField):
    """A catalog cable product by code (a hall's standard cords)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Product.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Product:
        if not isinstance(data, str) or not 0 < len(data) <= 100:
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
class ApplicationField(serializers.SlugRelatedField):
    """A catalog application by code (100GBASE-SR4, ...)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Application.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Application:
        if not isinstance(data, str) or not 0 < len(data) <= 100:
            self.fail("invalid")
        return super().to_internal_value(data)


def name_field(max_length: int = 100) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=False, trim_whitespace=True)


def small_int(minimum: int = 1, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=minimum, max_value=SMALL, **kwargs)


# --- output --------------------------------------------------------------------------------------


class BriefProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields: ClassVar[tuple[str, ...]] = ("id", "code", "name")


class PlantSerializer(serializers.ModelSerializer):
    """id, url and display first, as NetBox does."""

    url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()
    view_name: ClassVar[str]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Model) -> str:
        from rest_framework.reverse import reverse

        return reverse(
            f"plant-{self.view_name}-detail", args=[obj.pk], request=self.context.get("request")
        )

    def get_display(self, obj: Model) -> str:
        return str(obj)


def _brief(serializer: type[PlantSerializer], *extra: str) -> type[BriefSerializer]:
    """The brief form: id, url, display and what names the record (NetBox's `brief_fields`)."""

    model_: type[Model] = serializer.Meta.model

    class Meta:
        model = model_
        fields = ("id", "url", "display", *extra)

    return type(
        f"Brief{model_.__name__}Serializer",
        (BriefSerializer, PlantSerializer),
        {
            "Meta": Meta,
            "view_name": serializer.view_name,
            "__module__": __name__,
            "__doc__": f"The brief form of a {model_._meta.verbose_name} (`?brief=true`).",
        },
    )


STAMPS = ("created", "updated")


class SiteSerializer(PlantSerializer):
    view_name = "site"

    class Meta:
        model = Site
        fields: ClassVar[tuple[str, ...]] = ("id", "url", "display", "project", "name", *STAMPS)


class HallSerializer(PlantSerializer):
    view_name = "hall"
    standard_duplex_cord: serializers.SlugRelatedField[Product] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    standard_array_cord: serializers.SlugRelatedField[Product] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Hall
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "site",
            "name",
            "polarity_method",
            "standard_duplex_cord",
            "standard_array_cord",
            "plant_revision",
            "rack_pitch_mm",
            "row_pitch_mm",
            "tray_height_mm",
            "rack_floor_offset_mm",
            "cable_slack_mm",
            *STAMPS,
        )


class RowSerializer(PlantSerializer):
    view_name = "row"

    class Meta:
        model = Row
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "name",
            "index",
            *STAMPS,
        )


class RackSerializer(PlantSerializer):
    view_name = "rack"

    class Meta:
        model = Rack
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "row",
            "name",
            "position",
            "height_u",
            *STAMPS,
        )


class DeviceSerializer(PlantSerializer):
    view_name = "device"

    class Meta:
        model = Device
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "rack",
            "name",
            "kind",
            "u_position",
            "height_u",
            *STAMPS,
        )


class TransceiverSerializer(PlantSerializer):
    view_name = "transceiver"
    product = BriefProductSerializer(source="product_revision.product", read_only=True)
    product_revision = serializers.IntegerField(source="product_revision.number", read_only=True)

    class Meta:
        model = Transceiver
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "device",
            "cage",
            "product",
            "product_revision",
            *STAMPS,
        )


class EnclosureSerializer(PlantSerializer):
    view_name = "enclosure"
    product = BriefProductSerializer(source="product_revision.product", read_only=True)
    product_revision = serializers.IntegerField(source="product_revision.number", read_only=True)

    class Meta:
        model = Enclosure
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "rack",
            "name",
            "product",
            "product_revision",
            "u_position",
            "height_u",
            *STAMPS,
        )


class ModuleSerializer(PlantSerializer):
    view_name = "module"
    product = BriefProductSerializer(source="product_revision.product", read_only=True)
    product_revision = serializers.IntegerField(source="product_revision.number", read_only=True)

    class Meta:
        model = Module
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "enclosure",
            "slot",
            "product",
            "product_revision",
            "orientation",
            *STAMPS,
        )


class PortSerializer(PlantSerializer):
    view_name = "port"

    class Meta:
        model = Port
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "transceiver",
            "module",
            "label",
            "face",
            "family",
            *STAMPS,
        )


class LegMatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mating
        fields: ClassVar[tuple[str, ...]] = ("id", "port", "side")


class CableLegSerializer(PlantSerializer):
    view_name = "cable-leg"
    face = serializers.CharField(read_only=True, help_text="A1, B3, ...: end and index.")
    mating = serializers.SerializerMethodField()

    class Meta:
        model = CableLeg
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "cable",
            "end",
            "index",
            "face",
            "label",
            "mating",
        )

    @extend_schema_field(LegMatingSerializer(allow_null=True))
    def get_mating(self, leg: CableLeg) -> dict[str, Any] | None:
        mating = getattr(leg, "mating", None)  # prefetched by the selector
        return None if mating is None else LegMatingSerializer(mating).data


class CableLegInCableSerializer(serializers.ModelSerializer):
    face = serializers.CharField(read_only=True)
    mating = serializers.SerializerMethodField()

    class Meta:
        model = CableLeg
        fields: ClassVar[tuple[str, ...]] = ("id", "face", "label", "mating")

    @extend_schema_field(LegMatingSerializer(allow_null=True))
    def get_mating(self, leg: CableLeg) -> dict[str, Any] | None:
        mating = getattr(leg, "mating", None)  # prefetched by the selector
        return None if mating is None else LegMatingSerializer(mating).data


class CableSerializer(PlantSerializer):
    view_name = "cable"
    product = BriefProductSerializer(source="product_revision.product", read_only=True)
    product_revision = serializers.IntegerField(source="product_revision.number", read_only=True)
    legs = CableLegInCableSerializer(many=True, read_only=True)

    class Meta:
        model = Cable
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "label",
            "product",
            "product_revision",
            "length_mm",
            "status",
            "legs",
            *STAMPS,
        )


class MatingSerializer(PlantSerializer):
    view_name = "mating"

    class Meta:
        model = Mating
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "leg",
            "port",
            "side",
            "created",
        )


class LinkEndSerializer(serializers.ModelSerializer):
    application: serializers.SlugRelatedField[Application] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = LinkEnd
        fields: ClassVar[tuple[str, ...]] = ("id", "role", "port", "hall", "lanes", "application")


class LinkSerializer(PlantSerializer):
    view_name = "link"
    ends = LinkEndSerializer(many=True, read_only=True)

    class Meta:
        model = Link
        fields: ClassVar[tuple[str, ...]] = (
            "id",
            "url",
            "display",
            "project",
            "hall",
            "name",
            "shape",
            "status",
            "status_revision",
            "needs_revalidation",
            "ends",
            *STAMPS,
        )


BriefSiteSerializer = _brief(SiteSerializer, "name")
BriefHallSerializer = _brief(HallSerializer, "name")
BriefRowSerializer = _brief(RowSerializer, "name")
BriefRackSerializer = _brief(RackSerializer, "name")
BriefDeviceSerializer = _brief(DeviceSerializer, "name")
BriefTransceiverSerializer = _brief(TransceiverSerializer, "cage")
BriefEnclosureSerializer = _brief(EnclosureSerializer, "name")
BriefModuleSerializer = _brief(ModuleSerializer, "slot")
BriefPortSerializer = _brief(PortSerializer, "label")
BriefCableSerializer = _brief(CableSerializer, "label")
BriefCableLegSerializer = _brief(CableLegSerializer, "face")
BriefMatingSerializer = _brief(MatingSerializer)
BriefLinkSerializer = _brief(LinkSerializer, "name", "status")


# --- input: create -------------------------------------------------------------------------------


class SiteCreateSerializer(serializers.Serializer):
    project = scoped(_projects, help_text="A project you are a designer or owner of.")
    name = name_field()


class HallSettingsSerializer(serializers.Serializer):
    polarity_method = serializers.ChoiceField(choices=Hall.PolarityMethod.choices, required=False)
    standard_duplex_cord = CordField(required=False, allow_null=True)
    standard_array_cord = CordField(required=False, allow_null=True)
    rack_pitch_mm = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    row_pitch_mm = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    tray_height_mm = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    rack_floor_offset_mm = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
    cable_slack_mm = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True
    )


class HallCreateSerializer(HallSettingsSerializer):
    site = scoped(selectors.site_list)
    name = name_field()


class HallUpdateSerializer(HallSettingsSerializer):
    name = name_field()


class RowCreateSerializer(serializers.Serializer):
    hall = scoped(selectors.hall_list)
    name = name_field()
    index = small_int(0, help_text="Place of the row in the hall (0, 1, ...).")


class RackCreateSerializer(serializers.Serializer):
    row = scoped(selectors.row_list)
    name = name_field()
    position = small_int(0, help_text="Place of the rack in its row (0, 1, ...).")
    height_u = serializers.IntegerField(min_value=1, max_value=100, default=42)


class DeviceCreateSerializer(serializers.Serializer):
    rack = scoped(selectors.rack_list)
    name = name_field()
    kind = serializers.ChoiceField(choices=Device.Kind.choices, default=Device.Kind.SWITCH)
    u_position = small_int()
    height_u = serializers.IntegerField(min_value=1, max_value=100, default=1)


class TransceiverCreateSerializer(serializers.Serializer):
    device = scoped(selectors.device_list)
    cage = name_field(50)
    product = ProductField()


class EnclosureCreateSerializer(serializers.Serializer):
    rack = scoped(selectors.rack_list)
    name = name_field()
    product = ProductField()
    u_position = small_int()


class ModuleCreateSerializer(serializers.Serializer):
    enclosure = scoped(selectors.enclosure_list)
    slot = small_int()
    product = ProductField()
    orientation = serializers.ChoiceField(
        choices=Module.Orientation.choices, default=Module.Orientation.NORMAL
    )


class CableCreateSerializer(serializers.Serializer):
    hall = scoped(selectors.hall_list, help_text="The hall of end A.")
    label = name_field()  # type: ignore[assignment]  # a field named "label"
    product = ProductField()
    length_mm = serializers.IntegerField(
        min_value=1, max_value=2_000_000_000, required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=Cable.Status.choices, default=Cable.Status.PLANNED)


class MatingCreateSerializer(serializers.Serializer):
    leg = scoped(selectors.cable_leg_list)
    port = scoped(selectors.port_list)
    side = serializers.ChoiceField(choices=Mating.Side.choices)


class LinkChildSerializer(serializers.Serializer):
    port = scoped(selectors.port_list)
    lanes = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=1023),
        min_length=1,
        max_length=64,
        help_text="The parent lanes this child carries (0-based).",
    )


class LinkCreateSerializer(serializers.Serializer):
    """Aggregate: a_port and b_port. Breakout: parent_port and children (each with its lanes)."""

    name = name_field()
    a_port = scoped(selectors.port_list, required=False)
    b_port = scoped(selectors.port_list, required=False)
    a_application = ApplicationField(required=False, allow_null=True)
    b_application = ApplicationField(required=False, allow_null=True)
    parent_port = scoped(selectors.port_list, required=False)
    children = serializers.ListField(child=LinkChildSerializer(), required=False, max_length=64)


# --- input: update (PATCH: names and settings only) ----------------------------------------------


class NameUpdateSerializer(serializers.Serializer):
    name = name_field()


class DeviceUpdateSerializer(serializers.Serializer):
    name = name_field()
    kind = serializers.ChoiceField(choices=Device.Kind.choices)


class ModuleUpdateSerializer(serializers.Serializer):
    orientation = serializers.ChoiceField(choices=Module.Orientation.choices)


class CableUpdateSerializer(serializers.Serializer):
    label = name_field()  # type: ignore[assignment]  # a field named "label"
    length_mm = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    status = serializers.ChoiceField(choices=Cable.Status.choices)


# --- input: actions ------------------------------------------------------------------------------

LEG_FACE = r"^[AB][1-9][0-9]{0,3}$"


class CableConnectSerializer(serializers.Serializer):
    leg = serializers.RegexField(LEG_FACE, help_text="The cable's leg: A1, B3, ...")
    port = scoped(selectors.port_list)
    side = serializers.ChoiceField(choices=Mating.Side.choices)


class CableDisconnectSerializer(serializers.Serializer):
    leg = serializers.RegexField(LEG_FACE, help_text="The cable's leg: A1, B3, ...")


class EnclosureMoveSerializer(serializers.Serializer):
    rack = scoped(selectors.rack_list, help_text="A rack of the same hall.")
    u_position = small_int()


class ValidateOptionsSerializer(serializers.Serializer):
    """Validation options (as in POST /api/v1/validate/)."""

    basis = serializers.ChoiceField(
        choices=["ieee", "tia", "iso", "datasheet"],
        default="ieee",
        help_text="Attenuation basis for the fibre loss.",
    )
    count_transceiver_matings = serializers.BooleanField(
        default=False, help_text="Count the two matings at the transceiver MDIs (IEEE does not)."
    )
    low_margin_db = serializers.DecimalField(
        max_digits=5,
        decimal_places=3,
        min_value=0,
        default=Decimal("0.5"),
        help_text="A margin below this many dB is reported as LOW_MARGIN.",
    )


# --- output: operations --------------------------------------------------------------------------


class LinkReportSerializer(serializers.Serializer):
    """A link's validation: status and the engine's report (findings, trace, loss, elements)."""

    link = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Link.Status.choices)
    status_revision = serializers.IntegerField(allow_null=True)
    needs_revalidation = serializers.BooleanField()
    report = serializers.DictField(
        allow_null=True,
        help_text=(
            "The engine's report: ok, findings, trace, loss, options, elements (ref -> name). "
            "Null until the link is validated (POST)."
        ),
    )


class LinkTraceSerializer(serializers.Serializer):
    link = serializers.IntegerField()
    ok = serializers.BooleanField()
    trace = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per fibre (lane and direction): hops with ref, face, position and TIA-598 "
        "colour, and the outcome: where it lands or where the path stops.",
    )
    elements = serializers.DictField(child=serializers.CharField(), help_text="ref -> name.")


class LinkLossSerializer(serializers.Serializer):
    link = serializers.IntegerField()
    ok = serializers.BooleanField()
    loss = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per channel (or breakout branch): items, total max/typ, limit and margin.",
    )
    elements = serializers.DictField(child=serializers.CharField(), help_text="ref -> name.")


class PermanentLinkSerializer(serializers.Serializer):
    cable = serializers.IntegerField(source="cable_id")
    cable_label = serializers.CharField()
    legs = serializers.ListField(child=serializers.CharField())
    ends = serializers.ListField(child=serializers.CharField())
    end_names = serializers.ListField(child=serializers.CharField())
    loss_db = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    tier1_limit_db = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    report = serializers.DictField(
        help_text="ok, method, findings, loss (TIA-568.3 Tier-1), channels."
    )


class HallImportSerializer(serializers.Serializer):
    project = scoped(_projects, help_text="The project the hall is imported into.")
    document = serializers.DictField(help_text="A hall document, as GET /halls/{id}/export/ gives.")
    prune = serializers.BooleanField(
        default=False, help_text="Delete what the document no longer lists (else only upsert)."
    )


class HallImportReportSerializer(serializers.Serializer):
    hall = serializers.IntegerField(source="hall.pk")
    created = serializers.DictField(child=serializers.IntegerField())
    updated = serializers.DictField(child=serializers.IntegerField())
    deleted = serializers.DictField(child=serializers.IntegerField())
