"""The one composition root: settings in, a wired ``App`` out. Nothing is built at import time."""

from __future__ import annotations

import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

import pluggy

from storysync.core.chain import FallbackChain, StorySourceChain
from storysync.core.errors import ConfigError
from storysync.core.models import Event, ReplyOutcome, ReplyRequest, StoryItem
from storysync.core.ports import BrowserSession, Clock, Store
from storysync.core.services.carousel_sync import CarouselSync
from storysync.core.services.profile_sync import ProfileSync, ProfileSyncOptions
from storysync.core.services.replier import Replier
from storysync.core.settings import Settings

from .manager import build_plugin_manager
from .registry import Registry

T = TypeVar("T")
log = logging.getLogger("storysync")

FAILURE_EVENT_KINDS = ("failure", "failed", "skipped")


class Hooks:
    """A typed facade over ``pm.hook``: services call these, never ``pm.hook`` directly."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._hook = pm.hook

    def _observe(self, hook_name: str, **kwargs: Any) -> None:
        try:
            getattr(self._hook, hook_name)(**kwargs)
        except Exception:  # an observer's bug must not lose the run's work
            log.exception("plugin hook %s raised; continuing", hook_name)

    def story_saved(self, story: StoryItem, is_new: bool, run_id: str) -> None:
        self._observe("storysync_story_saved", story=story, is_new=is_new, run_id=run_id)

    def sync_failed(self, event: Event, run_id: str) -> None:
        self._observe("storysync_sync_failed", event=event, run_id=run_id)

    def reply_sent(self, request: ReplyRequest, outcome: ReplyOutcome) -> None:
        self._observe("storysync_reply_sent", request=request, outcome=outcome)

    def reply_text(self, story: StoryItem) -> str | None:
        return self._hook.storysync_reply_text(story=story)

    def should_skip_story(self, story: StoryItem) -> str | None:
        return self._hook.storysync_should_skip_story(story=story)


class SystemClock:
    """Wall time; the only place the real clock is read."""

    def now(self) -> float:
        import time

        return time.time()

    def sleep(self, seconds: float) -> None:
        import time

        if seconds > 0:
            time.sleep(seconds)


class EventRecorder:
    """Stores every event, logs it as a structured record and tells observer plugins about failures."""

    def __init__(self, store: Store, hooks: Hooks) -> None:
        self._store = store
        self._hooks = hooks
        self.run_id: str | None = None

    def begin_run(self, run_id: str) -> None:
        self.run_id = run_id

    def emit(self, event: Event) -> None:
        self._store.record_event(event, run_id=self.run_id)
        log.info(event.kind, extra={"event": event.kind, "fields": event.fields, "run_id": self.run_id})
        if any(marker in event.kind for marker in FAILURE_EVENT_KINDS):
            self._hooks.sync_failed(event, self.run_id or "")


@dataclass
class BuildContext:
    """What adapter factories receive: settings, the store, the clock, events, shared objects."""

    settings: Settings
    registry: Registry
    store: Store
    clock: Clock
    events: EventRecorder
    hooks: Hooks
    _shared: dict[str, Any] = field(default_factory=dict)
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def emit(self, event: Event) -> None:
        self.events.emit(event)

    def shared(self, key: str, build: Callable[[], T], close: Callable[[T], None] | None = None) -> T:
        """One instance per run of whatever ``build`` makes (a transport, a browser, a client)."""
        if key not in self._shared:
            value = build()
            self._shared[key] = value
            if close is not None:
                self._closers.append(lambda: close(value))
        return self._shared[key]

    def session_cookies(self):
        """The account's imported cookies (``SessionCookies``), read once per run; ``SessionError`` if absent."""

        def load():
            from storysync.adapters.session import load_cookies

            from .config import session_path

            return load_cookies(session_path(self.settings), now=self.clock.now())

        return self.shared("session:cookies", load)

    def browser(self, engine: str) -> BrowserSession:
        """The run's browser session of ``engine`` (created here, started by its first use)."""
        registration = self.registry.get("browser", engine)
        return self.shared(f"browser:{engine}", lambda: registration.factory(self), lambda session: session.close())

    def shared_items(self) -> list[tuple[str, Any]]:
        return list(self._shared.items())

    def close(self) -> None:
        errors = []
        while self._closers:
            try:
                self._closers.pop()()
            except Exception as error:  # keep closing the rest: browsers must not be left running
                errors.append(error)
        self._shared.clear()
        if errors:
            log.warning("errors while closing: %s", "; ".join(map(str, errors)))


