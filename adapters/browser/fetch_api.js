// One request to Instagram's web API from inside a page of its origin (SPEC §2 "Browser-context
// fallback"). The browser supplies the cookies and user agent; we add the headers the web app
// sends. Never throws: every outcome comes back as {status, reason, body, ...} so the caller
// classifies it like any other response.
//
// arguments: url (absolute), request {method, form: [[name, value], ...] | null, appId, referrer, timeoutMs}
const [url, request] = arguments;

const firstAppId = () => {
  // Where the web app exposes its app id, in the order it is most reliably present.
  const readers = [
    () => document.documentElement.getAttribute("data-app-id"),
    () => window._sharedData.config.app_id,
    () => window.__initialData.config.app_id,
    () => localStorage.getItem("ig_app_id"),
    () => localStorage.getItem("app_id"),
    () => sessionStorage.getItem("ig_app_id"),
  ];
  for (const read of readers) {
    let digits = null;
    try {
      digits = String(read() ?? "").match(/\d{8,}/);
    } catch (missing) {
      // not exposed this way on this page
    }
    if (digits) return digits[0];
  }
  return null;
};

const readCookie = (name) => {
  const prefix = name + "=";
  const found = document.cookie.split("; ").find((pair) => pair.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : null;
};

const headers = {
  Accept: "application/json, text/plain, */*",
  "X-Requested-With": "XMLHttpRequest",
  "X-IG-App-ID": firstAppId() || request.appId,
};
const claim = sessionStorage.getItem("www-claim-v2");
if (claim) headers["X-IG-WWW-Claim"] = claim;

const init = {
  method: request.method,
  credentials: "include",
  headers,
  referrer: request.referrer,
  signal: AbortSignal.timeout(request.timeoutMs),
};
if (request.form) {
  headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8";
  const csrfToken = readCookie("csrftoken");
  if (csrfToken) headers["X-CSRFToken"] = csrfToken;
  init.body = new URLSearchParams(request.form).toString();
}

let response;
try {
  response = await fetch(url, init);
} catch (error) {
  return { status: 0, reason: "browser_fetch_exception:" + ((error && error.message) || error) };
}

// The web app keeps the claim Instagram hands out; later requests (ours and its) send it back.
const newClaim = response.headers.get("x-ig-set-www-claim");
if (newClaim) sessionStorage.setItem("www-claim-v2", newClaim);

const rateLimitHeaders = {};
response.headers.forEach((value, name) => {
  if (name === "retry-after" || name.startsWith("x-ratelimit-") || name.startsWith("x-ig-ratelimit-")) {
    rateLimitHeaders[name] = value;
  }
});

const outcome = {
  status: response.status,
  finalUrl: response.url,
  contentType: response.headers.get("content-type") || "",
  headers: rateLimitHeaders,
  truncated: false,
  body: "",
  snippet: "",
  reason: response.ok ? null : "http_" + response.status,
};
try {
  outcome.body = await response.text();
  outcome.snippet = outcome.body.slice(0, 320);
} catch (cutShort) {
  outcome.truncated = true;
  outcome.reason = outcome.reason || "browser_fetch_exception:" + ((cutShort && cutShort.message) || cutShort);
  return outcome;
}
if (!outcome.reason) {
  let parsed = null;
  try {
    parsed = JSON.parse(outcome.body);
  } catch (notJson) {
    // reported below
  }
  if (parsed === null || typeof parsed !== "object") outcome.reason = "invalid_json_response";
}
return outcome;
