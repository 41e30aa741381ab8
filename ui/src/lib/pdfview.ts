// A PDF shown in the window from bytes in memory, with pdf.js (its legacy build: the
// modern one uses JavaScript older WebKitGTK lacks). Under the app's CSP and frozen
// prototype (../shared/notes/reports-charts-matching.md):
// - the bytes go in as `data`, never as a URL (a blob: URL is refused by connect-src,
//   and no object URL or file is made of a report);
// - the worker is a module worker built by Vite from the same origin ('self'), handed
//   to pdf.js as `GlobalWorkerOptions.workerPort`; there is no fallback to a worker on
//   the page's thread (no `workerSrc`), so a worker that cannot start is an error;
// - no eval (`isEvalSupported: false`), no WebAssembly (`useWasm: false`), nothing
//   fetched (the reports embed their fonts).
// One viewer per report window: its worker ends with it (`destroy`), and with it
// whatever of the report the worker held.
import { getDocument, GlobalWorkerOptions, TextLayer, type PDFDocumentLoadingTask, type PDFDocumentProxy, type RenderTask } from "pdfjs-dist/legacy/build/pdf.mjs";

/** A page's size in CSS pixels at a scale. */
export interface PageSize {
  n: number;
  width: number;
  height: number;
}

export class PdfViewer {
  #worker: Worker | null;
  #task: PDFDocumentLoadingTask | null = null;
  #doc: PDFDocumentProxy | null = null;
  #renders = new Set<RenderTask>();
  #layers = new Set<TextLayer>();
  // Rejected once the worker fails (it could not load, or it crashed).
  #failed: Promise<never>;

  constructor() {
    const worker = new Worker(new URL("pdfjs-dist/legacy/build/pdf.worker.min.mjs", import.meta.url), { type: "module" });
    this.#worker = worker;
    this.#failed = new Promise<never>((_, reject) => {
      worker.addEventListener("error", (e) => {
        e.preventDefault();
        reject(new Error("the PDF worker failed"));
      });
    });
    // Nothing waits on it until a document is opened.
    this.#failed.catch(() => {});
    GlobalWorkerOptions.workerPort = worker;
  }

  /** Opens a document (closing the one before); its number of pages. */
  async open(bytes: Uint8Array): Promise<number> {
    await this.close();
    if (!this.#worker) throw new Error("the viewer was destroyed");
    // pdf.js takes the buffer over (it is moved to the worker, not copied).
    const task = getDocument({
      data: bytes,
      useWasm: false,
      isEvalSupported: false,
      useSystemFonts: false,
      disableAutoFetch: true,
      stopAtErrors: false,
      verbosity: 0,
    });
    this.#task = task;
    const doc = await Promise.race([task.promise, this.#failed]);
    if (this.#task !== task) {
      await doc.destroy();
      throw new Error("closed while opening");
    }
    this.#doc = doc;
    return doc.numPages;
  }

  /** The size of every page at `scale` (CSS pixels), from the first to the last. */
  async sizes(scale: number): Promise<PageSize[]> {
    const doc = this.#need();
    const out: PageSize[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const viewport = (await doc.getPage(n)).getViewport({ scale });
      out.push({ n, width: Math.floor(viewport.width), height: Math.floor(viewport.height) });
    }
    return out;
  }

  /** The width of the first page at scale 1 (PDF points), to fit pages to a width. */
  async firstWidth(): Promise<number> {
    const page = await this.#need().getPage(1);
    return page.getViewport({ scale: 1 }).width;
  }

  /**
   * Draws page `n` into `canvas` at `scale`, sharp on the screen's pixel ratio, and its
   * text into `textLayer` (transparent text over the canvas, for selecting and for
   * screen readers).
   */
  async draw(n: number, scale: number, canvas: HTMLCanvasElement, textLayer: HTMLElement): Promise<void> {
    const doc = this.#need();
    const page = await doc.getPage(n);
    const viewport = page.getViewport({ scale });
    const ratio = Math.max(1, Math.min(3, globalThis.devicePixelRatio || 1));
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    const render = page.render({
      canvas,
      viewport,
      transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0],
    });
    this.#renders.add(render);
    try {
      await Promise.race([render.promise, this.#failed]);
    } finally {
      this.#renders.delete(render);
    }
    textLayer.replaceChildren();
    textLayer.style.setProperty("--total-scale-factor", String(scale));
    textLayer.style.setProperty("--scale-round-x", "1px");
    textLayer.style.setProperty("--scale-round-y", "1px");
    const layer = new TextLayer({ textContentSource: page.streamTextContent(), container: textLayer, viewport });
    this.#layers.add(layer);
    try {
      await Promise.race([layer.render(), this.#failed]);
    } finally {
      this.#layers.delete(layer);
    }
    page.cleanup();
  }

  /** Stops drawing and closes the document (the worker stays for the next one). */
  async close(): Promise<void> {
    for (const r of this.#renders) r.cancel();
    for (const l of this.#layers) l.cancel();
    this.#renders.clear();
    this.#layers.clear();
    const task = this.#task;
    this.#task = null;
    this.#doc = null;
    if (task) {
      try {
        await task.destroy();
      } catch {
        // Already gone with its worker.
      }
    }
  }

  /** Closes the document and ends the worker. */
  async destroy(): Promise<void> {
    await this.close();
    if (GlobalWorkerOptions.workerPort === this.#worker) GlobalWorkerOptions.workerPort = null;
    this.#worker?.terminate();
    this.#worker = null;
    // pdf.js keeps canvases it measured text with, page to page; they go too.
    TextLayer.cleanup();
  }

  #need(): PDFDocumentProxy {
    if (!this.#doc) throw new Error("no document is open");
    return this.#doc;
  }
}
