"""Direct HTTP to Instagram's web API: source ``http``."""

from __future__ import annotations

from storysync.plugins import hookimpl


def http_transport(ctx):
    """The run's one ``HttpxTransport`` (one connection pool), shared by the source and reply sink."""

    def build():
        from storysync.adapters.http.transport import HttpxTransport

        s = ctx.settings
        return HttpxTransport(
            base_url=s.instagram.base_url,
            cookies=ctx.session_cookies(),
            app_id=s.instagram.app_id,
            user_agent=s.instagram.user_agent,
            clock=ctx.clock,
            ledger=ctx.store,
            account=s.account,
            on_event=ctx.emit,
            timeout=s.http.timeout_seconds,
            retry_attempts=s.http.retry_attempts,
            retry_total_seconds=s.http.retry_total_seconds,
            backoff_initial=s.http.backoff_initial_seconds,
            backoff_max=s.http.backoff_max_seconds,
            retry_after_cap=s.http.retry_after_cap_seconds,
            rate_limit_default=s.http.rate_limit_default_seconds,
            long_block=s.http.long_block_seconds,
            min_gap=s.http.min_gap_seconds,
            window_seconds=s.http.window_seconds,
            window_budget=s.http.window_budget,
            http2=s.http.http2,
        )

    return ctx.shared("transport:http", build, lambda transport: transport.close())


def api_source(ctx, transport, name: str):
    from storysync.adapters.http.source import ApiStorySource

    s = ctx.settings
    return ApiStorySource(
        transport,
        name=name,
        batch_size=s.sync.reels_batch_size,
        inbox_page_size=s.inbox.page_size,
        base_url=s.instagram.base_url,
    )


@hookimpl
def storysync_register_adapters(registry):
    registry.add_source("http", lambda ctx: api_source(ctx, http_transport(ctx), "http"))
