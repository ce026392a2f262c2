"""The demo in a real browser (Debian's chromium through Playwright): open the page, load an example,
upscale, and see the result and the scores. Saves screenshots under test-artifacts/.

Locally the test skips when /usr/bin/chromium is missing; in CI (``CI`` set) it fails instead, because
``.ci/run`` installs chromium. ``python tests/test_app_browser.py docs/demo.png`` writes the README's
screenshot with the bundled default model (or the first checkpoint in the models folder).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from test_app_helpers import APP_CHOICE, ROOT, app_module, free_port, launch_app, models_dir  # noqa: F401

CHROMIUM = Path(os.environ.get("LIIF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run_upscale_in_browser(url: str, screenshot: Path, timeout_ms: int = 120_000) -> dict:
    """Open the demo, click the first example, upscale, wait for the result and the report; screenshot."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url, wait_until="domcontentloaded")
            examples = page.locator("#upscale-examples")
            expect(examples).to_be_visible(timeout=timeout_ms)
            examples.locator("button, .gallery-item, td, img").first.click()
            # the example lands in the input image
            expect(page.locator("#upscale-input img").first).to_be_visible(timeout=timeout_ms)
            page.locator("#upscale-button").click()
            slider_images = page.locator("#upscale-slider img")
            expect(slider_images.nth(1)).to_be_visible(timeout=timeout_ms)
            report = page.locator("#upscale-report")
            expect(report).to_contain_text("is better", timeout=timeout_ms)
            report_rows = report.get_by_role("row")
            expect(page.locator("#upscale-crop img").first).to_be_visible(timeout=timeout_ms)
            info = page.locator("#upscale-info").inner_text()
            result = {
                "slider_sources": [slider_images.nth(i).get_attribute("src") for i in range(slider_images.count())],
                "result_width": slider_images.nth(1).evaluate("img => img.naturalWidth"),
                "report_rows": report_rows.count() - 1,  # minus the header
                "report_text": report.inner_text(),
                "info": info,
            }
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.locator("#upscale-report").scroll_into_view_if_needed()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(screenshot), full_page=False)
            return result
        finally:
            browser.close()


def test_upscale_an_example_in_chromium(launch_app):  # noqa: F811
    _require_chromium()
    result = run_upscale_in_browser(launch_app, ARTIFACTS / "demo-upscale.png")
    assert len(result["slider_sources"]) >= 2 and all(result["slider_sources"])
    assert result["result_width"] == 640  # the first example is 160 px wide; the default scale is x4
    assert "640x640" in result["info"]
    assert result["report_rows"] >= 2
    assert "is better" in result["report_text"] and "unavailable" in result["report_text"]
    assert (ARTIFACTS / "demo-upscale.png").stat().st_size > 10_000


def test_click_to_zoom_in_chromium(launch_app):  # noqa: F811
    """A click on the input picks the point (a select event, only reachable from a browser) and zooms."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(launch_app, wait_until="domcontentloaded")
            page.get_by_role("tab", name="Zoom anywhere").click()
            examples = page.locator("#zoom-examples")
            expect(examples).to_be_visible(timeout=60_000)
            examples.locator("button, .gallery-item, td, img").first.click()
            picture = page.locator("#zoom-input img").first
            expect(picture).to_be_visible(timeout=60_000)
            # the picture sits inside its <img> box (object-fit: scale-down): click on its content
            r = picture.evaluate("""img => { const b = img.getBoundingClientRect();
                const fit = getComputedStyle(img).objectFit;
                let s = Math.min(b.width / img.naturalWidth, b.height / img.naturalHeight);
                if (fit === "scale-down" || fit === "none") s = Math.min(1, s);
                const w = img.naturalWidth * s, h = img.naturalHeight * s;
                return {x: (b.width - w) / 2, y: (b.height - h) / 2, w: w, h: h}; }""")
            picture.click(position={"x": r["x"] + 0.25 * r["w"], "y": r["y"] + 0.75 * r["h"]})
            info = page.locator("#zoom-info")
            expect(info).to_contain_text("window", timeout=60_000)
            expect(page.locator("#zoom-slider img").nth(1)).to_be_visible(timeout=60_000)
            text = info.inner_text()
            page.screenshot(path=str(ARTIFACTS / "demo-zoom.png"))
        finally:
            browser.close()
    # the point clicked, in input pixels of the 160x160 example: about (40, 120), not the default centre
    x, y = (float(v) for v in text.split("around (")[1].split(")")[0].split(","))
    assert abs(x - 40) < 12 and abs(y - 120) < 12, text


def main(target: Path) -> None:
    """Write the README's screenshot with a real model (the bundled default, or a checkpoint in models/)."""
    import test_app_helpers as helpers

    app = helpers.load_app_module()
    choices = app.model_choices()
    choice = app.default_choice(choices)
    if choice == app.DEFAULT_LABEL and not app.liif.list_models():
        raise SystemExit("no bundled weights and no checkpoint in the models folder: a screenshot of a random "
                         "model would mislead; add weights first")
    demo = app.build_demo(default_model=choice)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **app.LAUNCH_OPTIONS)
    try:
        print(run_upscale_in_browser(f"http://127.0.0.1:{port}/", target, timeout_ms=600_000)["info"])
    finally:
        demo.close()


if __name__ == "__main__":  # python tests/test_app_browser.py docs/demo.png
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ARTIFACTS / "demo.png"))
