// The studio's browser side: one <audio> element per track or candidate (served with range requests),
// optional wavesurfer.js waveforms bound to those elements, the transport (play, pause, stop, clock,
// mute, solo, gain), the space-bar shortcut, and the drag-and-drop upload with per-file progress.
window.stemgen = (() => {
  const players = new Map(); // key -> { audio, gain (linear), muted }
  let waveforms = 0;
  let current = [];          // keys of the set that plays or is paused
  let clock = null;          // element showing position / length

  function apply(player) {
    player.audio.volume = player.muted ? 0 : Math.min(1, player.gain);
    player.audio.muted = player.muted;
  }

  // Tracks and candidates: (keys, container ids, audio and peaks URLs). Called after every render,
  // because a grid may replace a row's elements: a waveform whose container is new is drawn again.
  async function attachAll(items) {
    for (const item of items) await attach(item.key, item.containerId, item.audioUrl, item.peaksUrl);
  }

  async function attach(key, containerId, audioUrl, peaksUrl) {
    let player = players.get(key);
    if (!player) {
      const audio = new Audio();
      audio.preload = "metadata";
      audio.src = audioUrl;
      player = { audio, gain: 1, muted: false, peaks: null, container: null, wave: null };
      players.set(key, player);
    }
    const container = document.getElementById(containerId);
    if (!container || !window.WaveSurfer || player.container === container) return; // no waveforms: playing still works
    player.container = container;
    try {
      if (!player.peaks) {
        const response = await fetch(peaksUrl, { credentials: "same-origin" });
        if (!response.ok) return;
        player.peaks = await response.json();
      }
      player.wave?.destroy();
      player.wave = window.WaveSurfer.create({
        container, media: player.audio, peaks: player.peaks.peaks, duration: player.peaks.duration,
        height: container.clientHeight || 48, waveColor: "#7a8fa6", progressColor: "#3d84c6", // readable on the light and the dark theme
        cursorWidth: 1, normalize: true,
      });
      waveforms++;
    } catch (e) { console.warn("waveform", key, e); }
  }

  function detach(key) {
    const player = players.get(key);
    if (!player) return;
    player.wave?.destroy();
    player.audio.pause();
    player.audio.removeAttribute("src");
    players.delete(key);
  }

  function chosen() { return current.map(k => players.get(k)).filter(p => p); }

  // Plays the given tracks together from the start (or from where they were paused, when it is the same set).
  function play(keys) {
    const same = keys.length === current.length && keys.every(k => current.includes(k));
    if (!same) { stop(); current = keys.slice(); }
    const set = chosen();
    const position = same && set.length ? set[0].audio.currentTime : 0;
    set.forEach(p => { p.audio.currentTime = position; apply(p); });
    set.forEach(p => p.audio.play().catch(e => console.warn("play", e)));
    tick();
  }

  function pause() { chosen().forEach(p => p.audio.pause()); }

  function stop() {
    players.forEach(p => { p.audio.pause(); p.audio.currentTime = 0; });
    current = [];
    render(0, 0);
  }

  function isPlaying() { return chosen().some(p => !p.audio.paused); }

  // Space bar: pause what plays, resume what was paused (a mix or an audition), else play the given tracks.
  function toggle(keys) {
    if (isPlaying()) pause();
    else play(current.length ? current : keys);
  }

  function setMuted(key, muted) {
    const player = players.get(key);
    if (player) { player.muted = muted; apply(player); }
  }

  // Gain in dB (0 = as recorded); an <audio> element cannot amplify, so the slider stops at 0 dB.
  function setGain(key, db) {
    const player = players.get(key);
    if (player) { player.gain = Math.pow(10, Math.min(0, db) / 20); apply(player); }
  }

  function format(seconds) {
    if (!isFinite(seconds)) seconds = 0;
    const m = Math.floor(seconds / 60), s = seconds - 60 * m;
    return `${m}:${s.toFixed(1).padStart(4, "0")}`;
  }

  function render(position, length) { if (clock) clock.textContent = `${format(position)} / ${format(length)}`; }

  function tick() {
    const set = chosen();
    const length = Math.max(0, ...set.map(p => p.audio.duration || 0));
    render(set.length ? set[0].audio.currentTime : 0, length);
    if (set.some(p => !p.audio.paused)) requestAnimationFrame(tick);
  }

  function bindClock(elementId) { clock = document.getElementById(elementId); render(0, 0); }

  // Space plays or pauses the mix unless the user is typing somewhere.
  function bindKeys(dotnet) {
    const handler = e => {
      if (e.code !== "Space" || e.repeat) return;
      const t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName) || t.getAttribute("role") === "slider")) return;
      e.preventDefault();
      dotnet.invokeMethodAsync("TogglePlayAsync").catch(() => {});
    };
    document.addEventListener("keydown", handler);
    return { dispose: () => document.removeEventListener("keydown", handler) };
  }

  // Uploads: each file is its own request, so each has its own progress and its own refusal reason,
  // and one bad file does not stop the others. Two at a time.
  function bindUpload(zoneId, inputId, projectId, maxFileBytes, dotnet) {
    const zone = document.getElementById(zoneId), input = document.getElementById(inputId);
    if (!zone || !input) return;
    let next = 0;
    const queue = [];
    let running = 0;

    const enqueue = files => {
      for (const file of files) {
        const id = ++next;
        dotnet.invokeMethodAsync("OnUploadQueued", id, file.name, file.size);
        if (file.size > maxFileBytes) {
          dotnet.invokeMethodAsync("OnUploadDone", id, false, `larger than the ${Math.round(maxFileBytes / 1048576)} MB limit; not sent`);
          continue;
        }
        queue.push({ id, file });
      }
      pump();
    };

    const pump = async () => {
      while (running < 2 && queue.length) {
        const item = queue.shift();
        running++;
        send(item).finally(() => { running--; pump(); });
      }
    };

    const send = async ({ id, file }) => {
      let token;
      try {
        const response = await fetch("/api/antiforgery", { credentials: "same-origin" });
        token = await response.json();
      } catch { await dotnet.invokeMethodAsync("OnUploadDone", id, false, "the studio cannot be reached"); return; }
      await new Promise(resolve => {
        const xhr = new XMLHttpRequest();
        let last = 0;
        xhr.open("POST", `/api/projects/${projectId}/stems`);
        xhr.setRequestHeader(token.headerName, token.token);
        xhr.upload.onprogress = e => {
          const now = performance.now();
          if (e.lengthComputable && now - last > 200) { last = now; dotnet.invokeMethodAsync("OnUploadProgress", id, 100 * e.loaded / e.total); }
        };
        xhr.onload = () => { dotnet.invokeMethodAsync("OnUploadDone", id, xhr.status >= 200 && xhr.status < 300, describe(xhr)); resolve(); };
        xhr.onerror = () => { dotnet.invokeMethodAsync("OnUploadDone", id, false, "the connection broke off; nothing was stored"); resolve(); };
        const form = new FormData();
        form.append("files", file, file.name);
        xhr.send(form);
      });
    };

    const describe = xhr => {
      try {
        const body = JSON.parse(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) return body.map(s => `${s.name} (${s.category})`).join(", ");
        if (body.refusals) return body.refusals.map(r => r.message).join("; ");
        return body.detail || body.error || `refused (${xhr.status})`;
      } catch { return xhr.status >= 200 && xhr.status < 300 ? "" : `refused (${xhr.status})`; }
    };

    input.addEventListener("change", () => { enqueue(Array.from(input.files)); input.value = ""; });
    zone.addEventListener("dragover", e => { e.preventDefault(); zone.classList.add("dragging"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
    zone.addEventListener("drop", e => { e.preventDefault(); zone.classList.remove("dragging"); enqueue(Array.from(e.dataTransfer.files)); });
    zone.dataset.ready = "true"; // files chosen before this would be lost: tests wait for it
  }

  function submitForm(id) { document.getElementById(id)?.requestSubmit(); }

  function click(id) { document.getElementById(id)?.click(); }

  // For tests and the console: how many players are playing, how many waveforms are drawn.
  function status() {
    let playing = 0;
    players.forEach(p => { if (!p.audio.paused) playing++; });
    return { players: players.size, playing, waveforms };
  }

  return { attachAll, detach, play, pause, stop, toggle, setMuted, setGain, bindClock, bindKeys, bindUpload, submitForm, click, status };
})();
