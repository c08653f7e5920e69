// The project page's timeline: one AudioContext plays every lane (an AudioBufferSourceNode and a GainNode per lane,
// all started at the same context time with the same offset, so they stay sample-aligned through seeks, loops, mute,
// solo and gain), decoded audio cached per URL, waveforms drawn from the stored peaks, and the pointer and keys of the
// [data-timeline] element (seek, select, zoom). The page (Components/Studio/Timeline.razor) owns zoom, selection,
// loop and the mix; it hands them here after every render with view() and mix(), and hears back through its .NET object.
window.stemgenTimeline = (() => {
  const LEAD = 0.05;         // seconds between a play or seek and the first sample: time to schedule every lane
  const LOOKAHEAD = 1.0;     // seconds of loop iterations scheduled ahead
  const decoded = new Map(); // audio URL -> Promise<AudioBuffer>
  const lanes = new Map();   // key -> { key, audioUrl, peaksUrl, buffer, gain, tap, sources, segments, drawn }
  let ctx = null, master = null, dotnet = null, scroller = null, content = null;
  let view = { pps: 40, length: 0, selection: null, loop: null, follow: true, secondsPerBeat: null };
  let playing = false, schedule = [], resumeAt = 0, timer = 0, frame = 0, startLatency = null, playRequestedAt = 0;
  let waveforms = 0, clockElement = null, exporting = false;

  function audio() {
    if (!ctx) {
      ctx = new AudioContext({ latencyHint: "interactive" });
      master = ctx.createGain();
      master.connect(ctx.destination);
    }
    return ctx;
  }

  // ---- lanes: audio and waveforms ----

  function decode(url) {
    if (!decoded.has(url)) {
      decoded.set(url, fetch(url, { credentials: "same-origin" })
        .then(r => { if (!r.ok) throw new Error(`${r.status} for ${url}`); return r.arrayBuffer(); })
        .then(bytes => audio().decodeAudioData(bytes))
        .catch(e => { decoded.delete(url); console.warn("timeline: cannot decode", url, e); return null; }));
    }
    return decoded.get(url);
  }

  // The lanes of the page now: [{ key, audioUrl, peaksUrl }]. Lanes that went away stop; new ones are fetched and drawn.
  function setLanes(items) {
    const keep = new Set(items.map(i => i.key));
    for (const [key, lane] of lanes) if (!keep.has(key)) { silence(lane); lane.gain.disconnect(); lanes.delete(key); }
    for (const item of items) {
      let lane = lanes.get(item.key);
      if (!lane) {
        const c = audio();
        const gain = c.createGain(), tap = c.createAnalyser();
        tap.fftSize = 2048;
        gain.connect(master);
        lane = { key: item.key, audioUrl: item.audioUrl, buffer: null, gain, tap, sources: [], segments: [], audible: true, level: 1, peaks: null };
        lanes.set(item.key, lane);
        decode(item.audioUrl).then(buffer => {
          lane.buffer = buffer;
          if (buffer && playing) scheduleLane(lane, schedule); // a lane that arrives during playback joins on the same clock
        });
        fetch(item.peaksUrl, { credentials: "same-origin" }).then(r => r.ok ? r.json() : null)
          .then(p => { lane.peaks = p; draw(lane); }).catch(e => console.warn("timeline: peaks", item.key, e));
      }
      draw(lane);
    }
  }

  // The waveform is an SVG path in a 0..n x -1..1 box stretched over the lane's clip: zooming only changes its width.
  function draw(lane) {
    const svg = document.querySelector(`[data-lane="${CSS.escape(lane.key)}"] svg.wave`);
    if (!svg || !lane.peaks || svg.dataset.drawn === "true") return;
    const values = lane.peaks.peaks[0];
    const n = values.length;
    let d = `M0 0`;
    for (let i = 0; i < n; i++) d += `L${i} ${(-values[i]).toFixed(3)}`;
    for (let i = n - 1; i >= 0; i--) d += `L${i} ${values[i].toFixed(3)}`;
    svg.setAttribute("viewBox", `0 -1 ${Math.max(1, n - 1)} 2`);
    svg.setAttribute("preserveAspectRatio", "none");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d + "Z");
    svg.replaceChildren(path);
    svg.dataset.drawn = "true";
    waveforms++;
  }

  // Mute, solo, gain and A/B, resolved by the page: [{ key, gain (linear, 0 = silent) }]. Changes land on the next block.
  function mix(levels) {
    for (const { key, gain } of levels) {
      const lane = lanes.get(key);
      if (!lane) continue;
      lane.level = gain;
      if (ctx) lane.gain.gain.setTargetAtTime(gain, ctx.currentTime, 0.005); // 5 ms: no click
    }
  }

  // ---- transport: one schedule for every lane ----

  // A schedule is a list of segments { when (context time), offset (seconds into the song), duration }; without a loop
  // it is one open segment, with a loop the first runs to the loop's end and the next ones repeat the loop.
  function buildSchedule(position, when) {
    const loop = view.loop;
    if (!loop || position >= loop.end || loop.end - loop.start < 0.05) return [{ when, offset: position, duration: Infinity }];
    const first = { when, offset: position, duration: loop.end - position };
    return [first];
  }

  function extendLoop() {
    const loop = view.loop;
    if (!playing || !loop || !schedule.length) return;
    let last = schedule[schedule.length - 1];
    if (!isFinite(last.duration)) return;
    while (last.when + last.duration < ctx.currentTime + LOOKAHEAD) {
      const next = { when: last.when + last.duration, offset: loop.start, duration: loop.end - loop.start };
      schedule.push(next);
      for (const lane of lanes.values()) startSegment(lane, next);
      last = next;
    }
    // Keep only what can still sound, and what positions() needs.
    while (schedule.length > 2 && schedule[1].when <= ctx.currentTime) schedule.shift();
  }

  function startSegment(lane, segment) {
    lane.segments.push(segment);
    if (lane.segments.length > 4) lane.segments.shift();
    const buffer = lane.buffer;
    if (!buffer || segment.offset >= buffer.duration) return;
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(lane.gain);
    source.connect(lane.tap);
    const duration = Math.min(segment.duration, buffer.duration - segment.offset);
    // A lane that joins late starts where the others are, on the same context time grid.
    const late = Math.max(0, ctx.currentTime + 0.01 - segment.when);
    if (late >= duration) return;
    source.start(segment.when + late, segment.offset + late, duration - late);
    lane.sources.push(source);
    source.onended = () => { lane.sources = lane.sources.filter(s => s !== source); };
  }

  function scheduleLane(lane, segments) { for (const s of segments) startSegment(lane, s); }

  function silence(lane) {
    for (const s of lane.sources) { try { s.stop(); } catch { } s.disconnect(); }
    lane.sources = [];
    lane.segments = [];
  }

  async function play(from) {
    const c = audio();
    playRequestedAt = performance.now();
    if (c.state !== "running") await c.resume();
    await Promise.all([...lanes.values()].map(l => decode(l.audioUrl).then(b => { l.buffer = b; })));
    const position = from ?? resumeAt;
    for (const lane of lanes.values()) silence(lane);
    schedule = buildSchedule(position >= view.length ? 0 : position, c.currentTime + LEAD);
    for (const lane of lanes.values()) scheduleLane(lane, schedule);
    playing = true;
    startLatency = null;
    clearInterval(timer);
    timer = setInterval(tick, 100);
    extendLoop();
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(animate);
    notify();
  }

  function stop(keepPosition) {
    const at = position();
    playing = false;
    clearInterval(timer);
    for (const lane of lanes.values()) silence(lane);
    schedule = [];
    resumeAt = keepPosition ? at : 0;
    render(resumeAt);
    notify();
  }

  function toggle() { if (playing) stop(true); else play(); }

  // Every lane moves to the same place at the same context time.
  function seek(seconds) {
    const to = Math.max(0, Math.min(view.length, seconds));
    if (playing) play(to); else { resumeAt = to; render(to); }
  }

  function positionIn(segments, now) {
    let current = null;
    for (const s of segments) if (s.when <= now) current = s;
    if (!current) return segments.length ? segments[0].offset : resumeAt;
    return current.offset + Math.min(now - current.when, current.duration);
  }

  // Where the song is: from the schedule and the context's clock (not from a timer).
  function position() {
    if (!playing || !ctx) return resumeAt;
    return Math.min(view.length, positionIn(schedule, ctx.currentTime));
  }

  // For tests and the console: each lane's position from its own scheduled segments and the one clock.
  function positions() {
    const now = ctx ? ctx.currentTime : 0, rate = ctx ? ctx.sampleRate : 0;
    return [...lanes.values()].map(l => {
      const seconds = playing ? positionIn(l.segments, now) : resumeAt;
      return { key: l.key, seconds, frames: Math.round(seconds * rate), sounding: l.sources.length > 0 };
    });
  }

  // The last `count` samples each lane's source produced (before its gain), read in one task so they come from the
  // same render quantum: tests decode a position ramp from them to measure drift between lanes.
  function taps(count) {
    const n = Math.min(count || 256, 2048);
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = ctx ? ctx.currentTime : 0;
      const result = {};
      for (const l of lanes.values()) {
        const data = new Float32Array(l.tap.fftSize);
        l.tap.getFloatTimeDomainData(data);
        result[l.key] = Array.from(data.subarray(data.length - n));
      }
      if (!ctx || ctx.currentTime === before) return { contextTime: before, sampleRate: ctx ? ctx.sampleRate : 0, lanes: result };
    }
    return null;
  }

  function tick() {
    if (!playing) return;
    extendLoop();
    if (!view.loop && position() >= view.length) { stop(false); return; }
  }

  function animate() {
    if (!playing) return;
    const at = position();
    if (startLatency === null && ctx.currentTime >= schedule[0]?.when) {
      startLatency = performance.now() - playRequestedAt;
    }
    render(at);
    frame = requestAnimationFrame(animate);
  }

  // ---- drawing the playhead, selection and loop ----

  function render(at) {
    if (!content) return;
    const head = content.querySelector(".playhead");
    if (head) head.style.transform = `translateX(${at * view.pps}px)`;
    if (clockElement) clockElement.textContent = `${clock(at)} / ${clock(view.length)}`;
    if (playing && view.follow && scroller) {
      const x = at * view.pps, left = scroller.scrollLeft, width = scroller.clientWidth;
      if (x < left || x > left + width - 24) scroller.scrollLeft = Math.max(0, x - width * 0.1);
    }
  }

  function drawRange(element, range) {
    if (!element) return;
    element.hidden = !range;
    if (range) { element.style.left = `${range.start * view.pps}px`; element.style.width = `${(range.end - range.start) * view.pps}px`; }
  }

  function clock(seconds) {
    const m = Math.floor(seconds / 60), s = seconds - 60 * m;
    return `${m}:${s.toFixed(1).padStart(4, "0")}`;
  }

  // The page's state after a render: { pps, length, selection, loop, follow, secondsPerBeat }.
  function setView(next) {
    const loopChanged = JSON.stringify(next.loop) !== JSON.stringify(view.loop);
    view = next;
    drawRange(content?.querySelector(".selection"), view.selection);
    drawRange(content?.querySelector(".loop-region"), view.loop);
    for (const lane of lanes.values()) draw(lane);
    if (loopChanged && playing) play(position()); // the new loop takes effect at once, on the same clock
    else render(position());
  }

  // ---- pointer and keys ----

  function timeAt(clientX) {
    const box = content.getBoundingClientRect();
    return Math.max(0, Math.min(view.length, (clientX - box.left) / view.pps));
  }

  function bind(scrollerElement, clockId, dotnetObject) {
    scroller = scrollerElement;
    content = scroller.querySelector(".timeline-content");
    clockElement = document.getElementById(clockId);
    dotnet = dotnetObject;
    let drag = null;
    scroller.addEventListener("pointerdown", e => {
      if (e.button !== 0 || e.target.closest("button, input, a, [role=slider]")) return;
      drag = { from: timeAt(e.clientX), x: e.clientX, moved: false };
      scroller.setPointerCapture(e.pointerId);
    });
    scroller.addEventListener("pointermove", e => {
      if (!drag) return;
      if (Math.abs(e.clientX - drag.x) > 4) drag.moved = true;
      if (drag.moved) drawRange(content.querySelector(".selection"), ordered(drag.from, timeAt(e.clientX)));
    });
    scroller.addEventListener("pointerup", e => {
      if (!drag) return;
      const d = drag; drag = null;
      if (d.moved) dotnet.invokeMethodAsync("OnSelected", d.from, timeAt(e.clientX)).catch(() => { });
      else seek(d.from);
    });
    scroller.addEventListener("pointercancel", () => { drag = null; drawRange(content.querySelector(".selection"), view.selection); });
    scroller.addEventListener("wheel", e => {
      if (!e.ctrlKey) return; // a plain wheel scrolls as usual
      e.preventDefault();
      zoomAround(e.deltaY < 0 ? 1 : -1, timeAt(e.clientX), e.clientX - scroller.getBoundingClientRect().left);
    }, { passive: false });
    document.addEventListener("keydown", onKey);
    scroller.dataset.ready = "true";
    render(position());
  }

  function zoomAround(steps, anchorSeconds, anchorViewportX) {
    dotnet.invokeMethodAsync("OnZoom", steps).then(pps => {
      view.pps = pps;
      content.style.width = `${view.length * pps}px`; // before the render arrives, so the scroll position can be kept
      scroller.scrollLeft = Math.max(0, anchorSeconds * pps - anchorViewportX);
    }).catch(() => { });
  }

  function ordered(a, b) { return a <= b ? { start: a, end: b } : { start: b, end: a }; }

  function typing(t) {
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.getAttribute("role") === "slider"
      || t.closest?.(".mud-popover, .mud-dialog"));
  }

  // Space: play/stop; Home/End; arrows seek a beat (a second without tempo), shift+arrows grow or shrink the selection;
  // [ and ] put the selection's start or end at the playhead; + and - zoom; L loops the selection; Escape clears it;
  // B switches to the next variation of the newest candidates (A/B).
  function onKey(e) {
    if (!scroller?.isConnected || e.altKey || e.metaKey || (e.ctrlKey && e.key !== "+" && e.key !== "-" && e.key !== "=")) return;
    if (typing(e.target)) return;
    if (e.target.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    const step = view.secondsPerBeat || 1;
    const call = (name, ...args) => dotnet.invokeMethodAsync(name, ...args).catch(() => { });
    switch (e.key) {
      case " ": if (e.repeat) break; toggle(); break;
      case "Home": seek(0); break;
      case "End": seek(view.length); break;
      case "ArrowLeft": if (e.shiftKey) call("OnExtend", -step); else seek(position() - step); break;
      case "ArrowRight": if (e.shiftKey) call("OnExtend", step); else seek(position() + step); break;
      case "[": call("OnMark", position(), true); break;
      case "]": call("OnMark", position(), false); break;
      case "+": case "=": zoomAround(1, position(), position() * view.pps - scroller.scrollLeft); break;
      case "-": zoomAround(-1, position(), position() * view.pps - scroller.scrollLeft); break;
      case "l": case "L": call("OnToggleLoop"); break;
      case "Escape": call("OnClearSelection"); break;
      case "b": case "B": call("OnSwitchVariation"); break;
      default: return;
    }
    e.preventDefault();
  }

  // Tap tempo: the browser times the taps (a round trip per tap would add its jitter); a pause of 2 s starts over.
  function bindTap(button, dotnetObject) {
    let times = [];
    const onTap = e => {
      if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      const now = performance.now();
      if (times.length && now - times[times.length - 1] > 2000) times = [];
      times.push(now);
      if (times.length > 8) times.shift();
      dotnetObject.invokeMethodAsync("OnTaps", times).catch(() => { });
    };
    button.addEventListener("pointerdown", onTap);
    button.addEventListener("keydown", onTap);
    return { dispose: () => { button.removeEventListener("pointerdown", onTap); button.removeEventListener("keydown", onTap); } };
  }

  function viewportWidth() { return scroller ? scroller.clientWidth : 0; }

  function notify() { dotnet?.invokeMethodAsync("OnPlaying", playing).catch(() => { }); }

  function dispose() {
    stop(false);
    document.removeEventListener("keydown", onKey);
    scroller = content = dotnet = null;
  }

  // ---- export ----

  // Posts the mix (the page's mute/solo/gain) and saves the answer under the server's file name.
  async function exportMix(projectId, format, tracks) {
    if (exporting) return "an export is already running";
    exporting = true;
    try {
      const token = await (await fetch("/api/antiforgery", { credentials: "same-origin" })).json();
      const response = await fetch(`/api/projects/${projectId}/mix`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", [token.headerName]: token.token },
        body: JSON.stringify({ format, tracks }),
      });
      if (!response.ok) {
        let detail = `${response.status}`;
        try { const body = await response.json(); detail = body.detail || body.title || detail; } catch { }
        return `the mix could not be exported: ${detail}`;
      }
      const blob = await response.blob();
      const disposition = response.headers.get("Content-Disposition") || "";
      const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition), plain = /filename="?([^";]+)"?/i.exec(disposition);
      const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : `mix.${format}`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url; a.download = name;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      return null;
    } catch (e) {
      return `the mix could not be exported: ${e.message}`;
    } finally { exporting = false; }
  }

  function status() {
    return {
      lanes: lanes.size, decoded: [...lanes.values()].filter(l => l.buffer).length, waveforms, playing,
      contextTime: ctx ? ctx.currentTime : 0, sampleRate: ctx ? ctx.sampleRate : 0, state: ctx ? ctx.state : "none",
      baseLatency: ctx ? ctx.baseLatency : 0, outputLatency: ctx ? (ctx.outputLatency || 0) : 0,
      startLatencyMs: startLatency, position: position(), pps: view.pps, loop: view.loop, selection: view.selection,
      levels: Object.fromEntries([...lanes.values()].map(l => [l.key, l.level])),
    };
  }

  return { bind, bindTap, viewportWidth, dispose, setLanes, mix, setView, play, stop, toggle, seek, position, positions, taps, status, exportMix };
})();
