// Body maps in the real window (Istanbul Protocol, Annex III). A draft with consent and
// a photograph attached is prepared with the `kua` command. In Kazakh, a mark is placed
// by clicking the front view and dragged elsewhere, another is added from the region
// list and moved with the arrow keys, both are described (one linked to the
// photograph), a region is marked declined, and the testimony is sealed: the read-only
// view draws both marks and the table names the photograph. The `kua` command reads the
// same marks back. An amendment by the command adds a third mark; in English, the
// history says "mark 3 added on …". Every view is photographed in kk and en and checked
// with axe-core.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kuaOn, COMPLETE, ROOT, axe, click, el, openApp, screenshot, startDriver, stopDriver, type, waitText, work, type Browser } from "./harness";

const PASS = "дене сызбасы 2026 желтоқсан";
const home = join(work, "body");
const vault = join(home, "vault.kua");
const photoPath = join(work, "body-src", "білек.png");
// A 4×4 red PNG.
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63f8cfc00047" +
  "0cc47100ae930ff1d05f239e0000000049454e44ae426082", "hex");
const ATLAS = { ...JSON.parse(readFileSync(join(ROOT, "assets", "body", "atlas.json"), "utf8")) } as {
  regions: { id: string; label: { en: string; ru: string; kk: string }; anchors: Record<string, [number, number]> }[];
  views: { id: string; label: { en: string; ru: string; kk: string } }[];
};
const region = (id: string) => {
  const r = ATLAS.regions.find((x) => x.id === id);
  if (!r) throw new Error(id);
  return r;
};

const kua = kuaOn(vault, PASS);

