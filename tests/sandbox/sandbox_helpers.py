"""Helpers for the sandbox's own tests: HTTP clients that behave like the web client, payload walkers."""

from __future__ import annotations

import httpx

from storysync.plugins.sandbox import Sandbox

WEB_APP_ID = "936619743392459"


def api_client(sandbox: Sandbox, cookies: dict[str, str] | None = None) -> httpx.Client:
    headers = {"X-IG-App-ID": WEB_APP_ID, "X-CSRFToken": sandbox.cookies["csrftoken"],
               "X-Requested-With": "XMLHttpRequest"}
    return httpx.Client(base_url=sandbox.base_url, cookies=cookies or sandbox.cookies, headers=headers,
                        timeout=10)


def reels_of(body: dict) -> list[dict]:
    """Every reel in a reels_media body, whichever of the two shapes it uses (deduplicated)."""
    reels = {str(r["id"]): r for r in body.get("reels_media", [])}
    reels.update({key: r for key, r in body.get("reels", {}).items()})
    return list(reels.values())


def tray_entries(body: dict) -> list[dict]:
    tray = body["tray"]
    return tray if isinstance(tray, list) else tray["items"]
