"""The API's own OpenAPI schema (drf-spectacular's generator) as JSON Schema, for tests that
check answers against named components and find the operations that honour `?brief=true`.

OpenAPI 3.0 says `nullable: true` where JSON Schema says `type: null`; `json_schema` rewrites
that one keyword, and every other keyword means the same in both.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator

REF = "#/components/schemas/"


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema (or document) with `nullable: true` written as JSON Schema."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: json_schema(value)
        for key, value in node.items()
        if not (key == "nullable" and isinstance(value, bool))
    }
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def api_schema() -> dict[str, Any]:
    """The schema /api/schema/ serves, as plain JSON."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(schema)))


@functools.cache
def _components() -> dict[str, Any]:
    return dict(json_schema(api_schema()["components"]))


def validator(component: str) -> Draft202012Validator:
    """A validator for one component (its $refs resolve within the schema)."""
    return Draft202012Validator({"$ref": f"{REF}{component}", "components": _components()})


def component_of(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).removeprefix(REF)


@dataclass(frozen=True)
class BriefOperation:
    """An operation that declares `brief`, with its answer's two forms (component names)."""

    path: str
    method: str
    full: str
    brief: str
    is_list: bool
    bulk: bool = False


def brief_operations(prefix: str = "/api/") -> Iterator[BriefOperation]:
    """Every operation under prefix with a `brief` parameter, and the oneOf its answer is."""
    schema = api_schema()
    for path, item in schema["paths"].items():
        if not path.startswith(prefix):
            continue
        for method, operation in item.items():
            if "brief" not in {p["name"] for p in operation.get("parameters", [])}:
                continue
            ok = next(code for code in ("200", "201") if code in operation["responses"])
            answer = operation["responses"][ok]["content"]["application/json"]["schema"]
            name = component_of(answer)
            results = schema["components"]["schemas"][name].get("properties", {}).get("results")
            is_list = name.startswith("Paginated") and results is not None
            if is_list:
                name = component_of(results["items"])
            # [full, brief] or, for a bulk create, [full, brief, [full], [brief]]
            branches = schema["components"]["schemas"][name]["oneOf"]
            forms = [component_of(b) for b in branches if "$ref" in b]
            lists = [component_of(b["items"]) for b in branches if "$ref" not in b]
            assert lists in ([], forms), (path, method, branches)
            full, brief = sorted(forms, key=lambda n: n.startswith("Brief"))
            yield BriefOperation(path, method, full, brief, is_list, bulk=bool(lists))


def brief_reads_check(client: Any, operations: list[BriefOperation]) -> tuple[int, list[Any]]:
    """GET every list and detail of `operations` with `?brief=true`, `?brief=false` and no
    `brief`; each record must fit the expected form's component and not the other one.

    Details take the first id their list answers. Returns (records checked, failures).
    """
    checked = 0
    failures: list[Any] = []
    first_ids: dict[str, int] = {}
    for op in sorted(operations, key=lambda o: not o.is_list):  # lists first: they give the ids
        if op.is_list:
            url = op.path
        else:
            listed = op.path.removesuffix("{id}/")
            if listed not in first_ids:
                failures.append((op.path, "no record to fetch: its list answered none"))
                continue
            url = op.path.replace("{id}", str(first_ids[listed]))
        for query, form, other in (
            ("?brief=true", op.brief, op.full),
            ("?brief=false", op.full, op.brief),
            ("", op.full, op.brief),
        ):
            response = client.get(url + query)
            if response.status_code != 200:
                failures.append((url + query, response.status_code))
                continue
            body = response.json()
            records = body["results"] if op.is_list else [body]
            if not records:
                failures.append((url + query, "no records to check"))
            elif op.is_list:
                first_ids[op.path] = records[0]["id"]
            for record in records:
                checked += 1
                errors = [error.message for error in validator(form).iter_errors(record)]
                if errors:
                    failures.append((url + query, form, errors[:3]))
                if validator(other).is_valid(record):
                    failures.append((url + query, f"fits {other} too", record))
    return checked, failures
