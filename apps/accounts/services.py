"""Writes for tenancy and API tokens. Each one checks who is asking (`by`, and the API token of the
request if any) before it changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts import tokens
from apps.accounts.models import (
    APIToken,
    Organization,
    OrganizationMembership,
    Project,
    ProjectMembership,
    Role,
    User,
)
from apps.accounts.selectors import project_list_with_roles, project_manageable, project_role_of
from apps.core.exceptions import ApplicationError


def _denied(detail: str, *, attr: str | None = None) -> ApplicationError:
    return ApplicationError(detail, code="permission_denied", attr=attr, status=403)


def _is_org_admin(*, user: User, organization: Organization) -> bool:
    return OrganizationMembership.objects.filter(
        user=user, organization=organization, is_admin=True
    ).exists()


@transaction.atomic
def service_user_create(*, username: str, email: str = "") -> User:
    """Create a service user for an integration: no usable password, so API tokens only."""
    user = User(username=username, email=email, is_service=True)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def organization_create(*, name: str, slug: str, by: User) -> Organization:
    """Create an organization with `by` as its first admin."""
    organization = Organization(name=name, slug=slug)
    organization.full_clean()
    organization.save()
    OrganizationMembership.objects.create(user=by, organization=organization, is_admin=True)
    return organization


@transaction.atomic
def organization_member_set(
    *, organization: Organization, user: User, is_admin: bool, by: User
) -> OrganizationMembership:
    """Add a user to an organization or change their admin flag (by an admin of it)."""
    if not _is_org_admin(user=by, organization=organization):
        raise _denied("Only an administrator of the organization may change its members.")
    membership, _ = OrganizationMembership.objects.update_or_create(
        user=user, organization=organization, defaults={"is_admin": is_admin}
    )
    return membership


@transaction.atomic
def project_create(
    *,
    organization: Organization,
    name: str,
    slug: str,
    by: User,
    description: str = "",
    cable_slack_m: Decimal | None = None,
    token: APIToken | None = None,
) -> Project:
    """Create a project in an organization (by one of its admins); `by` becomes its owner."""
    if token is not None:
        # A token is scoped to a list of existing projects; organization-level actions need a
        # signed-in person.
        raise ApplicationError(
            "Projects cannot be created with an API token.",
            code="token_not_allowed",
            status=403,
        )
    if not _is_org_admin(user=by, organization=organization):
        raise _denied(
            "Only an administrator of the organization may create projects.", attr="organization"
        )
    project = Project(organization=organization, name=name, slug=slug, description=description)
    if cable_slack_m is not None:
        project.cable_slack_m = cable_slack_m
    project.full_clean()  # includes the (organization, slug) unique constraint
    project.save()
    ProjectMembership.objects.create(user=by, project=project, role=Role.OWNER)
    return project


def _require_owner(*, project: Project, by: User, token: APIToken | None) -> None:
    if not project_manageable(user=by, token=token, project=project):
        raise _denied("Only an owner of the project or an organization admin may do this.")


@transaction.atomic
def project_member_set(
    *, project: Project, user: User, role: str, by: User, token: APIToken | None = None
) -> ProjectMembership:
    """Give a user a role in a project, or change it (by an owner or an organization admin)."""
    _require_owner(project=project, by=by, token=token)
    membership, _ = ProjectMembership.objects.update_or_create(
        user=user, project=project, defaults={"role": Role(role)}
    )
    return membership


@transaction.atomic
def project_member_remove(
    *, project: Project, user: User, by: User, token: APIToken | None = None
) -> None:
    """Remove a user from a project (by an owner or an organization admin)."""
    _require_owner(project=project, by=by, token=token)
    deleted, _ = ProjectMembership.objects.filter(user=user, project=project).delete()
    if not deleted:
        raise ApplicationError("No such member.", code="not_found", status=404)


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    projects: Iterable[Project],
    role: str,
    write_enabled: bool,
    expires: datetime | None = None,
    description: str = "",
    via: APIToken | None = None,
) -> tuple[APIToken, str]:
    """Create an API token for `user`; return it and its plaintext key, which is never stored.

    The token's role may not exceed the user's role in any of its projects. When the request is
    itself authenticated by a token (`via`), the new token cannot reach further than that one.
    """
    role = Role(role)
    project_ids = {project.pk for project in projects}
    if expires is not None and expires <= timezone.now():
        raise ApplicationError("Expiry must be in the future.", code="invalid", attr="expires")
    if via is not None:
        _require_within(
            via, project_ids=project_ids, role=role, write_enabled=write_enabled, expires=expires
        )
    reachable = {
        project.pk: project_role_of(project)
        for project in project_list_with_roles(user=user).filter(pk__in=project_ids)
    }
    for project_id in sorted(project_ids):
        own = reachable.get(project_id)
        if own is None:
            raise ApplicationError(
                f"You are not a member of project {project_id}.",
                code="not_a_member",
                attr="projects",
            )
        if not own.at_least(role):
            raise ApplicationError(
                f"The token's role ({role}) exceeds your role ({own}) in project {project_id}.",
                code="role_exceeds_member_role",
                attr="role",
            )
    prefix = tokens.new_prefix()
    while APIToken.objects.filter(prefix=prefix).exists():  # 36**12 ids: practically never
        prefix = tokens.new_prefix()
    secret = tokens.new_secret()
    token = APIToken(
        user=user,
        name=name,
        description=description,
        prefix=prefix,
        digest=tokens.secret_digest(secret),
        role=role,
        write_enabled=write_enabled,
        expires=expires,
    )
    token.full_clean()
    token.save()
    token.projects.set(project_ids)
    return token, tokens.key_join(prefix, secret)


def _require_within(
    via: APIToken,
    *,
    project_ids: set[int],
    role: Role,
    write_enabled: bool,
    expires: datetime | None,
) -> None:
    """A token may mint only tokens that reach no further, last no longer and do no more."""
    listed = set(via.projects.values_list("pk", flat=True))
    if not project_ids <= listed:
        raise _denied("A token cannot grant projects it does not list itself.", attr="projects")
    if not Role(via.role).at_least(role):
        raise _denied("A token cannot grant a role above its own.", attr="role")
    if write_enabled and not via.write_enabled:
        raise _denied("A read-only token cannot create a read-write one.", attr="write_enabled")
    if via.expires is not None and (expires is None or expires > via.expires):
        raise _denied("A token cannot outlive the token that creates it.", attr="expires")


@transaction.atomic
def token_revoke(*, token: APIToken, by: User) -> None:
    """Delete an API token (by its owner); its key stops working at once."""
    if token.user_id != by.pk:
        raise ApplicationError("No such token.", code="not_found", status=404)
    token.delete()
