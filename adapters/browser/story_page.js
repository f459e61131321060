// Shared by the story-page scripts (viewer.js, reply_box.js): how a person recognises the story
// viewer's controls and states (role, aria-label, visible text), never by class name, because
// Instagram's class names are hashed and change weekly.
const POLL_MS = 100;
const GATE_BUTTON = [/^view story$/i, /^view$/i];
const GATE_PROMPT = /will be able to see that you viewed/i;
const UNAVAILABLE = /sorry, this page isn['’]t available|story (is )?unavailable/i;

const visible = (element) => element.checkVisibility({ opacityProperty: true, visibilityProperty: true });
const controls = () => Array.from(document.querySelectorAll("button, [role=button], a"));
const textOf = (element) => element.textContent.trim();
const pageSays = (pattern) => pattern.test(document.body ? document.body.innerText : "");
const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));
const gateButton = () =>
  controls().find((element) => visible(element) && GATE_BUTTON.some((text) => text.test(textOf(element))));
