// The narrative editor is a contenteditable element with one block per paragraph:
// WebKitGTK re-lays out a whole <textarea> on every keystroke (640 ms per key in a
// 1 MB narrative on this machine), but only the edited block of a contenteditable
// (about 15 ms). These functions move plain text in and out of it; no HTML from the
// user ever reaches the DOM (text goes in as text nodes, paste is taken as plain text).

/** Replaces the editor's content with `text`, one <div> per line. */
export function render(root: HTMLElement, text: string): void {
  const blocks = text.split("\n").map((line) => {
    const div = document.createElement("div");
    if (line) div.textContent = line;
    else div.appendChild(document.createElement("br"));
    return div;
  });
  root.replaceChildren(...blocks);
}

const BLOCKS = new Set(["DIV", "P", "LI", "H1", "H2", "H3", "H4", "H5", "H6", "PRE", "BLOCKQUOTE"]);

/** The editor's text: blocks and line breaks become "\n". */
export function serialise(root: HTMLElement): string {
  const lines: string[] = [];
  let cur: string | null = null;
  const flush = () => {
    if (cur !== null) lines.push(cur);
    cur = null;
  };
  const walk = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) {
      cur = (cur ?? "") + (node.nodeValue ?? "");
      return;
    }
    if (!(node instanceof HTMLElement)) return;
    if (node.tagName === "BR") {
      // A <br> that ends a block only keeps an empty block open; elsewhere it breaks.
      if (node.nextSibling === null && node.parentElement !== root && BLOCKS.has(node.parentElement?.tagName ?? "")) {
        cur ??= "";
      } else {
        lines.push(cur ?? "");
        cur = null;
      }
      return;
    }
    if (BLOCKS.has(node.tagName)) {
      flush();
      node.childNodes.forEach(walk);
      cur ??= "";
      flush();
      return;
    }
    node.childNodes.forEach(walk);
  };
  root.childNodes.forEach(walk);
  flush();
  return lines.join("\n");
}
