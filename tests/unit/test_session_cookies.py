"""Loading the account's cookie exports (SPEC §2): both formats, every SessionError, no leaks."""

from __future__ import annotations

import json
import os
import stat

import pytest

from storysync.adapters.session import SessionCookies, load_cookies, parse_cookies, save_private_copy
from storysync.core.errors import SessionError

NOW = 1_787_140_800.0
SESSION_VALUE = "31337%3AsEcReTsEsSiOn%3A42"
CSRF_VALUE = "CsrfTokenValue0123456789abcdef"

NETSCAPE = f"""# Netscape HTTP Cookie File
# This is a generated file! Do not edit.

.instagram.com\tTRUE\t/\tTRUE\t{NOW + 86400:.0f}\tcsrftoken\t{CSRF_VALUE}
#HttpOnly_.instagram.com\tTRUE\t/\tTRUE\t{NOW + 86400:.0f}\tsessionid\t{SESSION_VALUE}
.instagram.com\tTRUE\t/\tTRUE\t0\tig_nrcb\t1
www.instagram.com\tFALSE\t/\tFALSE\t{NOW + 60:.0f}\trur\tLDC
.example.org\tTRUE\t/\tFALSE\t{NOW + 60:.0f}\tother\tvalue-elsewhere
.instagram.com\tTRUE\t/\tTRUE\t{NOW - 10:.0f}\told\tstale-value
"""

JSON_EXPORT = [
    {"name": "sessionid", "value": SESSION_VALUE, "domain": ".instagram.com", "path": "/",
     "expirationDate": NOW + 86400.5, "secure": True, "httpOnly": True, "hostOnly": False, "session": False},
    {"name": "csrftoken", "value": CSRF_VALUE, "domain": ".instagram.com", "path": "/",
     "expires": NOW + 86400, "secure": True, "httpOnly": False},
    {"name": "mid", "value": "Zmid-value", "domain": "www.instagram.com", "path": "/", "expiry": -1},
]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_netscape_cookies_txt_is_read_with_httponly_and_session_cookies(tmp_path):
    cookies = load_cookies(write(tmp_path, "cookies.txt", NETSCAPE), now=NOW)

    by_name = {cookie["name"]: cookie for cookie in cookies.cookies}
    assert cookies.sessionid_present
    assert cookies.csrftoken == CSRF_VALUE
    assert by_name["sessionid"]["httpOnly"] is True and by_name["sessionid"]["secure"] is True
    assert by_name["ig_nrcb"]["expires"] is None, "expiry 0 marks a browser-session cookie"
    assert "old" not in by_name, "cookies already expired are dropped at load"


def test_json_cookie_list_accepts_each_exporters_expiry_key(tmp_path):
    cookies = load_cookies(write(tmp_path, "cookies.json", json.dumps(JSON_EXPORT)), now=NOW)

    by_name = {cookie["name"]: cookie for cookie in cookies.cookies}
    assert by_name["sessionid"]["expires"] == NOW + 86400.5
    assert by_name["csrftoken"]["expires"] == NOW + 86400
    assert by_name["mid"]["expires"] is None, "Playwright's -1 means a session cookie"
    assert cookies.csrftoken == CSRF_VALUE


def test_playwright_storage_state_object_is_accepted(tmp_path):
    state = {"cookies": JSON_EXPORT, "origins": []}
    cookies = load_cookies(write(tmp_path, "state.json", json.dumps(state)), now=NOW)
    assert cookies.sessionid_present


def test_for_domain_applies_domain_matching():
    cookies = parse_cookies(NETSCAPE, origin="test")

    www = {cookie["name"] for cookie in cookies.for_domain("www.instagram.com")}
    apex = {cookie["name"] for cookie in cookies.for_domain("instagram.com")}
    assert {"sessionid", "csrftoken", "rur"} <= www and "other" not in www
    assert "sessionid" in apex and "rur" not in apex, "a host-only cookie is not sent to the apex"
    assert cookies.for_domain("evil-instagram.com") == []


