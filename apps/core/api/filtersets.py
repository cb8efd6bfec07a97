"""NetBox-style filter machinery shared by the catalog and plant FilterSets.

Repeating a parameter means OR (`?name=a&name=b`). Fields named in `string_lookups` take `__n`
(not), `__ic` / `__nic` (contains), `__isw` / `__nisw` (starts with), `__iew` / `__niew` (ends
with), `__ie` / `__nie` (equals, any case); fields in `number_lookups` take `__n __lt __lte __gt
__gte`; `?q=` searches `search_fields` (contains, any case).
"""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

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


_NO_NULL_VALUE = object()  # equal to no query value


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
        try:
            return [self.base_field.clean(v) for v in values]
        except ValidationError as error:
            # One documented code for every bad value (the schema lists this field's codes).
            raise ValidationError(error.messages[0], code="invalid_choice") from error


class MultiValueCharFilter(filters.MultipleChoiceFilter):
    """`?name=a&name=b`: any of the values (OR); `exclude=True` for `__n`.

    The value "null" is a string like any other: django-filter's MultipleChoiceFilter turns it
    into None, which `__ie` / `__ic` / ... lookups refuse with a 500 ("Cannot use None as a
    query value").
    """

    field_class = MultiValueField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
        self.null_value = _NO_NULL_VALUE

    def is_noop(self, qs: QuerySet, value: Any) -> bool:
        return False


class MultiValueNumberFilter(MultiValueCharFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("base_field", forms.DecimalField(max_digits=20, decimal_places=6))
        super().__init__(*args, **kwargs)


class MultiValueIdFilter(MultiValueCharFilter):
    """`?site_id=1&site_id=2`: ids (integers), any of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("base_field", forms.IntegerField(min_value=0, max_value=2**63 - 1))
        super().__init__(*args, **kwargs)


class LookupFilterSet(filters.FilterSet):
    """Adds NetBox-style lookups for the fields named in `string_lookups` / `number_lookups`."""

    string_lookups: ClassVar[tuple[str, ...]] = ()
    number_lookups: ClassVar[tuple[str, ...]] = ()
    search_fields: ClassVar[tuple[str, ...]] = ("code", "name")

    q = filters.CharFilter(method="search", label="Search (contains, any case).")

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
