/**
 * Makes a `Date` header source: the wall-clock time in Go's `http.TimeFormat`
 * (`Mon, 02 Jan 2006 15:04:05 GMT`, which is what `toUTCString()` prints), formatted at most
 * once per second.
 *
 * This is the only place the healthz servers read the wall clock. It never decides anything
 * and never waits: the header is informational, and tests replace it through the
 * `httpDate` option to compare whole responses byte for byte.
 *
 * @example
 * const date = createHttpDate();
 * date(); // 'Tue, 09 Feb 2021 18:43:42 GMT'
 */
export function createHttpDate(): () => string {
  let second = Number.NaN;
  let text = '';
  return () => {
    const now = new Date();
    const current = Math.floor(now.getTime() / 1000);
    if (current !== second) {
      second = current;
      text = now.toUTCString();
    }
    return text;
  };
}
