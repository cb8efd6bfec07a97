"""The schema generator: drf-standardized-errors' AutoSchema with our own 400, 401 and 403 shapes.

400: the package enumerates, per operation, the fields and DRF codes a serializer can raise; our
services raise named domain codes (`u_out_of_range`, `invalid_shape`, `unknown_product`...) on
any attr, or none, so those answers broke the schema. 400 is documented as one shape with free
codes instead.

The package documents 401 as `authentication_failed | not_authenticated` and 403 as
`permission_denied` only; our API also answers 401 `token_invalid` / `token_expired` and 403
`token_read_only` (and services' own 403 codes), so a client validating answers against the
schema would reject them. Here those codes are documented as strings, with the known values
listed.
"""

from __future__ import annotations

from typing import Any

from drf_standardized_errors.openapi import AutoSchema as BaseAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers


def _error_response(status_code: int, codes: str) -> type[serializers.Serializer]:
    error = type(
        f"Error{status_code}Serializer",
        (serializers.Serializer,),
        {
            "code": serializers.CharField(help_text=f"One of: {codes}."),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
            "__module__": __name__,
        },
    )
    return type(
        f"ErrorResponse{status_code}Serializer",
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": error(many=True),
            "__module__": __name__,
        },
    )


ErrorResponse401Serializer = _error_response(
    401, "not_authenticated, authentication_failed, token_invalid, token_expired"
)
ErrorResponse403Serializer = _error_response(
    403, "permission_denied, token_read_only, token_not_allowed"
)
ErrorResponse409Serializer = _error_response(
    409,
    "port_mated, leg_mated, slot_occupied, u_occupied, port_linked, cage_occupied, "
    "position_occupied, in_use, conflict",
)


class Error400Serializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="A DRF validation code (required, invalid, does_not_exist, ...) or a named "
        "domain code (unknown_product, u_out_of_range, invalid_shape, ...)."
    )
    detail = serializers.CharField()
    attr = serializers.CharField(
        allow_null=True, help_text="The field (dotted path into the body or the query), or null."
    )


class ErrorResponse400Serializer(serializers.Serializer):
    type = serializers.CharField(
        help_text="validation_error (a field is named in attr) or client_error (the request as "
        "a whole, or unparsable JSON)."
    )
    errors = Error400Serializer(many=True)  # type: ignore[assignment]  # a field named "errors"


class AutoSchema(BaseAutoSchema):
    """400 answers: one documented shape with free codes (services name their own codes)."""

    def _get_error_response_serializer(self, status_code: str) -> Any:
        if status_code == "400":
            return ErrorResponse400Serializer
        if status_code == "401":
            return ErrorResponse401Serializer
        if status_code == "403":
            return ErrorResponse403Serializer
        return super()._get_error_response_serializer(status_code)
