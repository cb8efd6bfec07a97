"""One error shape for the whole API: {"type": ..., "errors": [{"code", "detail", "attr"}]}.

drf-standardized-errors produces it; this module maps our domain errors (ApplicationError) and
Django's validation and integrity errors onto it, so that no bad input ever becomes a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.formatter import ExceptionFormatter as BaseFormatter
from drf_standardized_errors.handler import ExceptionHandler as BaseHandler
from rest_framework import exceptions, status

from apps.core.exceptions import ApplicationError


class ApplicationAPIException(exceptions.APIException):
    """An ApplicationError on its way out through DRF."""

    def __init__(self, error: ApplicationError):
        self.status_code = error.status_code
        self.attr = error.attr
        super().__init__(detail=error.detail, code=error.code)


class ExceptionHandler(BaseHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, ApplicationError):
            return ApplicationAPIException(exc)
        if isinstance(exc, DjangoValidationError):
            detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            return exceptions.ValidationError(detail=detail)
        return super().convert_known_exceptions(exc)


class ExceptionFormatter(BaseFormatter):
    def format_error_response(self, error_response: Any) -> Any:
        data = super().format_error_response(error_response)
        exc = self.exc
        if isinstance(exc, ApplicationAPIException) and exc.attr and data.get("errors"):
            # A domain error about one field of the request is a validation error of that field.
            data["errors"][0]["attr"] = exc.attr
            if exc.status_code == status.HTTP_400_BAD_REQUEST:
                data["type"] = "validation_error"
        return data
