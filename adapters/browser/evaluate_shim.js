// Calls a storysync script body (wrapped as `run`) with `args` as its `arguments`, awaits a
// returned promise and settles into a plain object within `timeoutMs`. Both engines go through
// this one function so a script sees the same `arguments`, the same awaiting, the same time
// limit and the same error reporting whether Selenium or Playwright runs it; errors come back as
// values because the engines disagree on how a rejected promise surfaces, and Playwright has no
// time limit of its own for scripts.
(run, args, timeoutMs) =>
  new Promise((settle) => {
    const timer = setTimeout(
      () => settle({ ok: false, error: "script did not finish within " + timeoutMs + " ms" }),
      timeoutMs,
    );
    Promise.resolve()
      .then(() => run.apply(null, args))
      .then(
        (value) => settle({ ok: true, value: value === undefined ? null : value }),
        (error) => settle({ ok: false, error: String((error && error.message) || error) }),
      )
      .finally(() => clearTimeout(timer));
  })
