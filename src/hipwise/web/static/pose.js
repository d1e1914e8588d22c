// hipwise browser pose: BlazePose (MediaPipe Tasks for Web, the Python side's own weights served
// by hipwise) run in the page, with the orientation and mirroring of the Python adapter
// (src/hipwise/pose/mediapipe_adapter.py, MediaPipePoseEstimator) ported line for line, so the
// landmarks sent to the server are those `hipwise analyze` would find on the same frames.
// Nothing here counts reps: the server does, from these landmarks.
//
// Coordinates as in the adapter: xy in pixels of the frame given, depth in pixels (z times the
// model input's width), world in metres (x right, y down as the frame), visibility 0-1.
"use strict";

export const N = 33;
const NOSE = 0, L_SH = 11, R_SH = 12, L_HIP = 23, R_HIP = 24;
// Landmark index of each landmark's mirror image (mediapipe_adapter.MIRROR_INDEX).
export const MIRROR_INDEX = [0, 4, 5, 6, 1, 2, 3, 8, 7, 9, 10, 12, 11, 14, 13, 16, 15, 18, 17,
  20, 19, 22, 21, 24, 23, 26, 25, 28, 27, 30, 29, 32, 31];
const CANDIDATES = [0, 90, 270, 180];
const COUNT_ROTATIONS = [90, 270];
const BODY_FROM = L_SH;  // shoulders to toes

// ---- pure geometry (the adapter's module-level functions) -------------------------------
export function rotatedSize([w, h], rot) { return rot % 180 === 90 ? [h, w] : [w, h]; }

export function mapPointBack([xr, yr], rot, [w, h]) {
  switch (((rot % 360) + 360) % 360) {
    case 0: return [xr, yr];
    case 90: return [yr, h - xr];
    case 180: return [w - xr, h - yr];
    case 270: return [w - yr, xr];
  }
  throw new Error("rotation must be a multiple of 90 degrees");
}

export function mapVectorBack([xr, yr], rot) {
  switch (((rot % 360) + 360) % 360) {
    case 0: return [xr, yr];
    case 90: return [yr, -xr];
    case 180: return [-xr, -yr];
    case 270: return [-yr, xr];
  }
  throw new Error("rotation must be a multiple of 90 degrees");
}

export function forward([x, y], rot, [w, h]) {
  switch (((rot % 360) + 360) % 360) {
    case 0: return [x, y];
    case 90: return [h - y, x];
    case 180: return [w - x, h - y];
    default: return [y, w - x];
  }
}

export function bodyAxis(xy) {
  const sh = [(xy[L_SH][0] + xy[R_SH][0]) / 2, (xy[L_SH][1] + xy[R_SH][1]) / 2];
  const hip = [(xy[L_HIP][0] + xy[R_HIP][0]) / 2, (xy[L_HIP][1] + xy[R_HIP][1]) / 2];
  return [sh, hip, Math.hypot(hip[0] - sh[0], hip[1] - sh[1])];
}

export function uprightness(xy) {
  const [sh, hip, len] = bodyAxis(xy);
  return len <= 1e-9 ? 0 : (hip[1] - sh[1]) / len;
}

function horizontality(xy) {
  const [sh, hip, len] = bodyAxis(xy);
  return len > 1e-9 ? Math.abs(hip[0] - sh[0]) / len : 0;
}

export function headSide(xy) {
  const hips = [(xy[L_HIP][0] + xy[R_HIP][0]) / 2, (xy[L_HIP][1] + xy[R_HIP][1]) / 2];
  const sh = [(xy[L_SH][0] + xy[R_SH][0]) / 2, (xy[L_SH][1] + xy[R_SH][1]) / 2];
  const trunk = Math.hypot(sh[0] - hips[0], sh[1] - hips[1]);
  return (xy[NOSE][0] - hips[0]) / Math.max(trunk, 1);
}

