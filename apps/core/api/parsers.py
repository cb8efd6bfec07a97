"""The API's JSON parser: JSON that PostgreSQL could not store is refused as a 400, not a 500.

JSON may carry U+0000 (as the escape \\u0000) in any string, key or value, but PostgreSQL text
cannot hold it: a lookup or a write with one fails deep in the database driver. Every request body
is checked once, on the raw text (an unescaped \\u0000: one regular-expression scan, whatever the
size of the document), and refused with DRF's own code for it, `null_characters_not_allowed`,
and the path of the first string holding one as `attr` ("name", "1.product" in a bulk create).
"""

from __future__ import annotations

import io
import re
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ErrorDetail, ValidationError

# \u0000 preceded by an even number of backslashes (an odd run would escape the backslash itself)
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
MESSAGE = "Null characters are not allowed."  # DRF's message for the same error on a CharField


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that refuses NUL characters anywhere in the body."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read()
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        if _NUL.search(raw):
            error = [ErrorDetail(MESSAGE, code="null_characters_not_allowed")]
            path = _first_nul(data)
            raise ValidationError({".".join(path): error} if path else error)
        return data


def _first_nul(data: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path to the first string (or the object holding the first key) with a NUL in it."""
    if isinstance(data, str):
        return path if "\x00" in data else None
    items: Any = ()
    if isinstance(data, dict):
        if any("\x00" in key for key in data):
            return path
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    for key, value in items:
        found = _first_nul(value, (*path, str(key)))
        if found is not None:
            return found
    return None
