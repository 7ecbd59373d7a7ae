"""The HTML review works in a real browser: headless Chromium renders its text and a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sensible_alarms.review import review_stacks
from sensible_alarms.review.html import review_html

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(orders_assembly: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "review.html"
    out.write_text(review_html(review_stacks(orders_assembly)), encoding="utf-8")
    return out


def _chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("chromium"), "chromium is installed by scripts/test.sh"
    return subprocess.run([*CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)


class TestSelfContained:
    def test_the_page_loads_nothing_from_elsewhere(self, page: Path):
        """No src/href attribute, stylesheet link, script or CSS url(): the page needs no network."""
        html = page.read_text()
        assert not re.search(r"\b(src|href)\s*=", html)
        assert "<script" not in html
        assert "url(" not in html
        assert "@import" not in html

    def test_there_is_one_picture_per_entrypoint_with_windows(self, page: Path):
        """Each of the example's four entrypoints gets one inline SVG."""
        assert page.read_text().count("<svg ") == 4


class TestInChromium:
    def test_the_rendered_dom_shows_the_review_text(self, page: Path, tmp_path: Path):
        """Chromium's DOM holds the totals, the policy status and the burn-rate words."""
        dom = _chromium(page, tmp_path, "--dump-dom").stdout
        assert "Alarm design review" in dom
        assert "$11.80 per month" in dom
        assert "No findings." in dom
        assert "pages when 2% of the 30-day error budget burns within 1 h" in dom
        assert dom.count("<svg ") == 4

    def test_the_screenshot_is_a_non_blank_png(self, page: Path, tmp_path: Path):
        """The screenshot is a PNG of substantial size (a blank page compresses to a few hundred bytes)."""
        shot = tmp_path / "review.png"
        _chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 20_000
