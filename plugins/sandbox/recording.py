"""Scrubbing for VCR cassettes (vcrpy / pytest-recording) recorded against the sandbox or Instagram.

SPEC §2: cookie values, CSRF tokens and session ids never appear in cassettes. vcrpy's
``filter_headers`` drops headers but leaves bodies alone, and Instagram echoes secrets in
bodies (a login page's CSRF token, a form field), so both are scrubbed here::

    @pytest.fixture
    def vcr_config():
        return default_vcr_config(secrets=my_session_cookie_values)

``secret_findings`` is the other half: it tells whether a recorded file still holds something
that looks like a secret, so a test can refuse to let one be committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

SCRUBBED = "SCRUBBED"
#: Request headers that carry the session: dropped from every recorded request.
SECRET_REQUEST_HEADERS = ("cookie", "x-csrftoken", "x-ig-www-claim", "authorization")
#: Response headers that hand out session state: dropped from every recorded response.
SECRET_RESPONSE_HEADERS = ("set-cookie", "x-ig-set-www-claim")
#: Response headers that change on every recording without meaning anything: dropped, so a
#: re-recorded cassette differs from the old one only where the answer did.
VOLATILE_RESPONSE_HEADERS = ("date", "server")
#: Instagram's session cookies; a value after one of these names is a secret wherever it appears.
SECRET_COOKIE_NAMES = ("sessionid", "csrftoken", "csrf_token", "ds_user_id", "x-csrftoken", "ig_did", "rur",
                       "shbid", "shbts", "datr")
# Exact values shorter than this are flags ("1", "ok"): replacing them would mangle every body.
MIN_SECRET_LENGTH = 4

#: ``<user id>%3A<token>%3A<n>[%3A<token>]``, the shape of an Instagram ``sessionid``, raw or URL-encoded.
SESSIONID_PATTERN = re.compile(
    r"\d{5,}(?:%3A|:)[A-Za-z0-9]{8,}(?:%3A|:)\d{1,3}(?:(?:%3A|:)[A-Za-z0-9_-]+)?", re.IGNORECASE
)
_NAMED_SECRET = re.compile(
    r"(?<![A-Za-z0-9_-])(?P<name>" + "|".join(map(re.escape, SECRET_COOKIE_NAMES)) + r")"
    r"(?P<sep>\\?[\"']?\s*[:=]\s*\\?[\"']?)(?P<value>[^\"'\\\s;&,}<>]+)",
    re.IGNORECASE,
)
_SECRET_HEADER_KEY = re.compile(
    r"""(?im)^\s*-?\s*["']?(?P<name>cookie|set-cookie|x-csrftoken|x-ig-set-www-claim)["']?\s*:"""
    r"""|"(?P<json_name>cookie|set-cookie|x-csrftoken|x-ig-set-www-claim)"\s*:\s*\[""",
    re.IGNORECASE,
)


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with known secret values, named cookie values and session-id shapes replaced."""
    for secret in sorted((s for s in set(secrets) if len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True):
        text = text.replace(secret, SCRUBBED)
    text = SESSIONID_PATTERN.sub(SCRUBBED, text)
    return _NAMED_SECRET.sub(lambda m: f"{m['name']}{m['sep']}{SCRUBBED}", text)


def _scrub_body(body: bytes | str | None, secrets: Iterable[str]) -> bytes | str | None:
    if not body:
        return body
    if isinstance(body, str):
        return scrub_text(body, secrets)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # media bytes: no text secret can hide in them unnoticed by the header filters
    return scrub_text(text, secrets).encode("utf-8")


def scrub_request(request: Any, secrets: Iterable[str] = ()) -> Any:
    """vcrpy ``before_record_request``: drop session headers, scrub the URI and the (form) body."""
    for name in list(request.headers):
        if name.lower() in SECRET_REQUEST_HEADERS:
            del request.headers[name]
    request.uri = scrub_text(request.uri, secrets)
    request.body = _scrub_body(request.body, secrets)
    return request


def scrub_response(response: dict[str, Any], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """vcrpy ``before_record_response``: drop cookie-setting (and volatile) headers, scrub the rest
    and the body."""
    headers = response["headers"]
    for name in list(headers):
        if name.lower() in SECRET_RESPONSE_HEADERS + VOLATILE_RESPONSE_HEADERS:
            del headers[name]
        else:
            headers[name] = [scrub_text(value, secrets) for value in headers[name]]
    response["body"]["string"] = _scrub_body(response["body"]["string"], secrets)
    return response


def default_vcr_config(secrets: Iterable[str] = ()) -> dict[str, Any]:
    """A ``vcr_config`` that records no session secret; ``secrets`` are the session's exact values
    (cookie values from the export you record with), scrubbed wherever they appear."""
    known = frozenset(secrets)
    before_request: Callable[[Any], Any] = partial(scrub_request, secrets=known)
    before_response: Callable[[dict[str, Any]], dict[str, Any]] = partial(scrub_response, secrets=known)
    return {
        "filter_headers": list(SECRET_REQUEST_HEADERS),
        "before_record_request": before_request,
        "before_record_response": before_response,
        "decode_compressed_response": True,
    }


def secret_findings(text: str, secrets: Iterable[str] = ()) -> list[str]:
    """What in ``text`` (a cassette file) looks like a secret; empty when it is clean.

    Each finding names the kind of secret, never the value itself.
    """
    findings = [f"the known secret value #{n}" for n, secret in enumerate(sorted(set(secrets)), start=1)
                if len(secret) >= MIN_SECRET_LENGTH and secret in text]
    if SESSIONID_PATTERN.search(text):
        findings.append("an Instagram sessionid-shaped value")
    for match in _NAMED_SECRET.finditer(text):
        if match["value"] != SCRUBBED:
            findings.append(f"a {match['name'].lower()} value")
    for match in _SECRET_HEADER_KEY.finditer(text):
        findings.append(f"a {(match['name'] or match['json_name']).lower()} header")
    return list(dict.fromkeys(findings))
