// What the layout tests (layout.e2e.ts) look for on a screen, run inside the window: a
// self-contained function, since WebDriver sends its source text to the page.
//
// 1. An interactive element that cannot be brought into sight: outside the viewport,
//    or clipped by an ancestor, with no scroll container able to scroll it into view.
// 2. Two texts that overlap (from the boxes of their lines), among everything in the
//    normal flow; text in sticky, fixed or absolutely placed layers (a sticky bar, an
//    open drop-down) is left out, since those are meant to lie over what scrolls under
//    them, and so is the text of charts (SVG), which their own tests check.
// 3. Two labels on one line with hardly any room between them ("trust them Name to trust them
//    under"): labels that run into each other read as one.
// 4. The lock button missing, hidden, not wholly in the viewport, or covered.
// 5. A screen whose content scrolls sideways as a whole (a table wider than it).

export interface LayoutReport {
  width: number;
  height: number;
  problems: string[];
  /** How many interactive elements and text lines were looked at: a check that saw nothing proves nothing. */
  controls: number;
  lines: number;
}

export function layoutProblems(): LayoutReport {
  const vw = document.documentElement.clientWidth;
  const vh = document.documentElement.clientHeight;
  const problems: string[] = [];
  type Box = { left: number; top: number; right: number; bottom: number };
  const describe = (e: Element): string => {
    const id = e.id ? `#${e.id}` : "";
    const testid = e.getAttribute("data-testid") ? `[data-testid=${e.getAttribute("data-testid")}]` : "";
    const text = (e.textContent || e.getAttribute("aria-label") || (e as HTMLInputElement).placeholder || "").replace(/\s+/g, " ").trim().slice(0, 50);
    return `${e.tagName.toLowerCase()}${id}${testid} "${text}"`;
  };
  // The content of a closed <details> is not drawn, but WebKit still gives its
  // elements boxes (it hides them in the element's shadow tree, out of the DOM's
  // sight): only the summary of a closed one counts.
  const inClosedDetails = (e: Element): boolean => {
    for (let d = e.closest("details"); d; d = d.parentElement?.closest("details") ?? null) {
      const summary = d.querySelector(":scope > summary");
      if (!d.open && !(summary && summary.contains(e))) return true;
    }
    return false;
  };
  const shown = (e: Element): boolean => {
    if (inClosedDetails(e)) return false;
    const s = getComputedStyle(e);
    if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) return false;
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && !e.closest(".visually-hidden");
  };
  const scrolls = (e: Element): boolean => {
    const s = getComputedStyle(e);
    return (/(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1) || (/(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1);
  };
  const clips = (e: Element): boolean => {
    const s = getComputedStyle(e);
    return s.overflowX !== "visible" || s.overflowY !== "visible";
  };
  const within = (r: Box, c: Box): boolean => r.left >= c.left - 1 && r.top >= c.top - 1 && r.right <= c.right + 1 && r.bottom <= c.bottom + 1;
  // An open modal dialog is the layer in front: its text is what is read (and checked),
  // and what lies behind it is not.
  const modal = [...document.querySelectorAll("dialog[open]")].find((d) => d.matches(":modal")) ?? null;
  const layered = (e: Element): boolean => {
    for (let a: Element | null = e; a && a !== document.body && a !== modal; a = a.parentElement) {
      const p = getComputedStyle(a).position;
      if (p === "sticky" || p === "fixed" || p === "absolute") return true;
    }
    return false;
  };

  // Whether box `r` of element `e` can be brought into sight: each clipping ancestor
  // either holds it, or scrolls and its scrollable area holds it (then the ancestor's
  // own box must be reachable in turn); the page itself at the top.
  // A modal dialog is in the top layer: what contains it in the DOM does not clip it.
  const reachable = (r: Box, e: Element): boolean => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (a === document.body || a === document.documentElement) break;
      if (e.closest("dialog") === modal && modal && !modal.contains(a)) break;
      if (!clips(a)) continue;
      const c = a.getBoundingClientRect();
      if (within(r, c)) continue;
      if (!scrolls(a)) return false;
      // Its place in the scroll container's content.
      const top = r.top - c.top + a.scrollTop;
      const left = r.left - c.left + a.scrollLeft;
      const h = Math.min(r.bottom - r.top, c.height);
      const w = Math.min(r.right - r.left, c.width);
      if (top < -1 || left < -1 || top + h > a.scrollHeight + 1 || left + w > a.scrollWidth + 1) return false;
      return reachable(c, a);
    }
    if (within(r, { left: 0, top: 0, right: vw, bottom: vh })) return true;
    const page = document.scrollingElement ?? document.documentElement;
    const bodyStyle = getComputedStyle(document.body);
    const pageScrolls = bodyStyle.overflow !== "hidden" && (page.scrollHeight > vh + 1 || page.scrollWidth > vw + 1);
    return pageScrolls && r.left + window.scrollX >= -1 && r.top + window.scrollY >= -1 && r.right + window.scrollX <= page.scrollWidth + 1 && r.bottom + window.scrollY <= page.scrollHeight + 1;
  };

  let controls = 0;
  const interactive = "button, a[href], input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1']), [contenteditable=true]";
  for (const e of document.querySelectorAll(interactive)) {
    if (!shown(e)) continue;
    // Inside a closed <details> or <dialog>, nothing is shown: `shown` says so.
    controls++;
    if (!reachable(e.getBoundingClientRect(), e)) problems.push(`out of reach (no scroll brings it into sight): ${describe(e)}`);
  }

  // The visible part of a box: cut by every clipping ancestor and the viewport.
  const visiblePart = (r: Box, e: Element): Box | null => {
    // (A DOMRect's sides are getters: spreading it would copy nothing.)
    let b = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (modal && modal.contains(e) && !modal.contains(a)) break;
      if (!clips(a)) continue;
      const c = a.getBoundingClientRect();
      b = { left: Math.max(b.left, c.left), top: Math.max(b.top, c.top), right: Math.min(b.right, c.right), bottom: Math.min(b.bottom, c.bottom) };
    }
    b = { left: Math.max(b.left, 0), top: Math.max(b.top, 0), right: Math.min(b.right, vw), bottom: Math.min(b.bottom, vh) };
    return b.right - b.left > 1 && b.bottom - b.top > 1 ? b : null;
  };

  // Every line of every text node in the normal flow, with the element it belongs to.
  type Line = Box & { owner: Element; label: Element | null };
  const lines: Line[] = [];
  const walker = document.createTreeWalker(modal ?? document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent || !n.textContent.trim()) continue;
    const owner = n.parentElement;
    if (!owner || owner.closest("svg, script, style, option, .visually-hidden") || !shown(owner) || layered(owner)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      const part = visiblePart(r, owner);
      if (part) lines.push({ ...part, owner, label: owner.closest("label, legend") });
    }
  }
  const seen = new Set<string>();
  lines.forEach((a, i) => {
    for (const b of lines.slice(i + 1)) {
      if (a.owner === b.owner) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      // Lines of two texts overlap: more than the few pixels line boxes may share.
      if (w > 2 && h > 3) {
        const key = `overlap ${describe(a.owner)} / ${describe(b.owner)}`;
        if (!seen.has(key)) problems.push(`texts overlap: ${describe(a.owner)} and ${describe(b.owner)}`);
        seen.add(key);
        continue;
      }
      // Two labels on one line with no more than a space or two between them (a space
      // is about 4 px at this size; rows of options keep 12 px and more).
      if (a.label && b.label && a.label !== b.label && !a.label.contains(b.label) && !b.label.contains(a.label)) {
        const sameLine = h > 0.5 * Math.min(a.bottom - a.top, b.bottom - b.top);
        const gap = Math.max(a.left, b.left) - Math.min(a.right, b.right);
        if (sameLine && gap < 8) {
          const key = `runs ${describe(a.label)} / ${describe(b.label)}`;
          if (!seen.has(key)) problems.push(`labels run into each other: ${describe(a.label)} and ${describe(b.label)}`);
          seen.add(key);
        }
      }
    }
  });

  // The screen's content must not scroll sideways as a whole: a wide table scrolls
  // within itself (or reflows), so that a screen read top to bottom loses no column.
  const content = document.querySelector("#content");
  if (content && content.scrollWidth > content.clientWidth + 1) {
    const edge = content.getBoundingClientRect().left - content.scrollLeft + content.clientWidth;
    // What sticks out: an element, or a text that overflows its element (a long word).
    const wide = [...content.querySelectorAll("*")].filter((x) => x.getBoundingClientRect().right > edge + 1);
    const texts = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    for (let n = texts.nextNode(); n && wide.length < 8; n = texts.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(n);
      if (n.parentElement && [...range.getClientRects()].some((r) => r.right > edge + 1)) wide.push(n.parentElement);
    }
    problems.push(`the screen scrolls sideways (${content.scrollWidth} > ${content.clientWidth} px): ${wide.slice(0, 4).map(describe).join(", ")}`);
  }

  // On every screen of an open vault the lock button is there, drawn, wholly in sight,
  // and nothing covers it (what the pointer would hit at its middle is the button).
  if (document.querySelector(".layout")) {
    const lock = document.querySelector("[data-testid=lock]");
    const r = lock?.getBoundingClientRect();
    if (!lock || !r || !shown(lock)) problems.push("the lock button is missing or hidden");
    else if (!within(r, { left: 0, top: 0, right: vw, bottom: vh })) problems.push("the lock button is not wholly in sight");
    else if (!modal) {
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !lock.contains(hit)) problems.push(`the lock button is covered by ${hit ? describe(hit) : "nothing drawn"}`);
    }
  }

  return { width: vw, height: vh, problems, controls, lines: lines.length };
}