function median(a) {
  const s = [...a].sort((p, q) => p - q), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function poseDistance(a, b) {
  return median(a.map((p, i) => Math.hypot(p[0] - b[i][0], p[1] - b[i][1])));
}

export function uprightRotation(xy, size) {
  let best = CANDIDATES[0], score = -Infinity;
  for (const r of CANDIDATES) {
    const u = uprightness(xy.map((p) => forward(p, r, size)));
    if (u > score) { score = u; best = r; }
  }
  return best;
}

// A pose: {xy: [[x, y]] px, depth: [] px, world: [[x, y, z]] m, visibility: [], size: [w, h]}
export function mirrorPose(p) {
  if (!p) return p;
  return {
    xy: MIRROR_INDEX.map((j) => [p.size[0] - p.xy[j][0], p.xy[j][1]]),
    depth: MIRROR_INDEX.map((j) => p.depth[j]),
    world: MIRROR_INDEX.map((j) => [-p.world[j][0], p.world[j][1], p.world[j][2]]),
    visibility: MIRROR_INDEX.map((j) => p.visibility[j]),
    size: p.size,
  };
}

function toPose(lm, world, rot, size) {
  const [wr, hr] = rotatedSize(size, rot);
  return {
    xy: lm.map((p) => mapPointBack([p.x * wr, p.y * hr], rot, size)),
    depth: lm.map((p) => p.z * wr),
    world: world.map((p) => { const [x, y] = mapVectorBack([p.x, p.y], rot); return [x, y, p.z]; }),
    visibility: lm.map((p) => Math.min(1, Math.max(0, p.visibility ?? 0))),
    size,
  };
}

// A 2D canvas where the page or a worker can draw: OffscreenCanvas when there is one.
function makeCanvas() {
  return typeof OffscreenCanvas !== "undefined" ? new OffscreenCanvas(1, 1)
    : document.createElement("canvas");
}

// ---- the estimator ----------------------------------------------------------------------
export class BrowserPose {
  // cfg: the [pose] settings the server sends (/api/info browser_pose.pose)
  constructor(vision, fileset, model, cfg) {
    this.vision = vision; this.fileset = fileset; this.model = model; this.cfg = cfg;
    this.tracker = null; this.trackerRot = 0; this.trackerMulti = false; this.trackerTs = -1;
    this.still = null;
    const fixed = cfg.orientation;
    this.rot = fixed === "none" || fixed === "auto" ? 0 : Number(fixed);
    this.lastSeenT = -Infinity; this.lastCountT = -Infinity;
    this.targetXy = null; this.multiWarned = false; this.countTurn = COUNT_ROTATIONS[0];
    this.mirrored = false; this.mirrorDecided = false; this.otherSideSince = null;
    this.lastMirrorProbeT = -Infinity;
    this.lastPeople = -1; this.lastRotation = 0;
    this.canvas = makeCanvas();
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: false });
    this.modelMs = 0;
  }

  static async create(info) {
    const base = info.vendor;
    const vision = await import(base + "vision_bundle.mjs");
    const fileset = {
      wasmLoaderPath: base + "wasm/vision_wasm_internal.js",
      wasmBinaryPath: base + "wasm/vision_wasm_internal.wasm",
    };
    const resp = await fetch(info.model);
    if (!resp.ok) throw new Error(`pose model: HTTP ${resp.status}`);
    const model = new Uint8Array(await resp.arrayBuffer());
    const bp = new BrowserPose(vision, fileset, model, info.pose);
    await bp.trackerFor(bp.rot, false);  // load now: the first frame is not delayed
    return bp;
  }

  async makeEngine(video, numPoses) {
    const c = this.cfg;
    return this.vision.PoseLandmarker.createFromOptions(this.fileset, {
      baseOptions: { modelAssetBuffer: this.model, delegate: "CPU" },
      runningMode: video ? "VIDEO" : "IMAGE",
      numPoses,
      minPoseDetectionConfidence: c.min_detection_confidence,
      minPosePresenceConfidence: c.min_presence_confidence,
      minTrackingConfidence: c.min_tracking_confidence,
    });
  }

  async trackerFor(rot, multi) {
    if (!this.tracker || rot !== this.trackerRot || multi !== this.trackerMulti) {
      if (this.tracker) this.tracker.close();
      this.tracker = null;
      this.tracker = await this.makeEngine(true, multi ? this.cfg.max_people : 1);
      this.trackerRot = rot; this.trackerMulti = multi; this.trackerTs = -1;
    }
    return this.tracker;
  }

  async stillEngine() {
    if (!this.still) this.still = await this.makeEngine(false, this.cfg.max_people);
    return this.still;
  }

  // The frame (source drawn at size [w, h]) flipped (this.mirrored) and turned clockwise by
  // rot, exactly (axis-aligned, no smoothing): cv2.flip then cv2.rotate in the adapter.
  prepare(source, size, rot, flip) {
    const [w, h] = size;
    const [wr, hr] = rotatedSize(size, rot);
    const c = this.canvas;
    if (c.width !== wr || c.height !== hr) { c.width = wr; c.height = hr; }
    const g = this.ctx;
    g.imageSmoothingEnabled = false;
    // forward maps: flip (x, y) -> (w - x, y); then the rotation (see forward())
    let a = 1, b = 0, cc = 0, d = 1, e = 0, f = 0;  // x' = a x + cc y + e, y' = b x + d y + f
    if (flip) { a = -1; e = w; }
    const r = ((rot % 360) + 360) % 360;
    const comp = (na, nb, nc, nd, ne, nf) => {  // apply new affine after the current one
      const A = na * a + nc * b, B = nb * a + nd * b, C = na * cc + nc * d, D = nb * cc + nd * d;
      const E = na * e + nc * f + ne, F = nb * e + nd * f + nf;
      a = A; b = B; cc = C; d = D; e = E; f = F;
    };
    if (r === 90) comp(0, 1, -1, 0, h, 0);        // (x, y) -> (h - y, x)
    else if (r === 180) comp(-1, 0, 0, -1, w, h);  // (w - x, h - y)
    else if (r === 270) comp(0, -1, 1, 0, 0, w);   // (y, w - x)
    g.setTransform(a, b, cc, d, e, f);
    if (source instanceof ImageData) {
      if (!this.src || this.src.width !== w || this.src.height !== h) {
        this.src = makeCanvas(); this.src.width = w; this.src.height = h;
      }
      this.src.getContext("2d").putImageData(source, 0, 0);
      g.drawImage(this.src, 0, 0, w, h);
    } else {
      g.drawImage(source, 0, 0, w, h);
    }
    g.setTransform(1, 0, 0, 1, 0, 0);
    return c;
  }

  run(engine, video, img, tsMs) {
    const t0 = performance.now();
    let res;
    if (video) {
      const ts = Math.max(Math.round(tsMs), this.trackerTs + 1);
      this.trackerTs = ts;
      res = engine.detectForVideo(img, ts);
    } else {
      res = engine.detect(img);
    }
    this.modelMs += performance.now() - t0;
    return res.landmarks.map((lm, i) => [lm, res.worldLandmarks[i]]);
  }

  lyingScore(p) {
    let vis = 0;
    for (let i = BODY_FROM; i < N; i++) vis += p.visibility[i];
    return vis / (N - BODY_FROM) + this.cfg.lying_weight * horizontality(p.xy);
  }

  // The pose at frame time t (s) of `source` (video, canvas or ImageData) drawn at size
  // [w, h]: null when nobody is found. MediaPipePoseEstimator.estimate.
  async estimate(source, size, t) {
    const cfg = this.cfg;
    if (cfg.mirror === "head_right" && !this.mirrorDecided &&
        t - this.lastMirrorProbeT >= cfg.probe_interval_s) {
      this.lastMirrorProbeT = t;
      await this.decideMirror(source, size, t);
    }
    let p = await this.estimateAsMirrored(source, size, t);
    if (cfg.mirror === "head_right" && p) {
      const first = !this.mirrorDecided;
      if (this.followHead(p, t) && first) p = await this.estimateAsMirrored(source, size, t);
    }
    return p;
  }

  mirrorRotations() { this.rot = (360 - this.rot) % 360; }

  async decideMirror(source, size, t) {
    const rot = this.rot;
    const img = this.prepare(source, size, rot, false);
    const found = this.run(await this.stillEngine(), false, img, t * 1000)
      .map(([lm, w]) => toPose(lm, w, rot, size));
    if (!found.length) return;
    const person = found.reduce((a, b) => (this.lyingScore(b) > this.lyingScore(a) ? b : a));
    this.mirrorDecided = true;
    if (headSide(person.xy) < 0) { this.mirrored = true; this.mirrorRotations(); }
  }

  async estimateAsMirrored(source, size, t) {
    if (!this.mirrored) return this.estimateOne(source, size, t, false);
    return mirrorPose(await this.estimateOne(source, size, t, true));
  }

  followHead(p, t) {
    const want = headSide(p.xy) < 0;
    if (want === this.mirrored) {
      this.mirrorDecided = true; this.otherSideSince = null;
      return false;
    }
    if (this.mirrorDecided) {
      if (this.otherSideSince === null) this.otherSideSince = t;
      if (t - this.otherSideSince < this.cfg.mirror_switch_s) return false;
    }
    this.mirrored = want; this.mirrorDecided = true; this.otherSideSince = null;
    this.targetXy = null;
    this.mirrorRotations();
    if (this.tracker) { this.tracker.close(); this.tracker = null; }
    return true;
  }

  async estimateOne(source, size, t, flip) {
    const cfg = this.cfg;
    this.lastPeople = -1;
    const rot = this.rot;
    const interval = cfg.people_interval_s / (this.multiWarned ? 4 : 1);
    if (cfg.count_people && t - this.lastCountT >= interval) {
      this.lastCountT = t;
      const people = await this.countPeople(source, size, t, flip);
      this.lastPeople = people.length;
      if (people.length >= 2) this.handleCrowd(people, t);
    }
    const img = this.prepare(source, size, rot, flip);
    const tracker = await this.trackerFor(rot, this.trackerMulti);
    const frames = this.run(tracker, true, img, t * 1000).map(([lm, w]) => toPose(lm, w, rot, size));
    this.lastRotation = rot;
    if (!frames.length) return null;
    const chosen = this.select(frames, t);
    if (!chosen) return null;
    this.lastSeenT = t;
    this.targetXy = chosen.xy;
    return chosen;
  }

  async countPeople(source, size, t, flip) {
    const up = this.targetXy ? uprightRotation(this.targetXy, size) : -1;
    let turn;
    if (COUNT_ROTATIONS.includes(up)) turn = up;
    else {
      turn = this.countTurn;
      const [a, b] = COUNT_ROTATIONS;
      this.countTurn = turn === a ? b : a;
    }
    const turns = [...new Set(this.multiWarned ? [0, ...COUNT_ROTATIONS] : [0, turn])];
    const still = await this.stillEngine();
    const frames = [];
    for (const r of turns) {
      const img = this.prepare(source, size, r, flip);
      for (const [lm, w] of this.run(still, false, img, t * 1000)) frames.push(toPose(lm, w, r, size));
    }
    frames.sort((a, b) => this.lyingScore(b) - this.lyingScore(a));
    const kept = [];
    for (const f of frames) {
      const len = Math.max(bodyAxis(f.xy)[2], 1);
      if (kept.every((k) => poseDistance(f.xy, k.xy) > this.cfg.same_person_torso * len)) kept.push(f);
    }
    return kept;
  }

  handleCrowd(people, t) {
    const lying = people.reduce((a, b) => (this.lyingScore(b) > this.lyingScore(a) ? b : a));
    this.multiWarned = true;
    this.targetXy = lying.xy;
    this.lastSeenT = t;
    this.trackerMulti = true;  // takes effect on the next frame (a new tracker)
  }

  select(frames, t) {
    if (!this.trackerMulti) return frames[0];
    const target = this.targetXy;
    if (target && t - this.lastSeenT <= this.cfg.lost_after_s) {
      const best = frames.reduce((a, b) => (poseDistance(b.xy, target) < poseDistance(a.xy, target) ? b : a));
      const limit = this.cfg.max_jump_torso * Math.max(bodyAxis(best.xy)[2], 1);
      return poseDistance(best.xy, target) <= limit ? best : null;
    }
    return frames.reduce((a, b) => (this.lyingScore(b) > this.lyingScore(a) ? b : a));
  }

  close() {
    for (const e of [this.tracker, this.still]) if (e) e.close();
    this.tracker = null; this.still = null;
  }
}

