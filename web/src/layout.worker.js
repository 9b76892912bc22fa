// Runs the layouts off the page's main thread, so a large view never freezes
// the page: the page posts {id, nodes, edges, name} and gets {id, positions,
// bends} back.
import { forceLayout, layeredLayout } from './layout.js';

self.onmessage = (ev) => {
  const { id, nodes, edges, name, opts } = ev.data;
  try {
    if (name === 'force') self.postMessage({ id, positions: forceLayout(nodes, edges), bends: {} });
    else self.postMessage({ id, ...layeredLayout(nodes, edges, opts) });
  } catch (err) {
    self.postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
};
