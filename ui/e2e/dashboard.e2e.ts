// The coordinator's dashboard in the real window, in Kazakh. A vault of a known
// composition is prepared with the `kua` command (three own sealed testimonies, one of
// them amended, and two received from a sender); the window must count exactly those,
// records and not answers for methods, under filters, in a cross-tab and as published
// figures; list exactly the testimonies behind a bar and a cell and open them; save
// charts as SVG and PNG and a dataset for analysts. Every view is checked with axe-core
// and photographed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLI, answerDialog, axe, click, el, openApp, screenshot, startDriver, stopDriver, textOf, type, waitText, work, type Browser,
} from "./harness";

const PASS = "үйлестіруші кеңсесі 2022 қаңтар";
const FIELD_PASS = "далалық сұхбат алушы 7 көктем";
const home = join(work, "dashboard-coordinator");
const field = join(work, "dashboard-field");
const out = join(work, "dashboard-out");
const LANG = "kk";
// The Kazakh labels: "not recorded" is the page's own (the template's "not stated" reads
// "Көрсетілмеген"), regions come from the template through the shell.
const NOT_RECORDED = "Мәлімет жоқ";
const ALMATY = "Алматы қаласы";

// A sealable testimony (crates/kua-cli/tests/it/main.rs, COMPLETE).
const COMPLETE = {
  template: "istanbul-2022",
  language: "kk",
  fields: {
    interview_datetime: "2022-01-20T14:30",
    interview_place: "Алматы",
    interviewers: "Сұхбат алушы 3",
    events_date: "2022-01",
    incident_place: "Тергеу изоляторы",
    methods: ["beating", "sleep_deprivation"],
    detaining_authority: "national_guard",
  } as Record<string, unknown>,
  narrative: "Ұлттық ұлан әскерлері ауруханадан әкетті.",
  consent: { given_at: "2022-01-20", method: "oral", scope: ["store", "coalition"], anonymous: false },
};

