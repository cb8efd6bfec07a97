"""Every API error has one shape: {"type": ..., "errors": [{"code", "detail", "attr"}]}."""

from __future__ import annotations

import pytest


def _assert_error_shape(body, *, type_, code, attr=None):
    assert set(body) == {"type", "errors"}
    assert body["type"] == type_
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert set(error) == {"code", "detail", "attr"}
    assert error["code"] == code
    assert error["attr"] == attr
    assert isinstance(error["detail"], str)
    assert error["detail"]


@pytest.mark.django_db
def test_unknown_api_url_is_a_404_in_the_error_shape(api_client):
    # when
    response = api_client.get("/api/v1/does-not-exist/")
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    _assert_error_shape(response.json(), type_="client_error", code="not_found")


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_anonymous_request_to_a_protected_api_is_refused_in_the_error_shape(api_client):
    # when
    response = api_client.get("/api/v1/probe/")
    # then: 401 with a challenge when the first authenticator sends one (tokens), else 403 (session)
    assert response.status_code in (401, 403)
    assert (response.status_code == 401) == ("WWW-Authenticate" in response)
    _assert_error_shape(response.json(), type_="client_error", code="not_authenticated")


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_wrong_basic_credentials_are_refused_in_the_error_shape(api_client, user):
    # given
    api_client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjp3cm9uZw==")  # user:wrong
    # when
    response = api_client.get("/api/v1/probe/")
    # then
    assert response.status_code in (401, 403)
    _assert_error_shape(response.json(), type_="client_error", code="authentication_failed")


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_application_error_keeps_its_code_status_and_attr(authed_client, user):
    # when
    response = authed_client(user).get("/api/v1/probe/")
    # then
    assert response.status_code == 409
    _assert_error_shape(response.json(), type_="client_error", code="conflict", attr="port")


@pytest.mark.django_db
def test_schema_is_public(api_client):
    # when
    response = api_client.get("/api/schema/", {"format": "json"})
    # then
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Fiber configurator API"


@pytest.mark.django_db
def test_health_answers_ok_with_the_database_reachable(client):
    # when
    response = client.get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
