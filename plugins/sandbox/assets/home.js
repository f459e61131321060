"use strict";
// The home page's story tray: each button carries the story it opens in data-story-href.
document.querySelectorAll("[data-story-href]").forEach((button) => {
  button.addEventListener("click", () => location.assign(button.dataset.storyHref));
});
