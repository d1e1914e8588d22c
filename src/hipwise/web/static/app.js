// hipwise live: camera -> pose -> counts and cues back over a WebSocket. Two paths:
// - browser pose (default where it can run): the pose model runs in this page (pose.js,
//   MediaPipe Tasks for Web served by hipwise) and only landmarks are sent; frames never leave;
// - server pose (no WebGL or WebAssembly SIMD, or ?pose=server): frames are sent as JPEG.
// Either way the server counts. Plain JS, no build step, no requests beyond this page's server.
"use strict";

const EDGES = [[11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24],
  [23, 25], [25, 27], [27, 29], [29, 31], [27, 31], [24, 26], [26, 28], [28, 30], [30, 32],
  [28, 32], [0, 2], [0, 5], [2, 7], [5, 8]];
const FAULT_WORDS = {
  too_high: "too high", too_fast: "too fast", no_hold: "no hold", dropped: "dropped",
  toes_up: "toes up", hip_hike: "hip hike", pelvis_roll: "pelvis roll",
  forward_drift: "forward drift", bent_knee: "bent knee",
};
const PHASE_WORDS = { rest: "rest", lift: "lift", hold: "hold", lower: "lower" };
const VARIATION_WORDS = {
  leg_lift: "side-lying leg lift", wall_slide: "wall slide", clamshell: "clamshell",
  isometric_hold: "isometric hold", isometric_circles: "isometric hold with circles",
};
const VARIATION_KEY = "hipwise.variation";

// Test and benchmark hooks (read by Playwright); harmless in normal use.
const H = window.__hipwise = {
  latencies: [], captureLatencies: [], spoken: [], cues: [], results: 0, dropped: 0, sent: 0, errors: [],
  state: null, summary: null, welcomes: 0,
  posePath: null, poseReason: null, poseMs: [], landmarksSent: 0, bytesSent: 0, bytesReceived: 0,
};

const $ = (id) => document.getElementById(id);
const view = $("view");
const ctx = view.getContext("2d");
const video = $("video");
const grab = document.createElement("canvas");
const gctx = grab.getContext("2d");

let settings = { capture_width: 640, capture_fps: 30, jpeg_quality: 0.75, max_in_flight: 1 };
let ws = null;
let connected = false;
let inFlight = new Map();   // frame id -> {cap, sent}: performance.now() at capture / send
let nextId = 1;
let lastPose = null;
let lastImage = [640, 480];
let retryMs = 500;
let cameraOk = false;
let finished = false;
let lastVideoTime = -1;
let bannerSource = null;
let takenOver = false;

const params = new URLSearchParams(location.search);
if (params.has("inflight")) settings.max_in_flight = Number(params.get("inflight"));

// ---- messages on the page ---------------------------------------------------------------
function banner(text, source) {
  const b = $("banner");
  if (!text) {
    if (bannerSource === source) { b.classList.add("hidden"); b.textContent = ""; bannerSource = null; }
    return;
  }
  // camera problems outrank connection problems, which outrank live alerts
  const rank = { camera: 3, connection: 2, alert: 1 };
  if (bannerSource && rank[bannerSource] > rank[source]) return;
  b.textContent = text;
  b.dataset.source = source;
  b.classList.remove("hidden");
  bannerSource = source;
}

function say(text) {
  H.spoken.push(text);
  if (!$("voice").checked || !("speechSynthesis" in window)) return;
  try {
    window.speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.rate = 1.0;
    window.speechSynthesis.speak(u);
  } catch (e) { H.errors.push(String(e)); }
}

function showCue(cue) {
  const el = $("cue");
  el.textContent = cue.text;
  el.dataset.id = cue.id;
  el.classList.toggle("warning", cue.kind === "warning");
  H.cues.push(cue);
  say(cue.text);
}

function faultText(faults) {
  return faults.length ? faults.map((f) => FAULT_WORDS[f] || f).join(", ") : "good";
}

