"""The web pages: home with the story tray, the story viewer, "page isn't available", login.

Pages are HTML templates from ``assets/`` filled with escaped values; the viewer's data reaches
its script as a JSON block, never as code.
"""

from __future__ import annotations

import html
import json
import string
from importlib import resources
from typing import Any
from urllib.parse import quote

from .cdn_urls import without_cache_key
from .dataset import Rendition, Story, User
from .responses import Response, html_response, login_redirect, redirect
from .state import VARIANTS, Request, SandboxState

WEB_APP_ID = "936619743392459"
PUBLIC_ORIGIN = "https://www.instagram.com"
HOME_TRAY_SIZE = 30  # the home page renders the head of the tray, as Instagram's carousel does
VARIANT_COOKIE = "__variant"
LOGIN_PASSWORD = "sandbox"
#: Where a highlight is viewed on Instagram. The segment after ``/stories/`` is not a username,
#: so the ``no_owner`` variant addresses its stories here (``<HIGHLIGHTS_PATH><story id>/``).
HIGHLIGHTS_PATH = "/stories/highlights/"
#: Variants whose address shows the owner but never the story id.
ADDRESS_WITHOUT_STORY_ID = ("no_context", "no_ids")
_ASSETS = resources.files(__package__).joinpath("assets")
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def _template(name: str) -> string.Template:
    return string.Template(_ASSETS.joinpath(name).read_text(encoding="utf-8"))


