// Keyboard first (issue #18): a form or dialog that appears puts the cursor in its first
// field, and Escape in a form nothing was typed in presses its Cancel button (marked
// `data-cancel`). Enter
// submits a form natively; a modal dialog closes on Escape natively.
//
// The cursor is moved only from where nothing is being typed: the page itself, or the
// button, link or summary that opened the form. A component that put focus somewhere
// on purpose (a heading, a chosen field) keeps it, and so does anyone typing when a
// form appears elsewhere. A field out of sight is not focused, so that nothing scrolls
// away under the reader.

const FIELDS = "input:not([type=hidden]):not([disabled]):not([readonly]), select:not([disabled]), textarea:not([disabled]):not([readonly]), [contenteditable=true]";

function visible(e: Element): boolean {
  const r = e.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const s = getComputedStyle(e);
  return s.visibility !== "hidden" && s.display !== "none" && !e.closest("details:not([open]) > :not(summary), .visually-hidden");
}

/** Whether `e` is wholly in sight: in the window and in every box that clips it (the
 * content's scroll box, under the navigation's top row on a narrow screen). */
function inView(e: Element): boolean {
  const r = e.getBoundingClientRect();
  if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight || r.right > window.innerWidth) return false;
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === "visible" && s.overflowY === "visible") continue;
    const c = a.getBoundingClientRect();
    if (r.top < c.top || r.left < c.left || r.bottom > c.bottom || r.right > c.right) return false;
  }
  return true;
}

/** The first field of `root` a person can type in, or null. */
export function firstField(root: Element): HTMLElement | null {
  for (const e of root.querySelectorAll<HTMLElement>(FIELDS)) {
    if (visible(e)) return e;
  }
  return null;
}

/** Whether focus may move from `active` into `target` without taking it from someone typing. */
function free(active: Element | null, target: Element): boolean {
  if (!active || active === document.body || active === document.documentElement) return true;
  if (target.contains(active)) return false;
  // Not from a tab: arrowing through tabs onto a panel with a form must leave the
  // arrows on the tabs.
  return active.matches("button:not([role=tab]), a, summary");
}

function focusFirst(target: Element): void {
  const field = firstField(target);
  if (!field || !inView(field) || !free(document.activeElement, target)) return;
  field.focus({ preventScroll: true });
}

/**
 * Watches `root` for forms and dialogs that appear, and focuses their first field;
 * returns the function that stops watching.
 */
export function watchForms(root: Element): () => void {
  let pending = new Set<Element>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const targets = [...pending];
    pending = new Set();
    // The first that appeared wins; nested ones are part of it.
    for (const t of targets) {
      if (!t.isConnected || targets.some((o) => o !== t && o.contains(t))) continue;
      focusFirst(t);
      break;
    }
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes" && r.target instanceof HTMLDialogElement && r.target.open) pending.add(r.target);
      for (const n of r.addedNodes) {
        if (!(n instanceof Element)) continue;
        if (n.matches("form, dialog[open]")) pending.add(n);
        else {
          const inner = n.querySelector("form, dialog[open]");
          if (inner) pending.add(inner);
        }
      }
    }
    if (pending.size > 0 && !scheduled) {
      scheduled = true;
      // After the components' own effects, which may focus something on purpose.
      requestAnimationFrame(flush);
    }
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["open"] });
  root.addEventListener("input", markTouched, true);
  root.addEventListener("change", markTouched, true);
  return () => {
    observer.disconnect();
    root.removeEventListener("input", markTouched, true);
    root.removeEventListener("change", markTouched, true);
  };
}

// Forms something was typed or chosen in since they appeared: Escape never throws
// away work, only an untouched form (Cancel, pressed on purpose, still does).
const touched = new WeakSet<Element>();

/** Marks the form an input event came from as touched (installed once, by `watchForms`). */
function markTouched(e: Event): void {
  const form = e.target instanceof Element ? e.target.closest("form, [data-form]") : null;
  if (form) touched.add(form);
}

/** Escape inside an untouched form with a Cancel button presses it; whether it did. */
export function escapeCancels(e: KeyboardEvent): boolean {
  if (e.key !== "Escape" || e.defaultPrevented) return false;
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active.closest("dialog[open]")) return false;
  const scope = active.closest("form, [data-form]");
  if (scope && touched.has(scope)) return false;
  const cancel = scope?.querySelector<HTMLButtonElement>("button[data-cancel]:not([disabled])");
  if (!cancel) return false;
  e.preventDefault();
  cancel.click();
  return true;
}
