"""Screenshots of the rack elevation and a link's trace, as the README shows them.

Built from the demo hall (`manage.py load_demo`, apps/plant/demo.py): the spine rack A01 and the
link "mistake-a-to-a-cord-in-method-b". Always runs (the demo's pages render, console clean); with
UPDATE_SCREENSHOTS=1 it also writes docs/screenshots/rack-elevation.png and link-trace.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.configurator.test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    PASSWORD,
    browser_context_args,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"
LINK = "mistake-a-to-a-cord-in-method-b"


@pytest.mark.django_db(transaction=True)
def test_readme_screenshots_of_the_demo_hall(page: Any, live_server: Any, catalog: object) -> None:
    from apps.plant.demo import demo_load
    from apps.plant.models import Link, Rack
    from tests.conftest import _make_user

    _make_user("demo")
    demo = demo_load()
    hall = demo.report.hall
    rack = Rack.objects.get(hall=hall, name="A01")
    link = Link.objects.get(hall=hall, name=LINK)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + f"/halls/{hall.pk}/")
    page.screenshot(path=str(ARTIFACTS / "demo-hall.png"), full_page=True)
    assert (
        page.locator("svg.floor-svg a.rack-link").count() == Rack.objects.filter(hall=hall).count()
    )
    page.goto(live_server.url + f"/racks/{rack.pk}/")
    page.locator(".grid-rack").screenshot(path=str(ARTIFACTS / "readme-rack-elevation.png"))
    page.goto(live_server.url + f"/links/{link.pk}/")
    assert "POLARITY_REVERSED" in page.inner_text(".findings")
    page.locator("#report").screenshot(path=str(ARTIFACTS / "readme-link-trace.png"))
    for mistake in Link.objects.filter(hall=hall, name__startswith="mistake-"):
        page.goto(live_server.url + f"/links/{mistake.pk}/")
        page.screenshot(path=str(ARTIFACTS / f"demo-{mistake.name}.png"), full_page=True)
    assert errors == []
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        for name in ("rack-elevation", "link-trace"):
            shutil.copy(ARTIFACTS / f"readme-{name}.png", DOCS / f"{name}.png")
