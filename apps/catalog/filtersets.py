"""Catalog filters in the NetBox style DCIM integrators know (docs: dcim-api-conventions.md).

Repeating a parameter means OR (`?kind=cable&kind=cassette`). String fields take the lookups
`__n` (not), `__ic` / `__nic` (contains), `__isw` / `__nisw` (starts with), `__iew` / `__niew`
(ends with), `__ie` / `__nie` (equals, any case); numeric fields `__n __lt __lte __gt __gte`.
Foreign keys are filtered by code (`?fiber_type=OM4`) or by id (`?fiber_type_id=3`), and `?q=`
searches the code, name and (for products) the description.
"""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet

from apps.catalog.models import (
    Application,
    ConnectorType,
    FiberType,
    LossGrade,
    Product,
    SpliceType,
)

STRING_LOOKUPS = {
    "n": ("exact", True),
    "ic": ("icontains", False),
    "nic": ("icontains", True),
    "isw": ("istartswith", False),
    "nisw": ("istartswith", True),
    "iew": ("iendswith", False),
    "niew": ("iendswith", True),
    "ie": ("iexact", False),
    "nie": ("iexact", True),
}
NUMBER_LOOKUPS = {
    "n": ("exact", True),
    "lt": ("lt", False),
    "lte": ("lte", False),
    "gt": ("gt", False),
    "gte": ("gte", False),
}


class MultiValueField(forms.MultipleChoiceField):
    """Any number of values from repeated query parameters, each cleaned by `base_field`."""

    def __init__(self, *args: Any, base_field: forms.Field | None = None, **kwargs: Any) -> None:
        self.base_field = base_field or forms.CharField()
        kwargs.pop("choices", None)
        super().__init__(*args, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return True

    def clean(self, value: Any) -> list[Any]:
        values = [v for v in (value or []) if v not in ("", None)]
        return [self.base_field.clean(v) for v in values]


class MultiValueCharFilter(filters.MultipleChoiceFilter):
    """`?name=a&name=b`: any of the values (OR); `exclude=True` for `__n`."""

    field_class = MultiValueField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def is_noop(self, qs: QuerySet, value: Any) -> bool:
        return False


class MultiValueNumberFilter(MultiValueCharFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("base_field", forms.DecimalField())
        super().__init__(*args, **kwargs)


class CatalogFilterSet(filters.FilterSet):
    """Adds NetBox-style lookups for the fields named in `string_lookups` / `number_lookups`."""

    string_lookups: ClassVar[tuple[str, ...]] = ()
    number_lookups: ClassVar[tuple[str, ...]] = ()
    search_fields: ClassVar[tuple[str, ...]] = ("code", "name")

    q = filters.CharFilter(method="search", label="Search code and name (contains, any case).")
    origin = filters.ChoiceFilter(choices=[("seed", "Seed files"), ("local", "Local")])

    @classmethod
    def get_filters(cls) -> dict[str, filters.Filter]:
        found = super().get_filters()
        for name in cls.string_lookups:
            found.setdefault(name, MultiValueCharFilter(field_name=name))
            for suffix, (lookup, exclude) in STRING_LOOKUPS.items():
                found[f"{name}__{suffix}"] = MultiValueCharFilter(
                    field_name=name, lookup_expr=lookup, exclude=exclude
                )
        for name in cls.number_lookups:
            found.setdefault(name, MultiValueNumberFilter(field_name=name))
            for suffix, (lookup, exclude) in NUMBER_LOOKUPS.items():
                found[f"{name}__{suffix}"] = (
                    MultiValueNumberFilter(field_name=name, exclude=True)
                    if exclude
                    else filters.NumberFilter(field_name=name, lookup_expr=lookup)
                )
        return found

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class FiberTypeFilterSet(CatalogFilterSet):
    string_lookups = ("code", "name", "jacket_color")
    number_lookups = ("modal_bandwidth_mhz_km",)

    mode = filters.MultipleChoiceFilter(choices=FiberType._meta.get_field("mode").choices)
    core_um = filters.MultipleChoiceFilter(choices=FiberType._meta.get_field("core_um").choices)
    verified = filters.BooleanFilter()

    class Meta:
        model = FiberType
        fields: ClassVar[list[str]] = []


class ConnectorTypeFilterSet(CatalogFilterSet):
    string_lookups = ("code", "name")
    number_lookups = ("rows", "columns")

    key = filters.MultipleChoiceFilter(choices=ConnectorType.Key.choices)
    loss_class = filters.MultipleChoiceFilter(
        choices=ConnectorType._meta.get_field("loss_class").choices
    )
    gendered = filters.BooleanFilter()
    verified = filters.BooleanFilter()

    class Meta:
        model = ConnectorType
        fields: ClassVar[list[str]] = []


class LossGradeFilterSet(CatalogFilterSet):
    string_lookups = ("code", "name")
    number_lookups = ("rank",)

    verified = filters.BooleanFilter()

    class Meta:
        model = LossGrade
        fields: ClassVar[list[str]] = []


class SpliceTypeFilterSet(CatalogFilterSet):
    string_lookups = ("code", "name")
    number_lookups = ("max_db", "typ_db")

    verified = filters.BooleanFilter()

    class Meta:
        model = SpliceType
        fields: ClassVar[list[str]] = []


class ApplicationFilterSet(CatalogFilterSet):
    string_lookups = ("code", "name", "standard")
    number_lookups = ("lanes", "wavelength_nm")
    search_fields = ("code", "name", "standard", "signalling")

    mode = filters.MultipleChoiceFilter(choices=Application._meta.get_field("mode").choices)
    core_um = filters.MultipleChoiceFilter(choices=Application._meta.get_field("core_um").choices)
    standard_body = filters.MultipleChoiceFilter(choices=Application.Body.choices)
    modulation = filters.MultipleChoiceFilter(choices=Application.Modulation.choices)
    fiber_type = MultiValueCharFilter(
        field_name="limits__fiber_type__code",
        distinct=True,
        label="Runs on this fibre type (has limits for it), by code.",
    )
    family = filters.CharFilter(method="filter_family", label="Has an MDI of this family.")
    wdm = filters.BooleanFilter()
    bidirectional = filters.BooleanFilter()
    verified = filters.BooleanFilter()

    class Meta:
        model = Application
        fields: ClassVar[list[str]] = []

    def filter_family(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(mdi__contains=[{"family": value}])


class ProductFilterSet(CatalogFilterSet):
    string_lookups = ("code", "name", "vendor", "form_factor", "cable_type", "polarity")
    search_fields = ("code", "name", "description")

    q = filters.CharFilter(method="search", label="Search code, name and description.")
    kind = filters.MultipleChoiceFilter(choices=Product.Kind.choices)
    fiber_type = MultiValueCharFilter(field_name="fiber_type__code", label="Fibre type code.")
    fiber_type__n = MultiValueCharFilter(field_name="fiber_type__code", exclude=True)
    fiber_type_id = MultiValueNumberFilter(field_name="fiber_type_id")
    application = MultiValueCharFilter(field_name="application__code", label="Application code.")
    application__n = MultiValueCharFilter(field_name="application__code", exclude=True)
    application_id = MultiValueNumberFilter(field_name="application_id")
    family = MultiValueCharFilter(
        method="filter_family", label="Has a face of any of these connector families."
    )
    retired = filters.BooleanFilter(
        label="Retired products are hidden from the list unless this is given."
    )
    verified = filters.BooleanFilter()

    class Meta:
        model = Product
        fields: ClassVar[list[str]] = []

    def filter_family(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(families__overlap=value) if value else queryset
