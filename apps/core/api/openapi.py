"""The schema generator: drf-standardized-errors' AutoSchema with our own 401, 403 and 409 codes.

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


class AutoSchema(BaseAutoSchema):
    def _get_error_response_serializer(self, status_code: str) -> Any:
        if status_code == "401":
            return ErrorResponse401Serializer
        if status_code == "403":
            return ErrorResponse403Serializer
        return super()._get_error_response_serializer(status_code)