function renderState(st) {
  H.state = st;
  for (const side of ["left", "right"]) {
    $("count-" + side).textContent = String(st.counts[side].reps);
    $("good-" + side).textContent = st.counts[side].good + " good";
  }
  const list = $("reps");
  if (list.dataset.version !== String(st.rep_version)) {
    list.dataset.version = String(st.rep_version);
    list.textContent = "";
    for (const r of st.reps) {
      const li = document.createElement("li");
      li.className = r.good ? "ok" : "bad";
      li.dataset.side = r.side;
      li.dataset.faults = r.faults.join(" ");
      li.textContent = `${r.side} #${r.index}: ${faultText(r.faults)} · ${r.peak_deg}° · ` +
        `lift ${r.lift_s} s, hold ${r.hold_s} s, lower ${r.lower_s} s`;
      list.appendChild(li);
    }
  }
  if (st.variation && document.activeElement !== $("variation")) $("variation").value = st.variation;
  if (st.hold) renderHold(st.hold);
  $("finish").disabled = !connected || finished;
}

// Holds and circles: every number comes from the server (the offline variation code run on
// the hold so far); the page only shows them.
let holdShown = false;
function renderHold(h) {
  H.hold = h;
  const box = $("hold");
  holdShown = h.show;
  box.classList.toggle("hidden", !h.show);
  $("tempo").classList.toggle("hidden", h.show);  // the 2 s rep tempo does not apply
  if (!h.show) return;
  box.dataset.holding = String(h.holding);
  box.dataset.holdS = String(h.hold_s);
  box.classList.toggle("done", h.progress >= 1);
  $("hold-s").textContent = h.hold_s.toFixed(1);
  $("hold-target").textContent = String(Math.round(h.target_s));
  $("hold-fill").style.width = (100 * h.progress).toFixed(1) + "%";
  const c = h.circles;
  $("circles").classList.toggle("hidden", !c.show);
  $("circles").dataset.cw = String(c.clockwise);
  $("circles").dataset.ccw = String(c.counterclockwise);
  $("circles-cw").textContent = String(c.clockwise);
  $("circles-ccw").textContent = String(c.counterclockwise);
  $("circles-cw").parentElement.classList.toggle("done", c.clockwise >= c.target);
  $("circles-ccw").parentElement.classList.toggle("done", c.counterclockwise >= c.target);
  for (const el of document.querySelectorAll(".circles-target")) el.textContent = String(c.target);
  const ol = $("holds");
  if (ol.dataset.count !== String(h.holds.length)) {
    ol.dataset.count = String(h.holds.length);
    ol.textContent = "";
    h.holds.forEach((d, i) => {
      const li = document.createElement("li");
      li.dataset.holdS = String(d.hold_s);
      li.classList.toggle("shaking", d.shaking);
      const sag = d.sag_deg >= 1 ? `sagged ${Math.round(d.sag_deg)}°` : "no sag";
      const circ = d.circles.clockwise + d.circles.counterclockwise
        ? ` · circles ${d.circles.clockwise} + ${d.circles.counterclockwise}` : "";
      li.textContent = `${d.side} hold ${i + 1}: ${d.hold_s.toFixed(1)} s · ${sag}` +
        (d.shaking ? " · shaking (tiring)" : "") + circ;
      ol.appendChild(li);
    });
  }
}

function renderSetup(setup) {
  const box = $("setup");
  const ul = $("setup-issues");
  ul.textContent = "";
  if (setup.passed) {
    box.classList.add("passed");
    box.classList.toggle("hidden", true);
    return;
  }
  box.classList.remove("hidden");
  box.classList.toggle("passed", setup.issues.length === 0);
  if (setup.issues.length === 0) {
    $("setup-lead").textContent = "Looks good: hold still a moment…";
  } else {
    $("setup-lead").textContent = "Before you start:";
  }
  for (const i of setup.issues) {
    const li = document.createElement("li");
    li.dataset.code = i.code;
    li.textContent = i.message;
    ul.appendChild(li);
  }
}

