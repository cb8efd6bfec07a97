"""The memo key: the graph's shape, products (code, revision, faces) and options; never refs."""

from __future__ import annotations

from decimal import Decimal

from apps.engine.bench import method_b, plant_graph
from apps.engine.channel import Options
from apps.engine.validate import validate


def test_plant_refs_and_lengths_share_one_verdict(fixture_catalog):
    validate(plant_graph(0), fixture_catalog)
    before = len(fixture_catalog.verdicts)
    reports = [validate(plant_graph(i), fixture_catalog) for i in range(1, 40)]
    assert len(fixture_catalog.verdicts) == before
    assert reports[5].trace[0].source == "port:6:a"
    assert reports[5].loss[0].length_m != reports[6].loss[0].length_m


def test_options_and_faces_are_in_the_key(fixture_catalog):
    validate(method_b(1), fixture_catalog)
    before = len(fixture_catalog.verdicts)
    validate(method_b(1), fixture_catalog, Options(basis="tia"))
    assert len(fixture_catalog.verdicts) == before + 1
    other_port = method_b(1)
    elements = list(other_port.elements)
    elements[3] = elements[3].__class__("CAS-B-OM4", None, "R1", "5")
    report = validate(other_port.__class__(other_port.a, tuple(elements), other_port.b),
                      fixture_catalog)  # fmt: skip
    assert "PATH_MISROUTED" in report.codes()


def test_same_chain_same_lengths_gives_equal_reports(fixture_catalog):
    one, two = validate(method_b(7), fixture_catalog), validate(method_b(7), fixture_catalog)
    assert one == two
    assert one.loss[0].total_max_db > Decimal(0)


def test_without_traces_findings_fixes_and_loss_are_identical(fixture_catalog):
    """trace=False (audits): the same report but for the lane traces, on passing, over-budget
    and broken channels (fixes included), for chains and plant graphs."""
    from dataclasses import replace as swap

    from tests.engine.test_fixes import GOOD, LOSS_CASES, _broken

    channels = [*GOOD, *LOSS_CASES.values(), *list(_broken(fixture_catalog))[:40]]
    channels += [plant_graph(i) for i in range(0, 300, 37)]
    for channel in channels:
        full = validate(channel, fixture_catalog)
        lean = validate(channel, fixture_catalog, trace=False)
        assert lean.trace == ()
        assert full.trace
        assert lean == swap(full, trace=())


def test_the_verdict_memo_keeps_the_most_recently_used(fixture_catalog):
    from apps.engine.catalog import Catalog
    from apps.engine.seed import load_records
    from tests.engine.conftest import FIXTURE_SEED

    catalog = Catalog.from_records(load_records(FIXTURE_SEED))
    catalog.verdicts.limit = 3
    validate(method_b(1), catalog)  # passes: one verdict
    first = next(iter(catalog.verdicts))
    for options in (Options(basis="tia"), Options(basis="iso"), Options(basis="datasheet")):
        validate(method_b(1), catalog)  # touch the first: most recently used
        validate(method_b(1), catalog, options)
    assert len(catalog.verdicts) == 3
    assert first in catalog.verdicts
    assert validate(method_b(1), catalog) == validate(method_b(1), fixture_catalog)
