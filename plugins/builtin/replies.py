"""Reply sinks: ``api`` (create_group_thread + reel_share) and ``ui`` (the story viewer's reply box)."""

from __future__ import annotations

from storysync.plugins import hookimpl
from storysync.plugins.builtin.http import api_source, http_transport


def _api(ctx):
    from storysync.adapters.http.reply import ApiReplySink

    return ApiReplySink(
        api_source(ctx, http_transport(ctx), "http"), store=ctx.store, base_url=ctx.settings.instagram.base_url
    )


def _ui(ctx):
    from storysync.adapters.browser.reply import UiReplySink

    s = ctx.settings
    return UiReplySink(
        ctx.browser(s.browser.engine),
        base_url=s.instagram.base_url,
        cookies=ctx.session_cookies().cookies,
    )


@hookimpl
def storysync_register_adapters(registry):
    registry.add_reply_sink("api", _api)
    registry.add_reply_sink("ui", _ui)
