"""Turning the account's cookie list into the cookie records browsers accept.

Selenium (through CDP ``Network.setCookies``) and Playwright (``add_cookies``) take the same
field names, so one conversion serves both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_SAME_SITE = {"strict": "Strict", "lax": "Lax", "none": "None", "no_restriction": "None"}


def browser_cookies(cookies: Sequence[Mapping[str, Any]], url: str) -> list[dict[str, Any]]:
    """Cookie records for ``url``'s origin; a cookie without a domain is bound to ``url``.

    Accepts the JSON cookie-list shape of SPEC §2 (``expiry`` or ``expires``, ``httpOnly``,
    ``secure``, ``sameSite``); entries without a name are skipped.
    """
    records = []
    for cookie in cookies:
        name = cookie.get("name")
        if not name:
            continue
        record: dict[str, Any] = {"name": str(name), "value": str(cookie.get("value", ""))}
        domain = cookie.get("domain")
        if domain:
            record["domain"] = str(domain)
            record["path"] = str(cookie.get("path") or "/")
        else:
            record["url"] = url
        expires = cookie.get("expiry", cookie.get("expires"))
        if expires not in (None, "", -1):
            record["expires"] = float(expires)
        if cookie.get("secure"):
            record["secure"] = True
        if cookie.get("httpOnly", cookie.get("http_only")):
            record["httpOnly"] = True
        same_site = _SAME_SITE.get(str(cookie.get("sameSite", "")).lower())
        if same_site:
            record["sameSite"] = same_site
        records.append(record)
    return records