// The landmark message of the protocol (hipwise/web/landmarks.py) for pose `p` (or null).
export function landmarkMessage(id, tMs, size, p, people, luma) {
  const [w, h] = size;
  const r = (v, k) => Math.round(v * k) / k;
  return {
    type: "landmarks", id, t: tMs, image: [w, h], people, luma: r(luma, 10),
    pose: p ? p.xy.map((q, i) => [r(q[0] / w, 1e5), r(q[1] / h, 1e5), r(p.depth[i] / w, 1e5),
      r(p.visibility[i], 1e4)]) : null,
    world: p ? p.world.map((q) => [r(q[0], 1e5), r(q[1], 1e5), r(q[2], 1e5)]) : null,
  };
}

// Whether this browser can run the model: WebAssembly with SIMD, and WebGL (MediaPipe converts
// images with it). Returns null when it can, else the reason.
export function browserPoseUnsupported() {
  if (typeof WebAssembly !== "object") return "WebAssembly is not available";
  // (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
  const simd = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  try { if (!WebAssembly.validate(simd)) return "WebAssembly SIMD is not available"; } catch (e) {
    return "WebAssembly SIMD is not available";
  }
  const c = document.createElement("canvas");
  if (!(c.getContext("webgl2") || c.getContext("webgl"))) return "WebGL is not available";
  return null;
}
