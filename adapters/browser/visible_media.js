// Facts about every <img> and <video> the viewer can see right now, for the media fallbacks to
// choose from in Python (where the selection rules live and are tested without a browser).
const viewportWidth = window.innerWidth;
const viewportHeight = window.innerHeight;

const sourceOf = (element) => {
  const source = element.querySelector("source");
  return element.currentSrc || element.src || element.getAttribute("src") || (source && source.src) || "";
};

const absolute = (url) => {
  try {
    return new URL(url, document.baseURI).href;
  } catch (unparsable) {
    return url;
  }
};

return Array.from(document.querySelectorAll("img, video")).flatMap((element) => {
  // Ancestors' display, visibility and opacity count too, so an off-screen carousel slide or a
  // faded-out previous story is not "visible".
  if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return [];
  const box = element.getBoundingClientRect();
  if (box.bottom <= 0 || box.top >= viewportHeight || box.right <= 0 || box.left >= viewportWidth) return [];
  return [{
    kind: element.tagName === "VIDEO" ? "video" : "image",
    url: absolute(sourceOf(element)),
    width: box.width,
    height: box.height,
    centreDistance: Math.hypot(box.left + box.width / 2 - viewportWidth / 2, box.top + box.height / 2 - viewportHeight / 2),
  }];
});
