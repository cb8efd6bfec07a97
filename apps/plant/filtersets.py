"""Plant filters in the NetBox style (docs/api.md, dcim-api-conventions.md).

`?name=a&name=b` means OR; names and labels take `__n __ic __nic __isw __nisw __iew __niew __ie
__nie`; parents are filtered by id (`?site_id=`, `?hall_id=`, `?rack_id=`, ...; `__n` excludes);
`?q=` searches names. The querysets are already scoped to the caller's projects, so a filter on
another project's id simply matches nothing.
"""

from __future__ import annotations

from typing import ClassVar

import django_filters as filters

from apps.core.api.filtersets import LookupFilterSet, MultiValueIdFilter
from apps.plant.models import (
    Cable,
    CableLeg,
    Device,
    Enclosure,
    Hall,
    Link,
    Mating,
    Module,
    Port,
    Rack,
    Row,
    Site,
    Transceiver,
)


def ids(field: str, label: str = "") -> tuple[MultiValueIdFilter, MultiValueIdFilter]:
    """`<fk>_id` and `<fk>_id__n` filters on `field`."""
    return (
        MultiValueIdFilter(field_name=field, label=label or f"Id of the {field.split('__')[0]}."),
        MultiValueIdFilter(field_name=field, exclude=True),
    )


class PlantFilterSet(LookupFilterSet):
    """Every plant list: `id`, `project_id`, name lookups and `?q=`."""

    search_fields: ClassVar[tuple[str, ...]] = ("name",)
    string_lookups: ClassVar[tuple[str, ...]] = ("name",)

    q = filters.CharFilter(method="search", label="Search names (contains, any case).")
    id = MultiValueIdFilter(field_name="id")
    project_id, project_id__n = ids("project_id", "Id of the project.")


class HallScopedFilterSet(PlantFilterSet):
    hall_id, hall_id__n = ids("hall_id")
    site_id, site_id__n = ids("hall__site_id", "Id of the site.")


class SiteFilterSet(PlantFilterSet):
    class Meta:
        model = Site
        fields: ClassVar[list[str]] = []


class HallFilterSet(PlantFilterSet):
    site_id, site_id__n = ids("site_id")
    polarity_method = filters.MultipleChoiceFilter(choices=Hall.PolarityMethod.choices)

    class Meta:
        model = Hall
        fields: ClassVar[list[str]] = []


class RowFilterSet(HallScopedFilterSet):
    number_lookups = ("index",)

    class Meta:
        model = Row
        fields: ClassVar[list[str]] = []


class RackFilterSet(HallScopedFilterSet):
    number_lookups = ("position", "height_u")
    row_id, row_id__n = ids("row_id")

    class Meta:
        model = Rack
        fields: ClassVar[list[str]] = []


class DeviceFilterSet(HallScopedFilterSet):
    number_lookups = ("u_position",)
    rack_id, rack_id__n = ids("rack_id")
    row_id, row_id__n = ids("rack__row_id", "Id of the row.")
    kind = filters.MultipleChoiceFilter(choices=Device.Kind.choices)

    class Meta:
        model = Device
        fields: ClassVar[list[str]] = []


class ProductFiltersMixin(filters.FilterSet):
    product = filters.CharFilter(
        field_name="product_revision__product__code", label="Catalog product code."
    )
    product_id, product_id__n = ids("product_revision__product_id", "Id of the catalog product.")


class TransceiverFilterSet(ProductFiltersMixin, HallScopedFilterSet):
    search_fields = ("cage", "device__name", "product_revision__product__code")
    string_lookups = ("cage",)
    device_id, device_id__n = ids("device_id")
    rack_id, rack_id__n = ids("device__rack_id", "Id of the rack.")

    class Meta:
        model = Transceiver
        fields: ClassVar[list[str]] = []


class EnclosureFilterSet(ProductFiltersMixin, HallScopedFilterSet):
    number_lookups = ("u_position",)
    rack_id, rack_id__n = ids("rack_id")
    row_id, row_id__n = ids("rack__row_id", "Id of the row.")

    class Meta:
        model = Enclosure
        fields: ClassVar[list[str]] = []


class ModuleFilterSet(ProductFiltersMixin, HallScopedFilterSet):
    search_fields = ("enclosure__name", "product_revision__product__code")
    string_lookups = ()
    number_lookups = ("slot",)
    enclosure_id, enclosure_id__n = ids("enclosure_id")
    rack_id, rack_id__n = ids("enclosure__rack_id", "Id of the rack.")
    orientation = filters.MultipleChoiceFilter(choices=Module.Orientation.choices)

    class Meta:
        model = Module
        fields: ClassVar[list[str]] = []


class PortFilterSet(HallScopedFilterSet):
    search_fields = ("label", "family")
    string_lookups = ("label", "family")
    transceiver_id, transceiver_id__n = ids("transceiver_id")
    module_id, module_id__n = ids("module_id")
    device_id, device_id__n = ids("transceiver__device_id", "Id of the device.")
    enclosure_id, enclosure_id__n = ids("module__enclosure_id", "Id of the enclosure.")
    face = filters.MultipleChoiceFilter(choices=Port.Face.choices)

    class Meta:
        model = Port
        fields: ClassVar[list[str]] = []


class CableFilterSet(ProductFiltersMixin, HallScopedFilterSet):
    search_fields = ("label", "product_revision__product__code")
    string_lookups = ("label",)
    number_lookups = ("length_mm",)
    status = filters.MultipleChoiceFilter(choices=Cable.Status.choices)

    class Meta:
        model = Cable
        fields: ClassVar[list[str]] = []


class CableLegFilterSet(HallScopedFilterSet):
    search_fields = ("label",)
    string_lookups = ("label",)
    cable_id, cable_id__n = ids("cable_id")
    end = filters.MultipleChoiceFilter(choices=CableLeg.End.choices)
    mated = filters.BooleanFilter(
        field_name="mating", lookup_expr="isnull", exclude=True, label="Plugged in."
    )

    class Meta:
        model = CableLeg
        fields: ClassVar[list[str]] = []


class MatingFilterSet(HallScopedFilterSet):
    search_fields = ("port__label", "leg__cable__label")
    string_lookups = ()
    leg_id, leg_id__n = ids("leg_id")
    port_id, port_id__n = ids("port_id")
    cable_id, cable_id__n = ids("leg__cable_id", "Id of the cable.")
    side = filters.MultipleChoiceFilter(choices=Mating.Side.choices)

    class Meta:
        model = Mating
        fields: ClassVar[list[str]] = []


class LinkFilterSet(HallScopedFilterSet):
    shape = filters.MultipleChoiceFilter(choices=Link.Shape.choices)
    status = filters.MultipleChoiceFilter(choices=Link.Status.choices)
    needs_revalidation = filters.BooleanFilter()
    port_id = MultiValueIdFilter(field_name="ends__port_id", distinct=True, label="An end's port.")

    class Meta:
        model = Link
        fields: ClassVar[list[str]] = []
