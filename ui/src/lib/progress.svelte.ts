import type { ProgressEvent } from "./ipc";

/** Follows one long operation's progress events, for the Progress component. */
export class Tracker {
  total = $state<number | null>(null);
  done = $state(0);
  active = $state(false);
  on = (e: ProgressEvent): void => {
    if (e.kind === "begin") {
      this.total = e.total;
      this.done = 0;
      this.active = true;
    } else if (e.kind === "advance") {
      this.done = e.done;
    } else {
      this.active = false;
    }
  };
}
