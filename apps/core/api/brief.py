"""NetBox's brief mode: `?brief=true` answers with each record's brief form."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

TRUE = {"1", "true", "yes", "on"}

BRIEF = OpenApiParameter(
    "brief",
    OpenApiTypes.BOOL,
    description="Answer with the brief form of each record.",
)


class BriefModeMixin:
    """A viewset that answers with `brief_serializer_class` when `?brief=true`."""

    brief_serializer_class: type[serializers.Serializer]
    request: Any

    @property
    def brief(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.query_params.get("brief", "").lower() in TRUE

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.brief:
            return self.brief_serializer_class
        return super().get_serializer_class()  # type: ignore[misc]
