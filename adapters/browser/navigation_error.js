// Chrome shows its own error page instead of failing a WebDriver navigation that could not
// load; returns that page's network error code (e.g. "ERR_CONNECTION_REFUSED"), else null.
if (location.protocol !== "chrome-error:") return null;
const code = document.querySelector(".error-code");
return (code && code.textContent.trim()) || "page could not be loaded";
