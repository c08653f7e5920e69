// The listening-test player (one per clip: reports name their clip, so a late one never counts for the next): play and pause only (no seeking, so "heard to the end" means heard),
// and the playback position reported to the page a few times a second and at the end.
const reportEveryMs = 250;

export function attach(audio, page, clip) {
    let last = 0;
    const report = (ended) => {
        const now = performance.now();
        if (!ended && now - last < reportEveryMs) return;
        last = now;
        page.invokeMethodAsync('Progress', clip, ended ? audio.duration : audio.currentTime, ended, !audio.paused);
    };
    audio.addEventListener('timeupdate', () => report(false));
    audio.addEventListener('pause', () => { last = 0; report(false); });
    audio.addEventListener('ended', () => report(true));
}

export async function toggle(audio) {
    if (audio.paused) {
        await audio.play();
        return true;
    }
    audio.pause();
    return false;
}

export function stop(audio) {
    audio.pause();
}
