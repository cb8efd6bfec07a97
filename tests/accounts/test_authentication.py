"""API token authentication: schemes, digest checks, expiry, read-only tokens, last_used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import APIToken, Role
from tests.accounts.helpers import bearer, error_of
from tests.factories.accounts import token_make

ME = "/api/v1/users/me/"
TOKENS = "/api/v1/tokens/"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_the_key_authenticates_under_both_schemes(api_client, designer, project, scheme):
    # given
    token, key = token_make(user=designer, projects=[project])
    # when
    response = api_client.get(ME, **bearer(key, scheme))
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "designer"
    assert response.json()["token"]["id"] == token.pk
    assert response.wsgi_request.user == designer


def test_a_request_authenticated_by_token_carries_the_token_as_request_auth(
    api_client, designer, project
):
    # given
    token, key = token_make(user=designer, projects=[project])
    # when
    response = api_client.get(ME, **bearer(key))
    # then: DRF's request is not exposed by the test client, so ask the view's answer
    assert response.json()["token"] == {
        "id": token.pk,
        "name": "integration",
        "prefix": token.prefix,
        "role": "viewer",
        "write_enabled": False,
        "expires": None,
    }


def test_wrong_secret_with_a_right_prefix_is_refused(api_client, designer, project):
    # given
    token, key = token_make(user=designer, projects=[project])
    forged = f"{token.prefix}.{'A' * 43}"
    # when
    response = api_client.get(ME, **bearer(forged))
    # then
    assert response.status_code == 401
    assert error_of(response) == {"code": "token_invalid", "detail": "Invalid token.", "attr": None}


@pytest.mark.parametrize(
    "key",
    [
        "abcdefghijkl.nosuchsecretnosuchsecretnosuchsecretnosuchsec",  # unknown prefix
        "no-dot-at-all",
        ".secretwithoutprefix",
        "abcdefghijkl.",
        "UPPERCASEXYZ.secret",
        "x" * 500,
    ],
)
def test_malformed_or_unknown_keys_are_refused(api_client, designer, key):
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_invalid"


def test_a_header_with_extra_parts_is_refused(api_client, designer, project):
    # given
    _, key = token_make(user=designer, projects=[project])
    # when
    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {key} extra")
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_invalid"


def test_expired_token_is_refused_with_token_expired(api_client, designer, project):
    # given
    token, key = token_make(
        user=designer, projects=[project], expires=timezone.now() + timedelta(days=1)
    )
    APIToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "token_expired",
        "detail": "Token has expired.",
        "attr": None,
    }
    assert APIToken.objects.get(pk=token.pk).last_used is None


def test_expiry_is_not_disclosed_without_the_right_secret(api_client, designer, project):
    # given
    token, _ = token_make(user=designer, projects=[project])
    APIToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(days=1))
    # when
    response = api_client.get(ME, **bearer(f"{token.prefix}.{'B' * 43}"))
    # then
    assert error_of(response)["code"] == "token_invalid"


def test_disabled_token_is_refused(api_client, designer, project):
    # given
    token, key = token_make(user=designer, projects=[project])
    APIToken.objects.filter(pk=token.pk).update(enabled=False)
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "token_invalid",
        "detail": "Token is disabled.",
        "attr": None,
    }


def test_token_of_an_inactive_user_is_refused(api_client, designer, project):
    # given
    _, key = token_make(user=designer, projects=[project])
    designer.is_active = False
    designer.save(update_fields=["is_active"])
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_invalid"


def test_anonymous_api_call_gets_401_with_a_bearer_challenge(api_client):
    # when
    response = api_client.get(ME)
    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response)["code"] == "not_authenticated"


def test_read_only_token_cannot_post(api_client, designer, project):
    # given
    _, key = token_make(user=designer, projects=[project], write_enabled=False)
    # when
    response = api_client.post(
        TOKENS, {"name": "x", "projects": [], "role": "viewer"}, **bearer(key)
    )
    # then
    assert response.status_code == 403
    assert error_of(response) == {
        "code": "token_read_only",
        "detail": "This API token is read-only.",
        "attr": None,
    }
    assert APIToken.objects.count() == 1


def test_read_only_token_cannot_delete(api_client, designer, project):
    # given
    token, key = token_make(user=designer, projects=[project], write_enabled=False)
    # when
    response = api_client.delete(f"{TOKENS}{token.pk}/", **bearer(key))
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "token_read_only"
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_write_enabled_token_can_post(api_client, designer, project):
    # given
    _, key = token_make(user=designer, projects=[project], write_enabled=True)
    # when
    response = api_client.post(
        TOKENS, {"name": "child", "projects": [project.pk], "role": "viewer"}, **bearer(key)
    )
    # then
    assert response.status_code == 201
    assert APIToken.objects.filter(user=designer).count() == 2


def _updates_of_last_used(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "last_used" in q["sql"]
    ]


def test_last_used_is_written_at_most_once_a_minute(api_client, designer, project):
    # given
    token, key = token_make(user=designer, projects=[project])
    # when: two requests within a minute
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get(ME, **bearer(key)).status_code == 200
        first = APIToken.objects.get(pk=token.pk).last_used
        assert api_client.get(ME, **bearer(key)).status_code == 200
    # then: one UPDATE, and the second request left the timestamp alone
    assert len(_updates_of_last_used(queries)) == 1
    assert first is not None
    assert APIToken.objects.get(pk=token.pk).last_used == first


def test_last_used_is_written_again_after_a_minute(api_client, designer, project):
    # given
    token, key = token_make(user=designer, projects=[project])
    long_ago = timezone.now() - timedelta(seconds=61)
    APIToken.objects.filter(pk=token.pk).update(last_used=long_ago)
    # when
    with CaptureQueriesContext(connection) as queries:
        api_client.get(ME, **bearer(key))
    # then
    assert len(_updates_of_last_used(queries)) == 1
    last_used = APIToken.objects.get(pk=token.pk).last_used
    assert last_used is not None
    assert last_used > long_ago


def test_session_requests_do_not_touch_tokens(authed_client, designer, project):
    # given
    token, _ = token_make(user=designer, projects=[project])
    # when
    response = authed_client(designer).get(ME)
    # then
    assert response.status_code == 200
    assert response.json()["token"] is None
    assert APIToken.objects.get(pk=token.pk).last_used is None


def test_token_role_caps_the_request_even_for_an_owner(api_client, owner, project):
    # given
    _, key = token_make(user=owner, projects=[project], role=Role.VIEWER)
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    assert response.json()["projects"][0]["role"] == "viewer"
