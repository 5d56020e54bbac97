// Code injected into the page before the app loads (as a string, so no bundler helper leaks in):
// stamps every WebSocket reply that carries graph data, and offers helpers for drawn-graph time
// and frame intervals. Times are performance.now() of the page.
export const PAGE_PROBES = `
(() => {
  const bench = (window.__bench = { graphReplies: [], frames: [], framing: false });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      // Added before the app's own listener, so it runs first for every message.
      this.addEventListener('message', (e) => {
        const text = e.data;
        if (
          typeof text === 'string' &&
          text.includes('"return"') &&
          (text.includes('"edges"') || text.includes('"node-name"'))
        )
          bench.graphReplies.push(performance.now());
      });
    }
  };
  // Resolves with the time of the first frame after the graph's status reads "<n> nodes" (not
  // "refreshing") and node cards exist, and with that n.
  bench.whenDrawn = () =>
    new Promise((resolve) => {
      const check = () => {
        const status = document.querySelector('section[aria-label="Block graph"] [role="status"]');
        const match = /^(\\d+) nodes$/.exec(status?.textContent ?? '');
        if (!match || !document.querySelector('.react-flow__node')) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve({ at: performance.now(), nodes: Number(match[1]) }));
      };
      const observer = new MutationObserver(check);
      observer.observe(document, { subtree: true, childList: true, characterData: true });
      check();
    });
  bench.startFrames = () => {
    bench.frames = [];
    bench.framing = true;
    const tick = (t) => {
      bench.frames.push(t);
      if (bench.framing) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  bench.stopFrames = () => {
    bench.framing = false;
    return bench.frames.slice(1).map((t, i) => t - bench.frames[i]);
  };
})();
`;
