"""Users, organizations, projects, memberships and API tokens.

Tenancy: an Organization holds Projects; everything the plant app stores belongs to one Project, so
"what may this request see" is always one indexed filter on ``project_id`` (see selectors.py).

    Organization ──< OrganizationMembership >── User ──< APIToken >──< projects
         │                                        │
         └──< Project ──< ProjectMembership >─────┘       role: viewer < designer < owner
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models

from apps.core.models import TimeStampedModel


class Role(models.TextChoices):
    """What a member may do in a project, ordered: viewer < designer < owner."""

    VIEWER = "viewer", "Viewer"
    DESIGNER = "designer", "Designer"
    OWNER = "owner", "Owner"

    @property
    def rank(self) -> int:
        """1 for viewer, 2 for designer, 3 for owner: compare roles by rank, never by name."""
        return _ROLE_RANKS[self.value]

    @classmethod
    def lowest(cls, *roles: str) -> Role:
        """The least powerful of the given roles."""
        return min((cls(role) for role in roles), key=lambda role: role.rank)

    @classmethod
    def highest(cls, *roles: str) -> Role:
        """The most powerful of the given roles."""
        return max((cls(role) for role in roles), key=lambda role: role.rank)

    def at_least(self, minimum: str) -> bool:
        """True when this role may do what `minimum` may do."""
        return self.rank >= Role(minimum).rank


_ROLE_RANKS = {"viewer": 1, "designer": 2, "owner": 3}


class User(AbstractUser):
    """A person who signs in, or a service user that owns an integration's API tokens."""

    is_service = models.BooleanField(
        default=False,
        help_text="A service user for an integration: no password, it uses API tokens.",
    )

    class Meta:
        db_table = "accounts_user"


class Organization(TimeStampedModel):
    """A customer or operator that owns projects; its admins create projects and manage members."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganizationMembership",
        related_name="organizations",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationMembership(TimeStampedModel):
    """One user in one organization; admins create projects and manage every project's members."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    is_admin = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="accounts_orgmembership_unique_user_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}{' (admin)' if self.is_admin else ''}"


class Project(TimeStampedModel):
    """One cabling design (a site or a build-out) and its settings; the unit of access control."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)
    cable_slack_m = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Slack added to every measured cable route, in metres.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProjectMembership", related_name="projects"
    )

    class Meta:
        ordering = ["organization_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="accounts_project_unique_org_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMembership(TimeStampedModel):
    """One user's role in one project."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            # Also the index behind "projects of this user": (user_id, project_id).
            models.UniqueConstraint(
                fields=["user", "project"], name="accounts_projectmembership_unique_user_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"


class APIToken(TimeStampedModel):
    """A NetBox-v2-style API key ``<prefix>.<secret>``; only an HMAC of the secret is stored.

    The prefix finds the row; the secret is checked against ``digest`` in constant time. A token
    reaches only the projects it lists, with at most its ``role`` (and never more than its user's
    role at the time of the request).
    """

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    # Hex HMAC-SHA256 of the secret, keyed with settings.API_TOKEN_PEPPER. Never shown anywhere.
    digest = models.CharField(max_length=64, editable=False)
    write_enabled = models.BooleanField(
        default=False, help_text="Read-write; a read-only token may use only safe methods."
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    projects = models.ManyToManyField(Project, blank=True, related_name="api_tokens")
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