// Tempo ticks (Web Audio, generated locally): one per second of the lift, hold and lower, a
// higher double tick when the phase reaches its target, so the tempo can be followed by ear.
let audio = null;
let lastTick = { phase: "rest", count: 0, done: false };
function tone(freq, at) {
  if (!audio) return;
  const o = audio.createOscillator(), g = audio.createGain();
  o.frequency.value = freq;
  g.gain.setValueAtTime(0.0001, at);
  g.gain.exponentialRampToValueAtTime(0.3, at + 0.01);
  g.gain.exponentialRampToValueAtTime(0.0001, at + 0.08);
  o.connect(g).connect(audio.destination);
  o.start(at); o.stop(at + 0.1);
}
function tick(tp) {
  if (holdShown) return;  // a long hold is timed by the hold timer, not ticked per rep
  const moving = tp.phase === "lift" || tp.phase === "hold" || tp.phase === "lower";
  const changed = tp.phase !== lastTick.phase;
  if (changed) lastTick = { phase: tp.phase, count: 0, done: false };
  if (!moving || !$("ticks").checked) return;
  try {
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
    const now = audio.currentTime;
    if (tp.progress >= 1 && !lastTick.done) {
      lastTick.done = true; H.ticks = (H.ticks || 0) + 1;
      tone(1320, now); tone(1320, now + 0.15);
    } else if (tp.count !== lastTick.count) {
      lastTick.count = tp.count; H.ticks = (H.ticks || 0) + 1;
      tone(660, now);
    }
  } catch (e) { H.errors.push(String(e)); }
}

function renderTempo(tp) {
  tick(tp);
  const el = $("tempo");
  el.className = "tempo " + tp.phase;
  $("tempo-fill").style.width = (100 * tp.progress).toFixed(1) + "%";
  $("tempo-count").textContent = tp.phase === "rest" ? "" : String(tp.count);
  $("phase").textContent = PHASE_WORDS[tp.phase] || tp.phase;
  $("phase").dataset.phase = tp.phase;
}

function renderAlerts(alerts) {
  if (alerts.length) banner(alerts[0].message + " Your set so far is kept.", "alert");
  else banner(null, "alert");
}

function renderSummary(msg) {
  H.summary = msg;
  finished = true;
  const box = $("summary-sets");
  box.textContent = "";
  const sets = msg.analysis.sets;
  if (!sets.length) box.textContent = "No rep or hold was counted in this set.";
  sets.forEach((s, i) => {
    const good = s.reps.filter((r) => r.good).length;
    const div = document.createElement("div");
    div.className = "set";
    div.dataset.side = s.working_leg;
    div.dataset.good = String(good);
    div.dataset.reps = String(s.reps.length);
    div.dataset.variation = s.variation || "leg_lift";
    const head = document.createElement("div");
    head.className = "headline";
    if (s.holds) {
      const n = s.holds.length;
      head.textContent = `Set ${i + 1}, ${s.working_leg} leg: ${VARIATION_WORDS[s.variation] || s.variation}, ` +
        `${n} hold${n === 1 ? "" : "s"}`;
      div.dataset.holds = s.holds.map((h) => h.hold_s).join(" ");
    } else {
      head.textContent = `Set ${i + 1}, ${s.working_leg} leg: ${good} good rep${good === 1 ? "" : "s"} of ${s.reps.length}`;
    }
    if (s.circles) {
      div.dataset.cw = String(s.circles.filter((c) => c.direction === "clockwise").length);
      div.dataset.ccw = String(s.circles.filter((c) => c.direction === "counterclockwise").length);
    }
    div.appendChild(head);
    const lines = (msg.lines && msg.lines[i]) || [];
    if (lines.length) {  // the words of 'hipwise analyze' for holds, circles, clamshells
      const ul = document.createElement("ul");
      ul.className = "lines";
      for (const text of lines) {
        const li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      }
      div.appendChild(ul);
    }
    if (s.reps.length) {
      const mean = (k) => s.reps.reduce((a, r) => a + r[k], 0) / s.reps.length;
      const peaks = s.reps.map((r) => r.peak_abduction_deg);
      const stats = document.createElement("div");
      stats.className = "stats";
      stats.textContent = `peak ${Math.round(Math.min(...peaks))}-${Math.round(Math.max(...peaks))}° · ` +
        `lift ${mean("lift_s").toFixed(1)} s · hold ${mean("hold_s").toFixed(1)} s (target 2) · ` +
        `lower ${mean("lower_s").toFixed(1)} s (target ${(2 * mean("lift_s")).toFixed(1)})`;
      div.appendChild(stats);
    }
    const ol = document.createElement("ol");
    for (const r of s.reps) {
      const li = document.createElement("li");
      li.dataset.faults = r.faults.join(" ");
      li.textContent = `${faultText(r.faults)} · ${Math.round(r.peak_abduction_deg)}° · hold ${r.hold_s.toFixed(1)} s`;
      ol.appendChild(li);
    }
    div.appendChild(ol);
    box.appendChild(div);
  });
  const links = $("summary-links");
  links.textContent = "";
  const add = (href, text) => {
    const a = document.createElement("a");
    a.href = href; a.textContent = text; a.target = "_blank";
    links.appendChild(a); links.appendChild(document.createTextNode(" "));
  };
  if (msg.links.report) add(msg.links.report, "Full report");
  if (msg.links.analysis) add(msg.links.analysis, "Analysis (JSON)");
  $("summary").classList.remove("hidden");
  $("finish").disabled = true;
}

