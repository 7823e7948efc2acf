import diagnostics from 'node:diagnostics_channel';

// The first model request is the first time a run has nothing to do but wait (a second or more for
// most models): the moment to load what it needs only afterwards. Node's fetch announces each
// request whose body has gone out on this channel, whichever provider SDK sent it.
const CHANNEL = 'undici:request:bodySent';

/** Calls `callback` once, just after the next HTTP request made with fetch has been sent; returns the cancel. */
export function onFirstRequestSent(callback: () => void): () => void {
  let fired = false;
  const cancel = () => void diagnostics.unsubscribe(CHANNEL, listener);
  function listener() {
    if (fired) return;
    fired = true;
    // Out of the HTTP client's own call (and its list of subscribers), so nothing it does next waits on the callback.
    setImmediate(() => {
      cancel();
      callback();
    });
  }
  diagnostics.subscribe(CHANNEL, listener);
  return cancel;
}
