// The story viewer's controls and states (runs after story_page.js, which it builds on).
//
// arguments: action, options. Actions:
//   "tagFirstStory" {marker, timeoutMs}: wait for the home tray's first "Story by <username>"
//       control and tag it with the attribute `marker` for the session to click; whether found.
//   "passGate" {timeoutMs, minSide}: click "View story" once if the gate shows, then wait until
//       story media at least `minSide` CSS px is on screen; "no_gate", "cleared" or "not_cleared".
//   "tagNext" {marker}: tag the visible Next control; whether there is one.
//   "page": where the page is: {href, ogUrl, unavailable}.
const [action, options] = arguments;
const TRAY_ITEM = /^story by \S/i;
const NEXT = /^next$/i;

const labelOf = (element) => (element.getAttribute("aria-label") || "").trim();

const firstTrayItem = () => controls().find((element) => visible(element) && TRAY_ITEM.test(labelOf(element)));
const nextControl = () =>
  controls().find((element) => visible(element) && (NEXT.test(labelOf(element)) || NEXT.test(textOf(element))));

const storyMediaShown = (minSide) =>
  Array.from(document.querySelectorAll("img, video")).some((element) => {
    if (!visible(element)) return false;
    const box = element.getBoundingClientRect();
    return box.width >= minSide && box.height >= minSide;
  });

const tag = (element, marker) => {
  document.querySelectorAll(`[${marker}]`).forEach((old) => old.removeAttribute(marker));
  element.setAttribute(marker, "");
};

async function tagFirstStory({ marker, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = firstTrayItem();
    if (item) {
      tag(item, marker);
      return true;
    }
    if (Date.now() >= deadline) return false;
    await pause();
  }
}

async function passGate({ timeoutMs, minSide }) {
  const deadline = Date.now() + timeoutMs;
  let clicked = false;
  for (;;) {
    if (pageSays(UNAVAILABLE)) return clicked ? "cleared" : "no_gate";
    const gate = gateButton();
    const gateShown = Boolean(gate) || pageSays(GATE_PROMPT);
    if (gate && !clicked) {
      gate.click();
      clicked = true;
    } else if (!gateShown && storyMediaShown(minSide)) {
      return clicked ? "cleared" : "no_gate";
    }
    if (Date.now() >= deadline) {
      if (gateShown) return "not_cleared";
      // The gate went away but no media came: the context and media readers say what is missing.
      return clicked ? "cleared" : "no_gate";
    }
    await pause();
  }
}

function tagNext({ marker }) {
  const control = nextControl();
  if (!control) return false;
  tag(control, marker);
  return true;
}

function page() {
  const og = document.querySelector("meta[property='og:url']");
  return {
    href: location.href,
    ogUrl: og ? og.getAttribute("content") : null,
    unavailable: pageSays(UNAVAILABLE),
  };
}

const actions = { tagFirstStory, passGate, tagNext, page };
if (!(action in actions)) throw new Error(`unknown viewer action ${action}`);
return await actions[action](options || {});