class App:
    """The wired application: chains in configured order, services on demand, one ``close``."""

    def __init__(self, settings: Settings, pm: pluggy.PluginManager, registry: Registry, ctx: BuildContext) -> None:
        self.settings = settings
        self.pm = pm
        self.registry = registry
        self.ctx = ctx
        self.hooks = ctx.hooks
        self.store = ctx.store
        self.clock = ctx.clock
        self.events = ctx.events

    def _build(self, kind: str, names: list[str]) -> list[tuple[str, Any]]:
        return [(name, self.registry.get(kind, name).factory(self.ctx)) for name in names]

    @cached_property
    def source(self) -> StorySourceChain:
        return StorySourceChain(self._build("source", self.settings.sources))

    @cached_property
    def media_fallbacks(self) -> FallbackChain:
        return FallbackChain(self._build("media_fallback", self.settings.media_fallbacks))

    @cached_property
    def reply_sinks(self) -> list[tuple[str, Any]]:
        return self._build("reply_sink", self.settings.reply_sinks)

    @cached_property
    def media_store(self):
        from storysync.adapters.media.download import HttpMediaDownloader

        m = self.settings.media

        def build() -> HttpMediaDownloader:
            return HttpMediaDownloader(
                self.settings.media_dir,
                allowed_hosts=m.allowed_hosts,
                insecure_hosts=m.insecure_hosts,
                max_bytes=m.max_bytes,
                max_redirects=m.max_redirects,
                workers=self.settings.sync.download_workers,
                store=self.store,
            )

        return self.ctx.shared("media:downloader", build, lambda downloader: downloader.close())

    def request_counts(self) -> dict[str, int]:
        """Requests made to Instagram so far in this run, by endpoint, over every transport."""
        totals: Counter[str] = Counter()
        for key, value in self.ctx.shared_items():
            if key.startswith("transport:"):
                totals.update(value.request_counts)
        return dict(totals)

    def profile_sync(self, progress: Callable[[str], None] | None = None) -> ProfileSync:
        """The profile story sync; ``progress`` receives a short message as each step starts."""
        sync = self.settings.sync
        return ProfileSync(
            source=self.source,
            store=self.store,
            clock=self.clock,
            events=self.events,
            media=self.media_store if sync.download_media else None,
            hooks=self.hooks,
            options=ProfileSyncOptions(
                batch_size=sync.reels_batch_size,
                use_id_cache=sync.use_id_cache,
                tray_skip=sync.tray_skip,
                download_media=sync.download_media,
            ),
            request_counts=self.request_counts,
            new_run_id=lambda: uuid.uuid4().hex[:12],
            progress=progress,
        )

    def carousel_sync(self, engine: str | None = None) -> CarouselSync:
        """The home carousel sync in the browser of ``engine`` (default: settings ``browser.engine``).

        The media fallbacks look at the browser of ``browser.engine``, so another engine would
        leave them watching a page nobody opened: that is a ``ConfigError``.
        """
        from storysync.adapters.browser.viewer import BrowserStoryViewer

        b = self.settings.browser
        if engine is not None and engine != b.engine:
            raise ConfigError(f"carousel sync in {engine!r} needs browser.engine = {engine!r} (it is {b.engine!r})")
        viewer = BrowserStoryViewer(
            self.ctx.browser(b.engine),
            self.settings.instagram.base_url,
            # Some waits run inside the page, so they must end before the browser's script timeout.
            b.page_timeout_seconds / 2,
            cookies=self.ctx.session_cookies().cookies,
        )
        sync = self.settings.sync
        return CarouselSync(
            viewer=viewer,
            source=self.source,
            media_fallbacks=self.media_fallbacks,
            store=self.store,
            clock=self.clock,
            events=self.events,
            media=self.media_store if sync.download_media else None,
            hooks=self.hooks,
            request_counts=self.request_counts,
            new_run_id=lambda: uuid.uuid4().hex[:12],
            safety_limit=sync.safety_limit,
        )

    def replier(self) -> Replier:
        replies = self.settings.replies
        return Replier(
            self.store,
            self.reply_sinks,
            self.clock,
            self.events,
            self.hooks,
            max_per_story=replies.max_per_story,
            skip_on_mention=replies.skip_on_mention,
        )

    def close(self) -> None:
        try:
            self.ctx.close()
        finally:
            self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _validate_names(settings: Settings, registry: Registry) -> None:
    for kind, names in (
        ("source", settings.sources),
        ("media_fallback", settings.media_fallbacks),
        ("reply_sink", settings.reply_sinks),
    ):
        for name in names:
            registry.get(kind, name)
    registry.get("store", settings.store.split(":", 1)[0])


def collect_registry(pm: pluggy.PluginManager) -> Registry:
    """Ask each plugin, in registration order, to register its adapters (recording who did)."""
    registry = Registry()
    for impl in reversed(pm.hook.storysync_register_adapters.get_hookimpls()):
        registry.plugin = impl.plugin_name
        impl.function(registry=registry)
    registry.plugin = "?"
    return registry


def bootstrap(settings: Settings, *, clock: Clock | None = None, environ: Mapping[str, str] = os.environ) -> App:
    """Build the plugin manager, the registry, the store and the chains named in ``settings``.

    Unknown names raise ``ConfigError`` listing the known ones. Sources, fallbacks and sinks are
    constructed on first use, so commands that only read the store need no session.
    """
    pm = build_plugin_manager(settings, environ)
    registry = collect_registry(pm)
    _validate_names(settings, registry)
    hooks = Hooks(pm)
    scheme = settings.store.split(":", 1)[0]
    store_registration = registry.get("store", scheme)
    clock = clock or SystemClock()
    store = store_registration.factory(settings, settings.store)
    ctx = BuildContext(settings, registry, store, clock, EventRecorder(store, hooks), hooks)
    return App(settings, pm, registry, ctx)


__all__ = ["App", "BuildContext", "Hooks", "SystemClock", "bootstrap", "collect_registry"]