function kua(vault: string, pass: string, args: string[], input?: string): string {
  return execFileSync(CLI, args, {
    env: { ...process.env, KUA_VAULT: vault, KUA_PASSPHRASE: pass },
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

/** Adds COMPLETE with these fields replaced and seals it; returns its id. */
function testimony(vault: string, pass: string, fields: Record<string, unknown>): string {
  const t = { ...COMPLETE, fields: { ...COMPLETE.fields, ...fields } };
  const id = kua(vault, pass, ["add", "-"], JSON.stringify(t)).trim();
  kua(vault, pass, ["seal", id]);
  return id;
}

const ids = { a: "", b: "", c: "", d: "", e: "" };

const problems: string[] = [];
async function check(b: Browser, name: string): Promise<void> {
  await screenshot(b, LANG, name);
  for (const v of await axe(b)) {
    problems.push(`${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

/** A chart's table as category code ("" for not recorded) → the count shown. */
async function counts(b: Browser, dim: string): Promise<Record<string, string>> {
  return (await b.execute((d: string) => {
    const rows = [...document.querySelectorAll(`[data-testid=table-${d}] tbody tr`)];
    return Object.fromEntries(rows.map((tr) => [tr.getAttribute("data-code") ?? "?", tr.querySelector("[data-testid=count]")?.textContent?.trim() ?? ""]));
  }, dim)) as Record<string, string>;
}

async function total(b: Browser, dim: string): Promise<string> {
  return textOf(b, `[data-testid=table-${dim}] [data-testid=total]`);
}

/** Waits until every chart's table counts `n` records in all. */
async function waitTotals(b: Browser, n: string): Promise<void> {
  for (const dim of ["region", "agency", "method", "month", "sex", "age_band"]) {
    await waitText(b, `[data-testid=table-${dim}] [data-testid=total]`, new RegExp(`^${n}$`));
  }
}

/** The testimonies the open drill-down lists: id → [source, version]. */
async function drilled(b: Browser, within: string): Promise<Record<string, [string, string]>> {
  return (await b.execute((w: string) => {
    const rows = [...document.querySelectorAll(`${w} [data-testid=drill-records] tbody tr`)];
    return Object.fromEntries(rows.map((tr) => [tr.getAttribute("data-id") ?? "?", [tr.getAttribute("data-source") ?? "", tr.children[2]?.textContent?.trim() ?? ""]]));
  }, within)) as Record<string, [string, string]>;
}

/** Waits until the drill-down in `within` lists exactly `expected`. */
async function expectDrill(b: Browser, within: string, expected: Record<string, [string, string]>): Promise<void> {
  let last: Record<string, [string, string]> = {};
  await b
    .waitUntil(async () => sameEntries((last = await drilled(b, within)), expected), { timeout: 15_000 })
    .catch(() => {});
  expect(last).toEqual(expected);
}

function sameEntries(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a).sort();
  return JSON.stringify(keys) === JSON.stringify(Object.keys(b).sort()) && keys.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/**
 * Clicks a bar of a chart with the pointer, as a mouse would (WebDriver's element click
 * refuses SVG groups as not interactable).
 */
async function clickBar(b: Browser, chart: string, code: string): Promise<void> {
  const bar = await el(b, `[data-chart=${chart}] svg g.bar[data-code="${code}"] rect.bar-fill`);
  await bar.scrollIntoView({ block: "center" });
  await b.action("pointer").move({ origin: bar }).down().up().perform();
}

async function toggleFilter(b: Browser, dim: string, code: string): Promise<void> {
  await click(b, `[data-filter=${dim}] summary`);
  await click(b, `[data-filter=${dim}] input[data-code="${code}"]`);
  await click(b, `[data-filter=${dim}] summary`);
}

async function unlock(b: Browser): Promise<void> {
  await type(b, "#passphrase", PASS);
  await click(b, "form button[type=submit]");
  await el(b, "[data-testid=new-testimony]");
}

describe("the coordinator's dashboard", () => {
  beforeAll(async () => {
    for (const d of [home, field, out]) mkdirSync(d, { recursive: true });
    const mine = join(home, "vault.kua");
    const theirs = join(field, "vault.kua");
    kua(mine, PASS, ["init", "--insecure-test-kdf"]);
    kua(theirs, FIELD_PASS, ["init", "--insecure-test-kdf"]);
    const age = (JSON.parse(kua(mine, PASS, ["--json", "identity"])) as { age_recipient: string }).age_recipient;
    kua(theirs, FIELD_PASS, ["recipients", "add", "coalition", age]);
    const pub = join(field, "field.pub");
    kua(theirs, FIELD_PASS, ["identity", "--minisign-pub", "-o", pub]);
    kua(mine, PASS, ["trust", "add", "field-7", pub]);

    // Own: two in Almaty (one amended there from Shymkent), one without a region.
    ids.a = testimony(mine, PASS, { events_region: "KZ-75", methods: ["beating", "electric_shock"], gender: "male" });
    ids.b = testimony(mine, PASS, { events_region: "KZ-79", gender: "female" });
    const amend = join(home, "amend.json");
    writeFileSync(amend, JSON.stringify({ fields: { events_region: "KZ-75" }, reason: "өңір түзетілді" }));
    kua(mine, PASS, ["amend", ids.b, amend]);
    ids.c = testimony(mine, PASS, { methods: ["burns"] });
    // Received from field-7: one in Almaty, one in Abai region.
    ids.d = testimony(theirs, FIELD_PASS, { events_region: "KZ-75", methods: ["beating", "burns", "electric_shock"] });
    ids.e = testimony(theirs, FIELD_PASS, { events_region: "KZ-10", gender: "male" });
    const bundle = join(field, "to-coalition.kua");
    kua(theirs, FIELD_PASS, ["export", "--to", "coalition", "--all", "-o", bundle]);
    kua(mine, PASS, ["import", bundle]);

    // The coordinator works in Kazakh.
    writeFileSync(join(home, "settings.json"), JSON.stringify({ auto_lock_minutes: 60, language: LANG }));
    await startDriver();
  });

  afterAll(() => stopDriver());

  it("counts records by region and method, filters every chart, cross-tabulates and drills down", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, "button[data-nav=dashboard]");
      await waitText(b, "h1", /Куәліктер бойынша талдау/);
      await waitTotals(b, "5");

      // Regions: Almaty 3 (one amended there), Abai 1, one without a region; regions
      // without testimonies are left out until asked for.
      expect(await counts(b, "region")).toEqual({ "KZ-10": "1", "KZ-75": "3", "": "1" });
      expect(await textOf(b, "[data-testid=table-region] tr[data-code='']")).toContain(NOT_RECORDED);
      expect(await textOf(b, "[data-testid=table-region] tr[data-code='KZ-75']")).toMatch(new RegExp(`${ALMATY}[\\s\\S]*3[\\s\\S]*60\\s?%`));
      expect(await textOf(b, "[data-chart=region] [data-testid=chart-records]")).toBe("5 куәлік");
      // Methods count records, not answers: four testimonies name beating; the shares
      // (of five testimonies) add up to more than 100%.
      expect(await counts(b, "method")).toEqual({ beating: "4", electric_shock: "2", sleep_deprivation: "2", burns: "2", "": "0" });
      expect(await total(b, "method")).toBe("5");
      expect(await textOf(b, "[data-testid=table-method] tr[data-code=beating]")).toMatch(/80\s?%/);
      await el(b, "#multi-method");
      expect(await counts(b, "sex")).toEqual({ female: "1", male: "2", "": "2" });
      expect(await counts(b, "month")).toMatchObject({ "2022-01": "5", "": "0" });
      // The notes say what is not counted.
      expect(await textOf(b, "[data-testid=dash-notes] [data-note=withdrawn]")).toMatch(/^Келісімі кері қайтарылған 0 куәлік саналмайды/);
      // The chart draws the same: "not recorded" is a bar of its own kind.
      expect(await (await el(b, "[data-chart=region] svg g.bar.not-recorded")).getAttribute("data-code")).toBe("");
      expect(await b.$$("[data-chart=region] svg g.bar")).toHaveLength(3);
      await check(b, "40-dashboard");
      for (const dim of ["region", "agency", "method", "month", "sex"]) {
        await (await el(b, `[data-chart=${dim}]`)).scrollIntoView({ block: "start" });
        await screenshot(b, LANG, `40-chart-${dim}`);
      }

      // Showing empty categories brings back every region (and Shymkent at zero).
      await click(b, "[data-testid=dash-empty]");
      await b.waitUntil(async () => Object.keys(await counts(b, "region")).length > 20, { timeout: 10_000, timeoutMsg: "empty regions never appeared" });
      expect((await counts(b, "region"))["KZ-79"]).toBe("0");
      await click(b, "[data-testid=dash-empty]");
      await b.waitUntil(async () => Object.keys(await counts(b, "region")).length === 3, { timeout: 10_000 });

      // A filter applies to every chart: men only.
      await click(b, "[data-filter=sex] summary");
      await el(b, "[data-filter=sex] input[data-code=male]");
      await check(b, "41-dashboard-filter-open");
      await click(b, "[data-filter=sex] input[data-code=male]");
      // Escape closes the list.
      await b.keys(["Escape"]);
      await b.waitUntil(async () => (await (await el(b, "[data-filter=sex]")).getAttribute("open")) === null, { timeout: 5_000, timeoutMsg: "Escape left the list open" });
      await waitTotals(b, "2");
      expect(await textOf(b, "[data-filter=sex] summary")).toMatch(/Ер/);
      expect(await counts(b, "region")).toEqual({ "KZ-10": "1", "KZ-75": "1", "": "0" });
      expect(await counts(b, "method")).toEqual({ beating: "2", electric_shock: "1", sleep_deprivation: "1", "": "0" });
      expect(await counts(b, "sex")).toEqual({ male: "2", "": "0" });
      expect(await counts(b, "month")).toMatchObject({ "2022-01": "2" });
      expect(await counts(b, "age_band")).toEqual({ "": "2" });
      expect(await counts(b, "agency")).toEqual({ "": "2" });
      await check(b, "42-dashboard-men");
      // "Not recorded" is a filter value too: men, or sex not recorded.
      await toggleFilter(b, "sex", "");
      await waitTotals(b, "4");
      expect(await counts(b, "region")).toEqual({ "KZ-10": "1", "KZ-75": "2", "": "1" });
      await toggleFilter(b, "sex", "");
      await toggleFilter(b, "sex", "male");
      await waitTotals(b, "5");

      // A date range, typed in the Kazakh order (day.month.year): a bad date is refused;
      // a day inside January 2022 cannot place testimonies dated only "2022-01", and
      // the notes say so.
      await type(b, "[data-testid=dash-from]", "13.2022");
      await b.keys(["Tab"]);
      expect(await waitText(b, "[data-testid=date-error]", /күн емес/)).toMatch(/КК\.АА\.ЖЖЖЖ/);
      expect(await (await el(b, "[data-testid=dash-from]")).getAttribute("aria-invalid")).toBe("true");
      await check(b, "43-dashboard-bad-date");
      await type(b, "[data-testid=dash-from]", "15.01.2022");
      await b.keys(["Tab"]);
      await waitTotals(b, "0");
      expect(await textOf(b, "[data-testid=dash-notes] [data-note=imprecise]")).toMatch(/^5 куәліктің күні/);
      expect(await textOf(b, "[data-testid=dash-notes] [data-note=no-date]")).toMatch(/^0 куәлікте/);
      await type(b, "[data-testid=dash-from]", "2022");
      await b.keys(["Tab"]);
      await waitTotals(b, "5");
      await (await el(b, "[data-testid=dash-from]")).clearValue();
      await b.keys(["Tab"]);

      // Published figures: every region count is under five and withheld; the total stays.
      await click(b, "[data-testid=dash-public]");
      await b.waitUntil(async () => Object.values(await counts(b, "region")).every((c) => c === "<5"), { timeout: 10_000, timeoutMsg: "counts under five were not withheld" });
      expect(await total(b, "region")).toBe("5");
      expect(await b.$$("[data-chart=region] svg rect.bar-fill")).toHaveLength(0);
      // Published figures are of the whole vault: the filters are off meanwhile.
      expect(await (await el(b, "[data-testid=public-whole]")).isDisplayed()).toBe(true);
      expect(await (await el(b, "[data-testid=dash-drafts]")).isEnabled()).toBe(false);
      await check(b, "44-dashboard-public");
      await click(b, "[data-testid=dash-public]");
      await b.waitUntil(async () => (await counts(b, "region"))["KZ-75"] === "3", { timeout: 10_000 });

      // A cross-tab of region by sex.
      await (await el(b, "[data-testid=cross-rows]")).selectByAttribute("value", "region");
      await (await el(b, "[data-testid=cross-cols]")).selectByAttribute("value", "sex");
      const cell = (row: string, col: string) => `[data-testid=crosstab] tr[data-row="${row}"] td[data-col="${col}"]`;
      await waitText(b, cell("KZ-75", "female"), /^1$/);
      expect(await textOf(b, cell("KZ-75", "male"))).toBe("1");
      expect(await textOf(b, cell("KZ-75", ""))).toBe("1");
      expect(await textOf(b, cell("KZ-10", "male"))).toBe("1");
      expect(await textOf(b, cell("KZ-10", "female"))).toBe("0");
      expect(await textOf(b, cell("", ""))).toBe("1");
      expect(await textOf(b, cell("KZ-75", "total"))).toBe("3");
      expect(await textOf(b, cell("total", "male"))).toBe("2");
      expect(await textOf(b, "[data-testid=cross-total]")).toBe("5");
      await check(b, "45-crosstab");
      // The same dimension twice is refused.
      await (await el(b, "[data-testid=cross-cols]")).selectByAttribute("value", "region");
      await waitText(b, "#cross-error", /Екі түрлі белгі таңдаңыз/);
      await (await el(b, "[data-testid=cross-cols]")).selectByAttribute("value", "sex");
      await waitText(b, cell("KZ-75", "female"), /^1$/);

      // The Almaty bar lists exactly its three testimonies: two own (one in its second
      // version) and the sender's.
      await clickBar(b, "region", "KZ-75");
      await expectDrill(b, "[data-chart=region]", {
        [ids.a]: ["own", "1"],
        [ids.b]: ["own", "2"],
        [ids.d]: ["received", "1"],
      });
      expect(await textOf(b, "[data-chart=region] [data-testid=drill] h3")).toContain(ALMATY);
      expect(await textOf(b, `[data-chart=region] tr[data-id="${ids.d}"]`)).toContain("field-7");
      // Keyboard users land on the list.
      expect(await b.execute(() => document.activeElement?.id)).toBe("drill-title");
      await check(b, "46-drill-region");
      // The table's button lists the same as the bar.
      await click(b, "[data-testid=table-region] tr[data-code=''] [data-testid=drill-open]");
      await expectDrill(b, "[data-chart=region]", { [ids.c]: ["own", "1"] });
      await clickBar(b, "region", "KZ-75");
      await expectDrill(b, "[data-chart=region]", { [ids.a]: ["own", "1"], [ids.b]: ["own", "2"], [ids.d]: ["received", "1"] });

      // Open the received one: the received record with its provenance.
      await click(b, `[data-chart=region] tr[data-id="${ids.d}"] [data-testid=drill-record-open]`);
      expect(await waitText(b, "[data-testid=provenance-sender]", /field-7/)).toBe("field-7");

      // A cross-tab cell lists its testimony, and it opens in its amended version.
      await click(b, "button[data-nav=dashboard]");
      await waitTotals(b, "5");
      await (await el(b, "[data-testid=cross-rows]")).selectByAttribute("value", "region");
      await (await el(b, "[data-testid=cross-cols]")).selectByAttribute("value", "sex");
      await click(b, `${cell("KZ-75", "female")} button`);
      await expectDrill(b, "[data-testid=crosstab-section]", { [ids.b]: ["own", "2"] });
      await check(b, "47-drill-crosstab");
      await click(b, `[data-testid=crosstab-section] tr[data-id="${ids.b}"] [data-testid=drill-record-open]`);
      await waitText(b, "h1", /2-нұсқа/);
      await el(b, "[data-testid=status]");
    } finally {
      await b.deleteSession();
    }
  });

  it("saves charts as SVG and PNG and a dataset for analysts, and shows the intake", async () => {
    const b = await openApp(home);
    try {
      await unlock(b);
      await click(b, "button[data-nav=dashboard]");
      await waitTotals(b, "5");

      // Intake: field-7 sent two records, none held.
      await waitText(b, "[data-testid=intake] tr[data-sender=field-7] [data-testid=intake-records]", /^2$/);
      expect(await textOf(b, "[data-testid=intake] tr[data-sender=field-7] [data-testid=intake-pending]")).toBe("0");

      // SVG: a standalone document with its title, colours as attributes and the labels.
      const svgPath = join(out, "region.svg");
      answerDialog([svgPath]);
      await click(b, "[data-chart=region] [data-testid=save-svg]");
      await waitText(b, "[data-chart=region] [data-testid=chart-saved]", /region\.svg/);
      const svg = readFileSync(svgPath, "utf8");
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
      expect(svg.match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)).toHaveLength(1);
      expect(svg).toMatch(/<title>Оқиға болған өңір — 5 куәлік<\/title>/);
      expect(svg).toMatch(/<text[^>]*>Оқиға болған өңір — 5 куәлік<\/text>/);
      expect(svg).toContain(ALMATY);
      expect(svg).toContain(NOT_RECORDED);
      expect(svg).toContain('fill="#1f4a5c"');
      expect(svg).not.toMatch(/\sclass=|\sstyle=|\saria-|\sdata-|<!--/);
      // It parses as XML.
      execFileSync("python3", ["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])", svgPath]);

      // PNG: drawn from the SVG on a canvas, twice its size.
      const pngPath = join(out, "method.png");
      answerDialog([pngPath]);
      await click(b, "[data-chart=method] [data-testid=save-png]");
      await waitText(b, "[data-chart=method] [data-testid=chart-saved]", /method\.png/);
      const png = readFileSync(pngPath);
      expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
      expect(png.readUInt32BE(16)).toBe(1040);
      expect(png.length).toBeGreaterThan(5_000);
      // A cancelled dialog saves nothing and says nothing.
      answerDialog([]);
      await click(b, "[data-chart=sex] [data-testid=save-png]");
      await b.pause(500);
      expect(await b.$("[data-chart=sex] [data-testid=chart-saved]").isExisting()).toBe(false);

      // The dataset: a new folder with the five testimonies, labels in Kazakh.
      const dataset = join(out, "kua-dataset");
      answerDialog([dataset]);
      await click(b, "[data-testid=dataset-run]");
      const report = await waitText(b, "[data-testid=dataset-report]", /5 куәлік экспортталды/);
      expect(report).toContain("testimonies.csv");
      expect(existsSync(join(dataset, "testimonies.csv"))).toBe(true);
      expect(readFileSync(join(dataset, "testimonies.csv"), "utf8").trim().split("\n")).toHaveLength(6);
      expect(readdirSync(dataset).length).toBeGreaterThan(1);
      // The same folder again is refused: it is not empty.
      answerDialog([dataset]);
      await click(b, "[data-testid=dataset-run]");
      await waitText(b, "[data-testid=dataset] .error", /бос емес/);
      await check(b, "48-dashboard-saved");
    } finally {
      await b.deleteSession();
    }
  });

  it("has no serious or critical accessibility violation", () => {
    expect(problems).toEqual([]);
  });
});
