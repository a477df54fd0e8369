"""The explorer in a real browser: Playwright driving the system's Chromium against a seeded ``tidings serve``.

What a person does: find Xiaomi by search, read the 2025-03-22 meeting in the timeline, the 350,000
plan and the 2024 figure in the chart, Samsung Electronics in the graph, then move the time control
before the meeting and see the later facts go; set "known on" to the day before the meeting's article
counts as published and see the meeting go. No answer may be a 4xx or 5xx and the console must stay
free of errors, and nothing may be fetched from anywhere but the Tidings server. A screenshot of each
view lands in build/screenshots/ (README, "The explorer").
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server import Server, serve

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.skip("no Chromium found: the browser test needs Debian's chromium (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("explorer") / "explorer.db", "--seed") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the browser test needs playwright (pip install '.[test]')"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


class Watched:
    """A page whose failed answers and console errors are collected, to be asserted empty at the end."""

    def __init__(self, browser: Any, server: Server, viewport: dict[str, int]) -> None:
        self.page = browser.new_page(viewport=viewport)
        self.server = server
        self.problems: list[str] = []
        self.page.on(
            "console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed {r.url}"))

    def settled(self) -> None:
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_selector("main:not([aria-busy])")

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_person_finds_xiaomi_reads_its_dossier_and_goes_back_in_time(browser: Any, server: Server) -> None:
    from playwright.sync_api import expect

    watched = Watched(browser, server, {"width": 1200, "height": 900})
    page = watched.page
    page.goto(f"{server.url}/explore")
    watched.settled()
    page.get_by_label("Search companies, people and news").fill("xiaomi")
    page.keyboard.press("Enter")
    watched.settled()
    watched.shot("search")
    page.locator("ol.hits").get_by_role("link", name="Xiaomi", exact=True).click()
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/companies/xiaomi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xiaomi")

    meeting = page.locator("table:has(caption:text-is('Timeline')) tr", has=page.locator("time", has_text="2025-03-22"))
    expect(meeting).to_contain_text("meeting held")
    chart = page.locator("svg.sales-chart")
    expect(chart).to_contain_text("plan 350,000")
    expect(chart.locator("text.period", has_text="2024")).to_have_count(1)
    expect(chart.locator("g.bar")).to_contain_text("137,000")
    watched.shot("company")

    page.get_by_role("link", name="Lei Jun").first.click()
    watched.settled()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lei Jun")
    watched.shot("person")
    page.go_back()
    watched.settled()

    page.get_by_role("link", name="Relationship graph around Xiaomi").click()
    watched.settled()
    expect(page.locator("section", has=page.get_by_role("heading", name="Nodes"))).to_contain_text(
        "Samsung Electronics"
    )
    page.wait_for_function("document.querySelectorAll('#cy canvas').length > 0")
    page.wait_for_timeout(300)  # the layout's first frame
    watched.shot("graph")

    page.get_by_role("link", name="Conflicts", exact=True).click()
    watched.settled()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conflicts")
    watched.shot("conflicts")

    # Back to the company, then to the position just before the meeting was recorded.
    page.goto(f"{server.url}/explore/companies/xiaomi")
    watched.settled()
    position = int(meeting.locator("td").last.inner_text())
    page.get_by_label("Log position").fill(str(position - 1))
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/companies/xiaomi?at_position={position - 1}")
    expect(page.locator("table:has(caption:text-is('Timeline'))")).not_to_contain_text("2025-03-22")
    expect(page.locator("main")).not_to_contain_text("350,000")  # the plan came later than the meeting
    expect(page.locator("#at-output")).to_contain_text(f"position {position - 1} of")
    watched.shot("company-earlier")

    # Links keep the read point: the graph before the meeting has no "met" edge yet.
    page.get_by_role("link", name="Relationship graph around Xiaomi").click()
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/graph?company=xiaomi&at_position={position - 1}")
    expect(page.locator("table:has(caption:text-is('Edges'))")).not_to_contain_text("met")

    assert watched.problems == []


def test_known_on_hides_what_was_published_after_that_day(browser: Any, server: Server) -> None:
    """The meeting's article (seeds/samsung-xiaomi-ev-meeting.ndjson) is dated 2025-03: it counts as
    published on its last day, 2025-03-31, so on the 30th nothing of it is known."""
    from playwright.sync_api import expect

    watched = Watched(browser, server, {"width": 1200, "height": 900})
    page = watched.page
    timeline = page.locator("table:has(caption:text-is('Timeline'))")
    page.goto(f"{server.url}/explore/companies/xiaomi")
    watched.settled()
    page.get_by_label("Known on").fill("2025-03-30")
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/companies/xiaomi?known_on=2025-03-30")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xiaomi")
    expect(timeline).not_to_contain_text("2025-03-22")
    expect(timeline).to_contain_text("capital raised")  # published 2025-03-25: known by then
    expect(page.locator("main")).not_to_contain_text("350,000")
    expect(page.locator("#at-output")).to_contain_text("published by 2025-03-30")
    watched.shot("company-known-on")

    # Links keep it; the graph takes it too, the person view does not and says so.
    page.get_by_role("link", name="Relationship graph around Xiaomi").click()
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/graph?company=xiaomi&known_on=2025-03-30")
    edges = page.locator("section", has=page.get_by_role("heading", name="Edges"))
    expect(edges).to_contain_text("none at this read point")  # the met edge, the supplies: all from March's article
    page.goto(f"{server.url}/explore/people/lei-jun?known_on=2025-03-30")
    watched.settled()
    expect(page.get_by_role("note")).to_contain_text("does not apply to this view")

    page.goto(f"{server.url}/explore/companies/xiaomi?known_on=2025-03-30")
    watched.settled()
    page.get_by_label("Known on").fill("2025-03-31")
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/companies/xiaomi?known_on=2025-03-31")
    meeting = timeline.locator("tr", has=page.locator("time", has_text="2025-03-22"))
    expect(meeting).to_contain_text("meeting held")

    # With a log position too: both apply, and the control keeps the one when the other moves.
    position = int(meeting.locator("td").last.inner_text())
    page.get_by_label("Log position").fill(str(position - 1))
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/companies/xiaomi?at_position={position - 1}&known_on=2025-03-31")
    expect(timeline).not_to_contain_text("2025-03-22")
    page.get_by_role("button", name="Latest").click()
    watched.settled()
    expect(page).to_have_url(f"{server.url}/explore/companies/xiaomi")

    # A known_on after as_of's day is a 422 from the API: the page reads it as of that day instead.
    # (as_of is today's end: the seed was recorded when the server started.)
    today = datetime.now(UTC).date()
    tomorrow = today + timedelta(days=1)
    page.goto(f"{server.url}/explore/companies/xiaomi?as_of={today}T23:59:59Z&known_on={tomorrow}")
    watched.settled()
    expect(page.get_by_label("Known on")).to_have_value(str(today))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xiaomi")
    assert watched.problems == []


def test_the_page_works_offline(browser: Any, server: Server) -> None:
    """Every request the page makes, on every view, goes to the Tidings server: any other is aborted
    and listed, and the list stays empty. So the page works with the server cut off from all but the
    browser (the static side: tests/explorer/test_offline.py)."""
    from playwright.sync_api import expect

    watched = Watched(browser, server, {"width": 1200, "height": 900})
    page = watched.page
    own = urlsplit(server.url).netloc
    elsewhere: list[str] = []
    fetched: list[str] = []

    def only_the_server(route: Any) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != own:
            elsewhere.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            fetched.append(route.request.url)
            route.continue_()

    page.context.route("**/*", only_the_server)
    views = [
        "/explore",
        "/explore/search?q=xiaomi",
        "/explore/companies/xiaomi",
        "/explore/companies/samsung-electronics?known_on=2025-03-31",
        "/explore/people/lei-jun",
        "/explore/graph?company=xiaomi",
        "/explore/conflicts?at_position=10",
    ]
    for view in views:
        page.goto(f"{server.url}{view}")
        watched.settled()
        expect(page.locator("main h1")).not_to_have_text("Could not read")
        if view.startswith("/explore/graph"):
            page.wait_for_function("document.querySelectorAll('#cy canvas').length > 0")
    assert any("/explore/static/explorer.js" in url for url in fetched)  # the route saw the page's requests
    assert elsewhere == []
    assert watched.problems == []


def test_the_company_view_fits_a_phone_screen(browser: Any, server: Server) -> None:
    watched = Watched(browser, server, PHONE)
    watched.page.goto(f"{server.url}/explore/companies/xiaomi")
    watched.settled()
    width = watched.page.evaluate("document.documentElement.scrollWidth")
    watched.shot("company-phone")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
    assert watched.problems == []


def test_the_controls_are_labelled_and_reachable_by_keyboard(browser: Any, server: Server) -> None:
    watched = Watched(browser, server, {"width": 1200, "height": 900})
    page = watched.page
    page.goto(f"{server.url}/explore/graph?company=xiaomi")
    watched.settled()
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, select')].filter(
             (e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.outerHTML)"""
    )
    assert unlabelled == []
    # A view, once drawn, takes the focus (so a screen reader reads it); Tab goes on through it.
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Samsung Electronics":
            break
    else:
        pytest.fail("the graph's nodes cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    watched.settled()
    assert page.url.startswith(f"{watched.server.url}/explore/companies/samsung-electronics")
    assert watched.problems == []


def test_a_retracted_fact_is_struck_through_from_its_retraction_on(browser: Any, tmp_path: Path) -> None:
    import httpx
    from playwright.sync_api import expect

    with serve(tmp_path / "retracted.db", "--seed") as server:
        timeline = httpx.get(f"{server.url}/companies/xiaomi/timeline", params={"type": "sales_reported"}).json()
        sales = timeline["items"][0]["event"]
        retraction = {
            "type": "event_retracted",
            "event_id": sales["event"]["id"],
            "reason": "the figure was the group's, not the EV business's",
            "sources": [{"title": "Correction", "publisher": "Example", "language": "en"}],
        }
        answer = httpx.post(f"{server.url}/events", json=retraction)
        assert answer.status_code == 201, answer.text
        retracted_at = answer.json()["position"]

        watched = Watched(browser, server, {"width": 1200, "height": 900})
        page = watched.page
        page.goto(f"{server.url}/explore/companies/xiaomi")
        watched.settled()
        row = page.locator(
            "table:has(caption:text-is('Timeline')) tr", has=page.locator("del", has_text="sales reported")
        )
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"retracted at position {retracted_at}")
        expect(page.locator("svg.sales-chart g.bar")).to_have_count(0)  # a retracted figure is no longer charted
        watched.shot("company-retracted")

        page.goto(f"{server.url}/explore/companies/xiaomi?at_position={retracted_at - 1}")
        watched.settled()
        expect(page.locator("table:has(caption:text-is('Timeline')) del")).to_have_count(0)
        expect(page.locator("table:has(caption:text-is('Timeline'))")).to_contain_text("sales reported")

        # The figure's article is dated 2025-03 (published, as counted, on the 31st): before that day
        # there is nothing to strike through; from it on, the retracted row is back.
        page.goto(f"{server.url}/explore/companies/xiaomi?known_on=2025-03-30")
        watched.settled()
        expect(page.locator("table:has(caption:text-is('Timeline'))")).not_to_contain_text("sales reported")
        page.goto(f"{server.url}/explore/companies/xiaomi?known_on=2025-03-31")
        watched.settled()
        expect(page.locator("table:has(caption:text-is('Timeline')) del")).to_have_count(1)
        assert watched.problems == []


