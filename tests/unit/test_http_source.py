"""ApiStorySource over a hand-written fake ``Transport``: requests built, batches halved, bodies decoded."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pytest

from storysync.adapters.http.source import ApiStorySource
from storysync.core.errors import BadRequest, LoginRequired, RateLimited, Transient
from storysync.core.ports import StorySource

BASE = "https://www.instagram.com"
NOW = 1_787_140_800
SANDBOX_BATCH_LIMIT = 20


@dataclass
class Call:
    method: str
    path: str
    params: list[tuple[str, str]]
    form: dict[str, str]
    endpoint: str
    referer: str
    username: str | None

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.params if key == name]


@dataclass
class FakeTransport:
    """The ``Transport`` port: ``answer(call)`` returns the body or raises a classified error."""

    answer: Callable[[Call], bytes]
    name: str = "fake"
    calls: list[Call] = field(default_factory=list)

    def get_json(self, path: str, params: Sequence[tuple[str, str]] = (), *, endpoint: str, referer: str,
                 username: str | None = None) -> bytes:
        call = Call("GET", path, list(params), {}, endpoint, referer, username)
        self.calls.append(call)
        return self.answer(call)

    def post_form(self, path: str, form: Mapping[str, str], *, endpoint: str, referer: str,
                  username: str | None = None) -> bytes:
        call = Call("POST", path, [], dict(form), endpoint, referer, username)
        self.calls.append(call)
        return self.answer(call)

    def close(self) -> None:
        pass


def reel_of(owner_id: str) -> dict:
    return {
        "id": owner_id,
        "user": {"pk": int(owner_id), "username": f"user{owner_id}"},
        "items": [
            {
                "pk": f"9{owner_id}",
                "taken_at": NOW - 600,
                "media_type": 1,
                "image_versions2": {"candidates": [{"url": "https://scontent.cdninstagram.com/a.jpg", "width": 1080, "height": 1920}]},
            }
        ],
    }


def reels_server(*, limit: int = SANDBOX_BATCH_LIMIT, failing: Callable[[list[str]], Exception | None] = lambda ids: None):
    def answer(call: Call) -> bytes:
        ids = call.values("reel_ids")
        if len(ids) > limit:
            raise BadRequest("HTTP 400: Too many reels requested", status=400,
                             snippet='{"message": "Too many reels requested", "status": "fail"}')
        error = failing(ids)
        if error is not None:
            raise error
        return json.dumps({"reels": {owner: reel_of(owner) for owner in ids}, "status": "ok"}).encode()

    return answer


def owner_ids(count: int) -> list[str]:
    return [str(1000 + n) for n in range(count)]


def test_it_is_a_story_source():
    assert isinstance(ApiStorySource(FakeTransport(lambda call: b"{}")), StorySource)


def test_reels_are_fetched_in_batches_of_ten_by_default():
    transport = FakeTransport(reels_server())
    reels = ApiStorySource(transport).reels(owner_ids(21))

    assert [len(call.values("reel_ids")) for call in transport.calls] == [10, 10, 1]
    assert set(reels) == set(owner_ids(21))
    assert all(call.path == "feed/reels_media/" and call.endpoint == "feed/reels_media" for call in transport.calls)
    assert reels["1000"].items[0].story_id == "91000"


def test_a_batch_over_the_server_limit_is_halved_and_retried():
    transport = FakeTransport(reels_server(limit=SANDBOX_BATCH_LIMIT))
    reels = ApiStorySource(transport, batch_size=21).reels(owner_ids(21))

    sizes = [len(call.values("reel_ids")) for call in transport.calls]
    assert sizes[0] == 21 and all(size <= SANDBOX_BATCH_LIMIT for size in sizes[1:])
    assert sum(sizes[1:]) == 21
    assert set(reels) == set(owner_ids(21))


def test_a_transient_batch_is_halved_down_to_the_one_owner_that_fails():
    def failing(ids: list[str]) -> Exception | None:
        return Transient("transient: HTTP 500", status=500) if "1003" in ids else None

    transport = FakeTransport(reels_server(failing=failing))
    with pytest.raises(Transient):
        ApiStorySource(transport, batch_size=8).reels(owner_ids(8))

    sizes = [len(call.values("reel_ids")) for call in transport.calls]
    assert sizes == [8, 4, 2, 2, 1, 1], "halving stops at one id, where the error propagates"
    assert transport.calls[-1].values("reel_ids") == ["1003"]


def test_account_refusals_are_not_halved():
    transport = FakeTransport(reels_server(failing=lambda ids: RateLimited("HTTP 429", status=429)))
    with pytest.raises(RateLimited):
        ApiStorySource(transport).reels(owner_ids(10))
    assert len(transport.calls) == 1


def test_reels_referer_is_the_first_owners_profile_when_its_username_is_known():
    transport = FakeTransport(reels_server())
    source = ApiStorySource(transport, base_url="http://127.0.0.1:8000/")

    source.reels(["1000"])
    source.set_username_hints({"1001": "ada"})
    source.reels(["1001", "1002"])

    assert transport.calls[0].referer == "http://127.0.0.1:8000/"
    assert transport.calls[1].referer == "http://127.0.0.1:8000/ada/"
    assert transport.calls[1].username == "ada"


def test_duplicate_ids_are_requested_once():
    transport = FakeTransport(reels_server())
    ApiStorySource(transport).reels(["1000", "1000", "1001"])
    assert transport.calls[0].values("reel_ids") == ["1000", "1001"]


def test_profile_request_and_decoding():
    body = {"data": {"user": {"id": "31337", "username": "marisol", "full_name": "Marisol", "is_private": False}},
            "status": "ok"}
    transport = FakeTransport(lambda call: json.dumps(body).encode())
    source = ApiStorySource(transport)

    profile = source.profile("marisol")

    (call,) = transport.calls
    assert (call.path, call.params, call.endpoint) == ("users/web_profile_info/", [("username", "marisol")], "users/web_profile_info")
    assert call.referer == f"{BASE}/marisol/" and call.username == "marisol"
    assert profile.user_id == "31337"


def test_a_profile_teaches_the_referer_of_later_reel_requests():
    profile = {"data": {"user": {"id": "1000", "username": "marisol"}}, "status": "ok"}

    def answer(call: Call) -> bytes:
        return json.dumps(profile).encode() if call.endpoint == "users/web_profile_info" else reels_server()(call)

    transport = FakeTransport(answer)
    source = ApiStorySource(transport)
    source.profile("marisol")
    source.reels(["1000"])

    assert transport.calls[1].referer == f"{BASE}/marisol/"


def test_tray_request():
    body = {"tray": [{"id": 1000, "user": {"pk": 1000, "username": "ada"}, "latest_reel_media": NOW - 60, "seen": 0}],
            "status": "ok"}
    transport = FakeTransport(lambda call: json.dumps(body).encode())

    entries = ApiStorySource(transport).tray()

    (call,) = transport.calls
    assert (call.path, call.params, call.endpoint, call.referer) == ("feed/reels_tray/", [], "feed/reels_tray", f"{BASE}/")
    assert [entry.username for entry in entries] == ["ada"]


INBOX = {"inbox": {"threads": [], "has_older": False}, "status": "ok"}


@pytest.mark.parametrize(
    ("cursor", "limit", "expected"),
    [
        (None, None, [("limit", "20"), ("visual_message_return_type", "unseen")]),
        ("QVFH==", 80, [("limit", "50"), ("visual_message_return_type", "unseen"), ("cursor", "QVFH==")]),
        ("", 5, [("limit", "5"), ("visual_message_return_type", "unseen")]),
    ],
)
def test_inbox_parameters(cursor, limit, expected):
    transport = FakeTransport(lambda call: json.dumps(INBOX).encode())

    ApiStorySource(transport).inbox(cursor, limit)

    (call,) = transport.calls
    assert call.path == "direct_v2/inbox/" and call.endpoint == "direct_v2/inbox"
    assert call.params == expected
    assert call.referer == f"{BASE}/direct/inbox/"


def test_create_thread_posts_the_recipient_as_a_json_array_string():
    body = {"thread_id": "340282366841710300949128", "users": [{"pk": 1000}], "status": "ok"}
    transport = FakeTransport(lambda call: json.dumps(body).encode())

    thread = ApiStorySource(transport).create_thread("1000")

    (call,) = transport.calls
    assert (call.method, call.path, call.endpoint) == ("POST", "direct_v2/create_group_thread/", "direct_v2/create_group_thread")
    assert call.form == {"recipient_users": '["1000"]'}
    assert call.referer == f"{BASE}/direct/new/"
    assert thread.thread_id == "340282366841710300949128"


def test_share_reply_posts_the_reel_share_form():
    body = {"action": "item_ack", "status_code": "200", "payload": {"client_context": "1787140800000123",
            "item_id": "3161", "thread_id": "340282366841710300949128"}, "status": "ok"}
    transport = FakeTransport(lambda call: json.dumps(body).encode())
    story_url = f"{BASE}/stories/ada/91000/"

    ack = ApiStorySource(transport).share_reply("340282366841710300949128", "91000", "1000", "nice!",
                                                "1787140800000123", referer=story_url)

    (call,) = transport.calls
    assert call.path == "direct_v2/threads/broadcast/reel_share/"
    assert call.endpoint == "direct_v2/threads/broadcast/reel_share"
    assert call.form == {
        "action": "send_item",
        "client_context": "1787140800000123",
        "media_id": "91000_1000",
        "reel_id": "1000",
        "thread_id": "340282366841710300949128",
        "text": "nice!",
    }
    assert call.referer == story_url
    assert ack.item_id == "3161"


def test_thread_reads_back_by_id_and_refuses_non_ids():
    body = {"thread": {"thread_id": "340282366841710300949128", "items": []}, "status": "ok"}
    transport = FakeTransport(lambda call: json.dumps(body).encode())
    source = ApiStorySource(transport)

    thread = source.thread("340282366841710300949128")

    assert transport.calls[0].path == "direct_v2/threads/340282366841710300949128/"
    assert transport.calls[0].endpoint == "direct_v2/threads"
    assert thread.thread_id == "340282366841710300949128"
    with pytest.raises(ValueError):
        source.thread("../inbox")


def test_logged_out_reels_answer_propagates_as_login_required():
    transport = FakeTransport(lambda call: b'{"status": "ok"}')
    with pytest.raises(LoginRequired):
        ApiStorySource(transport).reels(["1000", "1001"])
    assert len(transport.calls) == 1
