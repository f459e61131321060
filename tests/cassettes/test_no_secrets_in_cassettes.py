"""No cassette under ``tests/`` holds a cookie, CSRF token or session id (SPEC §2), and the check
would notice one if it did."""

from __future__ import annotations

from pathlib import Path

import pytest

from storysync.plugins.sandbox.recording import secret_findings

from cassette_support import FAKE_COOKIES, session_secrets

TESTS_DIR = Path(__file__).resolve().parent.parent
CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")
FAKE_SECRETS = session_secrets(FAKE_COOKIES)


def cassette_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file() and path.suffix in CASSETTE_SUFFIXES)


def secrets_by_file(root: Path) -> dict[str, list[str]]:
    findings = {}
    for path in cassette_files(root):
        found = secret_findings(path.read_text(encoding="utf-8", errors="replace"), FAKE_SECRETS)
        if found:
            findings[str(path.relative_to(root))] = found
    return findings


def test_the_recorded_cassettes_are_found():
    # Guards the walk itself: a check that reads no file passes for the wrong reason.
    assert len(cassette_files(TESTS_DIR / "cassettes" / "cassettes")) >= 19


def test_no_cassette_under_tests_contains_a_secret():
    assert secrets_by_file(TESTS_DIR) == {}


DIRTY_CASSETTES = {
    "cookie request header": "interactions:\n- request:\n    headers:\n      Cookie:\n      - mid=abc\n",
    "set-cookie response header": "    headers:\n      Set-Cookie:\n      - rur=x; Path=/\n",
    "csrf request header": "    headers:\n      X-CSRFToken:\n      - abcdefabcdef\n",
    "json-serialised cookie header": '{"request": {"headers": {"cookie": ["x=1"]}}}',
    "sessionid assignment in a body": "      string: 'sessionid=42abcdef; Path=/'\n",
    "csrftoken in a json body": """      string: '{"config":{"csrftoken":"Zx9Zx9Zx9Zx9"}}'\n""",
    "url-encoded sessionid shape": "    uri: http://x/?s=20890668825%3AaBcDeFgHiJkLmN%3A12%3AAYfz\n",
    "a fake cookie value verbatim": f"      string: 'token {sorted(FAKE_SECRETS)[0]}'\n",
}


@pytest.mark.parametrize("content", DIRTY_CASSETTES.values(), ids=DIRTY_CASSETTES.keys())
def test_a_dirty_cassette_is_reported(tmp_path, content):
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "cassettes" / "dirty.yaml").write_text(content)
    (tmp_path / "cassettes" / "clean.yaml").write_text("      string: 'sessionid=SCRUBBED, csrftoken: SCRUBBED'\n")

    assert list(secrets_by_file(tmp_path)) == ["cassettes/dirty.yaml"]