class Pages:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._templates = {name: _template(f"{name}.html") for name in
                           ("page", "home", "tray_item", "viewer", "login", "unavailable", "challenge")}
        state.login_page_html = self._login_page("/", "")

    def handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/static/") or path == "/favicon.ico":
            return self._static(path)
        if path.startswith("/accounts/login"):
            return self._login(request)
        if path.startswith("/challenge/"):
            return self._page("Instagram", f"{PUBLIC_ORIGIN}/challenge/", self._fill("challenge"))
        viewer = self.state.sessions.user(request.cookies.get("sessionid"))
        if viewer is None:
            return login_redirect(request.path_and_query)
        if path == "/":
            return self._with_session_cookies(request, self._home(request, viewer))
        parts = [p for p in path.split("/") if p]
        if path.startswith(HIGHLIGHTS_PATH) and len(parts) == 3:
            return self._with_session_cookies(request, self._highlight(request, parts[2]))
        if parts and parts[0] == "stories" and len(parts) in (2, 3):
            return self._with_session_cookies(request, self._story(request, parts[1], parts[2:]))
        return self._unavailable()

    # -- plumbing ----------------------------------------------------------------------------

    def _fill(self, name: str, **values: str) -> str:
        return self._templates[name].substitute(values)

    def _page(self, title: str, og_url: str | None, content: str,
              headers: list[tuple[str, str]] | None = None) -> Response:
        page = self._fill("page", title=html.escape(title), og_url_meta=_og_url_meta(og_url), content=content)
        return html_response(200, page, headers)

    def _unavailable(self) -> Response:
        return self._page("Page not found \u2022 Instagram", PUBLIC_ORIGIN + "/", self._fill("unavailable"))

    def _with_session_cookies(self, request: Request, response: Response) -> Response:
        """Hand out a csrftoken when the browser has a session but lost it, as Instagram does."""
        if "csrftoken" not in request.cookies:
            token = self.state.viewer_cookies.csrftoken
            response.headers.append(("Set-Cookie", f"csrftoken={token}; Path=/; SameSite=Lax"))
        return response

    def _static(self, path: str) -> Response:
        name = path.rpartition("/")[2]
        suffix = name[name.rfind("."):] if "." in name else ""
        if suffix not in _STATIC_TYPES or not _ASSETS.joinpath(name).is_file():
            return Response(404, b"", None)
        return Response(200, _ASSETS.joinpath(name).read_bytes(), _STATIC_TYPES[suffix],
                        [("Cache-Control", "no-cache")])

    def _variant(self, request: Request) -> tuple[str, list[tuple[str, str]]]:
        """The markup variant: ``?__variant=`` (remembered in a cookie), the cookie, else the global one."""
        asked = (request.query.get(VARIANT_COOKIE) or [""])[0]
        if asked in VARIANTS:
            return asked, [("Set-Cookie", f"{VARIANT_COOKIE}={asked}; Path=/; SameSite=Lax")]
        remembered = request.cookies.get(VARIANT_COOKIE, "")
        return (remembered if remembered in VARIANTS else self.state.variant()), []

    # -- login ---------------------------------------------------------------------------------

    def _login_page(self, next_path: str, error: str) -> str:
        content = self._fill("login", next=html.escape(next_path), error=html.escape(error))
        return self._fill("page", title="Login \u2022 Instagram",
                          og_url_meta=_og_url_meta(f"{PUBLIC_ORIGIN}/accounts/login/"), content=content)

    def _login(self, request: Request) -> Response:
        next_path = request.param("next") or "/"
        if not next_path.startswith("/") or next_path.startswith("//"):
            next_path = "/"  # only same-site redirects after login
        if request.method != "POST":
            return html_response(200, self._login_page(next_path, ""))
        viewer = self.state.dataset.viewer
        if request.param("username") != viewer.username or request.param("password") != LOGIN_PASSWORD:
            return html_response(200, self._login_page(next_path, "Sorry, your password was incorrect."))
        cookies = self.state.sessions.issue(viewer)
        return redirect(next_path, cookies.set_cookie_headers())

    # -- home ------------------------------------------------------------------------------------

    def _home(self, request: Request, viewer: User) -> Response:
        variant, headers = self._variant(request)
        now = self.state.clock.now()
        tray = self.state.dataset.tray(now)
        items = []
        for tray_reel in tray[:HOME_TRAY_SIZE]:
            user = tray_reel.user
            seen = self.state.seen_at(user, tray_reel.latest_reel_media) >= tray_reel.latest_reel_media
            href = self._story_path(user, tray_reel.story_ids[0], variant)
            items.append(self._fill(
                "tray_item",
                label=html.escape(f"Story by {user.username}, {'seen' if seen else 'not seen'}"),
                href=html.escape(href),
                avatar=html.escape(user.profile_pic_url),
                username=html.escape(user.username),
            ))
        note = f"{len(tray)} accounts you follow have stories" if tray else "No stories right now"
        content = self._fill("home", viewer=html.escape(viewer.username), tray_items="\n".join(items),
                             feed_note=html.escape(note))
        return self._page("Instagram", PUBLIC_ORIGIN + "/", content, headers)

    # -- the story viewer ------------------------------------------------------------------------

    @staticmethod
    def _story_path(user: User, story_id: str, variant: str) -> str:
        if variant in ADDRESS_WITHOUT_STORY_ID:
            return f"/stories/{quote(user.username)}/"
        if variant == "no_owner":
            return f"{HIGHLIGHTS_PATH}{story_id}/"
        return f"/stories/{quote(user.username)}/{story_id}/"

    def _highlight(self, request: Request, story_id: str) -> Response:
        """A story addressed as a highlight: the viewer of its owner's reel, opened at that story."""
        story = self.state.dataset.story(story_id)
        if story is None:
            return self._unavailable()
        return self._story(request, story.owner_username, [story.story_id])

    def _story(self, request: Request, username: str, rest: list[str]) -> Response:
        variant, headers = self._variant(request)
        now = self.state.clock.now()
        user = self.state.dataset.user(username)
        stories = [] if user is None else self.state.dataset.stories(user.id, now)
        index = 0
        if rest:
            index = next((i for i, s in enumerate(stories) if s.story_id == rest[0]), -1)
        if user is None or not stories or index < 0:
            return self._unavailable()
        tray_users = [r.user for r in self.state.dataset.tray(now)]
        position = tray_users.index(user) if user in tray_users else None

        def owner_path(offset: int) -> str | None:
            if position is None or not 0 <= position + offset < len(tray_users):
                return None
            neighbour = tray_users[position + offset]
            return self._story_path(neighbour, self.state.dataset.stories(neighbour.id, now)[0].story_id, variant)

        data = {
            "variant": variant,
            "appId": WEB_APP_ID,
            "owner": {"id": user.id, "username": user.username},
            "index": index,
            "stories": [self._story_data(s, variant) for s in stories],
            "nextOwnerPath": owner_path(1),
            "previousOwnerPath": owner_path(-1),
        }
        # og:url names the story the way the address does; no_ids leaves it out, so the page names no id at all.
        og_url = None if variant == "no_ids" else PUBLIC_ORIGIN + self._story_path(user, stories[index].story_id, variant)
        # "</" cannot appear inside a <script> block, so it is escaped in the JSON.
        content = self._fill("viewer", username=html.escape(user.username),
                             data=json.dumps(data).replace("</", "<\\/"))
        return self._page(f"Stories \u2022 {user.username}", og_url, content, headers)

    def _story_data(self, story: Story, variant: str) -> dict[str, Any]:
        visual = story.visual

        def media(rendition: Rendition) -> dict[str, Any]:
            # no_ids: without ig_cache_key, no media URL tells the client which story it shows.
            url = without_cache_key(rendition.url) if variant == "no_ids" else rendition.url
            return {"url": url, "width": rendition.width, "height": rendition.height}

        return {
            "id": story.story_id,
            "path": self._story_path(story.owner, story.story_id, variant),
            "canReply": story.can_reply,
            "takenAt": story.taken_at,
            "images": [media(r) for r in visual.images],
            "video": media(visual.videos[0]) if visual.videos else None,
        }


def _og_url_meta(og_url: str | None) -> str:
    return "" if og_url is None else f'<meta property="og:url" content="{html.escape(og_url)}">'

