"""The web UI in a real browser: Playwright drives Debian's chromium (never a downloaded one)
against the live server; it chats, sees item cards and the graph picture, clicks like, and
saves a screenshot to test-artifacts/. `make test` installs chromium when it is missing, so a
missing browser fails this test rather than skipping it."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.slow
def test_chat_cards_graph_and_like_in_chromium(live_server):
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it (apt-get)"
    ARTIFACTS.mkdir(exist_ok=True)
    agent = live_server.agent
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        try:
            page.goto(live_server.url + "/", wait_until="domcontentloaded")
            expect(page.locator("#whyrec-banner")).to_contain_text("rule", timeout=30_000)
            page.locator("#whyrec-input textarea").fill("Recommend me a comedy")
            page.locator("#whyrec-send").click()

            cards = page.locator(".whyrec-card")
            expect(cards.first).to_be_visible(timeout=60_000)
            assert cards.count() >= 1
            first_card = cards.first
            item_id = first_card.get_attribute("data-item-id")
            title = first_card.locator("h4").inner_text().split(". ", 1)[1]
            expect(first_card.locator(".why")).not_to_be_empty()
            bot = page.locator("#whyrec-chat .message.bot, #whyrec-chat [data-testid='bot']")
            expect(bot.last).not_to_be_empty()

            graph = page.locator("#whyrec-graph img")
            expect(graph).to_be_visible(timeout=60_000)
            size = graph.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            assert size[0] > 100 and size[1] > 100

            page.locator(".whyrec-like").first.click()
            expect(page.locator("#whyrec-feedback")).to_contain_text(title, timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "web-ui.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "web-ui-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert (ARTIFACTS / "web-ui.png").stat().st_size > 10_000
    liked = [sid for sid in agent.store.session_ids() if item_id in agent.session_state(sid).liked]
    assert liked, "the like click must reach the agent's session memory as feedback"