// ---- drawing ----------------------------------------------------------------------------
// The <video> element shows the camera; the canvas on top is redrawn only when a result
// arrives (the skeleton), which keeps the page's own CPU use low on small machines.
function drawSkeleton() {
  const vw = video.videoWidth || lastImage[0], vh = video.videoHeight || lastImage[1];
  if (view.width !== vw || view.height !== vh) { view.width = vw; view.height = vh; }
  ctx.clearRect(0, 0, view.width, view.height);
  if (!lastPose) return;
  const w = view.width, h = view.height;
  ctx.lineWidth = Math.max(2, w / 200);
  ctx.strokeStyle = "rgba(80, 220, 255, 0.9)";
  ctx.fillStyle = "rgba(255, 230, 80, 0.95)";
  for (const [a, b] of EDGES) {
    const p = lastPose[a], q = lastPose[b];
    if (p[2] < 0.3 || q[2] < 0.3) continue;
    ctx.beginPath(); ctx.moveTo(p[0] * w, p[1] * h); ctx.lineTo(q[0] * w, q[1] * h); ctx.stroke();
  }
  for (let i = 11; i < 33; i++) {
    const p = lastPose[i];
    if (p[2] < 0.3 || (i > 16 && i < 23)) continue;
    ctx.beginPath(); ctx.arc(p[0] * w, p[1] * h, ctx.lineWidth * 1.5, 0, 2 * Math.PI); ctx.fill();
  }
}

