"""A real browser (the system Chromium, never a downloaded one) adds a cassette in the admin: it
fills the legs/ports table and the fibre map, previews the drawing, sees a wrong position refused
by name, fixes it and saves. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apps.catalog.models import Product

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.slow


@pytest.fixture
def browser_page(
    browser: Any, live_server: Any, client: Any, catalog_manager: Any
) -> Iterator[Any]:
    """A Chromium page signed in as the catalog manager (the test client's session cookie)."""
    client.force_login(catalog_manager)
    session = client.cookies["sessionid"].value
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


PORTS = [("rear", "R1", "MPO-12", "male", "key-up-key-up")] + [
    ("front", str(k), "LC", "", "duplex") for k in range(1, 7)
]


def _fill_cassette(page: Any) -> None:
    page.fill("#id_code", "CAS-BROWSER-B12-6LC-B-OM4")
    page.select_option("#id_kind", "cassette")
    page.fill("#id_name", "Browser-made Base-12 cassette, Type B")
    page.fill("#id_vendor", "Acme")
    page.select_option("#id_fiber_type", "OM4")
    page.select_option("#id_grade", "low-loss")
    page.fill("#id_polarity", "B")
    page.fill("#id_height_slots", "1")
    for index, (face, label, family, gender, adapter) in enumerate(PORTS):
        page.click('[data-add-row="faces"]')
        page.select_option(f'[name="faces-{index}-end"]', face)
        page.fill(f'[name="faces-{index}-label"]', label)
        page.select_option(f'[name="faces-{index}-family"]', family)
        page.select_option(f'[name="faces-{index}-gender"]', gender)
        page.select_option(f'[name="faces-{index}-endface"]', "PC")
        page.select_option(f'[name="faces-{index}-adapter"]', adapter)
    for fibre in range(1, 13):  # Type B module: rear f -> fibre f; fibres 2k-1/2k -> port k 1/2
        index = fibre - 1
        page.click('[data-add-row="map"]')
        page.fill(f'[name="map-{index}-from_face"]', "R1")
        page.fill(f'[name="map-{index}-from_position"]', str(fibre))
        page.fill(f'[name="map-{index}-to_face"]', str((fibre + 1) // 2))
        page.fill(f'[name="map-{index}-to_position"]', "1" if fibre % 2 else "2")


@pytest.mark.django_db(transaction=True)
def test_manager_draws_and_saves_a_cassette_map_in_a_real_browser(
    browser_page: Any, live_server: Any, catalog: Any
) -> None:
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    # given: the add page
    page.goto(f"{live_server.url}/admin/catalog/product/add/")
    assert page.title().startswith("Add product")
    _fill_cassette(page)
    # when: a wrong position is previewed
    page.fill('[name="map-11-from_position"]', "13")
    page.click("#fibermap-preview-button")
    error = page.locator(".fibermap-preview-errors")
    error.wait_for()
    # then: it is refused by name, and nothing is drawn
    assert "position R1:13 is outside the MPO-12" in error.inner_text()
    assert page.locator("#fibermap-preview svg").count() == 0
    page.locator("#map-editor").screenshot(path=str(ARTIFACTS / "fibermap-editor-error.png"))
    # when: fixed and previewed
    page.fill('[name="map-11-from_position"]', "12")
    page.click("#fibermap-preview-button")
    page.wait_for_function(
        "document.querySelectorAll('#fibermap-preview svg .fibermap-fiber').length === 12"
    )
    # then: twelve fibres in TIA-598 colours, position 1 blue, 12 aqua
    strokes = page.eval_on_selector_all(
        "#fibermap-preview .fibermap-fiber", "lines => lines.map(l => l.getAttribute('stroke'))"
    )
    assert strokes[0] == "#1f5fbf"
    assert strokes[11] == "#20c4d0"
    page.locator("#map-editor").screenshot(path=str(ARTIFACTS / "fibermap-editor.png"))
    page.screenshot(path=str(ARTIFACTS / "fibermap-add-page.png"), full_page=True)
    # when: saved
    page.click('input[name="_continue"]')
    page.wait_for_selector(".messagelist")
    # then: the product exists with its map, and its change page draws it
    product = Product.objects.get(code="CAS-BROWSER-B12-6LC-B-OM4")
    spec = product.revisions.get(is_current=True).spec
    assert spec["map"][0] == ["R1:1", "1:1"]
    assert page.locator("#fibermap-preview svg .fibermap-fiber").count() == 12
    page.locator("#map-editor").screenshot(path=str(ARTIFACTS / "fibermap-change-page.png"))
