// The recording running in the shell, as the page sees it. One store for the whole
// page: the recorder tab drives it, the navigation shows that a recording runs while
// the interviewer looks at other screens. The shell owns the recording; a reloaded page
// re-attaches with `reattach`.
import { Channel } from "@tauri-apps/api/core";
import { ipc, type AttachmentInfo, type Marker, type RecordingEvent, type RecordingState } from "./ipc";
import { errorText } from "./i18n.svelte";

export const recording = $state({
  running: false,
  testimony: "",
  paused: false,
  elapsedMs: 0,
  levelDb: -90,
  freeBytes: 0,
  hoursLeft: 0,
  markers: [] as Marker[],
  /** The attachment the last recording became. */
  saved: null as AttachmentInfo | null,
  error: "",
  /** How many interrupted recordings the last unlock recovered. */
  recovered: 0,
  /** Why the last unlock could not recover them (translated), if it could not. */
  recoveryError: "",
  /** Parts of the vault header the last unlock found damaged. */
  headerDamage: [] as string[],
  /** Counts recordings that ended, by stop or on their own, so views can refresh. */
  endings: 0,
});

function adopt(state: RecordingState): void {
  recording.running = true;
  recording.testimony = state.testimony;
  recording.paused = state.paused;
  recording.markers = state.markers;
}

function events(): Channel<RecordingEvent> {
  const channel = new Channel<RecordingEvent>();
  channel.onmessage = (e) => {
    if (e.kind === "status") {
      recording.elapsedMs = e.elapsed_ms;
      recording.levelDb = e.level_db;
      recording.paused = e.paused;
      recording.freeBytes = e.free_bytes;
      recording.hoursLeft = e.hours_left;
    } else {
      // Ended on its own (a dead microphone, a full disk) or by stop.
      recording.running = false;
      if (e.attachment) recording.saved = e.attachment;
      if (e.error) recording.error = errorText(e.error);
      recording.endings += 1;
    }
  };
  return channel;
}

export async function start(testimony: string, device: string | null): Promise<void> {
  recording.error = "";
  recording.saved = null;
  recording.elapsedMs = 0;
  recording.levelDb = -90;
  adopt(await ipc.recordStart(testimony, device, events()));
}

export async function reattach(): Promise<void> {
  const state = await ipc.recordWatch(events());
  if (state) adopt(state);
  else recording.running = false;
}

/** Asks the recorder to pause or resume. The page shows the new state when the
 * recorder reports it (its next status, within about 0.1 s), not when the request is
 * taken: the recorder pauses at its next step, and until then it still records, so a
 * "Paused" shown at once could show a clock that still moves. */
export async function setPaused(paused: boolean): Promise<void> {
  await ipc.recordPause(paused);
}

export async function mark(note: string, section: string): Promise<void> {
  const m = await ipc.recordMarker(note.trim() || null, section || null);
  recording.markers = [...recording.markers, m];
}

export async function stop(): Promise<AttachmentInfo> {
  try {
    const saved = await ipc.recordStop();
    recording.saved = saved;
    return saved;
  } finally {
    recording.running = false;
  }
}

/** 3723004 → "01:02:03". */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}
