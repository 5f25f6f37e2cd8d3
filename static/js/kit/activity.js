// Counts requests in flight and debounced calls waiting, so that tests (and a spinner) know when
// a page has settled. One counter per window, shared by every module.

/** @type {{inflight: number, pending: number}} */
export const activity = (window.__bpxActivity ||= { inflight: 0, pending: 0 });
