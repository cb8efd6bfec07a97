"""Organizations, projects and members: who sees what, with which role.

Organization acme ── org_admin
    ├── project "hall-1" ── owner · designer · viewer
    └── (other projects made per test)
outsider: in no project, in no organization
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Project, ProjectMembership, Role
from apps.accounts.selectors import project_list, project_role
from apps.accounts.services import (
    organization_create,
    project_create,
    project_member_set,
)
from apps.core.exceptions import ApplicationError
from tests.accounts.helpers import bearer, error_of
from tests.factories.accounts import (
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
    token_make,
)

PROJECTS = "/api/v1/projects/"
ME = "/api/v1/users/me/"

pytestmark = pytest.mark.django_db


# --- selectors -------------------------------------------------------------------------------


def test_project_list_holds_my_projects_and_those_of_orgs_i_administer(
    org_admin, designer, outsider, project
):
    # given: a project of acme nobody joined, and a project of another organization
    unjoined = ProjectFactory.create(organization=project.organization)
    elsewhere = ProjectFactory.create()
    # then
    assert set(project_list(user=designer)) == {project}
    assert set(project_list(user=org_admin)) == {project, unjoined}
    assert set(project_list(user=outsider)) == set()
    assert elsewhere not in project_list(user=org_admin)


def test_project_list_is_one_query_usable_as_a_subquery(designer, project):
    # when
    with CaptureQueriesContext(connection) as queries:
        ids = list(Project.objects.filter(pk__in=project_list(user=designer)).values("pk"))
    # then
    assert len(queries) == 1
    assert ids == [{"pk": project.pk}]


def test_project_list_with_a_minimum_role(owner, designer, viewer, project):
    assert list(project_list(user=designer, role=Role.DESIGNER)) == [project]
    assert list(project_list(user=viewer, role=Role.DESIGNER)) == []
    assert list(project_list(user=owner, role=Role.OWNER)) == [project]


def test_project_list_with_a_token_and_a_minimum_role(designer, project):
    token, _ = token_make(user=designer, projects=[project], role=Role.VIEWER)
    assert list(project_list(user=designer, token=token)) == [project]
    assert list(project_list(user=designer, token=token, role=Role.DESIGNER)) == []


def test_project_role_per_persona(org_admin, owner, designer, viewer, outsider, project):
    assert project_role(user=org_admin, project=project) == Role.OWNER
    assert project_role(user=owner, project=project) == Role.OWNER
    assert project_role(user=designer, project=project) == Role.DESIGNER
    assert project_role(user=viewer, project=project) == Role.VIEWER
    assert project_role(user=outsider, project=project) is None


def test_roles_are_ordered_viewer_designer_owner():
    assert Role.VIEWER.rank < Role.DESIGNER.rank < Role.OWNER.rank
    assert Role.lowest("owner", "viewer") == Role.VIEWER
    assert Role.highest("designer", "viewer") == Role.DESIGNER
    assert Role.DESIGNER.at_least(Role.VIEWER)
    assert not Role.DESIGNER.at_least(Role.OWNER)


# --- services --------------------------------------------------------------------------------


def test_organization_create_makes_its_creator_an_admin(outsider):
    # when
    organization = organization_create(name="Beta", slug="beta", by=outsider)
    # then
    assert list(organization.memberships.values_list("user__username", "is_admin")) == [
        ("outsider", True)
    ]


def test_project_create_by_an_org_admin_makes_them_owner(org_admin, organization):
    # when
    created = project_create(organization=organization, name="Hall 2", slug="hall-2", by=org_admin)
    # then
    assert created.cable_slack_m == Decimal("2.00")
    assert project_role(user=org_admin, project=created) == Role.OWNER
    assert ProjectMembership.objects.get(project=created).role == Role.OWNER


def test_project_create_is_refused_to_a_non_admin_and_changes_nothing(owner, organization):
    # given
    before = Project.objects.count()
    # when
    with pytest.raises(ApplicationError) as raised:
        project_create(organization=organization, name="Hall 2", slug="hall-2", by=owner)
    # then
    assert (raised.value.code, raised.value.status_code) == ("permission_denied", 403)
    assert Project.objects.count() == before


def test_project_slug_is_unique_per_organization(org_admin, organization, project):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        project_create(organization=organization, name="Again", slug=project.slug, by=org_admin)
    other = organization_create(name="Beta", slug="beta", by=org_admin)
    assert project_create(organization=other, name="Hall 1", slug=project.slug, by=org_admin)


def test_project_member_set_by_a_designer_is_refused(designer, outsider, project):
    with pytest.raises(ApplicationError) as raised:
        project_member_set(project=project, user=outsider, role=Role.VIEWER, by=designer)
    assert raised.value.status_code == 403
    assert project_role(user=outsider, project=project) is None


def test_project_member_set_with_an_owners_viewer_token_is_refused(owner, outsider, project):
    token, _ = token_make(user=owner, projects=[project], role=Role.VIEWER)
    with pytest.raises(ApplicationError):
        project_member_set(project=project, user=outsider, role=Role.VIEWER, by=owner, token=token)


# --- API: projects ---------------------------------------------------------------------------


def test_projects_api_lists_mine_with_my_role(authed_client, designer, project):
    # given
    ProjectFactory.create(organization=project.organization)  # not mine
    # when
    response = authed_client(designer).get(PROJECTS)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": project.pk,
            "organization": {"id": project.organization_id, "name": "Acme", "slug": "acme"},
            "name": "Hall 1",
            "slug": "hall-1",
            "description": "",
            "cable_slack_m": "2.00",
            "role": "designer",
        }
    ]


def test_outsider_gets_404_on_another_project(authed_client, outsider, project):
    # when
    response = authed_client(outsider).get(f"{PROJECTS}{project.pk}/")
    members = authed_client(outsider).get(f"{PROJECTS}{project.pk}/members/")
    # then: the same answer as for a project that does not exist
    missing = authed_client(outsider).get(f"{PROJECTS}999999/")
    assert response.status_code == members.status_code == missing.status_code == 404
    assert error_of(response) == error_of(missing)
    assert error_of(response)["code"] == "not_found"


def test_member_sees_the_project(authed_client, viewer, project):
    response = authed_client(viewer).get(f"{PROJECTS}{project.pk}/")
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_a_token_for_project_p_sees_only_p(api_client, designer, project):
    # given: designer in P and Q; the token lists P only
    q = ProjectFactory.create(organization=project.organization)
    ProjectMembershipFactory(user=designer, project=q, role=Role.DESIGNER)
    _, key = token_make(user=designer, projects=[project])
    # when
    listed = api_client.get(PROJECTS, **bearer(key))
    q_detail = api_client.get(f"{PROJECTS}{q.pk}/", **bearer(key))
    # then
    assert [row["id"] for row in listed.json()["results"]] == [project.pk]
    assert listed.json()["results"][0]["role"] == "viewer"
    assert q_detail.status_code == 404


def test_project_create_api_by_an_org_admin(authed_client, org_admin, organization):
    # when
    response = authed_client(org_admin).post(
        PROJECTS,
        {"organization": organization.pk, "name": "Hall 2", "slug": "hall-2", "cable_slack_m": "3"},
    )
    # then
    assert response.status_code == 201
    assert response.json()["role"] == "owner"
    assert response.json()["cable_slack_m"] == "3.00"
    assert Project.objects.get(slug="hall-2").organization == organization


def test_project_create_api_refuses_a_non_admin(authed_client, owner, organization):
    # given: the owner belongs to the organization, but is not its admin
    from tests.factories.accounts import OrganizationMembershipFactory

    OrganizationMembershipFactory(user=owner, organization=organization)
    # when
    response = authed_client(owner).post(
        PROJECTS, {"organization": organization.pk, "name": "X", "slug": "x"}
    )
    # then
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert not Project.objects.filter(slug="x").exists()


def test_project_create_api_hides_organizations_i_am_not_in(authed_client, outsider, organization):
    response = authed_client(outsider).post(
        PROJECTS, {"organization": organization.pk, "name": "X", "slug": "x"}
    )
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "does_not_exist",
        "detail": "No such organization.",
        "attr": "organization",
    }


def test_project_create_api_refuses_tokens(api_client, org_admin, organization, project):
    _, key = token_make(user=org_admin, projects=[project], role=Role.OWNER, write_enabled=True)
    response = api_client.post(
        PROJECTS, {"organization": organization.pk, "name": "X", "slug": "x"}, **bearer(key)
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "token_not_allowed"


# --- API: members ----------------------------------------------------------------------------


def test_owner_adds_and_removes_a_member(authed_client, owner, outsider, project):
    # given
    client = authed_client(owner)
    members = f"{PROJECTS}{project.pk}/members/"
    # when
    added = client.post(members, {"username": "outsider", "role": "designer"})
    # then
    assert added.status_code == 200
    assert added.json() == {"user": {"id": outsider.pk, "username": "outsider"}, "role": "designer"}
    assert project_role(user=outsider, project=project) == Role.DESIGNER
    # when
    removed = client.delete(f"{members}{outsider.pk}/")
    # then
    assert removed.status_code == 204
    assert project_role(user=outsider, project=project) is None


def test_org_admin_sets_a_role(authed_client, org_admin, viewer, project):
    response = authed_client(org_admin).post(
        f"{PROJECTS}{project.pk}/members/", {"username": "viewer", "role": "owner"}
    )
    assert response.status_code == 200
    assert project_role(user=viewer, project=project) == Role.OWNER


def test_a_viewer_cannot_change_members_nor_probe_usernames(authed_client, viewer, project):
    # when
    known = authed_client(viewer).post(
        f"{PROJECTS}{project.pk}/members/", {"username": "viewer", "role": "owner"}
    )
    unknown = authed_client(viewer).post(
        f"{PROJECTS}{project.pk}/members/", {"username": "nobody-at-all", "role": "owner"}
    )
    # then
    assert known.status_code == unknown.status_code == 403
    assert error_of(known) == error_of(unknown)
    assert project_role(user=viewer, project=project) == Role.VIEWER


def test_members_are_listed_to_any_member(authed_client, owner, designer, viewer, project):
    response = authed_client(viewer).get(f"{PROJECTS}{project.pk}/members/")
    assert response.status_code == 200
    assert [(m["user"]["username"], m["role"]) for m in response.json()["results"]] == [
        ("designer", "designer"),
        ("owner", "owner"),
        ("viewer", "viewer"),
    ]


# --- API: users/me ---------------------------------------------------------------------------


def test_me_with_a_token_shows_the_token_and_its_projects_with_capped_roles(
    api_client, owner, project
):
    # given
    elsewhere = ProjectFactory.create(organization=project.organization)
    ProjectMembershipFactory(user=owner, project=elsewhere, role=Role.OWNER)
    token, key = token_make(user=owner, projects=[project], role=Role.DESIGNER)
    # when
    response = api_client.get(ME, **bearer(key))
    # then
    body = response.json()
    assert (body["username"], body["is_service"]) == ("owner", False)
    assert body["token"]["prefix"] == token.prefix
    assert [(p["id"], p["role"]) for p in body["projects"]] == [(project.pk, "designer")]


def test_me_with_a_session_shows_every_project(authed_client, org_admin, project):
    unjoined = ProjectFactory.create(organization=project.organization, name="Hall 9")
    body = authed_client(org_admin).get(ME).json()
    assert body["token"] is None
    assert [(p["id"], p["role"]) for p in body["projects"]] == [
        (project.pk, "owner"),
        (unjoined.pk, "owner"),
    ]


# --- query budgets ---------------------------------------------------------------------------


def _projects_for(person, count: int, organization) -> None:
    for _ in range(count):
        ProjectMembershipFactory(
            user=person,
            project=ProjectFactory.create(organization=organization),
            role=Role.DESIGNER,
        )


@pytest.mark.parametrize("url", [PROJECTS, ME])
def test_project_lists_cost_the_same_for_1_and_20_projects(authed_client, organization, url):
    # given
    few, many = UserFactory.create(), UserFactory.create()
    _projects_for(few, 1, organization)
    _projects_for(many, 20, organization)
    # when
    with CaptureQueriesContext(connection) as one:
        authed_client(few).get(url)
    with CaptureQueriesContext(connection) as twenty:
        response = authed_client(many).get(url)
    # then
    rows = response.json().get("results", response.json().get("projects"))
    assert len(rows) == 20
    assert len(twenty) == len(one) <= 3


def test_members_list_costs_the_same_for_1_and_20_members(authed_client, organization):
    # given
    small, big = (
        ProjectFactory.create(organization=organization),
        ProjectFactory.create(organization=organization),
    )
    ProjectMembershipFactory(project=small, role=Role.OWNER)
    ProjectMembershipFactory.create_batch(20, project=big)
    reader = UserFactory.create()
    for project in (small, big):
        ProjectMembershipFactory(user=reader, project=project)
    # when
    with CaptureQueriesContext(connection) as one:
        authed_client(reader).get(f"{PROJECTS}{small.pk}/members/")
    with CaptureQueriesContext(connection) as twenty:
        response = authed_client(reader).get(f"{PROJECTS}{big.pk}/members/")
    # then
    assert response.json()["count"] == 21
    assert len(twenty) == len(one) <= 4


@pytest.mark.parametrize("url", [PROJECTS, "/api/v1/tokens/", ME])
def test_project_and_token_lists_with_a_token_cost_the_same_for_1_and_20(
    api_client, organization, url
):
    # given
    few, many = UserFactory.create(), UserFactory.create()
    _projects_for(few, 1, organization)
    _projects_for(many, 20, organization)
    _, few_key = token_make(user=few, projects=project_list(user=few), role=Role.VIEWER)
    _, many_key = token_make(user=many, projects=project_list(user=many), role=Role.VIEWER)
    for _ in range(19):
        token_make(user=many, projects=project_list(user=many))
    api_client.get(ME, **bearer(few_key))  # first use writes last_used: not what we count
    api_client.get(ME, **bearer(many_key))
    # when
    with CaptureQueriesContext(connection) as one:
        api_client.get(url, **bearer(few_key))
    with CaptureQueriesContext(connection) as twenty:
        api_client.get(url, **bearer(many_key))
    # then
    assert len(twenty) == len(one) <= 4
