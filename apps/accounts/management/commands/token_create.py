"""Create an API token from the command line (e.g. for a service user) and print its key once.

manage.py token_create --user netbox-sync --service --name sync --project 3 --role viewer
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.accounts.models import Project, Role, User
from apps.accounts.services import service_user_create, token_create
from apps.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for a user and print its plaintext key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Username of the token's owner.")
        parser.add_argument(
            "--service",
            action="store_true",
            help="Create the user as a service user (no password) if it does not exist.",
        )
        parser.add_argument("--name", required=True)
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--project", type=int, action="append", default=[], help="Project id (repeatable)."
        )
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--write", action="store_true", help="Read-write (default read-only).")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            if not options["service"]:
                raise CommandError(f"No user {options['user']!r} (add --service to create one).")
            user = service_user_create(username=options["user"])
        projects = list(Project.objects.filter(pk__in=options["project"]))
        if len(projects) != len(set(options["project"])):
            raise CommandError("No such project.")
        expires = (
            timezone.now() + timedelta(days=options["expires_days"])
            if options["expires_days"]
            else None
        )
        try:
            _, key = token_create(
                user=user,
                name=options["name"],
                description=options["description"],
                projects=projects,
                role=options["role"],
                write_enabled=options["write"],
                expires=expires,
            )
        except ApplicationError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(key)
