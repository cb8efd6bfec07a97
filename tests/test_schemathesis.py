"""Schemathesis over the whole live schema: no 500s, and every answer conforms to the schema.

It runs against a live server (pytest-django `live_server`) twice, as an owner's read-write token
(writes first) and as a read-only token (reads first), with at most 25 examples per operation
(derandomized, so a run repeats) and a total budget of three minutes: operations left when the
budget is spent are skipped, and the test prints how many ran (`pytest -s`) and the slowest.
`brief` is generated like any other parameter, and `brief=true` answers must have been checked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from apps.accounts.models import Role
from apps.core.api.brief import TRUE
from tests.factories.accounts import (
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
    token_make,
)
from tests.factories.plant import parallel_hall

BUDGET_S = 160.0  # plus ~10 s of setup: the whole test stays under 3 minutes
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
SETTINGS = hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Run:
    """What one run did: operations run (of all), brief answers checked, failures."""

    ran: int = 0
    operations: int = 0
    brief_answers: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def slowest(self, count: int = 8) -> list[tuple[str, float]]:
        return sorted(self.seconds.items(), key=lambda item: -item[1])[:count]


def _run(base: str, key: str, deadline: float, *, reads_first: bool) -> Run:
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/", headers=headers)
    run = Run()
    # a bad operation raises here
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    # Writes get past 403 only with the read-write token, while reads answer alike to both: the
    # read-write run takes the writes first, then the reads from the last one; the read-only
    # run the reads from the first one, then the writes. When the budget runs out first, the
    # two runs have still covered every operation between them.
    reads = [operation for operation in operations if operation.method.upper() == "GET"]
    writes = [operation for operation in operations if operation.method.upper() != "GET"]
    operations = reads + writes if reads_first else writes + reads[::-1]
    run.operations = len(operations)
    for operation in operations:
        if time.monotonic() > deadline:
            break

        @SETTINGS
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            # `brief` is generated like any other parameter: its answers are the schema's
            # oneOf [full, Brief<Model>] (apps/core/api/brief.py).
            response = case.call(base_url=base, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)
            brief = str((case.query or {}).get("brief", "")).lower()
            if brief in TRUE and response.status_code in (200, 201):
                run.brief_answers += 1

        started = time.monotonic()
        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001  (collect them all)
            run.failures.append(f"{operation.label}: {str(error)[:2000]}")
        run.seconds[operation.label] = round(time.monotonic() - started, 1)
        run.ran += 1
    return run


def test_schemathesis_finds_no_500_and_no_answer_outside_the_schema(
    live_server: Any, catalog: Any
) -> None:
    # given: an owner with a small plant, a read-write and a read-only token
    project = ProjectFactory.create()
    owner = UserFactory.create(username="fuzz-owner")
    ProjectMembershipFactory.create(user=owner, project=project, role=Role.OWNER)
    build = parallel_hall()
    ProjectMembershipFactory.create(user=owner, project=build.hall.project, role=Role.OWNER)
    projects = [project, build.hall.project]
    _t, rw = token_make(user=owner, projects=projects, role=Role.OWNER, write_enabled=True)
    _t, ro = token_make(user=owner, projects=projects, role=Role.OWNER, name="ro")
    deadline = time.monotonic() + BUDGET_S
    # when
    as_rw = _run(live_server.url, rw, time.monotonic() + BUDGET_S / 2, reads_first=False)
    as_ro = _run(live_server.url, ro, deadline, reads_first=True)
    # then
    for name, run in (("rw", as_rw), ("ro", as_ro)):  # how far the budget went (pytest -s)
        print(f"{name}: {run.ran}/{run.operations} operations, {run.brief_answers} brief answers")  # noqa: T201
        print(f"{name} slowest: {run.slowest()}")  # noqa: T201
    failures = [f"rw {f}" for f in as_rw.failures] + [f"ro {f}" for f in as_ro.failures]
    assert not failures, "\n\n".join(failures)
    assert as_rw.ran > 0
    assert as_ro.ran > 0
    # `brief=true` was generated, answered and checked against the Brief<Model> branch (the
    # read-only run reads first, so it always gets there; the read-write run's brief answers
    # come from the writes that succeed, and are only printed)
    assert as_ro.brief_answers > 0
