"""The API's JSON parser refuses NUL characters (PostgreSQL text cannot hold them) and only them."""

from __future__ import annotations

import io

import pytest
from rest_framework.exceptions import ValidationError

from apps.core.api.parsers import JSONParser


def _parse(raw: bytes) -> object:
    return JSONParser().parse(io.BytesIO(raw))


@pytest.mark.parametrize(
    ("raw", "attr"),
    [
        (rb'{"name": "a\u0000b"}', "name"),
        (rb'[{"name": "ok"}, {"legs": [{"port": "x"}, {"port": "\u0000"}]}]', "1.legs.1.port"),
        (rb'{"name": "a\\\u0000"}', "name"),  # an escaped backslash, then a NUL
        (rb'{"a\u0000": 1}', None),  # in a key: the object holding it
    ],
)
def test_a_nul_anywhere_is_refused_with_its_path(raw: bytes, attr: str | None) -> None:
    with pytest.raises(ValidationError) as refused:
        _parse(raw)
    assert refused.value.get_codes() == (
        {attr: ["null_characters_not_allowed"]} if attr else ["null_characters_not_allowed"]
    )


def test_the_text_backslash_u0000_is_not_a_nul() -> None:
    # an escaped backslash followed by "u0000": six ordinary characters
    assert _parse(rb'{"note": "C:\\u0000.txt"}') == {"note": "C:\\u0000.txt"}