def test_expired_is_about_the_session_cookie_only():
    cookies = SessionCookies.from_records(
        [{"name": "sessionid", "value": SESSION_VALUE, "domain": ".instagram.com", "expires": NOW + 5},
         {"name": "csrftoken", "value": CSRF_VALUE, "domain": ".instagram.com", "expires": NOW - 5}]
    )
    assert not cookies.expired(NOW)
    assert cookies.expired(NOW + 5)


def test_missing_file(tmp_path):
    with pytest.raises(SessionError, match="not found"):
        load_cookies(tmp_path / "absent.txt", now=NOW)


def test_unreadable_file(tmp_path):
    path = write(tmp_path, "cookies.txt", NETSCAPE)
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything; a directory is unreadable as a file for everyone
        path = tmp_path / "a-directory"
        path.mkdir()
    with pytest.raises(SessionError, match="unreadable|directory"):
        load_cookies(path, now=NOW)


def test_binary_file_is_reported_as_not_text(tmp_path):
    path = tmp_path / "Cookies"
    path.write_bytes(b"SQLite format 3\x00\xff\xfe\x00binary")
    with pytest.raises(SessionError, match="not UTF-8"):
        load_cookies(path, now=NOW)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"sessionid": "x"}', "not a cookie list"),
        ("[1, 2]", "not a cookie list"),
        ('[{"name": "sessionid"}]', "lacks a string name and value"),
        ("[{broken json", "invalid JSON"),
        ("sessionid=abc; csrftoken=def", "Netscape cookies.txt"),
        ("   \n", "empty"),
        ("# only comments\n", "no cookies found"),
    ],
)
def test_wrong_format_names_the_format(tmp_path, text, named):
    with pytest.raises(SessionError, match=named):
        load_cookies(write(tmp_path, "cookies", text), now=NOW)


def test_no_sessionid(tmp_path):
    text = NETSCAPE.replace("\tsessionid\t", "\tnot_the_session\t")
    with pytest.raises(SessionError, match="no 'sessionid'"):
        load_cookies(write(tmp_path, "cookies.txt", text), now=NOW)


def test_every_sessionid_expired(tmp_path):
    with pytest.raises(SessionError, match="expired"):
        load_cookies(write(tmp_path, "cookies.txt", NETSCAPE), now=NOW + 90_000)


def test_errors_and_repr_never_show_values(tmp_path):
    cookies = parse_cookies(NETSCAPE, origin="test")
    shown = repr(cookies) + str(cookies)
    assert "sessionid" in shown
    assert SESSION_VALUE not in shown and CSRF_VALUE not in shown

    broken = NETSCAPE.replace(f"\t{CSRF_VALUE}", f"\t{CSRF_VALUE}\tan-extra-field")
    with pytest.raises(SessionError) as raised:
        parse_cookies(broken, origin="test")
    assert CSRF_VALUE not in str(raised.value) and SESSION_VALUE not in str(raised.value)


def test_private_copy_is_0600_json_and_replaces_atomically(tmp_path):
    cookies = parse_cookies(NETSCAPE, origin="test")
    target = tmp_path / "private" / "cookies.json"

    save_private_copy(cookies, target)
    save_private_copy(cookies, target)

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert list(target.parent.iterdir()) == [target], "no temporary file is left behind"
    reloaded = load_cookies(target, now=NOW)
    assert reloaded == cookies.unexpired(NOW)


def test_subdomain_flags_without_a_leading_dot_still_reach_www():
    netscape = f"instagram.com\tTRUE\t/\tTRUE\t0\tsessionid\t{SESSION_VALUE}\n"
    extension = [{"name": "sessionid", "value": SESSION_VALUE, "domain": "instagram.com", "hostOnly": False}]

    for cookies in (parse_cookies(netscape, origin="txt"), parse_cookies(json.dumps(extension), origin="json")):
        assert [cookie["name"] for cookie in cookies.for_domain("www.instagram.com")] == ["sessionid"]