// ---- socket -----------------------------------------------------------------------------
function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/ws`);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => {
    const hello = { type: "hello", session: localStorage.getItem("hipwise.session") };
    const chosen = localStorage.getItem(VARIATION_KEY);
    if (chosen) hello.variation = chosen;
    ws.send(JSON.stringify(hello));
  };
  ws.onmessage = (ev) => {
    H.bytesReceived += ev.data.length || ev.data.byteLength || 0;
    const msg = JSON.parse(ev.data);
    if (msg.type === "result") onResult(msg);
    else if (msg.type === "dropped") { inFlight.delete(msg.id); H.dropped++; }
    else if (msg.type === "welcome") onWelcome(msg);
    else if (msg.type === "summary") renderSummary(msg);
    else if (msg.type === "state") renderState(msg.state);
    else if (msg.type === "error" && String(msg.code).startsWith("landmarks_")) {
      H.errors.push(msg.code + ": " + msg.message);  // a page bug, not the user's problem
    }
    else if (msg.type === "error") {
      H.errors.push(msg.message);
      if (msg.code === "taken_over") takenOver = true;
      banner(msg.message + (takenOver ? " Reload this page to continue here." : ""),
        "connection");
    }
  };
  ws.onclose = () => {
    connected = false;
    inFlight.clear();
    $("conn").classList.remove("on");
    $("finish").disabled = true;
    if (takenOver) return;  // another tab has this set now: do not fight over it
    banner("Lost the connection to hipwise. Reconnecting… Your set so far is kept. " +
      "If this lasts, check that 'hipwise live' is still running on the computer.", "connection");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 3000);
  };
}

function onWelcome(msg) {
  H.welcomes++;
  connected = true;
  retryMs = 500;
  settings = Object.assign(settings, msg.client);
  if (params.has("inflight")) settings.max_in_flight = Number(params.get("inflight"));
  localStorage.setItem("hipwise.session", msg.state.session);
  $("conn").classList.add("on");
  banner(null, "connection");
  finished = msg.state.finished;
  if (!msg.resumed) { $("summary").classList.add("hidden"); $("cue").textContent = ""; }
  renderState(msg.state);
  if (msg.resumed && msg.state.reps.length) {
    $("cue").textContent = `Welcome back: ${msg.state.reps.length} reps so far are kept.`;
  }
}

function onResult(msg) {
  const f = inFlight.get(msg.id);
  if (f !== undefined && f.sent !== null) {
    const now = performance.now();
    H.latencies.push(now - f.sent);
    H.captureLatencies.push(now - f.cap);
    if (H.latencies.length > 20000) { H.latencies.shift(); H.captureLatencies.shift(); }
    inFlight.delete(msg.id);
  }
  H.results++;
  H.lastTiming = msg.timing;
  lastPose = msg.pose;
  lastImage = msg.image;
  drawSkeleton();
  renderState(msg);
  renderTempo(msg.tempo);
  $("angle").textContent = msg.angle === null || msg.angle === undefined ? "" :
    `leg ${Math.round(msg.angle)}° above rest`;
  renderSetup(msg.setup);
  renderAlerts(msg.alerts);
  if (msg.cue) showCue(msg.cue);
}

// ---- camera -----------------------------------------------------------------------------
function cameraError(err) {
  const name = err && err.name ? err.name : "";
  H.errors.push(name || String(err));
  let text;
  if (name === "NotAllowedError" || name === "SecurityError") {
    text = "Camera access was denied. Allow the camera for this page (the camera icon in the " +
      "address bar, or your browser's site settings), then reload the page.";
  } else if (name === "NotFoundError" || name === "OverconstrainedError") {
    text = "No camera was found. Connect a webcam, or use your phone as the camera: start " +
      "'hipwise live --lan' and scan the QR code.";
  } else if (name === "NotReadableError" || name === "AbortError") {
    text = "The camera is busy or failed to start. Close other apps that use it, then reload.";
  } else if (name === "insecure") {
    text = "The browser allows the camera only on https or localhost. Start 'hipwise live " +
      "--lan' and open the https address it shows (or scan its QR code).";
  } else {
    text = "The camera could not be started (" + (name || err) + "). Reload the page to try again.";
  }
  banner(text, "camera");
  $("cue").textContent = text;
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    cameraError({ name: "insecure" });
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" },
      audio: false,
    });
    video.srcObject = stream;
    await video.play().catch(() => {});
    for (const track of stream.getVideoTracks()) {
      track.addEventListener("ended", () => {
        cameraOk = false;
        banner("The camera stopped. Check it is connected and not used by another app, " +
          "then reload the page. Your set so far is kept.", "camera");
      });
    }
    cameraOk = true;
    watchFrames();
    await poseReady;
    if (H.posePath === "browser") startBrowserPose();
    else setInterval(capture, 1000 / settings.capture_fps);
  } catch (err) {
    cameraError(err);
  }
}

// Each camera frame's own capture time (ms, the page's clock), when the browser reports it:
// phases are timed on it, so a busy page grabbing frames late cannot squeeze a hold.
let frameTime = null;
function watchFrames() {
  if (!("requestVideoFrameCallback" in HTMLVideoElement.prototype)) return;
  const onFrame = (now, meta) => {
    frameTime = meta.captureTime !== undefined ? meta.captureTime : now;
    video.requestVideoFrameCallback(onFrame);
    if (H.posePath === "browser") poseFrame(frameTime);
  };
  video.requestVideoFrameCallback(onFrame);
}

function capture() {
  if (!cameraOk || !connected || finished || ws.readyState !== WebSocket.OPEN) return;
  if (video.readyState < 2 || !video.videoWidth) return;
  if (video.currentTime === lastVideoTime) return;   // no new camera frame yet
  const now = performance.now();
  for (const [k, v] of inFlight) if (now - v.cap > 3000) inFlight.delete(k);  // lost: forget
  if (inFlight.size >= settings.max_in_flight) return; // backpressure: skip, never queue
  lastVideoTime = video.currentTime;
  // the long side is limited (a phone held upright gives a portrait stream)
  const scale = Math.min(1, settings.capture_width / Math.max(video.videoWidth, video.videoHeight));
  const w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
  if (grab.width !== w || grab.height !== h) { grab.width = w; grab.height = h; }
  gctx.drawImage(video, 0, 0, w, h);
  const id = nextId++;
  const tCapture = frameTime !== null ? frameTime : performance.now();
  inFlight.set(id, { cap: tCapture, sent: null });   // reserve the slot while encoding
  grab.toBlob(async (blob) => {
    if (blob) H.bytesSent += blob.size + 16;
    if (!blob || !ws || ws.readyState !== WebSocket.OPEN) { inFlight.delete(id); return; }
    const jpeg = new Uint8Array(await blob.arrayBuffer());
    const msg = new Uint8Array(16 + jpeg.length);
    new DataView(msg.buffer).setFloat64(0, id, true);
    new DataView(msg.buffer).setFloat64(8, tCapture, true);
    msg.set(jpeg, 16);
    inFlight.set(id, { cap: tCapture, sent: performance.now() });  // the frame leaves the page
    ws.send(msg.buffer);
    H.sent++;
  }, "image/jpeg", settings.jpeg_quality);
}

// ---- controls ---------------------------------------------------------------------------
$("voice").checked = localStorage.getItem("hipwise.voice") !== "off";
$("ticks").checked = localStorage.getItem("hipwise.ticks") !== "off";
$("ticks").addEventListener("change", () => {
  localStorage.setItem("hipwise.ticks", $("ticks").checked ? "on" : "off");
});
$("voice").addEventListener("change", () => {
  localStorage.setItem("hipwise.voice", $("voice").checked ? "on" : "off");
  if (!$("voice").checked && "speechSynthesis" in window) window.speechSynthesis.cancel();
});
if (localStorage.getItem(VARIATION_KEY)) $("variation").value = localStorage.getItem(VARIATION_KEY);
$("variation").addEventListener("change", () => {
  const v = $("variation").value;
  localStorage.setItem(VARIATION_KEY, v);
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "variation", variation: v }));
});
$("finish").addEventListener("click", () => {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "finish" }));
});
$("again").addEventListener("click", () => {
  finished = false;
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "new" }));
});

// ---- browser pose ------------------------------------------------------------------------
let browserPose = null;
let poseBusy = false;
let lastPoseFrame = -1;
const lumaCanvas = document.createElement("canvas");
lumaCanvas.width = 40; lumaCanvas.height = 30;
const lumaCtx = lumaCanvas.getContext("2d", { willReadFrequently: true });

function showPosePath(path, reason) {
  H.posePath = path; H.poseReason = reason;
  const el = $("pose-path");
  el.dataset.path = path;
  el.textContent = path === "browser" ? "pose: in this browser (only landmarks are sent)"
    : "pose: on the server" + (reason ? ` (${reason})` : "");
  el.title = reason || "";
}

// Which path: the browser's own model unless ?pose=server, the server has no browser files,
// or this browser lacks WebAssembly SIMD or WebGL; a model that fails to load falls back too.
async function choosePosePath(info) {
  const bp = info && info.browser_pose;
  let reason = null;
  if (params.get("pose") === "server") reason = "asked with ?pose=server";
  else if (!bp) reason = "the server offers no browser pose";
  else if (!bp.available) reason = bp.reason;
  let mod = null;
  if (!reason) {
    try {
      mod = await import("/static/pose.js");
      reason = mod.browserPoseUnsupported();
    } catch (e) { reason = "pose.js did not load: " + e; }
  }
  if (!reason && window.__hipwiseFakePose) {  // tests: a scripted model at the boundary
    browserPose = mainThreadPose(window.__hipwiseFakePose, mod);
    showPosePath("browser", null);
    return;
  }
  if (!reason) {
    showPosePath("browser", "loading the pose model…");
    $("pose-path").textContent = "pose: loading the model in this browser…";
    try {  // in a worker (the page stays responsive), else on the page itself
      browserPose = params.get("worker") === "0" ? null : await workerPose(bp);
      H.poseWorker = browserPose !== null;
    } catch (e) {
      H.errors.push("pose worker: " + e);
    }
    if (!browserPose) {
      try {
        browserPose = mainThreadPose(await mod.BrowserPose.create(bp), mod);
      } catch (e) {
        H.errors.push("browser pose: " + e);
        reason = "the model did not start here: " + (e && e.message ? e.message : e);
      }
    }
  }
  if (reason) showPosePath("server", reason);
  else showPosePath("browser", null);
}

// A pose engine: frame(video, size, capture ms, id, luma) -> {msg, ms} (the landmark message).
function mainThreadPose(bp, mod) {
  return {
    get lastPeople() { return bp.lastPeople; },
    async frame(source, size, cap, id, luma) {
      const t0 = performance.now();
      const p = await bp.estimate(source, size, cap / 1000);
      return { msg: mod.landmarkMessage(id, cap, size, p, bp.lastPeople, luma),
        ms: performance.now() - t0 };
    },
  };
}

function workerPose(info) {
  return new Promise((resolve, reject) => {
    const worker = new Worker("/static/pose_worker.js");
    let pending = null;
    const timer = setTimeout(() => reject(new Error("the pose worker did not start in 60 s")), 60000);
    worker.onerror = (e) => { clearTimeout(timer); reject(new Error(e.message || "worker error")); };
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve({
          frame(source, size, cap, id, luma) {
            return createImageBitmap(source, size[0] === source.videoWidth ? {} :
              { resizeWidth: size[0], resizeHeight: size[1], resizeQuality: "high" })
              .then((bitmap) => new Promise((res, rej) => {
                pending = { res, rej };
                worker.postMessage({ type: "frame", id, t: cap, size, luma, bitmap }, [bitmap]);
              }));
          },
        });
      } else if (m.type === "failed") {
        clearTimeout(timer); worker.terminate(); reject(new Error(m.error));
      } else if (pending) {
        const p = pending; pending = null;
        if (m.type === "landmarks") p.res({ msg: m.msg, ms: m.ms });
        else p.rej(new Error(m.error));
      }
    };
    worker.postMessage({ type: "init", info });
  });
}

function frameLuma() {
  lumaCtx.drawImage(video, 0, 0, 40, 30);
  const d = lumaCtx.getImageData(0, 0, 40, 30).data;
  let s = 0;
  for (let i = 0; i < d.length; i += 4) s += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  return s / (d.length / 4);
}

// One camera frame through the page's model; its landmarks to the server.
async function poseFrame(tCapture) {
  if (poseBusy || !browserPose || !cameraOk || !connected || finished) return;
  if (!ws || ws.readyState !== WebSocket.OPEN || video.readyState < 2 || !video.videoWidth) return;
  if (video.currentTime === lastPoseFrame) return;  // no new camera frame yet
  lastPoseFrame = video.currentTime;
  poseBusy = true;
  try {
    const scale = Math.min(1, settings.capture_width / Math.max(video.videoWidth, video.videoHeight));
    const size = [Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale)];
    const cap = tCapture !== null && tCapture !== undefined ? tCapture : performance.now();
    const id = nextId++;
    const { msg, ms } = await browserPose.frame(video, size, cap, id, frameLuma());
    H.poseMs.push(ms);
    if (H.poseMs.length > 20000) H.poseMs.shift();
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    for (const [k, v] of inFlight) if (now - v.cap > 3000) inFlight.delete(k);
    inFlight.set(id, { cap, sent: now });
    const text = JSON.stringify(msg);
    ws.send(text);
    H.landmarksSent++; H.sent++; H.bytesSent += text.length;
  } catch (e) {
    H.errors.push("pose: " + e);
  } finally {
    poseBusy = false;
  }
}

function startBrowserPose() {
  // requestVideoFrameCallback drives poseFrame once per camera frame (watchFrames); without
  // it, a timer at the camera's rate
  if (!("requestVideoFrameCallback" in HTMLVideoElement.prototype)) {
    setInterval(() => poseFrame(null), 1000 / settings.capture_fps);
  }
}

const infoReady = fetch("/api/info").then((r) => r.json()).catch(() => null);
const poseReady = infoReady.then((info) => choosePosePath(info)).catch((e) => {
  showPosePath("server", String(e));
});

infoReady.then((info) => {
  if (!info) return;
  settings = Object.assign(settings, info.client);
  if (info.public_url) {
    $("lan").classList.remove("hidden");
    $("lan-url").textContent = info.public_url;
    $("lan-url").href = info.public_url;
    $("qr").src = "/qr.svg";
  }
}).catch(() => {});

connect();
startCamera();
