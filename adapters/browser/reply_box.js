// Runs after story_page.js. Opens the way to a story's reply box: clicks through the view gate
// ("View story"), then waits until the page shows a reply box, says replies are off, or says the
// story is unavailable.
// The box found is tagged with the attribute named by `arguments[0]` so Python can type into it
// through an ordinary CSS selector; `arguments[1]` is how long to wait, in milliseconds.
const [markerAttribute, timeoutMs] = arguments;
const REPLIES_OFF = /replies (aren't|are not|aren’t) available|can't reply|can’t reply|replies are turned off/i;
const BOX_LABEL = /reply|comment|message/i;

const labelOf = (element) =>
  [element.getAttribute("aria-label"), element.getAttribute("placeholder"), element.getAttribute("aria-placeholder"),
   element.getAttribute("name")].filter(Boolean).join(" ");

const replyBox = () =>
  Array.from(document.querySelectorAll("textarea, [contenteditable=''], [contenteditable=true], [role=textbox]"))
    .find((element) => visible(element) && BOX_LABEL.test(labelOf(element)));

const deadline = Date.now() + timeoutMs;
let gateClicked = false;
for (;;) {
  const box = replyBox();
  if (box) {
    box.setAttribute(markerAttribute, "");
    return { state: "ready", gateClicked };
  }
  if (pageSays(REPLIES_OFF)) return { state: "replies_not_allowed", gateClicked };
  if (pageSays(UNAVAILABLE)) return { state: "page_unavailable", gateClicked };
  const gate = gateButton();
  if (gate && !gateClicked) {
    gate.click();
    gateClicked = true;
  }
  if (Date.now() >= deadline) {
    const gateShown = Boolean(gate) || pageSays(GATE_PROMPT);
    return { state: gateShown ? "gate_not_cleared" : "no_box", gateClicked };
  }
  await pause();
}
