"""Domain errors raised by services and turned into 4xx answers by the API's exception handler."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that cannot be carried out, with a machine-readable code and a human message."""

    status_code = 400

    def __init__(
        self, detail: str, *, code: str, attr: str | None = None, status: int | None = None
    ):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.attr = attr
        if status is not None:
            self.status_code = status
