"""Errors the engine raises: only for impossible input. Everything else is a Finding."""

from __future__ import annotations


class ChannelError(ValueError):
    """Input the engine cannot trace at all (unknown product, missing leg, bad position).

    `code` is stable (the API returns it), `pointer` is a JSON pointer into the request
    ("/elements/3/exit"), `message` says what is wrong in words.
    """

    def __init__(self, code: str, message: str, pointer: str | None = None) -> None:
        self.code = code
        self.message = message
        self.pointer = pointer
        super().__init__(f"{code}: {message}" + (f" (at {pointer})" if pointer else ""))
