// A chart on the screen as a file: SVG text that renders outside the app (namespace,
// size, a title, colours as attributes), or a PNG drawn from it on a canvas. The SVG
// reaches the canvas as a data: URL, which the CSP's img-src allows (blob: it does not).
import { COLOURS, FONT } from "./chart";

const SVG_NS = "http://www.w3.org/2000/svg";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/** The size a chart was drawn at (its viewBox). */
export function chartSize(svg: SVGSVGElement): { width: number; height: number } {
  const [, , w, h] = (svg.getAttribute("viewBox") ?? "").split(/\s+/).map(Number);
  return { width: w && w > 0 ? w : 640, height: h && h > 0 ? h : 400 };
}

/** Room above the chart for its title, in a saved file. */
const HEAD = 30;

/**
 * A standalone SVG document of `svg`, titled `title` (as its <title> and as a visible
 * heading, so that a chart pasted into a report says what it counts), and its size.
 */
export function svgDocument(svg: SVGSVGElement, title: string): { text: string; width: number; height: number } {
  const size = chartSize(svg);
  const width = size.width;
  const height = size.height + HEAD;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  // What only the app uses: classes, ARIA, test hooks, the comments Svelte leaves.
  const strip = (node: Element) => {
    for (const a of [...node.attributes]) {
      if (a.name === "class" || a.name === "role" || a.name.startsWith("aria-") || a.name.startsWith("data-") || a.name === "tabindex") node.removeAttribute(a.name);
    }
    for (const child of [...node.childNodes]) {
      if (child.nodeType === Node.COMMENT_NODE) child.remove();
      else if (child.nodeType === Node.ELEMENT_NODE) strip(child as Element);
    }
  };
  strip(clone);
  for (const old of clone.querySelectorAll(":scope > title")) old.remove();
  const el = (name: string, attrs: Record<string, string>, text?: string) => {
    const e = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const body = el("g", { transform: `translate(0 ${HEAD})` });
  body.append(...clone.childNodes);
  clone.append(
    el("title", {}, title),
    el("rect", { x: "0", y: "0", width: String(width), height: String(height), fill: COLOURS.background }),
    el("text", { x: "6", y: "20", "font-size": "15", "font-weight": "600", fill: COLOURS.ink }, title),
    body,
  );
  clone.setAttributeNS(XMLNS_NS, "xmlns", SVG_NS);
  clone.setAttribute("viewBox", `0 0 ${width} ${height}`);
  clone.setAttribute("width", String(width));
  clone.setAttribute("height", String(height));
  clone.setAttribute("font-family", FONT);
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
  return { text, width, height };
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The SVG document drawn on a canvas at `scale` times its size, as PNG bytes. */
export async function pngBytes(svgText: string, width: number, height: number, scale = 2): Promise<Uint8Array> {
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error("the chart did not load as an image"));
  });
  image.src = `data:image/svg+xml;base64,${base64(new TextEncoder().encode(svgText))}`;
  await loaded;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no canvas");
  ctx.fillStyle = COLOURS.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the chart could not be drawn as PNG"))), "image/png"),
  );
  return new Uint8Array(await blob.arrayBuffer());
}

/** The chart as the bytes of a file of `kind`. */
export async function chartBytes(svg: SVGSVGElement, title: string, kind: "svg" | "png"): Promise<Uint8Array> {
  const { text, width, height } = svgDocument(svg, title);
  return kind === "svg" ? new TextEncoder().encode(text) : pngBytes(text, width, height);
}
