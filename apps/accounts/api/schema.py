"""OpenAPI: declare API-token authentication as the `bearerAuth` security scheme."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "<prefix>.<secret>",
            "description": (
                "API token: `Authorization: Bearer <prefix>.<secret>`. The same key is also "
                "accepted as `Authorization: Token <prefix>.<secret>`."
            ),
        }
