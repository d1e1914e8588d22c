"""The report in a real browser: Debian's headless chromium driven by Playwright.

The page must load with no console message of level error, no page error, no request other
than the page itself (``file://``) and inline ``data:`` URLs, every image decoded, and nothing
wider than a 390 px phone screen. Screenshots go to ``artifacts/`` (gitignored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hipwise.report import ReportInput, write_set_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
VIEWPORTS = {"desktop": {"width": 1100, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/install.sh installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def report_html(
    tmp_path_factory: pytest.TempPathFactory, report_input: ReportInput, synthetic_video: Path
) -> Path:
    inp = ReportInput(report_input.analysis, report_input.frames, report_input.settings,
                      poses=report_input.poses, video=synthetic_video, title="scripted set")
    return write_set_report(inp, tmp_path_factory.mktemp("browser")).html


def open_page(browser: Any, html: Path, viewport: dict[str, int]) -> tuple[Any, list[str],
                                                                          list[str]]:
    page = browser.new_page(viewport=viewport)
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(html.as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # late console messages
    return page, requests, problems


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_report_opens_cleanly_offline(browser: Any, report_html: Path, name: str) -> None:
    page, requests, problems = open_page(browser, report_html, VIEWPORTS[name])
    try:
        assert problems == []
        assert requests == [report_html.as_uri()]  # data: URLs are not requests
        assert page.inner_text("h1") == "1 good rep of 2 · right leg"
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        assert len(images) == 2 and all(ok and w > 0 for ok, w in images)
        charts = page.evaluate(
            "Array.from(document.querySelectorAll('svg.chart'))"
            ".filter(s => s.getBoundingClientRect().width > 0).length")
        assert charts == 3  # one rendering of each chart is visible
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[name]["width"]  # nothing overflows sideways
        assert page.is_visible("text=Turn your toes toward the floor.")
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"report-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


def test_the_video_player_does_not_load_until_played(browser: Any, report_html: Path) -> None:
    page, requests, problems = open_page(browser, report_html, VIEWPORTS["desktop"])
    try:
        src = page.get_attribute("video", "src")
        assert src == "annotated.mp4" and (report_html.parent / src).exists()
        assert not any(r.endswith(".mp4") for r in requests)
        assert problems == []
    finally:
        page.close()


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_circles_report_opens_cleanly(browser: Any, variation_reports: dict[str, Any],
                                      name: str) -> None:
    """The isometric-with-circles page: no error, no request, nothing wider than the screen;
    its tiles and circle table are visible."""
    html = variation_reports["circles"].files.html
    page, requests, problems = open_page(browser, html, VIEWPORTS[name])
    try:
        assert problems == []
        assert requests == [html.as_uri()]
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[name]["width"]
        assert page.is_visible("table.circles")
        rows = page.evaluate("document.querySelectorAll('table.circles tbody tr').length")
        assert rows == len(variation_reports["circles"].circles)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-circles-{name}.png"), full_page=True)
    finally:
        page.close()
