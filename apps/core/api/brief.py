"""NetBox's brief mode: `?brief=true` answers with each record's brief form.

How the schema says so (docs/api.md, "Brief mode"):

* every brief serializer derives from `BriefSerializer`; `BriefSchemaExtension` maps it as a
  closed object (`additionalProperties: false`), so a full record never passes for a brief one;
* an operation that honours `brief` declares the `BRIEF` parameter and answers
  `brief_or_full(full, brief)`: a drf-spectacular `PolymorphicProxySerializer` without
  discriminator, i.e. `oneOf: [<Full>, Brief<Model>]` under the component `<Full>OrBrief` (lists:
  a page of them, `Paginated<Full>OrBriefList`). The full form matches the full branch only (the
  brief branch is closed), the brief form the brief branch only (the full branch requires more).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer
from rest_framework import serializers

TRUE = {"1", "true", "yes", "on"}

BRIEF = OpenApiParameter(
    "brief",
    OpenApiTypes.BOOL,
    description=(
        "Answer with the brief form of each record (the `Brief<Model>` branch of the answer's "
        "`oneOf`); absent or false: the full form."
    ),
)


class BriefSerializer(serializers.Serializer):
    # No docstring: drf-spectacular would give it to every brief component as its description.
    # Marks a brief form, whose schema is closed (`additionalProperties: false`).
    pass


class BriefSchemaExtension(OpenApiSerializerExtension):
    """Maps every `BriefSerializer` as drf-spectacular would, then closes the object."""

    target_class = BriefSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        schema["additionalProperties"] = False
        return schema


def brief_or_full(
    full: type[serializers.Serializer], brief: type[serializers.Serializer]
) -> PolymorphicProxySerializer:
    """The answer of an operation that honours `?brief=true`: oneOf [full, brief], untagged."""
    name = full.__name__.removesuffix("Serializer")
    return PolymorphicProxySerializer(
        component_name=f"{name}OrBrief", serializers=[full, brief], resource_type_field_name=None
    )


class BriefModeMixin:
    """A viewset that answers with `brief_serializer_class` when `?brief=true`."""

    brief_serializer_class: type[BriefSerializer]
    request: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        brief = cls.__dict__.get("brief_serializer_class")
        if brief is not None and not issubclass(brief, BriefSerializer):
            raise TypeError(f"{cls.__name__}.brief_serializer_class must be a BriefSerializer.")

    @property
    def brief(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.query_params.get("brief", "").lower() in TRUE

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.brief:
            return self.brief_serializer_class
        return super().get_serializer_class()  # type: ignore[misc]
