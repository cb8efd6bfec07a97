"""POST /api/v1/validate/: the stateless channel validator for DCIM systems. Nothing is stored.

The request names catalog products (or gives one inline) element by element, in one of the
engine's two channel shapes; the answer is the engine's report: ok, findings with fixes, the
per-lane trace and the loss budget. Serializers check shape only; every optics rule is the
engine's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api import validate_examples as examples
from apps.catalog.validation import channel_validate


class EndSerializer(serializers.Serializer):
    transceiver = serializers.CharField(
        max_length=100, help_text="Catalog code of the transceiver product at this end."
    )
    receptacle = serializers.CharField(
        max_length=20,
        default="1",
        help_text="Label of the transceiver's receptacle (twin-port modules have 1 and 2).",
    )
    application = serializers.CharField(
        max_length=60,
        required=False,
        allow_null=True,
        default=None,
        help_text="Application (PMD) code; defaults to the transceiver's own.",
    )


class ElementSerializer(serializers.Serializer):
    product = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Catalog code of a cable, cassette, adapter or splice product.",
    )
    inline = serializers.DictField(
        required=False,
        help_text=(
            "A product given by its attributes instead of a code, in the catalog record shape "
            "(kind, ends/ports, map, ...); see docs/catalog-seed.md."
        ),
    )
    length_m = serializers.DecimalField(
        max_digits=9,
        decimal_places=3,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Cable length in metres (cables only).",
    )
    enter = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        default=None,
        help_text="Face the signal enters by: a cable leg (A1, B3) or a cassette port label.",
    )
    exit = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        default=None,
        help_text="Face the signal leaves by: a cable leg (B1) or a cassette port label.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("product" in attrs) == ("inline" in attrs):
            raise serializers.ValidationError(
                "Give either a product code or inline attributes.", code="product_or_inline"
            )
        return attrs


class OptionsSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(
        choices=["ieee", "tia", "iso", "datasheet"],
        default="ieee",
        help_text="Attenuation basis for the fibre loss.",
    )
    count_transceiver_matings = serializers.BooleanField(
        default=False,
        help_text="Count the two matings at the transceiver MDIs (IEEE does not).",
    )
    low_margin_db = serializers.DecimalField(
        max_digits=5,
        decimal_places=3,
        min_value=0,
        default=Decimal("0.5"),
        help_text="A margin below this many dB is reported as LOW_MARGIN.",
    )


class AggregateChannelSerializer(serializers.Serializer):
    shape = serializers.ChoiceField(choices=["aggregate"])
    a = EndSerializer()
    elements = serializers.ListField(child=ElementSerializer(), max_length=200)
    b = EndSerializer()
    options = OptionsSerializer(required=False)


class BranchSerializer(serializers.Serializer):
    exit = serializers.CharField(
        max_length=20, help_text="The fan-out element's leg or port this branch leaves by."
    )
    lanes = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=31),
        min_length=1,
        max_length=16,
        help_text="Parent lanes carried by this branch; child lane j carries lanes[j].",
    )
    elements = serializers.ListField(
        child=ElementSerializer(), max_length=100, required=False, default=list
    )
    end = EndSerializer()


class BreakoutChannelSerializer(serializers.Serializer):
    shape = serializers.ChoiceField(choices=["breakout"])
    parent = EndSerializer()
    elements = serializers.ListField(
        child=ElementSerializer(),
        min_length=1,
        max_length=200,
        help_text="From the parent to the fan-out element, which comes last.",
    )
    branches = serializers.ListField(child=BranchSerializer(), min_length=1, max_length=16)
    options = OptionsSerializer(required=False)


class ShapeSerializer(serializers.Serializer):
    shape = serializers.ChoiceField(choices=["aggregate", "breakout"])


# -- the report (documentation of Report.as_dict(); the engine fills it) --------------------
DB_HELP = "dB, an exact decimal as a string"


class ChangeSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text="The element to change (pointer into the request).")
    product = serializers.CharField(allow_null=True, help_text="The catalog product to use.")
    enter = serializers.CharField(allow_null=True)
    exit = serializers.CharField(allow_null=True)


class FixSerializer(serializers.Serializer):
    message = serializers.CharField()
    changes = ChangeSerializer(many=True)


class BasisSerializer(serializers.Serializer):
    sources = serializers.ListField(
        child=serializers.CharField(), help_text="Source markers of the values the finding uses."
    )
    verified = serializers.BooleanField(
        help_text="False when any of them is unverified ([OK] or ⚠ in the reference)."
    )


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable finding code, e.g. POLARITY_REVERSED.")
    severity = serializers.ChoiceField(choices=["error", "warning"])
    ref = serializers.CharField(help_text="The element concerned: a pointer such as /elements/4.")
    face = serializers.CharField(allow_null=True, help_text="Its face (leg or port label).")
    position = serializers.IntegerField(allow_null=True)
    positions = serializers.ListField(child=serializers.IntegerField())
    message = serializers.CharField()
    fix = FixSerializer(allow_null=True, help_text="The smallest change that makes it pass.")
    basis = BasisSerializer()
    consequence_of = serializers.IntegerField(
        allow_null=True, help_text="Index of the finding this one follows from, if any."
    )


class HopSerializer(serializers.Serializer):
    ref = serializers.CharField()
    face = serializers.CharField()
    position = serializers.IntegerField(help_text="In that element's own numbering.")
    colour = serializers.CharField(help_text="TIA-598 fibre colour of the position.")


class OutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["rx", "tx", "dark", "open"])
    ref = serializers.CharField()
    face = serializers.CharField()
    position = serializers.IntegerField()
    lane = serializers.IntegerField(allow_null=True)
    ok = serializers.BooleanField()
    code = serializers.CharField(allow_null=True)


class LaneTraceSerializer(serializers.Serializer):
    direction = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # DRF pops declared fields
    target = serializers.CharField()
    lane = serializers.IntegerField()
    band_nm = serializers.IntegerField()
    hops = HopSerializer(many=True)
    outcome = OutcomeSerializer()


class LossItemSerializer(serializers.Serializer):
    ref = serializers.CharField()
    kind = serializers.CharField(help_text="mated pair, cassette, splice or fibre.")
    max_db = serializers.CharField(help_text=DB_HELP)
    typ_db = serializers.CharField(help_text=DB_HELP)
    grade = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class PathLossSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    ends = serializers.ListField(child=serializers.CharField())
    application = serializers.CharField()
    fiber_type = serializers.CharField(allow_null=True)
    total_max_db = serializers.CharField(help_text=DB_HELP)
    total_typ_db = serializers.CharField(help_text=DB_HELP)
    limit_db = serializers.CharField(allow_null=True, help_text=DB_HELP)
    margin_db = serializers.CharField(allow_null=True, help_text=DB_HELP)
    reach_m = serializers.CharField(allow_null=True)
    length_m = serializers.CharField()
    min_length_m = serializers.CharField(allow_null=True)
    items = LossItemSerializer(many=True)
    sources = serializers.ListField(child=serializers.CharField())
    verified = serializers.BooleanField()


class OptionsEchoSerializer(serializers.Serializer):
    basis = serializers.CharField()
    count_transceiver_matings = serializers.BooleanField()
    low_margin_db = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="No finding of severity error.")
    findings = FindingSerializer(many=True)
    trace = LaneTraceSerializer(many=True, help_text="Every lit fibre, lane by lane.")
    loss = PathLossSerializer(many=True, help_text="The channel's (or each branch's) budget.")
    options = OptionsEchoSerializer(help_text="The options used.")


REQUEST_SHAPES: dict[str, type[serializers.Serializer[Any]]] = {
    "aggregate": AggregateChannelSerializer,
    "breakout": BreakoutChannelSerializer,
}


class ChannelValidateApi(APIView):
    """Validate one channel: polarity lane by lane, mating rules, loss budget and reach.

    It stores nothing, so a read-only API token may call it (POST is only the transport).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="validate_channel",
        summary="Validate one channel (nothing is stored)",
        request=PolymorphicProxySerializer(
            component_name="Channel",
            serializers=dict(REQUEST_SHAPES),
            resource_type_field_name="shape",
        ),
        responses={
            200: OpenApiResponse(ReportSerializer, description="The engine's report."),
        },
        examples=examples.ALL,
        tags=["validate"],
    )
    def post(self, request: Request) -> Response:
        shape = ShapeSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        params = REQUEST_SHAPES[shape.validated_data["shape"]](data=request.data)
        params.is_valid(raise_exception=True)
        report = channel_validate(request=params.validated_data)
        return Response(report)
