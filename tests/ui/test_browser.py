"""The web UI in a real browser: Playwright drives Debian's chromium (never a downloaded one)
against the live server. It checks the first screen a newcomer sees (title, catalog, example
prompts, the whole causal graph), that clicking an example produces cards with their reasons,
that a like re-ranks and says so, and that a user's markdown image or link makes the browser
fetch nothing: no request leaves 127.0.0.1. Screenshots go to test-artifacts/. `make test`
installs chromium when it is missing, so a missing browser fails this test, not skips it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

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
OUTSIDE = "198.51.100.7"  # TEST-NET-2: never a real host
HOSTILE = (
    f"![leak](http://{OUTSIDE}/leak.png) [click me](http://{OUTSIDE}/page) "
    f'<img src="http://{OUTSIDE}/raw.png"> http://{OUTSIDE}/bare'
)


def _wait_idle(page) -> None:
    """Until the chat has stopped generating."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('.generating, #whyrec-chat .pending')",
        timeout=60_000,
    )


@pytest.mark.browser
@pytest.mark.slow
def test_first_screen_examples_cards_like_and_literal_user_text(live_server):
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it (apt-get)"
    ARTIFACTS.mkdir(exist_ok=True)
    agent = live_server.agent
    hosts: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: hosts.append(urlparse(request.url).hostname or ""))
        try:
            page.goto(live_server.url + "/", wait_until="domcontentloaded")
            # the first screen: what this is, what it serves, who answers, what to type
            expect(page).to_have_title("WhyRec", timeout=30_000)
            header = page.locator("#whyrec-header")
            expect(header).to_contain_text("WhyRec", timeout=30_000)
            expect(header).to_contain_text(live_server.workspace.name)
            expect(header).to_contain_text(f"{len(agent.workspace.dataset.items):,} items")
            expect(page.locator("#whyrec-banner")).to_contain_text("rule-based planner")
            examples = page.locator(".whyrec-example")
            expect(examples.first).to_be_visible()
            assert examples.count() >= 3
            # the whole graph, before anyone types; no effect chart yet
            graph = page.locator("#whyrec-graph img")
            expect(graph).to_be_visible(timeout=30_000)
            size = graph.evaluate("img => [img.naturalWidth, img.naturalHeight]")
            box = graph.bounding_box()
            assert size[0] > 300 and size[1] > 300 and box["width"] > 200 and box["height"] > 200
            expect(page.locator("#whyrec-effect")).to_be_hidden()
            page.screenshot(path=str(ARTIFACTS / "web-first-screen.png"))

            # an example prompt gives cards: the main reason first, the evidence behind a disclosure
            examples.first.click()
            cards = page.locator(".whyrec-card")
            expect(cards.first).to_be_visible(timeout=60_000)
            _wait_idle(page)
            first_card = cards.first
            item_id = first_card.get_attribute("data-item-id")
            expect(first_card.locator(".why")).not_to_be_empty()
            expect(first_card.locator("details summary")).to_have_text("Why exactly?")
            expect(first_card.locator("details")).not_to_have_attribute("open", "")
            bot = page.locator("#whyrec-chat .message.bot, #whyrec-chat [data-testid='bot']")
            expect(bot.last).not_to_be_empty()
            reply = bot.last.inner_text()
            longest = max(len(line) for line in reply.splitlines() if line.strip())
            assert longest < 260, f"chat lines should be one reason each, got {longest} chars"

            # a like is recorded, re-ranks, and says so
            title = first_card.locator("h4").inner_text()
            page.locator(".whyrec-like").first.click()
            note = page.locator("#whyrec-feedback")
            expect(note).to_contain_text(title, timeout=30_000)
            expect(note).to_contain_text("re-ranked")
            expect(bot.last).to_contain_text("re-ranked")

            # user text stays text: no image, no link, no fetch
            page.locator("#whyrec-input textarea").fill(HOSTILE)
            page.locator("#whyrec-send").click()
            user = page.locator("#whyrec-chat .message.user, #whyrec-chat [data-testid='user']")
            expect(user.last).to_contain_text(f"![leak](http://{OUTSIDE}/leak.png)", timeout=30_000)
            _wait_idle(page)
            chat = page.locator("#whyrec-chat")
            assert chat.locator(f"img[src*='{OUTSIDE}']").count() == 0
            assert chat.locator(f"a[href*='{OUTSIDE}']").count() == 0
            page.screenshot(path=str(ARTIFACTS / "web-ui.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "web-ui-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    outside = sorted({h for h in hosts if h and h not in ("127.0.0.1", "localhost")})
    assert outside == [], f"the page made requests beyond 127.0.0.1: {outside}"
    assert (ARTIFACTS / "web-ui.png").stat().st_size > 10_000
    liked = [sid for sid in agent.store.session_ids() if item_id in agent.session_state(sid).liked]
    assert liked, "the like click must reach the agent's session memory as feedback"
