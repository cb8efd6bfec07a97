"""manage.py load_catalog."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import FiberType, Product
from tests.support.catalog import catalog_seed_dir


def _run(*args: str) -> str:
    out = StringIO()
    call_command("load_catalog", "--seed-dir", str(catalog_seed_dir()), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_catalog_prints_the_report(empty_catalog, catalog_records):
    # when
    first = _run()
    second = _run()
    # then
    total = len(catalog_records.products)
    assert f"products         {total:>4} inserted" in first
    assert "Total: 0 inserted, 0 updated" in second
    assert Product.objects.count() == total


@pytest.mark.django_db
def test_load_catalog_reports_drift_with_codes(catalog, catalog_records):
    # given
    code = catalog_records.fiber_types[0]["code"]
    FiberType.objects.filter(code=code).update(name="edited")
    # when
    output = _run()
    # then
    assert f"DRIFT EDITED fiber_types {code}" in output
    assert "1 rows differ from the seed" in output


@pytest.mark.django_db
def test_load_catalog_dry_run_saves_nothing(empty_catalog):
    # when
    output = _run("--dry-run")
    # then
    assert output.startswith("Catalog load (dry run: nothing was saved)")
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_load_catalog_refuses_a_missing_seed_directory(tmp_path):
    with pytest.raises(CommandError, match="Invalid seed data"):
        call_command("load_catalog", "--seed-dir", str(tmp_path), stdout=StringIO())
