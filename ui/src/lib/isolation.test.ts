// The isolation frame's screen (ui/isolation/screen.js) and the page: every call the page
// makes passes it, marked with its command; what lies outside the allow-list is turned
// into a refusal. The shell's half is tested in src-tauri/src/isolation/tests.rs.
import { describe, expect, it, vi, beforeAll } from "vitest";

type Message = { cmd: string; callback: number; error: number; payload: unknown; options?: unknown };
type Screen = (allowed: Record<string, Record<string, string> | null>, m: Message) => Message;
const calls: { cmd: string; args: unknown }[] = [];

vi.mock("@tauri-apps/api/core", () => {
  let next = 1;
  class Channel {
    id = next++;
    onmessage: (e: unknown) => void = () => {};
    // As Tauri's Channel: sent as "__CHANNEL__:<id>".
    toJSON() {
      return `__CHANNEL__:${this.id}`;
    }
  }
  return {
    Channel,
    invoke: async (cmd: string, args?: unknown) => {
      calls.push({ cmd, args: JSON.parse(JSON.stringify(args ?? {})) });
      return null;
    },
  };
});

let screen: Screen;
let allowed: Record<string, Record<string, string> | null>;

beforeAll(async () => {
  // Plain scripts of the frame, without types: loaded by a path the type checker does
  // not follow.
  const frame = "../../isolation/";
  await import(/* @vite-ignore */ `${frame}allowed.js`);
  await import(/* @vite-ignore */ `${frame}screen.js`);
  const g = globalThis as unknown as { kuaScreen: Screen; KUA_ALLOWED: typeof allowed };
  screen = g.kuaScreen;
  allowed = g.KUA_ALLOWED;
});

const message = (cmd: string, payload: unknown): Message => ({ cmd, callback: 1, error: 2, payload });

describe("the isolation screen", () => {
  it("marks what passes with its command and leaves Tauri's own alone", () => {
    const out = screen(allowed, message("erase_vault", { confirm: "ERASE" }));
    expect(out.cmd).toBe("erase_vault");
    expect(out.payload).toEqual({ confirm: "ERASE", __kua_cmd: "erase_vault" });
    expect(out.callback).toBe(1);
    expect(screen(allowed, message("lock", {})).payload).toEqual({ __kua_cmd: "lock" });
    const listen = message("plugin:event|listen", { event: "tauri://drag-drop", target: { kind: "Any" }, handler: 4 });
    expect(screen(allowed, listen).payload).toEqual(listen.payload);
    const fetch = screen(allowed, message("plugin:__TAURI_CHANNEL__|fetch", null));
    expect(fetch.cmd).toBe("plugin:__TAURI_CHANNEL__|fetch");
    expect(fetch.payload).toBeNull();
  });

  it("turns everything else into a refusal that names it and says why", () => {
    const refused = (cmd: string, payload: unknown) => {
      const out = screen(allowed, message(cmd, payload));
      expect(out.cmd, cmd).toBe("ipc_refused");
      const p = out.payload as { __kua_cmd: string; refused: string; why: string };
      expect(p.__kua_cmd).toBe("ipc_refused");
      expect(p.refused).toBe(cmd.slice(0, 80));
      return p.why;
    };
    expect(refused("plugin:fs|read_text_file", { path: "/etc/shadow" })).toBe("not one of Kua's commands");
    expect(refused("plugin:shell|open", { path: "https://example.org" })).toBe("not one of Kua's commands");
    expect(refused("__proto__", {})).toBe("not one of Kua's commands");
    expect(refused("erase_vault", { confirm: "ERASE", path: "/" })).toBe("an argument it does not take (path)");
    expect(refused("erase_vault", {})).toBe("no confirm");
    expect(refused("erase_vault", { confirm: 1 })).toBe("confirm is not string");
    expect(refused("show", { id: "T-1", version: "2" })).toBe("version is not number?");
    expect(refused("show", { id: null, version: null })).toBe("id is not string");
    expect(refused("verify", { progress: "__CHANNEL__:x" })).toBe("progress is not channel");
    expect(refused("add", { input: [] })).toBe("input is not object");
    expect(refused("add", { input: new Date(0) })).toBe("input is not object");
    expect(refused("add", { input: new Map() })).toBe("input is not object");
    expect(refused("lock", new Map())).toBe("arguments that are not an object");
    expect(refused("save_chart", { path: "/tmp/a.png", bytes: "AAAA" })).toBe("bytes is not array");
    expect(refused("lock", [1, 2])).toBe("arguments that are not an object");
    expect(refused("lock", new Uint8Array(4))).toBe("arguments that are not an object");
    expect(refused("plugin:__TAURI_CHANNEL__|fetch", { id: 1 })).toBe("arguments to a command that takes none");
    expect(refused("record_pause", { paused: true, __kua_cmd: "erase_vault" })).toBe("an argument it does not take (__kua_cmd)");
  });

  it("lets through every call the page makes, and the allow-list holds nothing the page never calls", async () => {
    const { ipc } = await import("./ipc");
    const names = Object.keys(ipc) as (keyof typeof ipc)[];
    expect(names.length).toBeGreaterThan(80);
    for (const name of names) {
      const fn = ipc[name] as (...a: unknown[]) => Promise<unknown>;
      // Placeholder arguments: the screen's types are checked with real values by the
      // end-to-end tests; here every call's command and argument names must pass.
      calls.length = 0;
      await fn(...Array.from({ length: fn.length }, () => "x"));
      expect(calls.length, name).toBe(1);
      const call = calls[0]!;
      const listed = allowed[call.cmd];
      expect(listed, `${name} calls ${call.cmd}`).toBeTruthy();
      expect(Object.keys(call.args as object).sort(), name).toEqual(Object.keys(listed ?? {}).sort());
      seen.add(call.cmd);
    }
    const ours = Object.keys(allowed).filter((c) => !c.startsWith("plugin:"));
    expect(ours.filter((c) => !seen.has(c))).toEqual([]);
  });
});

const seen = new Set<string>();
