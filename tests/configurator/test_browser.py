"""The designer's main journey in a real headless Chromium (pytest-playwright, /usr/bin/chromium).

Log in (keyboard only), create a hall and its racks, place enclosures, devices, transceivers and
cassettes, connect a trunk, build a link whose A-to-A cord is a polarity failure, save it, apply the
fix, see the link pass, run an audit on a real Celery worker and watch it finish, download the BOM
and the patch schedule. Each page is kept as a screenshot under test-artifacts/configurator/;
the browser console must stay clean. An outsider cannot open the hall.

Skips (with the reason printed) only when Chromium is absent and CI is unset.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, chromium_or_skip
from tests.support.celery import CeleryWorkers

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls next to Playwright's loop
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "configurator"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }


# --- a real Celery worker on the test database (started mid-journey) ----------------------------


@pytest.fixture
def workers(transactional_db: None) -> Iterator[CeleryWorkers]:
    """The test's own queue on its broker; the worker's log is kept in test-artifacts/."""
    with CeleryWorkers.open(prefix="ui", logdir=ARTIFACTS) as opened:
        yield opened


# --- the journey ---------------------------------------------------------------------------------


class Journey:
    """The page plus screenshots and a console watch."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.shots: list[Path] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{len(self.shots) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")


def _people() -> tuple[Any, Any]:
    from apps.accounts.models import Organization, Project, ProjectMembership, Role
    from tests.conftest import _make_user

    designer = _make_user("designer")
    outsider = _make_user("outsider")
    org = Organization.objects.create(name="Acme DC", slug="acme")
    project = Project.objects.create(organization=org, name="Frankfurt build-out", slug="fra")
    ProjectMembership.objects.create(user=designer, project=project, role=Role.DESIGNER)
    other = Project.objects.create(organization=org, name="Elsewhere", slug="else")
    ProjectMembership.objects.create(user=outsider, project=other, role=Role.OWNER)
    return project, designer


def _place_rack(j: Journey, rack_url: str, rack: str) -> None:
    page = j.page
    j.go(rack_url)
    page.select_option("#id_enc-product", "ENC-1U-4SLOT")
    page.fill("#id_enc-name", f"ENC-{rack}")
    page.fill("#id_enc-u_position", "40")
    _swapped(page, lambda: page.press("#id_enc-u_position", "Tab"))
    assert "It fits." in page.inner_text("#enclosure-fit")
    page.click("#place-enclosure button[type=submit]")
    page.wait_for_selector(".msg")
    # a device at U40 overlaps the enclosure: the live check says so next to U position
    page.fill("#id_dev-name", f"sw-{rack.lower()}")
    page.fill("#id_dev-u_position", "40")
    _swapped(page, lambda: page.press("#id_dev-u_position", "Tab"))
    assert f"overlaps ENC-{rack}" in page.inner_text("#device-fit")
    page.fill("#id_dev-u_position", "20")
    page.click("#place-device button[type=submit]")
    page.wait_for_selector(".msg")
    page.select_option("#id_trx-product", "SFP-10G-SR")
    page.fill("#id_trx-cage", "1")
    page.click("button:has-text('Install')")
    page.wait_for_selector(".msg:has-text('Transceiver installed')")
    # open the enclosure from the elevation (a real link) and install a Type B cassette
    page.click(f"svg.rack-svg a[aria-label^='enclosure ENC-{rack}']")
    page.fill("#id_mod-slot", "1")
    page.select_option("#id_mod-product", "CAS-B12-6LC-B-OM4")
    page.click("form button[type=submit]:has-text('Install')")
    page.wait_for_selector(".msg")


