"""Helpers shared by the views: sign-in, role checks, service errors next to their field."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms import Form
from django.urls import reverse_lazy

from apps.accounts.models import Project, User
from apps.core.exceptions import ApplicationError

from ..forms import add_service_error
from ..selectors import can_design

F = TypeVar("F", bound=Callable[..., Any])

signed_in: Callable[[F], F] = login_required(login_url=reverse_lazy("configurator:login"))


def require_design(user: User, project: Project) -> None:
    """403 unless the user may change the project's plant (designer or owner)."""
    if not can_design(user=user, project=project):
        raise PermissionDenied("Designers and owners change the plant; you may look.")


def run_service(form: Form, call: Callable[[], Any], attrs: dict[str, str] | None = None) -> Any:
    """Call a service; its refusal becomes a form error next to the field (None is returned)."""
    try:
        return call()
    except ApplicationError as error:
        add_service_error(form, error, attrs or {})
    except ValidationError as error:
        for field, messages in error.message_dict.items() if hasattr(error, "error_dict") else []:
            form.add_error(field if field in form.fields else None, messages)
        if not hasattr(error, "error_dict"):
            form.add_error(None, error.messages)
    except IntegrityError:
        form.add_error(None, "Someone else changed this at the same time; try again.")
    return None


class _Rollback(Exception):
    pass


@contextmanager
def dry_run() -> Any:
    """Run a service for its checks only: everything it wrote is rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
