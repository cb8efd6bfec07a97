"""Forms: shape only (types, ranges, choices). The rules are the plant services' and the engine's;
their errors are attached to the field they name (`ApplicationError.attr`) by `add_service_error`.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from apps.catalog.models import Product
from apps.core.exceptions import ApplicationError
from apps.plant.models import Device, Hall, Module


def add_service_error(form: forms.Form, error: ApplicationError, attrs: dict[str, str]) -> None:
    """Put a service's error next to the field it concerns (else at the top of the form)."""
    field = attrs.get(error.attr or "", error.attr or "")
    form.add_error(field if field in form.fields else None, error.detail)


def _products(queryset: object) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=queryset,  # type: ignore[arg-type]
        to_field_name="code",
        empty_label="— choose —",
    )


class SiteForm(forms.Form):
    name = forms.CharField(max_length=100)


class HallForm(forms.Form):
    name = forms.CharField(max_length=100)
    polarity_method = forms.ChoiceField(choices=Hall.PolarityMethod.choices, initial="B")
    standard_duplex_cord = forms.ModelChoiceField(
        queryset=Product.objects.filter(kind="cable", cable_type="patch_cord").order_by("code"),
        to_field_name="code",
        required=False,
    )
    standard_array_cord = forms.ModelChoiceField(
        queryset=Product.objects.filter(kind="cable", cable_type="array_cord").order_by("code"),
        to_field_name="code",
        required=False,
    )


class RowForm(forms.Form):
    name = forms.CharField(max_length=100)
    index = forms.IntegerField(min_value=0, max_value=999)


class RackForm(forms.Form):
    row = forms.TypedChoiceField(coerce=int, choices=())
    name = forms.CharField(max_length=100)
    position = forms.IntegerField(min_value=0, max_value=999)
    height_u = forms.IntegerField(min_value=1, max_value=60, initial=42, label="Height (U)")

    def __init__(self, *args: object, rows: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["row"].choices = rows  # type: ignore[attr-defined]


class EnclosureForm(forms.Form):
    product = _products(Product.objects.filter(kind="enclosure", retired=False).order_by("code"))
    name = forms.CharField(max_length=100)
    u_position = forms.IntegerField(min_value=1, max_value=60, label="U position")


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Device.Kind.choices)
    u_position = forms.IntegerField(min_value=1, max_value=60, label="U position")
    height_u = forms.IntegerField(min_value=1, max_value=20, initial=1, label="Height (U)")


