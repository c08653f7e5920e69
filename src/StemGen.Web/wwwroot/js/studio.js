// The studio's browser side beyond the timeline (timeline.js plays and draws the project): the drag-and-drop upload
// with per-file progress, and small helpers the pages call.
window.stemgen = (() => {
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

  return { bindUpload, submitForm, click };
})();
