"""The OpenAPI schema declares token authentication as bearerAuth."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_schema_declares_bearer_auth_and_uses_it(api_client):
    # when
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    # then
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    token_create = schema["paths"]["/api/v1/tokens/"]["post"]
    assert {"bearerAuth": []} in token_create["security"]
    assert token_create["requestBody"]["content"]["application/json"]["examples"]
