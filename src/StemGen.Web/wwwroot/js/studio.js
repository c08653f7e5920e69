// The project page's browser side: one <audio> element per stem or candidate (served with range
// requests), optional wavesurfer.js waveforms bound to those elements, mute/solo, and the upload.
window.stemgen = (() => {
  const players = new Map(); // key -> HTMLAudioElement
  let waveforms = 0;

  async function attach(key, containerId, audioUrl, peaksUrl) {
    if (players.has(key)) return;
    const audio = new Audio();
    audio.preload = "metadata";
    audio.src = audioUrl;
    players.set(key, audio);
    const container = document.getElementById(containerId);
    if (!container || !window.WaveSurfer) return; // no waveforms: playing still works
    try {
      const response = await fetch(peaksUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      window.WaveSurfer.create({
        container, media: audio, peaks: data.peaks, duration: data.duration,
        height: 48, waveColor: "#7a8fa6", progressColor: "#2b5b84", cursorWidth: 1, normalize: true,
      });
      waveforms++;
    } catch (e) { console.warn("waveform", key, e); }
  }

  function play(keys) {
    stop();
    const chosen = keys.map(k => players.get(k)).filter(a => a);
    chosen.forEach(a => { a.currentTime = 0; });
    chosen.forEach(a => a.play().catch(e => console.warn("play", e)));
  }

  function stop() {
    players.forEach(a => { a.pause(); });
  }

  function setMuted(key, muted) {
    const audio = players.get(key);
    if (audio) audio.muted = muted;
  }

  async function upload(projectId, inputId) {
    const input = document.getElementById(inputId);
    if (!input || input.files.length === 0) return "choose one or more audio files first";
    const tokenResponse = await fetch("/api/antiforgery", { credentials: "same-origin" });
    const { token, headerName } = await tokenResponse.json();
    const form = new FormData();
    for (const file of input.files) form.append("files", file, file.name);
    const response = await fetch(`/api/projects/${projectId}/stems`, {
      method: "POST", body: form, credentials: "same-origin", headers: { [headerName]: token },
    });
    if (response.ok) {
      const stems = await response.json();
      input.value = "";
      return `uploaded ${stems.length} stem(s)`;
    }
    try {
      const body = await response.json();
      if (body.refusals) return "refused: " + body.refusals.map(r => `${r.file}: ${r.message}`).join("; ");
      return body.detail || `upload failed (${response.status})`;
    } catch { return `upload failed (${response.status})`; }
  }

  // For tests and the console: how many players are playing, how many waveforms are drawn.
  function status() {
    let playing = 0;
    players.forEach(a => { if (!a.paused) playing++; });
    return { players: players.size, playing, waveforms: waveforms };
  }

  return { attach, play, stop, setMuted, upload, status };
})();
