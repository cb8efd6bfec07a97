"""DRF permissions tied to API tokens."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from apps.accounts.authentication import request_token


class TokenWritePermission(permissions.BasePermission):
    """A read-only API token may use safe methods only (403 ``token_read_only``).

    Requests authenticated otherwise (session, Basic) are not affected. It is in
    DEFAULT_PERMISSION_CLASSES: a view that sets its own permission_classes must list it again.
    """

    message = "This API token is read-only."
    code = "token_read_only"

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request_token(request)
        if token is None or token.write_enabled:
            return True
        return request.method in permissions.SAFE_METHODS
