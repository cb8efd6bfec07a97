"""Small helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any


def error_of(response: Any) -> dict[str, Any]:
    """The single error of an API error body, after checking the body's shape."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    assert body["type"] in {"client_error", "validation_error"}, body
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert set(error) == {"code", "detail", "attr"}, error
    assert error["detail"]
    return error


def bearer(key: str, scheme: str = "Bearer") -> dict[str, str]:
    """Test-client kwargs that send an API key."""
    return {"HTTP_AUTHORIZATION": f"{scheme} {key}"}