@pytest.mark.django_db(transaction=True)
def test_designer_journey(
    page: Any, live_server: Any, catalog: object, workers: CeleryWorkers, settings: Any
) -> None:
    project, _designer = _people()
    j = Journey(page, live_server.url)

    # log in with the keyboard only
    j.go("/")
    assert "/login/" in page.url
    page.focus("#id_username")
    page.keyboard.type("designer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    j.shot("projects")

    # a site, a hall (standard duplex cord preselected for links), a row and two racks
    page.click(f"text={project.name}")
    page.fill("#id_site-name", "FRA1")
    page.click("text=Add site")
    page.fill("#id_hall-name", "DH1")
    page.select_option("#id_hall-polarity_method", "B")
    page.select_option("#id_hall-standard_duplex_cord", "PCD-LC-AB-OM4")
    page.click("text=Add hall")
    page.wait_for_selector("h1:has-text('DH1')")
    hall_url = page.url.removeprefix(live_server.url)
    page.fill("#id_row-name", "A")
    page.fill("#id_row-index", "0")
    page.click("text=Add row")
    for position, name in enumerate(("A01", "A02")):
        page.fill("#id_rack-name", name)
        page.fill("#id_rack-position", str(position))
        page.click("text=Add rack")
        page.wait_for_selector(f"svg.floor-svg a[aria-label^='Rack {name}']")
    j.shot("hall-empty")

    # the floor plan's racks are links: Tab reaches A01, Enter opens it
    page.focus("a.skip")
    for _ in range(60):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("Rack A01"):
            break
    else:
        pytest.fail("Tab never reached rack A01 on the floor plan")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Rack A01')")
    rack_urls = {"A01": page.url.removeprefix(live_server.url)}
    j.go(hall_url)
    page.click("svg.floor-svg a[aria-label^='Rack A02']")
    rack_urls["A02"] = page.url.removeprefix(live_server.url)
    for rack, url in rack_urls.items():
        _place_rack(j, url, rack)
    j.shot("enclosure")
    j.go(rack_urls["A01"])
    j.shot("rack-elevation")

    # the trunk between the two cassettes' rear MPO ports
    j.go(hall_url)
    page.select_option("#id_cable-product", "TRK-B12-MPO12-B-FF-OM4")
    page.fill("#id_cable-label", "TRK-001")
    page.fill("#id_cable-length_m", "30")
    page.select_option(
        "#id_cable-a_end", label=_option(page, "#id_cable-a_end", "ENC-A01 slot 1 port R1")
    )
    page.select_option(
        "#id_cable-b_end", label=_option(page, "#id_cable-b_end", "ENC-A02 slot 1 port R1")
    )
    page.click("text=Add cable")
    page.wait_for_selector("td:has-text('TRK-001')")

    # build a link: ends, the proposed trunk pair, and (wrongly) an A-to-A cord at A
    page.click("text=Build a link")
    a_label = _option(page, "#id_a_port", "sw-a01 cage 1")
    _swapped(page, lambda: page.select_option("#id_a_port", label=a_label))
    b_label = _option(page, "#id_b_port", "sw-a02 cage 1")
    _swapped(page, lambda: page.select_option("#id_b_port", label=b_label))
    assert "ENC-A01 slot 1 port 1" in page.inner_text("#id_path")
    assert page.input_value("#id_cord_a") == "PCD-LC-AB-OM4"  # the hall's standard cord
    assert "The link lights" in page.inner_text(".verdict")
    _swapped(page, lambda: page.select_option("#id_cord_a", "PCD-LC-AA-OM4"))
    assert "does not light" in page.inner_text(".verdict")
    assert "POLARITY_REVERSED" in page.inner_text(".findings")
    j.shot("builder-polarity-failure")
    page.fill("#id_name", "L-1")
    page.click("button[value=save]")
    page.wait_for_selector("h1:has-text('Link L-1')")
    assert "POLARITY_REVERSED" in page.inner_text(".findings")
    assert page.locator("circle.fail-halo").count() >= 1
    j.shot("link-failure")

    # apply the engine's fix: the A-to-B cord in the same ports; the link passes
    page.click("text=Apply this fix >> nth=0")
    page.wait_for_selector(".verdict-ok")
    assert "The link lights" in page.inner_text(".verdict")
    j.shot("link-trace")
    # keyboard: the trace's elements are links too
    page.focus("svg.trace-svg a.element-link >> nth=1")
    assert page.evaluate("document.activeElement.tagName.toLowerCase()") == "a"

    # an audit: start it with no worker yet (progress shown), then a worker finishes it
    j.go(hall_url)
    page.click("text=Audits")
    page.click("text=Start an audit")
    page.wait_for_selector("[role=progressbar]")
    j.shot("audit-progress")
    workers.start(name="worker")
    page.wait_for_selector("text=Since the previous audit", timeout=30_000)
    assert "Summary" in page.inner_text("main")
    j.shot("audit-done")
    page.select_option("#f-sev", "error")
    page.click("text=Filter")
    page.wait_for_load_state()

    # installer downloads
    j.go(hall_url)
    j.shot("hall-floor-plan")
    with page.expect_download() as info:
        page.click("a[href$='bom.csv']")
    bom = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert {"TRK-B12-MPO12-B-FF-OM4", "PCD-LC-AB-OM4", "SFP-10G-SR"} <= {r["product"] for r in bom}
    with page.expect_download() as info:
        page.click("a[href$='patch-schedule.xlsx']")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet is not None
    labels = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "TRK-001" in labels

    assert j.errors == [], j.errors

    # another project's user cannot open this hall
    page.click("text=Log out")
    page.fill("#id_username", "outsider")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    response = page.goto(live_server.url + hall_url)
    assert response is not None
    assert response.status == 404
    assert len(j.shots) >= 9


def _swapped(page: Any, action: Any) -> None:
    """Do `action` and wait until htmx has swapped and settled the answer."""
    page.evaluate(
        "window.__settled = false; document.body.addEventListener("
        "'htmx:afterSettle', () => { window.__settled = true }, {once: true})"
    )
    action()
    page.wait_for_function("window.__settled === true")


def _option(page: Any, select: str, contains: str) -> str:
    """The label of the first option of `select` containing `contains`."""
    labels: list[str] = page.eval_on_selector_all(
        f"{select} option", "options => options.map(o => o.textContent)"
    )
    return next(label for label in labels if contains in label)


def test_chromium_is_what_playwright_launches() -> None:
    """The browser tests never download a browser: they run Debian's /usr/bin/chromium."""
    chromium_or_skip()
    assert shutil.which("chromium") or Path(CHROMIUM).exists()
