"""Reads for tenancy: which projects a user (or an API token) may reach, and with which role.

Every project-scoped query elsewhere (plant, audits) filters with
``project_id__in=project_list(user=..., token=...)``: one indexed filter, evaluated as a subquery.
An organization admin counts as an owner of each of the organization's projects.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from apps.accounts.models import (
    APIToken,
    Organization,
    OrganizationMembership,
    Project,
    ProjectMembership,
    Role,
    User,
)


def _anonymous(user: User) -> bool:
    return not getattr(user, "is_authenticated", False)


def organization_list(*, user: User, admin: bool = False) -> QuerySet[Organization]:
    """Organizations the user belongs to (only those they administer, with admin=True)."""
    if _anonymous(user):
        return Organization.objects.none()
    memberships = OrganizationMembership.objects.filter(user=user)
    if admin:
        memberships = memberships.filter(is_admin=True)
    return Organization.objects.filter(pk__in=memberships.values("organization_id"))


def project_list(
    *, user: User, token: APIToken | None = None, role: str | None = None
) -> QuerySet[Project]:
    """Projects the user may see: member of, or admin of its organization.

    With a token, only the token's projects; with `role`, only projects where the (effective) role
    is at least that role.
    """
    if _anonymous(user):
        return Project.objects.none()
    if token is not None and role is not None and not Role(token.role).at_least(role):
        return Project.objects.none()
    memberships = ProjectMembership.objects.filter(user=user)
    if role is not None:
        memberships = memberships.filter(
            role__in=[r for r in Role.values if Role(r).at_least(role)]
        )
    admin_of = OrganizationMembership.objects.filter(user=user, is_admin=True)
    projects = Project.objects.filter(pk__in=memberships.values("project_id")) | (
        Project.objects.filter(organization_id__in=admin_of.values("organization_id"))
    )
    if token is not None:
        listed = APIToken.projects.through.objects.filter(apitoken_id=token.pk)
        projects = projects.filter(pk__in=listed.values("project_id"))
    return projects


def project_list_with_roles(*, user: User, token: APIToken | None = None) -> QuerySet[Project]:
    """project_list with what decides the role (membership role, org admin flag), in one query.

    Read each project's role with `project_role_of(project, token=...)`: the membership role or
    owner for organization admins, capped by the token's role.
    """
    membership_role = ProjectMembership.objects.filter(project=OuterRef("pk"), user=user).values(
        "role"
    )[:1]
    is_org_admin = OrganizationMembership.objects.filter(
        organization=OuterRef("organization_id"), user=user, is_admin=True
    )
    return (
        project_list(user=user, token=token)
        .select_related("organization")
        .annotate(membership_role=Subquery(membership_role), is_org_admin=Exists(is_org_admin))
        .order_by("organization__name", "name", "pk")
    )


def project_role_of(project: Project, *, token: APIToken | None = None) -> Role:
    """The role on a project from `project_list_with_roles`' annotations, capped by the token."""
    roles = [project.membership_role] if project.membership_role else []  # type: ignore[attr-defined]
    if project.is_org_admin:  # type: ignore[attr-defined]
        roles.append(Role.OWNER)
    role = Role.highest(*roles)
    return Role.lowest(role, token.role) if token is not None else role


def project_role(*, user: User, project: Project) -> Role | None:
    """The user's role on the project (org admins are owners), or None for outsiders."""
    if _anonymous(user):
        return None
    roles: list[str] = list(
        ProjectMembership.objects.filter(user=user, project=project).values_list("role", flat=True)
    )
    if OrganizationMembership.objects.filter(
        user=user, organization_id=project.organization_id, is_admin=True
    ).exists():
        roles.append(Role.OWNER)
    return Role.highest(*roles) if roles else None


def effective_role(*, user: User, token: APIToken | None, project: Project) -> Role | None:
    """The role a request has on a project: the user's, capped by the token's if there is one.

    A token that does not list the project gets None, whatever the user's own role.
    """
    if token is None:
        return project_role(user=user, project=project)
    if token.user_id != user.pk or not token.projects.filter(pk=project.pk).exists():
        return None
    role = project_role(user=user, project=project)
    return None if role is None else Role.lowest(role, token.role)


def project_manageable(*, user: User, token: APIToken | None, project: Project) -> bool:
    """True when the request may change the project's members: owner or organization admin."""
    role = effective_role(user=user, token=token, project=project)
    return role is not None and role.at_least(Role.OWNER)


def project_member_list(*, project: Project) -> QuerySet[ProjectMembership]:
    """The project's memberships with their users, by username."""
    return (
        ProjectMembership.objects.filter(project=project)
        .select_related("user")
        .order_by("user__username")
    )


def token_list(*, user: User) -> QuerySet[APIToken]:
    """The user's API tokens, newest first, with their projects prefetched."""
    return (
        APIToken.objects.filter(user=user).prefetch_related("projects").order_by("-created", "-pk")
    )
