"""The report in a real browser: Debian's Chromium, driven headless by Selenium.

Loads a report of a hand-built run directory from ``file://`` and checks what a person would:
no console errors, the records table filters and sorts, every chart is drawn. It writes
``out/report/screenshot.png`` (and the page as ``out/report/report.html``).

Nothing is downloaded: the driver path is given, so Selenium Manager never runs, and it is told
to stay offline and send no statistics anyway. Skips (saying why) where Chromium is absent;
``make test`` installs it when it runs as root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langsynth.report import build_report
from tests.report_fixtures import make_run, movie_rows

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("LANGSYNTH_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("LANGSYNTH_CHROMEDRIVER", "/usr/bin/chromedriver"))
BBOX = "var b = arguments[0].getBBox(); return [b.width, b.height];"
OUT = Path(__file__).resolve().parents[2] / "out" / "report"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.skip(
            f"Chromium is not installed ({', '.join(missing)} missing): `apt-get install "
            "chromium chromium-driver` (make test does this when run as root)."
        )
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed: pip install -e '.[dev]'"
    )
    from selenium.webdriver.chrome.service import Service

    # Belt and braces: with an explicit driver path Selenium Manager is skipped anyway.
    os.environ["SE_OFFLINE"] = "true"
    os.environ["SE_AVOID_STATS"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(log))
    drv = webdriver.Chrome(options=options, service=service)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


@pytest.fixture(scope="module")
def page(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("run")
    html = build_report(make_run(root, split=True))
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(html, OUT / "report.html")
    driver.get(html.resolve().as_uri())
    return driver


def _visible_rows(driver: Any, table_id: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")
    return [r for r in rows if r.is_displayed()]


def _column(driver: Any, table_id: str, name: str) -> list[str]:
    from selenium.webdriver.common.by import By

    headers = [h.text for h in driver.find_elements(By.CSS_SELECTOR, f"#{table_id} thead th")]
    index = headers.index(name)
    return [r.find_elements(By.TAG_NAME, "td")[index].text for r in _visible_rows(driver, table_id)]


def test_page_loads_without_console_errors(page: Any) -> None:
    from selenium.webdriver.common.by import By

    assert "movies.jsonl" in page.title
    sections = [s.get_attribute("id") for s in page.find_elements(By.TAG_NAME, "section")]
    assert {"run", "records", "rejections", "fields", "duplicates", "judge", "diversity"} <= set(
        sections
    )
    # The script ran to the end of its set-up: it titles every sortable header.
    first_header = page.find_element(By.CSS_SELECTOR, "#records-table thead th")
    assert first_header.get_attribute("title") == "Sort by #"
    errors = [e for e in page.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # The rejection's raw output is shown as text, not run as markup.
    assert "<script>alert(1)</script>" in page.find_element(By.ID, "rejections-table").text


def test_records_table_filters(page: Any) -> None:
    from selenium.webdriver.common.by import By

    rows = movie_rows()
    box = page.find_element(By.CSS_SELECTOR, 'input.filter[data-table="records-table"]')
    counter = page.find_element(By.CSS_SELECTOR, '[data-count-for="records-table"]')
    assert len(_visible_rows(page, "records-table")) == len(rows)

    def matching(*words: str) -> int:
        texts = [" ".join(str(v) for v in r.values()).lower() for r in rows]
        return sum(all(w in t for w in words) for t in texts)

    box.send_keys("horror")
    expected = matching("horror")
    assert 0 < expected < len(rows)
    assert len(_visible_rows(page, "records-table")) == expected
    assert counter.text == f"{expected} of {len(rows)} rows"
    assert all(g == "horror" for g in _column(page, "records-table", "genre"))

    box.send_keys(" 2016")  # every word must occur
    assert len(_visible_rows(page, "records-table")) == matching("horror", "2016") == 1

    box.clear()
    box.send_keys("nothing-like-this")
    assert _visible_rows(page, "records-table") == []
    box.clear()
    box.send_keys(" ")  # clear() fires no input event; typing does
    assert len(_visible_rows(page, "records-table")) == len(rows)


def test_records_table_sorts(page: Any) -> None:
    from selenium.webdriver.common.by import By

    header = page.find_element(By.XPATH, '//table[@id="records-table"]/thead/tr/th[.="year"]')
    header.click()
    years = [int(y) for y in _column(page, "records-table", "year")]
    assert years == sorted(years) and years[0] < years[-1]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    years = [int(y) for y in _column(page, "records-table", "year")]
    assert years == sorted(years, reverse=True)
    score = page.find_element(By.XPATH, '//table[@id="records-table"]/thead/tr/th[.="score"]')
    score.click()
    scores = [int(s) for s in _column(page, "records-table", "score")]
    assert scores == sorted(scores) and scores[0] == 1


def test_charts_render(page: Any) -> None:
    from selenium.webdriver.common.by import By

    charts = page.find_elements(By.CSS_SELECTOR, "figure.plot svg.chart")
    # One per field (title, year, genre, reason) + the judge histogram, at least.
    assert len(charts) >= 5
    for chart in charts:
        size = chart.size
        assert size["width"] > 100 and size["height"] > 50, chart.get_attribute("aria-label")
        box = page.execute_script(BBOX, chart)
        assert box[0] > 0 and box[1] > 0
        assert chart.find_elements(By.CSS_SELECTOR, "path, rect, use")
    judge = page.find_element(By.CSS_SELECTOR, '#judge svg.chart[aria-label="judge scores"]')
    assert judge.is_displayed()


def test_screenshot_is_written(page: Any) -> None:
    height = page.execute_script("return document.documentElement.scrollHeight")
    page.set_window_size(1400, min(int(height) + 120, 16000))
    path = OUT / "screenshot.png"
    assert page.save_screenshot(str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
