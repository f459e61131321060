"""Media fallbacks over the configured browser: ``dom`` (visible media) and ``perflog`` (network log)."""

from __future__ import annotations

from storysync.plugins import hookimpl


def _dom(ctx):
    from storysync.adapters.browser.dom_fallback import DomMediaFallback

    return DomMediaFallback(ctx.browser(ctx.settings.browser.engine))


def _perflog(ctx):
    from storysync.adapters.browser.perflog_fallback import NetworkLogMediaFallback

    return NetworkLogMediaFallback(ctx.browser(ctx.settings.browser.engine), cdn_hosts=ctx.settings.media.insecure_hosts)


@hookimpl
def storysync_register_adapters(registry):
    registry.add_media_fallback("dom", _dom)
    registry.add_media_fallback("perflog", _perflog)
