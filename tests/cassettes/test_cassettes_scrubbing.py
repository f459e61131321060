"""``default_vcr_config`` scrubs secrets from bodies too, where vcrpy's header filter cannot reach."""

from __future__ import annotations

import vcr.request

from storysync.plugins.sandbox.recording import SCRUBBED, default_vcr_config, secret_findings

CSRF = "Qm9vQm9vQm9vQm9vQm9vQm9vQm9v"
SESSIONID = "20890668825%3AaBcDeFgHiJkLmN%3A12%3AAYfzTail"


def test_a_form_post_is_recorded_without_its_session():
    config = default_vcr_config(secrets=[CSRF])
    request = vcr.request.Request(
        "POST",
        "https://www.instagram.com/api/v1/direct_v2/threads/broadcast/reel_share/",
        f"text=hi&csrf_token={CSRF}&thread_id=1".encode(),
        {"Cookie": f"sessionid={SESSIONID}; csrftoken={CSRF}", "X-CSRFToken": CSRF, "X-IG-WWW-Claim": "hmac.AR1"},
    )

    recorded = config["before_record_request"](request)

    assert dict(recorded.headers) == {}
    assert recorded.body == f"text=hi&csrf_token={SCRUBBED}&thread_id=1".encode()


def test_a_response_is_recorded_without_cookies_claims_or_echoed_tokens():
    config = default_vcr_config(secrets=[CSRF])
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": [f"csrftoken={CSRF}"], "x-ig-set-www-claim": ["hmac.AR2"], "Date": ["now"],
                    "Content-Type": ["text/html"]},
        "body": {"string": f'<script>{{"csrf_token":"{CSRF}","viewer":"{SESSIONID}"}}</script>'.encode()},
    }

    recorded = config["before_record_response"](response)

    assert recorded["headers"] == {"Content-Type": ["text/html"]}
    body = recorded["body"]["string"].decode()
    assert CSRF not in body and SESSIONID not in body
    assert secret_findings(body, [CSRF]) == []
