"""Pages over plain HTTP (auth, login, unavailable), the cookies file, and the CLI command."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner

from storysync.plugins.sandbox import Sandbox
from storysync.plugins.sandbox.faults import parse_fault_spec
from storysync.plugins.sandbox.plugin import sandbox_group


def test_pages_without_a_session_redirect_to_login(ig_sandbox: Sandbox) -> None:
    response = httpx.get(ig_sandbox.base_url + "/stories/someone/123/")
    assert response.status_code == 302
    assert response.headers["location"] == "/accounts/login/?next=%2Fstories%2Fsomeone%2F123%2F"
    login = httpx.get(ig_sandbox.base_url + response.headers["location"])
    assert login.status_code == 200 and '<form id="loginForm"' in login.text


def test_logging_in_issues_instagram_shaped_cookies(ig_sandbox: Sandbox) -> None:
    viewer = ig_sandbox.dataset.viewer
    wrong = httpx.post(ig_sandbox.base_url + "/accounts/login/", data={"username": viewer.username, "password": "x"})
    assert "password was incorrect" in wrong.text and "sessionid" not in wrong.cookies
    response = httpx.post(ig_sandbox.base_url + "/accounts/login/",
                          data={"username": viewer.username, "password": "sandbox", "next": "/"})
    assert response.status_code == 302 and response.headers["location"] == "/"
    assert set(response.cookies) == {"sessionid", "csrftoken", "ds_user_id", "mid"}
    user_id, *parts = response.cookies["sessionid"].split("%3A")
    assert user_id == viewer.id == response.cookies["ds_user_id"] and len(parts) == 3
    assert httpx.get(ig_sandbox.base_url + "/", cookies=dict(response.cookies)).status_code == 200


def test_unknown_and_expired_stories_are_unavailable_pages(ig_sandbox: Sandbox) -> None:
    expired = ig_sandbox.dataset.all_stories(9)[0]
    cookies = ig_sandbox.cookies
    for path in (f"/stories/{expired.owner_username}/{expired.story_id}/", "/stories/nobody.here/",
                 f"/stories/{ig_sandbox.dataset.user_at(10).username}/"):
        response = httpx.get(ig_sandbox.base_url + path, cookies=cookies)
        assert response.status_code == 200 and "Sorry, this page isn't available." in response.text


def test_home_marks_seen_trays(ig_sandbox: Sandbox) -> None:
    owner = ig_sandbox.dataset.user_at(0)
    home = httpx.get(ig_sandbox.base_url + "/", cookies=ig_sandbox.cookies).text
    assert f'aria-label="Story by {owner.username}, not seen"' in home
    ig_sandbox.state.mark_seen(owner, ig_sandbox.dataset.stories(owner.id)[-1].taken_at)
    home = httpx.get(ig_sandbox.base_url + "/", cookies=ig_sandbox.cookies).text
    assert f'aria-label="Story by {owner.username}, seen"' in home


def test_cookies_file_is_netscape_format_and_private(ig_sandbox: Sandbox, tmp_path) -> None:
    path = ig_sandbox.write_cookies_file(tmp_path / "cookies.txt")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert lines[0] == "# Netscape HTTP Cookie File"
    rows = {line.split("\t")[5]: line.split("\t") for line in lines if "\t" in line}
    assert rows["sessionid"][0] == "#HttpOnly_127.0.0.1" and rows["sessionid"][6] == ig_sandbox.cookies["sessionid"]
    assert set(rows) == {"sessionid", "csrftoken", "ds_user_id", "mid"}


def test_fault_specs_parse_kind_endpoint_and_count() -> None:
    assert parse_fault_spec("rate_limit").as_dict()["endpoint"] == "*"
    fault = parse_fault_spec("server_error:feed/reels_media:3")
    assert (fault.kind, fault.endpoint, fault.count) == ("server_error", "feed/reels_media", 3)
    with pytest.raises(ValueError):
        parse_fault_spec("server_error:feed/reels_media:many")


def test_cli_help_lists_the_options() -> None:
    result = CliRunner().invoke(sandbox_group, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--cdn-port", "--users", "--seed", "--fault", "--cookies-file"):
        assert option in result.output


def test_cli_serves_until_interrupted(tmp_path) -> None:
    cookies = tmp_path / "cookies.txt"
    command = [sys.executable, "-c", "from storysync.plugins.sandbox.plugin import sandbox_group; sandbox_group()",
               "serve", "--users", "20", "--fault", "rate_limit:feed/reels_tray:1", "--cookies-file", str(cookies)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        site = process.stdout.readline().split()[-1]
        assert process.stdout.readline().split()[-1].startswith("http://127.0.0.2:")
        state = httpx.get(site + "/__sandbox__/state").json()
        assert state["users"] == 20 and state["faults"][0]["endpoint"] == "feed/reels_tray"
        assert stat.S_IMODE(os.stat(cookies).st_mode) == 0o600
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0 and "Sandbox stopped." in output
