// Waits up to `arguments[0]` milliseconds for the page to say whether the reply went out:
// "sent" (e.g. "Reply sent", "Sent"), "failed" with the page's words, or "unconfirmed" when it
// says neither in time.
const [timeoutMs] = arguments;
const POLL_MS = 100;
const SENT = /^(reply sent|sent|message sent|your reply was sent)\.?$/i;
const FAILED = /couldn't send|couldn’t send|could not send|failed to send|not sent/i;

const statuses = () =>
  Array.from(document.querySelectorAll("[role=status], [role=alert], [aria-live]"))
    .map((element) => element.textContent.trim())
    .filter(Boolean);

const deadline = Date.now() + timeoutMs;
for (;;) {
  const texts = statuses();
  const failure = texts.find((text) => FAILED.test(text));
  if (failure) return { state: "failed", message: failure.slice(0, 200) };
  if (texts.some((text) => SENT.test(text))) return { state: "sent" };
  if (Date.now() >= deadline) return { state: "unconfirmed" };
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
