"""Real browsers: sessions ``playwright`` and ``selenium``, and sources of the same names.

A browser source is ``ApiStorySource`` over an in-page ``fetch`` transport, so
``sources = ["http", "playwright"]`` makes the browser the fallback of direct HTTP.
"""

from __future__ import annotations

from storysync.plugins import hookimpl
from storysync.plugins.builtin.http import api_source

ENGINES = ("playwright", "selenium")


def browser_session(ctx, engine: str):
    b = ctx.settings.browser
    options = dict(
        chromium_path=b.chromium_path,
        headless=b.headless,
        page_timeout=b.page_timeout_seconds,
        extra_args=tuple(b.extra_args),
        user_agent=ctx.settings.instagram.user_agent,
    )
    if engine == "selenium":
        from storysync.adapters.browser.selenium_session import SeleniumSession

        return SeleniumSession(chromedriver_path=b.chromedriver_path, **options)
    from storysync.adapters.browser.playwright_session import PlaywrightSession

    return PlaywrightSession(**options)


def browser_transport(ctx, engine: str):
    def build():
        from storysync.adapters.browser.transport import BrowserTransport

        s = ctx.settings
        return BrowserTransport(
            ctx.browser(engine),
            base_url=s.instagram.base_url,
            app_id=s.instagram.app_id,
            cookies=ctx.session_cookies().cookies,
            on_event=ctx.emit,
            clock=ctx.clock,
        )

    return ctx.shared(f"transport:{engine}", build)


def _register_engine(registry, engine: str) -> None:
    registry.add_browser(engine, lambda ctx: browser_session(ctx, engine))
    registry.add_source(engine, lambda ctx: api_source(ctx, browser_transport(ctx, engine), engine))


@hookimpl
def storysync_register_adapters(registry):
    for engine in ENGINES:
        _register_engine(registry, engine)
