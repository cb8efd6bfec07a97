"""How the schema describes `?brief=true`: which operations honour it, the oneOf they answer, the
closed brief components and their examples (apps/core/api/brief.py)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import EndpointEnumerator

from apps.core.api.brief import BriefModeMixin
from tests.core.openapi_support import (
    api_schema,
    brief_operations,
    component_of,
    validator,
)


def test_every_list_and_detail_of_a_brief_viewset_declares_brief() -> None:
    # given: the routes of every viewset that swaps in its brief serializer on ?brief=true
    reads = {
        (path.replace("{pk}", "{id}"), method.lower())
        for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
        if issubclass(getattr(callback, "cls", object), BriefModeMixin)
        and callback.actions.get(method.lower()) in {"list", "retrieve"}
    }
    # when
    declared = {(op.path, op.method) for op in brief_operations()}
    # then: 13 plant and 6 catalog resources, a list and a detail each
    assert len(reads) == 2 * (13 + 6)
    assert reads <= declared


def test_operations_with_brief_answer_one_of_the_full_and_the_closed_brief_form() -> None:
    # given
    components = api_schema()["components"]["schemas"]
    # when
    operations = list(brief_operations())
    # then: lists, details, creates (7 of them also take a list), PATCHes, enclosure move and
    # cable disconnect
    assert len(operations) == 2 * (13 + 6) + 11 + 9 + 2
    assert sum(op.bulk for op in operations) == 7
    for op in operations:
        assert op.brief.startswith("Brief"), op
        assert not op.full.startswith("Brief"), op
        brief = components[op.brief]
        assert brief["additionalProperties"] is False, op
        assert {"id", "url"} <= set(brief["required"]) < set(components[op.full]["required"]), op


def test_a_full_record_is_not_a_brief_one_and_a_brief_record_is_not_a_full_one() -> None:
    # given: BriefRack's own example, and the same record with the fields a full rack adds
    url = "https://fiber.example/api/v1/racks/1/"
    brief = {"id": 1, "url": url, "display": "R01", "name": "R01"}
    full = {
        **brief, "project": 1, "hall": 1, "row": 1, "position": 0, "height_u": 42,
        "created": "2026-01-05T10:00:00Z", "updated": "2026-01-05T10:00:00Z",
    }  # fmt: skip
    # when / then: oneOf holds exactly one branch for each
    assert validator("BriefRack").is_valid(brief)
    assert not validator("Rack").is_valid(brief)
    assert validator("Rack").is_valid(full)
    assert not validator("BriefRack").is_valid(full)
    assert validator("RackOrBrief").is_valid(brief)
    assert validator("RackOrBrief").is_valid(full)
    assert not validator("RackOrBrief").is_valid({**brief, "name": None})


def test_the_answer_examples_of_brief_operations_fit_the_answer() -> None:
    # given
    schema = api_schema()
    failures = []
    gets_with_a_brief_example = 0
    for op in brief_operations():
        operation = schema["paths"][op.path][op.method]
        code = "201" if "201" in operation["responses"] else "200"
        content = operation["responses"][code]["content"]["application/json"]
        check = validator(component_of(content["schema"]))
        # when
        examples = content.get("examples", {})
        # then: every example is a valid answer; the brief one holds brief records
        for name, example in examples.items():
            errors = [error.message for error in check.iter_errors(example["value"])]
            if errors:
                failures.append((op.method, op.path, name, errors[:3]))
            if name.startswith("Brief"):
                value = example["value"]
                for record in value["results"] if op.is_list else [value]:
                    if not validator(op.brief).is_valid(record):
                        failures.append((op.method, op.path, name, record))
        if op.method == "get" and any(name.startswith("Brief") for name in examples):
            gets_with_a_brief_example += 1
    assert not failures, failures
    assert gets_with_a_brief_example == 2 * (13 + 6)


def test_a_brief_viewset_refuses_a_brief_serializer_the_schema_would_leave_open() -> None:
    # given: a plain serializer, whose schema would not be closed
    from rest_framework import serializers, viewsets

    class Plain(serializers.Serializer):
        id = serializers.IntegerField()

    # when / then
    with pytest.raises(TypeError, match="must be a BriefSerializer"):
        type(
            "OpenViewSet",
            (BriefModeMixin, viewsets.GenericViewSet),
            {"brief_serializer_class": Plain},
        )
