"""The CDN origin: serves the data set's media files at the URLs the payloads advertise.

It answers like a CDN, not like the site: no cookies needed, ``Access-Control-Allow-Origin: *``
(pages fetch media cross-origin), 403 with a plain-text reason when ``oh``/``oe`` do not check
out, 404 for anything it never issued.
"""

from __future__ import annotations

from .responses import Response
from .state import Request, SandboxState

_CDN_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Timing-Allow-Origin", "*"),
    ("Cache-Control", "max-age=1209600, no-transform"),
]


class CdnApp:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def __call__(self, request: Request) -> Response:
        ref = self.state.dataset.cdn.parse(request.path)
        endpoint = "cdn/profile_pic" if ref is not None and ref.kind == "profile_pic" else "cdn/media"
        return self.state.process(request, "cdn", endpoint, self._serve)

    def _serve(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"Method Not Allowed", "text/plain", list(_CDN_HEADERS))
        media = self.state.dataset.media(request.path)
        if media is None:
            return Response(404, b"Not Found", "text/plain", list(_CDN_HEADERS))
        refusal = self.state.dataset.cdn.check_signature(request.path, request.raw_query, self.state.clock.now())
        if refusal is not None:
            return Response(403, refusal.encode(), "text/plain", list(_CDN_HEADERS))
        return Response(200, media.content, media.content_type, list(_CDN_HEADERS))
