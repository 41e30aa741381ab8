// One form's command: busy while it runs (so a second press does nothing), and what
// went wrong in words once it fails. The words come from the caller, which knows the
// context an error code needs (a case's state, for one).

export class Action {
  busy = $state(false);
  error = $state("");
  readonly #text: (e: unknown) => string;

  constructor(text: (e: unknown) => string) {
    this.#text = text;
  }

  /** Runs `f` unless a run is under way; whether it succeeded. */
  run = async (f: () => Promise<unknown>): Promise<boolean> => {
    if (this.busy) return false;
    this.busy = true;
    this.error = "";
    try {
      await f();
      return true;
    } catch (e) {
      this.error = this.#text(e);
      return false;
    } finally {
      this.busy = false;
    }
  };

  clear(): void {
    this.error = "";
  }
}
