"""Catalog filters in the NetBox style DCIM integrators know (docs: dcim-api-conventions.md).

Repeating a parameter means OR (`?kind=cable&kind=cassette`). String fields take the lookups
`__n` (not), `__ic` / `__nic` (contains), `__isw` / `__nisw` (starts with), `__iew` / `__niew`
(ends with), `__ie` / `__nie` (equals, any case); numeric fields `__n __lt __lte __gt __gte`.
Foreign keys are filtered by code (`?fiber_type=OM4`) or by id (`?fiber_type_id=3`), and `?q=`
searches the code, name and (for products) the description.
"""

from __future__ import annotations

from typing import ClassVar

import django_filters as filters
from django.db.models import QuerySet

from apps.catalog.models import (
    Application,
    ConnectorType,
    FiberType,
    LossGrade,
    Product,
    SpliceType,
)
from apps.core.api.filtersets import (  # noqa: F401  (the shared bits, re-exported)
    NUMBER_LOOKUPS,
    STRING_LOOKUPS,
    LookupFilterSet,
    MultiValueCharFilter,
    MultiValueField,
    MultiValueNumberFilter,
)


class CatalogFilterSet(LookupFilterSet):
    """Adds NetBox-style lookups for the fields named in `string_lookups` / `number_lookups`."""

    search_fields: ClassVar[tuple[str, ...]] = ("code", "name")

    q = filters.CharFilter(method="search", label="Search code and name (contains, any case).")
    origin = filters.ChoiceFilter(choices=[("seed", "Seed files"), ("local", "Local")])


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
