"""Retake the README's screenshots: the first screen and a three-turn conversation, at a
1400x1000 desktop window and a 390x844 phone, against a running `whyrec serve`.

    whyrec serve --workspace WS --port 7851 &
    python docs/screenshots/shoot.py http://127.0.0.1:7851/ docs/screenshots

Needs Playwright and Debian's chromium (/usr/bin/chromium), as the browser test does. The
PNGs are reduced to a 96-colour palette to keep the repository small.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORTS = {"desktop": (1400, 1000), "phone": (390, 844)}
TURNS = ("A drama from the 1990s", "Why the first one?", "What if it were older?")


def _small(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def _wait_idle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => !document.querySelector('.generating, #whyrec-chat .pending')",
        timeout=60_000,
    )
    page.wait_for_timeout(1200)


def main(url: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, (width, height) in VIEWPORTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector("#whyrec-graph img", timeout=60_000)
            page.wait_for_timeout(1500)
            first = out / f"first-screen-{name}.png"
            page.screenshot(path=str(first))
            for text in TURNS:
                page.locator("#whyrec-input textarea").fill(text)
                page.locator("#whyrec-send").click()
                _wait_idle(page)
            if name == "phone":  # the conversation itself, not the header above it
                page.locator("#whyrec-chat").evaluate("e => e.scrollIntoView()")
            chat = out / f"conversation-{name}.png"
            page.screenshot(path=str(chat))
            page.close()
            for path in (first, chat):
                _small(path)
                print(f"{path} {path.stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
