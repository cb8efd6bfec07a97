"""Creating, listing and revoking API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts import tokens
from apps.accounts.models import APIToken, Role
from apps.accounts.selectors import effective_role
from apps.accounts.services import token_create, token_revoke
from apps.core.exceptions import ApplicationError
from tests.accounts.helpers import bearer, error_of
from tests.factories.accounts import ProjectFactory, ProjectMembershipFactory, token_make

TOKENS = "/api/v1/tokens/"
ME = "/api/v1/users/me/"

pytestmark = pytest.mark.django_db


def test_token_create_returns_the_key_and_stores_only_a_digest_of_its_secret(designer, project):
    # when
    token, key = token_create(
        user=designer,
        name="ci",
        projects=[project],
        role=Role.DESIGNER,
        write_enabled=True,
        expires=None,
    )
    # then
    prefix, secret = key.split(".")
    assert prefix == token.prefix
    assert len(prefix) == 12
    assert len(secret) >= 43  # token_urlsafe(32)
    stored = APIToken.objects.get(pk=token.pk)
    assert stored.digest == tokens.secret_digest(secret)
    assert len(stored.digest) == 64
    assert secret not in stored.digest
    row = APIToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert list(stored.projects.all()) == [project]


def test_digest_is_keyed_with_the_pepper(designer, project, settings):
    # given
    _, key = token_make(user=designer, projects=[project])
    _, secret = key.split(".")
    before = tokens.secret_digest(secret)
    # when
    settings.API_TOKEN_PEPPER = "another-pepper"
    # then
    assert tokens.secret_digest(secret) != before


def test_token_create_api_answers_the_key_once_and_never_again(authed_client, designer, project):
    # given
    client = authed_client(designer)
    # when
    created = client.post(
        TOKENS,
        {
            "name": "netbox-sync",
            "projects": [project.pk],
            "role": "designer",
            "write_enabled": True,
        },
    )
    listed = client.get(TOKENS)
    # then
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    body = created.json()
    assert body["key"].startswith(body["prefix"] + ".")
    assert body["projects"] == [project.pk]
    assert (body["role"], body["write_enabled"], body["enabled"]) == ("designer", True, True)
    assert "digest" not in body
    [row] = listed.json()["results"]
    assert row == {key: value for key, value in body.items() if key != "key"}
    assert body["key"].split(".")[1] not in listed.content.decode()


def test_token_role_cannot_exceed_the_owners_role(designer, project):
    # when
    with pytest.raises(ApplicationError) as raised:
        token_make(user=designer, projects=[project], role=Role.OWNER)
    # then
    assert (raised.value.code, raised.value.attr) == ("role_exceeds_member_role", "role")
    assert not APIToken.objects.exists()


def test_token_role_cannot_exceed_the_owners_role_in_any_of_its_projects(designer, project):
    # given: designer in `project`, only a viewer in `other`
    other = ProjectFactory.create(organization=project.organization)
    ProjectMembershipFactory(user=designer, project=other, role=Role.VIEWER)
    # when
    with pytest.raises(ApplicationError) as raised:
        token_make(user=designer, projects=[project, other], role=Role.DESIGNER)
    # then
    assert raised.value.code == "role_exceeds_member_role"
    assert str(other.pk) in raised.value.detail


def test_token_create_api_refuses_a_role_above_mine(authed_client, viewer, project):
    # when
    response = authed_client(viewer).post(
        TOKENS, {"name": "x", "projects": [project.pk], "role": "owner"}
    )
    # then
    assert response.status_code == 400
    assert error_of(response)["code"] == "role_exceeds_member_role"
    assert error_of(response)["attr"] == "role"


def test_token_create_api_refuses_projects_i_cannot_see(authed_client, outsider, project):
    # when
    response = authed_client(outsider).post(
        TOKENS, {"name": "x", "projects": [project.pk], "role": "viewer"}
    )
    # then: the same answer as for a project that does not exist
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "does_not_exist"
    assert response.json()["errors"][0]["attr"] == "projects"
    assert not APIToken.objects.exists()


def test_token_create_refuses_an_expiry_in_the_past(designer, project):
    with pytest.raises(ApplicationError) as raised:
        token_make(user=designer, projects=[project], expires=timezone.now() - timedelta(days=1))
    assert raised.value.attr == "expires"


def test_an_org_admin_may_grant_owner_tokens_on_the_orgs_projects(org_admin, project):
    # when
    token, _ = token_make(user=org_admin, projects=[project], role=Role.OWNER)
    # then
    assert effective_role(user=org_admin, token=token, project=project) == Role.OWNER


def test_a_token_limited_to_project_p_has_no_role_in_project_q(designer, project):
    # given: designer in P and Q; the token lists P only
    q = ProjectFactory.create(organization=project.organization)
    ProjectMembershipFactory(user=designer, project=q, role=Role.DESIGNER)
    token, _ = token_make(user=designer, projects=[project], role=Role.DESIGNER)
    # then
    assert effective_role(user=designer, token=token, project=project) == Role.DESIGNER
    assert effective_role(user=designer, token=token, project=q) is None
    assert effective_role(user=designer, token=None, project=q) == Role.DESIGNER


def test_effective_role_is_the_lower_of_token_and_user_role(owner, project):
    # given: an owner token, then the owner is demoted to viewer
    token, _ = token_make(user=owner, projects=[project], role=Role.OWNER)
    owner.project_memberships.update(role=Role.VIEWER)
    # then
    assert effective_role(user=owner, token=token, project=project) == Role.VIEWER


def test_a_token_without_projects_reaches_none(api_client, owner, project):
    # given
    token, key = token_make(user=owner, projects=[])
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    assert response.status_code == 200
    assert response.json()["projects"] == []
    assert effective_role(user=owner, token=token, project=project) is None


def test_a_token_cannot_mint_a_token_reaching_further_than_itself(api_client, owner, project):
    # given: an owner of P and Q, with a write token for P only
    q = ProjectFactory.create(organization=project.organization)
    ProjectMembershipFactory(user=owner, project=q, role=Role.OWNER)
    _, key = token_make(user=owner, projects=[project], role=Role.DESIGNER, write_enabled=True)
    # when
    wider = api_client.post(
        TOKENS, {"name": "x", "projects": [q.pk], "role": "viewer"}, **bearer(key)
    )
    higher = api_client.post(
        TOKENS, {"name": "x", "projects": [project.pk], "role": "owner"}, **bearer(key)
    )
    # then
    assert wider.status_code == 400  # Q is invisible to the token
    assert error_of(wider)["code"] == "does_not_exist"
    assert higher.status_code == 403
    assert error_of(higher) == {
        "code": "permission_denied",
        "detail": "A token cannot grant a role above its own.",
        "attr": "role",
    }
    assert APIToken.objects.count() == 1


def test_token_revoke_deletes_the_token_and_its_key_stops_working(
    authed_client, api_client, designer, project
):
    # given
    token, key = token_make(user=designer, projects=[project])
    # when
    response = authed_client(designer).delete(f"{TOKENS}{token.pk}/")
    # then
    assert response.status_code == 204
    assert not APIToken.objects.exists()
    assert api_client.get(ME, **bearer(key)).status_code == 401


def test_someone_elses_token_is_a_404(authed_client, designer, viewer, project):
    # given
    token, _ = token_make(user=designer, projects=[project])
    # when
    response = authed_client(viewer).delete(f"{TOKENS}{token.pk}/")
    # then
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_token_revoke_refuses_another_user(designer, viewer, project):
    token, _ = token_make(user=designer, projects=[project])
    with pytest.raises(ApplicationError):
        token_revoke(token=token, by=viewer)
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_token_list_costs_the_same_for_1_and_20_tokens(authed_client, designer, viewer, project):
    # given
    for _ in range(1):
        token_make(user=viewer, projects=[project])
    for _ in range(20):
        token_make(user=designer, projects=[project])
    # when
    with CaptureQueriesContext(connection) as one:
        assert len(authed_client(viewer).get(TOKENS).json()["results"]) == 1
    with CaptureQueriesContext(connection) as twenty:
        assert len(authed_client(designer).get(TOKENS).json()["results"]) == 20
    # then
    assert len(twenty) == len(one) <= 4


def test_token_create_command_prints_a_working_key_for_a_service_user(api_client, owner, project):
    # given: a service user that an owner made a viewer of the project
    from io import StringIO

    from django.core.management import call_command

    from apps.accounts.services import project_member_set, service_user_create

    robot = service_user_create(username="netbox-sync")
    project_member_set(project=project, user=robot, role=Role.VIEWER, by=owner)
    out = StringIO()
    # when
    call_command(
        "token_create",
        "--user",
        "netbox-sync",
        "--name",
        "sync",
        "--project",
        str(project.pk),
        stdout=out,
    )
    # then
    key = out.getvalue().strip()
    body = api_client.get(ME, **bearer(key)).json()
    assert (body["username"], body["is_service"]) == ("netbox-sync", True)
    assert [p["role"] for p in body["projects"]] == ["viewer"]
    assert not robot.has_usable_password()