def test_a_disputed_figure_is_marked_in_the_chart_and_listed_in_the_conflicts(browser: Any, tmp_path: Path) -> None:
    import httpx
    from playwright.sync_api import expect

    with serve(tmp_path / "disputed.db", "--seed") as server:
        other = {
            "type": "sales_reported",
            "sources": [{"title": "Xiaomi EV deliveries in 2024", "publisher": "Another paper", "language": "en"}],
            "certainty": "reported",
            "company_id": "xiaomi",
            "period": "2024",
            "units": {"value": 100000, "approximate": False},  # far from "nearly 137,000": a dispute
        }
        assert httpx.post(f"{server.url}/events", json=other).status_code == 201
        watched = Watched(browser, server, {"width": 1200, "height": 900})
        page = watched.page
        page.goto(f"{server.url}/explore/companies/xiaomi")
        watched.settled()
        expect(page.locator("svg.sales-chart g.bar.disputed")).to_contain_text("⚠ disputed")
        page.get_by_role("link", name="Conflicts", exact=True).click()
        watched.settled()
        conflicts = page.locator("table:has(caption:text-is('Conflicts')) tbody tr", has_text="xiaomi")
        expect(conflicts.filter(has_text="sales")).to_have_count(1)
        expect(conflicts).to_contain_text("units 137,000 (approx.)")  # each side of the dispute, with its publisher
        expect(conflicts).to_contain_text("units 100,000 — reported, Another paper")
        watched.shot("conflicts-disputed")
        assert watched.problems == []
