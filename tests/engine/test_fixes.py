"""Every suggested fix, applied, makes the channel's polarity and matings pass."""

from __future__ import annotations

from dataclasses import replace

from apps.engine.channel import Aggregate, ElementSpec
from apps.engine.validate import validate
from tests.engine.helpers import QSFP, SFP, duplex_method, el, parallel

LENGTH_CODES = {"LOSS_BUDGET_EXCEEDED", "REACH_EXCEEDED", "FIBER_TYPE_UNSUPPORTED"}

GOOD = [
    duplex_method("CRD-LC-AB-OM4", "CAS-A-OM4", "TRK-A-MPO12-FF-OM4", "CAS-A-OM4", "CRD-LC-AA-OM4"),
    duplex_method("CRD-LC-AB-OM4", "CAS-B-OM4", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4", "CRD-LC-AB-OM4", "2", "5"),  # noqa: E501
    duplex_method("CRD-LC-AB-OM4", "CAS-A-OM4", "TRK-C-MPO12-FF-OM4", "CAS-A-OM4", "CRD-LC-AB-OM4", "3", "3"),  # noqa: E501
    duplex_method("CRD-LC-AB-OM4", "CAS-U1-OM4", "TRK-B-MPO12-FF-OM4", "CAS-U1-OM4", "CRD-LC-AB-OM4"),  # noqa: E501
    parallel("CRD-A-MPO12-FM-OM4", "ADP-MPO12-KUKD", "TRK-A-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"),
    parallel("CRD-B-MPO12-FM-OM4", "ADP-MPO12-KUKU", "TRK-B-MPO12-FF-OM4", "CRD-B-MPO12-FM-OM4"),
    Aggregate(QSFP, (el("CRD-B-MPO12-FF-OM4", "3"),), QSFP),
    Aggregate(SFP, (el("CRD-LC-AB-OM4", "3"),), SFP),
]  # fmt: skip


def _broken(catalog):  # type: ignore[no-untyped-def]
    """Every good channel with one element swapped for each sibling, where that breaks it."""
    for channel in GOOD:
        for index, spec in enumerate(channel.elements):
            for sibling in catalog.siblings(spec.product):
                elements = list(channel.elements)
                elements[index] = replace(spec, product=sibling.code)
                wrong = Aggregate(channel.a, tuple(elements), channel.b)
                yield wrong


def _apply(channel: Aggregate, fix) -> Aggregate:  # type: ignore[no-untyped-def]
    elements = list(channel.elements)
    for change in fix.changes:
        index = int(change.ref.rsplit("/", 1)[1])
        spec = elements[index]
        elements[index] = ElementSpec(
            change.product or spec.product,
            spec.length_m,
            change.enter or spec.enter,
            change.exit or spec.exit,
            spec.ref,
        )
    return Aggregate(channel.a, tuple(elements), channel.b)


def _polarity_errors(report):  # type: ignore[no-untyped-def]
    return [f.code for f in report.errors() if f.code not in LENGTH_CODES]


def test_every_suggested_fix_makes_the_channel_pass(fixture_catalog):
    tried = fixed = 0
    for channel in _broken(fixture_catalog):
        report = validate(channel, fixture_catalog)
        if not _polarity_errors(report):
            continue
        tried += 1
        fixes = {f.fix for f in report.findings if f.fix is not None}
        for fix in fixes:
            repaired = validate(_apply(channel, fix), fixture_catalog)
            assert _polarity_errors(repaired) == [], (channel, fix)
            fixed += 1
    assert tried >= 30
    assert fixed >= tried * 0.9


def test_misrouted_cord_fix_moves_the_port(fixture_catalog):
    channel = duplex_method(
        "CRD-LC-AB-OM4", "CAS-B-OM4", "TRK-B-MPO12-FF-OM4", "CAS-B-OM4", "CRD-LC-AB-OM4", "1", "1"
    )
    report = validate(channel, fixture_catalog)
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.message.startswith("use port")
    assert len(fix.changes) == 1
