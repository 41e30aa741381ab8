import { remote } from "webdriverio";
import { writeFileSync, mkdtempSync } from "node:fs";
const home = mkdtempSync("/tmp/kua-smoke-");
const b = await remote({ hostname: "127.0.0.1", port: 4444, logLevel: "warn", capabilities: { browserName: "wry", "wdio:enforceWebDriverClassic": true, "tauri:options": { application: "/work/main/target/debug/kua-desktop", args: ["--home", home] } } });
await b.pause(1500);
writeFileSync("/tmp/smoke.png", Buffer.from(await b.takeScreenshot(), "base64"));
console.log(await b.getTitle(), (await b.$("body").getText()).slice(0, 300));
await b.deleteSession();
