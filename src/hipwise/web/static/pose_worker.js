// hipwise browser pose in a Web Worker: the model runs off the page's main thread, so results
// from the server are shown (and timed) as soon as they arrive, not after the next inference.
// Messages: {type: "init", info} -> {type: "ready"} | {type: "failed", error};
// {type: "frame", id, t (ms), size: [w, h], luma, bitmap (transferred)} ->
// {type: "landmarks", msg (the socket message), ms (model time)} | {type: "error", error}.
"use strict";
let bp = null;
let mod = null;

self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.type === "init") {
    try {
      mod = await import("/static/pose.js");
      bp = await mod.BrowserPose.create(m.info);
      self.postMessage({ type: "ready" });
    } catch (e) {
      self.postMessage({ type: "failed", error: String(e && e.message ? e.message : e) });
    }
  } else if (m.type === "frame") {
    const t0 = performance.now();
    try {
      const p = await bp.estimate(m.bitmap, m.size, m.t / 1000);
      const msg = mod.landmarkMessage(m.id, m.t, m.size, p, bp.lastPeople, m.luma);
      self.postMessage({ type: "landmarks", msg, ms: performance.now() - t0 });
    } catch (e) {
      self.postMessage({ type: "error", error: String(e && e.message ? e.message : e) });
    } finally {
      m.bitmap.close();
    }
  }
};