class TransceiverForm(forms.Form):
    device = forms.TypedChoiceField(coerce=int, choices=())
    cage = forms.CharField(max_length=50)
    product = _products(Product.objects.filter(kind="transceiver", retired=False).order_by("code"))

    def __init__(
        self,
        *args: object,
        devices: list[tuple[int, str]] = (),  # type: ignore[assignment]
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["device"].choices = devices  # type: ignore[attr-defined]


class ModuleForm(forms.Form):
    slot = forms.IntegerField(min_value=1, max_value=99)
    product = _products(
        Product.objects.filter(kind__in=["cassette", "panel"], retired=False).order_by(
            "kind", "code"
        )
    )
    orientation = forms.ChoiceField(choices=Module.Orientation.choices)


class CableForm(forms.Form):
    """A cable and where its first leg at each end is plugged ("<port id>:<side>")."""

    product = _products(Product.objects.filter(kind="cable", retired=False).order_by("code"))
    label = forms.CharField(max_length=100)
    length_m = forms.DecimalField(
        min_value=Decimal("0.1"), max_value=Decimal("10000"), decimal_places=3, required=False
    )
    a_end = forms.ChoiceField(choices=(), required=False, label="End A plugged into")
    b_end = forms.ChoiceField(choices=(), required=False, label="End B plugged into")

    def __init__(
        self,
        *args: object,
        sides: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "— not plugged —"), *sides]
        self.fields["a_end"].choices = choices  # type: ignore[attr-defined]
        self.fields["b_end"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("a_end") and data.get("a_end") == data.get("b_end"):
            self.add_error("b_end", "End B cannot go into the same port side as end A.")
        return data


class LinkBuilderForm(forms.Form):
    """The draft link: its ends, the path over an existing trunk and the two cords."""

    name = forms.CharField(max_length=100)
    a_port = forms.TypedChoiceField(coerce=int, choices=(), label="End A (transceiver port)")
    b_port = forms.TypedChoiceField(coerce=int, choices=(), label="End B (transceiver port)")
    path = forms.ChoiceField(choices=(), required=False, label="Path over existing trunks")
    cord_a = forms.ModelChoiceField(
        queryset=Product.objects.none(), to_field_name="code", required=False, label="Cord at A"
    )
    cord_a_length = forms.DecimalField(
        min_value=Decimal("0.1"), max_value=Decimal("1000"), decimal_places=3, required=False,
        label="Length (m)",
    )  # fmt: skip
    cord_b = forms.ModelChoiceField(
        queryset=Product.objects.none(), to_field_name="code", required=False, label="Cord at B"
    )
    cord_b_length = forms.DecimalField(
        min_value=Decimal("0.1"), max_value=Decimal("1000"), decimal_places=3, required=False,
        label="Length (m)",
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("cord_a", "cord_a_length", "cord_b", "cord_b_length"):
            self.fields[name].widget.attrs["data-draft"] = "cords"
        self.fields["name"].widget.attrs["hx-preserve"] = "true"  # typing survives a re-check

    def cord_field(self, name: str, label: str, queryset: QuerySet[Product]) -> None:
        """Offer `queryset` for the cord `name` (cord_a, cord_b, cord_x1 ...) and its length."""
        if name not in self.fields:  # a cross-connect cord between two trunk hops
            self.fields[name] = forms.ModelChoiceField(
                queryset=queryset, to_field_name="code", required=False
            )
            self.fields[f"{name}_length"] = forms.DecimalField(
                min_value=Decimal("0.1"), max_value=Decimal("1000"), decimal_places=3,
                required=False, label="Length (m)",
            )  # fmt: skip
            for key in (name, f"{name}_length"):
                self.fields[key].widget.attrs["data-draft"] = "cords"
        self.fields[name].queryset = queryset  # type: ignore[attr-defined]
        self.fields[name].label = label

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("a_port") is not None and data.get("a_port") == data.get("b_port"):
            self.add_error("b_port", "Pick another port than end A.")
        return data


class FixForm(forms.Form):
    """Apply one finding's fix to a cable: a catalog sibling and/or a new length."""

    cable = forms.IntegerField()
    product = forms.CharField(max_length=100, required=False)
    length_m = forms.DecimalField(decimal_places=3, required=False, min_value=Decimal("0.1"))


class FindingFilterForm(forms.Form):
    code = forms.CharField(required=False)
    severity = forms.ChoiceField(
        choices=[("", "any"), ("error", "error"), ("warning", "warning")], required=False
    )
    row = forms.CharField(required=False)
    rack = forms.CharField(required=False)


class BreakoutForm(forms.Form):
    """A breakout draft: the parent port, its children in lane order, the harness."""

    name = forms.CharField(max_length=100)
    parent = forms.TypedChoiceField(coerce=int, choices=(), label="Parent (transceiver port)")
    children = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), label="Children, in lane order (child 1 carries the first lanes)"
    )
    harness = forms.ModelChoiceField(
        queryset=Product.objects.none(), to_field_name="code", required=False
    )
    length_m = forms.DecimalField(
        min_value=Decimal("0.1"), max_value=Decimal("1000"), decimal_places=3, required=False,
        label="Length (m)",
    )  # fmt: skip

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("parent") in (data.get("children") or []):
            self.add_error("children", "The parent cannot be its own child.")
        return data