async function kuaWhenFree(args: string[], input?: string): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 40; i++) {
    try {
      return kua(args, input);
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw last;
}

const problems: string[] = [];
async function check(b: Browser, lang: string, name: string): Promise<void> {
  await screenshot(b, lang, name);
  for (const v of await axe(b)) {
    problems.push(`${lang}/${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

async function unlock(b: Browser): Promise<void> {
  await type(b, "#passphrase", PASS);
  await click(b, "form button[type=submit]");
  await el(b, "[data-testid=new-testimony]");
}

/** Where a normalised point of a view lies in the viewport, in CSS pixels. */
async function pointOf(b: Browser, view: string, x: number, y: number): Promise<{ x: number; y: number }> {
  const svg = await el(b, `[data-testid=diagram-${view}]`);
  await svg.scrollIntoView({ block: "center" });
  const box = (await b.execute((e) => {
    const r = (e as unknown as Element).getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  }, svg)) as { left: number; top: number; width: number; height: number };
  return { x: Math.round(box.left + x * box.width), y: Math.round(box.top + y * box.height) };
}

/** Clicks a view of the diagram at a normalised point, as a mouse would. */
async function clickAt(b: Browser, view: string, x: number, y: number): Promise<void> {
  const p = await pointOf(b, view, x, y);
  await b.performActions([{
    type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
    actions: [{ type: "pointerMove", origin: "viewport", ...p }, { type: "pointerDown", button: 0 }, { type: "pointerUp", button: 0 }],
  }]);
  await b.releaseActions();
}

interface StoredMark { n: number; view: string; region: string; x: number; y: number; lesion: string; length_cm?: number; photos?: string[]; method?: string; consistency?: string }

describe("body maps", () => {
  let id = "";
  let photo = "";

  beforeAll(async () => {
    for (const d of [home, join(work, "body-src")]) mkdirSync(d, { recursive: true });
    writeFileSync(photoPath, PNG);
    kua(["init", "--insecure-test-kdf"]);
    id = kua(["add", "-"], JSON.stringify({ ...COMPLETE, language: "kk" })).trim();
    photo = JSON.parse(kua(["attach", id, photoPath, "--json"]))[0].id as string;
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: "kk" }));
    await startDriver();
  }, 60_000);

  afterAll(() => stopDriver());

  it("marks are placed by mouse and by keyboard, described, linked to a photograph, sealed and shown", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, `[data-testid=records] button.record[data-id="${id}"]`);
      await click(b, "button[data-tab=injuries]");
      await el(b, "[data-testid=diagram-front]");
      await check(b, "kk", "body-01-empty");

      // By mouse: a click on the left forearm (the viewer's right on the front view).
      const [fx, fy] = region("forearm_left").anchors.front ?? [0, 0];
      await clickAt(b, "front", fx, fy);
      await el(b, "[data-testid=mark-form][data-mark='1']");
      expect(await (await el(b, "#mark-1-region")).getValue()).toBe("forearm_left");
      // Dragged onto the left upper arm, the region follows the mark.
      const [ux, uy] = region("upper_arm_left").anchors.front ?? [0, 0];
      const from = await pointOf(b, "front", fx, fy);
      const to = await pointOf(b, "front", ux, uy);
      const half = { x: Math.round((from.x + to.x) / 2), y: Math.round((from.y + to.y) / 2) };
      await b.performActions([{
        type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", origin: "viewport", ...from },
          { type: "pointerDown", button: 0 },
          { type: "pointerMove", origin: "viewport", duration: 100, ...half },
          { type: "pointerMove", origin: "viewport", duration: 100, ...to },
          { type: "pointerUp", button: 0 },
        ],
      }]);
      await b.releaseActions();
      await b.waitUntil(async () => (await (await b.$("#mark-1-region")).getValue()) === "upper_arm_left", { timeout: 10_000, timeoutMsg: "the dragged mark kept its region" });
      await (await el(b, "#mark-1-lesion")).selectByAttribute("value", "bruise");
      await type(b, "#mark-1-length", "4,5");
      await type(b, "#mark-1-width", "2");
      await (await el(b, "#mark-1-shape")).selectByAttribute("value", "linear");
      await (await el(b, "#mark-1-method")).selectByAttribute("value", "beating");
      await (await el(b, "#mark-1-consistency")).selectByAttribute("value", "highly_consistent");
      await click(b, `[data-testid=mark-form] [data-photo="${photo}"]`);
      await check(b, "kk", "body-02-mouse-mark");

      // By keyboard: the feet view, a region from the list, the Add button, then the
      // description, and the arrow keys on the mark.
      await click(b, "[data-field=injury_map] button[data-view=feet]");
      await (await el(b, "[data-testid=body-add-region]")).selectByAttribute("value", "sole_right");
      const add = await el(b, "[data-testid=body-add-mark]");
      await b.execute((e) => (e as unknown as HTMLElement).focus(), add);
      await b.keys(["Enter"]);
      await el(b, "[data-testid=mark-form][data-mark='2']");
      // The description's first control has the focus.
      expect(await b.execute(() => document.activeElement?.id)).toBe("mark-2-lesion");
      await (await el(b, "#mark-2-lesion")).selectByAttribute("value", "swelling");
      const mark2 = await el(b, "[data-testid=diagram-feet] g[data-mark='2']");
      await b.execute((e) => (e as unknown as SVGElement).focus(), mark2);
      // One key per call: WebDriver drops a key sent again while it is still down.
      for (const k of ["ArrowRight", "ArrowRight", "ArrowUp"]) await b.keys([k]);
      // A region declined.
      await click(b, "[data-field=injury_map] details.regions summary");
      await click(b, "[data-field=injury_map] button[data-view=front]");
      await (await el(b, "[data-field=injury_map] select[data-region=groin]")).selectByAttribute("value", "declined");
      await b.waitUntil(async () => (await (await b.$("[data-testid=save-state]")).getAttribute("data-state")) === "saved", { timeout: 20_000 });
      await (await el(b, "[data-testid=diagram-front]")).scrollIntoView({ block: "center" });
      await check(b, "kk", "body-03-keyboard-mark");

      await click(b, "[data-testid=seal]");
      await click(b, "[data-testid=seal-confirm]");
      await b.waitUntil(async () => (await (await b.$("[data-testid=status]")).getAttribute("class"))?.includes("sealed") ?? false, { timeout: 20_000 });
      await click(b, "button[data-tab=injuries]");
      const table = await waitText(b, "[data-testid=body-mark-table]", /.+/);
      expect(table).toContain(region("upper_arm_left").label.kk);
      expect(table).toContain(region("sole_right").label.kk);
      expect(table).toContain("білек.png");
      expect(table).toContain("4,5 × 2 см");
      expect(await b.$$("[data-testid=body-map-view] g[data-mark]").length).toBe(2);
      await check(b, "kk", "body-04-sealed");
    } finally {
      await b.deleteSession();
    }

    // The command reads the same marks: the drag moved mark 1, the keys moved mark 2.
    const shown = JSON.parse(await kuaWhenFree(["show", id, "--json"]));
    const map = shown.fields.injury_map as { marks: StoredMark[]; regions: Record<string, string> };
    expect(shown.status).toBe("sealed");
    expect(map.regions).toEqual({ groin: "declined" });
    const [m1, m2] = map.marks;
    expect(m1).toMatchObject({ n: 1, view: "front", region: "upper_arm_left", lesion: "bruise", length_cm: 4.5, photos: [photo], method: "beating", consistency: "highly_consistent" });
    expect(Math.abs((m1?.x ?? 0) - region("upper_arm_left").anchors.front![0])).toBeLessThan(0.05);
    const [sx, sy] = region("sole_right").anchors.feet ?? [0, 0];
    expect(m2).toMatchObject({ n: 2, view: "feet", region: "sole_right", lesion: "swelling" });
    expect(m2?.x).toBeCloseTo(sx + 0.02, 3);
    expect(m2?.y).toBeCloseTo(sy - 0.01, 3);
    expect(kua(["show", id])).toMatch(new RegExp(`^ {2}1\\. ${region("upper_arm_left").label.en} \\(Front view, at 0\\.\\d\\d, 0\\.\\d\\d\\): bruise, 4\\.5 × 2 cm, linear; alleged method: `, "m"));

    // An amendment adds a third mark on the left shin.
    const [shx, shy] = region("shin_left").anchors.front ?? [0, 0];
    const amended = { marks: [...map.marks, { n: 3, view: "front", region: "shin_left", x: shx, y: shy, lesion: "abrasion" }], regions: map.regions };
    kua(["amend", id, "-"], JSON.stringify({ fields: { injury_map: amended }, reason: "second examination" }));
  });

  it("in English the history names the mark added and the sealed map is drawn", async () => {
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: "en" }));
    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, `[data-testid=records] button.record[data-id="${id}"]`);
      await click(b, "button[data-tab=history]");
      const changes = await waitText(b, "[data-testid=mark-changes-2]", /mark 3/);
      expect(changes).toContain(`mark 3 added on the ${region("shin_left").label.en}`);
      await check(b, "en", "body-05-history");
      await click(b, "button[data-tab=injuries]");
      await el(b, "[data-testid=body-map-view]");
      expect(await b.$$("[data-testid=body-map-view] g[data-mark]").length).toBe(3);
      await check(b, "en", "body-06-sealed");
      // An amendment opens the editor with the three marks.
      await click(b, "[data-testid=amend]");
      await click(b, "button[data-tab=injuries]");
      await (await el(b, "[data-testid=diagram-front]")).scrollIntoView({ block: "center" });
      await check(b, "en", "body-07-editor");
    } finally {
      await b.deleteSession();
    }
    expect(problems).toEqual([]);
  });
});
