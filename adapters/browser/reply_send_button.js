// Finds the button that sends the reply typed into the box tagged `arguments[0]` ("Send" or
// "Post", by text or label, nearest the box first) and tags it with the attribute `arguments[1]`.
// Returns whether there is one; without it, the caller presses Enter in the box.
const [boxAttribute, markerAttribute] = arguments;
const SEND = /^(send|post|reply)$/i;
const box = document.querySelector(`[${boxAttribute}]`);
if (!box) return false;
const visible = (element) => element.checkVisibility({ opacityProperty: true, visibilityProperty: true });
const isSend = (element) =>
  visible(element) && (SEND.test(element.textContent.trim()) || SEND.test(element.getAttribute("aria-label") || ""));
// The closest container of the box that holds a send control, so another form's button is never used.
for (let scope = box.parentElement; scope; scope = scope.parentElement) {
  const button = Array.from(scope.querySelectorAll("button, [role=button], input[type=submit]")).find(isSend);
  if (button) {
    button.setAttribute(markerAttribute, "");
    return true;
  }
}
return false;
