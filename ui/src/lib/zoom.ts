// The page's zoom (text and layout together), one of a few steps; the shell applies it
// to the window and keeps it in the settings, within 50–200 % whatever is sent (200 %
// is the most every screen is laid out and tested at).
// Ctrl + and Ctrl − step through them, Ctrl 0 goes back to 100 %.

export const ZOOMS = [100, 125, 150, 175, 200] as const;

/** The step after `current` in `direction` (+1 larger, −1 smaller), within the steps. */
export function stepZoom(current: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOMS.find((z) => z > current) ?? 200;
  return [...ZOOMS].reverse().find((z) => z < current) ?? 100;
}

/** What a key press asks of the zoom: a new zoom, or null when it is not a zoom key. */
export function zoomKey(e: Pick<KeyboardEvent, "ctrlKey" | "metaKey" | "altKey" | "key">, current: number): number | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (e.key === "+" || e.key === "=") return stepZoom(current, 1);
  if (e.key === "-" || e.key === "_") return stepZoom(current, -1);
  if (e.key === "0") return 100;
  return null;
}
