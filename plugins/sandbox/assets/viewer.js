"use strict";
// The sandbox story viewer. Everything it shows comes from the JSON block the server rendered
// (#sandbox-viewer-data); the markup variant only decides how the same story lands in the DOM.
(function () {
  const config = JSON.parse(document.getElementById("sandbox-viewer-data").textContent);
  const root = document.getElementById("story-root");
  const variant = config.variant;
  // The address shows the owner only (/stories/<username>/), so Next moves within the owner in place.
  const addressWithoutStoryId = variant === "no_context" || variant === "no_ids";
  // Set by Next/Previous just before leaving, so the page they open skips the view gate:
  // Instagram asks only when a story is opened from outside the viewer.
  const CONTINUE_KEY = "sandbox:viewer:continue";
  const NAMES = variant === "classes"
    ? {gate: "x1ey2m1c x78zum5", stage: "xh8yej3 x5yr21d", media: "x1lliihq x193iq5w", bar: "x1n2onr6",
       controls: "x6s0dn4 x1q0g3np", button: "x1i10hfl xjbqb8w", reply: "x1yvgwvq", status: "x1xmf6yo"}
    : {gate: "story-gate", stage: "story-stage", media: "story-media", bar: "story-progress",
       controls: "story-controls", button: "story-button", reply: "story-reply", status: "story-status"};
  const PROGRESS_STEPS = 20;
  const PROGRESS_STEP_MS = 250;
  let index = config.index;
  let viewing = false;
  let sending = false;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (variant === "classes" && name === "data-testid") continue;
      node.setAttribute(name, value);
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A clickable control: a <button>, or a div with role=button in the "classes" variant.
  function control(label, text, onActivate) {
    const node = variant === "classes"
      ? element("div", {role: "button", tabindex: "0", class: NAMES.button})
      : element("button", {type: "button", class: NAMES.button});
    if (label) node.setAttribute("aria-label", label);
    node.textContent = text;
    node.addEventListener("click", onActivate);
    return node;
  }

  function showGate() {
    viewing = false;
    const gate = element("div", {class: NAMES.gate, role: "dialog", "data-testid": "view-gate"});
    gate.append(element("p", {}, `${config.owner.username} will be able to see that you viewed their story`));
    gate.append(control(null, "View story", () => {
      if (variant !== "gate_stuck") showStory();
    }));
    root.replaceChildren(gate);
  }

  function showStory() {
    viewing = true;
    const story = config.stories[index];
    const stage = element("section", {class: NAMES.stage, "data-testid": "story-stage", "data-story-index": String(index)});
    const bar = element("div", {class: NAMES.bar, role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
                                "aria-valuenow": "0"});
    bar.append(element("div"));
    const holder = element("div");
    const controls = element("div", {class: NAMES.controls});
    controls.append(control("Previous", "\u2039", goPrevious), control("Next", "\u203a", goNext));
    stage.append(bar, holder, controls, replyArea(story));
    root.replaceChildren(stage);
    if (variant === "delayed") {
      setTimeout(() => placeMedia(holder, story), 1000);
    } else {
      placeMedia(holder, story);
    }
    animateProgress(bar);
    markSeen(story);
  }

  function placeMedia(holder, story) {
    let media = story.video ? videoElement(story) : imageElement(story);
    if (variant === "nested") {
      for (let depth = 0; depth < 8; depth++) {
        const wrapper = element("div", {class: `layer-${depth}`});
        wrapper.append(media);
        media = wrapper;
      }
    }
    holder.append(media);
  }

  function imageElement(story) {
    const srcset = story.images.map((r) => `${r.url} ${r.width}w`).join(", ");
    const alt = `Photo by ${config.owner.username}`;
    if (variant === "picture") {
      const picture = element("picture");
      picture.append(element("source", {type: "image/png", srcset: srcset, sizes: "360px"}));
      picture.append(element("img", {class: NAMES.media, alt: alt, src: story.images[story.images.length - 1].url,
                                     "data-testid": "story-media"}));
      return picture;
    }
    return element("img", {class: NAMES.media, alt: alt, src: story.images[0].url, srcset: srcset, sizes: "360px",
                           "data-testid": "story-media"});
  }

  function videoElement(story) {
    const video = element("video", {class: NAMES.media, playsinline: "", muted: "", autoplay: "", preload: "auto",
                                    poster: story.images[0].url, "data-testid": "story-media"});
    video.muted = true;
    if (variant === "blob_video") {
      // Like Instagram's media-source player: the element only ever sees a blob: URL.
      fetch(story.video.url)
        .then((response) => response.blob())
        .then((blob) => { video.src = URL.createObjectURL(blob); });
      return video;
    }
    video.append(element("source", {src: story.video.url, type: "video/mp4"}));
    return video;
  }

  function animateProgress(bar) {
    // Fills once and stops: the sandbox never advances on its own, so tests set the pace.
    let step = 0;
    const timer = setInterval(() => {
      step += 1;
      const percent = Math.round((100 * step) / PROGRESS_STEPS);
      bar.setAttribute("aria-valuenow", String(percent));
      bar.firstChild.style.width = `${percent}%`;
      if (step >= PROGRESS_STEPS || !bar.isConnected) clearInterval(timer);
    }, PROGRESS_STEP_MS);
  }

  function replyArea(story) {
    const area = element("form", {class: NAMES.reply});
    if (story.canReply === false) {
      area.append(element("p", {}, "Replies aren't available"));
      return area;
    }
    const label = `Reply to ${config.owner.username}...`;
    const box = element("textarea", {placeholder: label, "aria-label": label});
    const status = element("p", {class: NAMES.status, role: "status", "aria-live": "polite"});
    area.append(box, control(null, "Send", () => send(story, box, status)), status);
    area.addEventListener("submit", (event) => event.preventDefault());
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        send(story, box, status);
      }
    });
    return area;
  }

  async function send(story, box, status) {
    const text = box.value.trim();
    if (!text || sending) return;
    sending = true;
    status.textContent = "Sending\u2026";
    try {
      const thread = await post("/api/v1/direct_v2/create_group_thread/",
                                {recipient_users: JSON.stringify([config.owner.id])});
      await post("/api/v1/direct_v2/threads/broadcast/reel_share/", {
        action: "send_item",
        client_context: clientContext(),
        media_id: `${story.id}_${config.owner.id}`,
        reel_id: config.owner.id,
        thread_id: thread.thread_id,
        text: text,
      });
      box.value = "";
      status.textContent = "Reply sent";
    } catch (error) {
      status.textContent = `Couldn't send your reply: ${error.message}`;
    } finally {
      sending = false;
    }
  }

  async function post(path, fields) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "include",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        "X-CSRFToken": cookie("csrftoken"),
        "X-IG-App-ID": config.appId,
        "X-Requested-With": "XMLHttpRequest",
      },
      body: new URLSearchParams(fields),
    });
    const body = await response.json();
    if (!response.ok || body.status !== "ok") throw new Error(body.message || `HTTP ${response.status}`);
    return body;
  }

  function markSeen(story) {
    post("/api/v1/stories/reel/seen/", {
      reelMediaId: story.id,
      reelMediaOwnerId: config.owner.id,
      reelId: config.owner.id,
      reelMediaTakenAt: String(story.takenAt),
      viewSeenAt: String(Math.floor(Date.now() / 1000)),
    }).catch(() => {});  // a lost seen mark only leaves the tray ring unseen
  }

  function cookie(name) {
    const entry = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
    return entry ? decodeURIComponent(entry.slice(name.length + 1)) : "";
  }

  function clientContext() {
    return String(Date.now()) + String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  }

  function goNext() {
    if (index + 1 < config.stories.length) {
      moveTo(index + 1);
    } else {
      leave(config.nextOwnerPath || "/");
    }
  }

  function goPrevious() {
    if (index > 0) {
      moveTo(index - 1);
    } else if (config.previousOwnerPath) {
      leave(config.previousOwnerPath);
    }
  }

  function moveTo(target) {
    if (addressWithoutStoryId) {
      index = target;  // in place: the address bar never shows a story id
      showStory();
    } else {
      leave(config.stories[target].path);
    }
  }

  function leave(path) {
    if (path !== "/") sessionStorage.setItem(CONTINUE_KEY, path);
    location.assign(path);
  }

  document.addEventListener("keydown", (event) => {
    if (!viewing || event.target instanceof HTMLTextAreaElement) return;
    if (event.key === "ArrowRight") goNext();
    if (event.key === "ArrowLeft") goPrevious();
  });

  if (addressWithoutStoryId) history.replaceState(null, "", `/stories/${config.owner.username}/`);
  const continuing = sessionStorage.getItem(CONTINUE_KEY) === location.pathname;
  sessionStorage.removeItem(CONTINUE_KEY);
  if (continuing && variant !== "gate_stuck") {
    showStory();
  } else {
    showGate();
  }
})();
