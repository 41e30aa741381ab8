// The UI's npm packages and their licences (docs/supply-chain.md). What the page ships
// (dependencies) must be under a licence that can be combined into Kua's AGPL-3.0-or-later
// app; the build and test tools (devDependencies) must be under an open-source licence.
// Fails, naming the package, on anything else or on a package that states no licence.
// Reads `npm ls --all --long --json`: nothing is fetched.
import { execFileSync } from "node:child_process";

const SHIPPED = new Set(["MIT", "Apache-2.0", "ISC", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "OFL-1.1", "Zlib", "CC0-1.0", "MPL-2.0"]);
const TOOLS = new Set([...SHIPPED, "BlueOak-1.0.0", "CC-BY-4.0", "MIT-0", "Unlicense", "BSL-1.0", "Python-2.0"]);
// Packages that state no licence in package.json, with where their licence is said.
const STATED_ELSEWHERE = {
  "css-value@0.0.1": "MIT, in its Readme.md (a dependency of webdriverio, a test tool)",
};

/** Whether an SPDX expression is satisfied by `allowed`: any side of OR, every side of AND. */
export function satisfied(expr, allowed) {
  const e = expr.trim().replace(/^\((.*)\)$/, "$1").trim();
  const or = e.split(/\s+OR\s+/);
  if (or.length > 1) return or.some((x) => satisfied(x, allowed));
  const and = e.split(/\s+AND\s+/);
  if (and.length > 1) return and.every((x) => satisfied(x, allowed));
  return allowed.has(e.replace(/[()]/g, "").trim());
}

const ls = (...extra) => JSON.parse(execFileSync("npm", ["ls", "--all", "--long", "--json", ...extra], { encoding: "utf8", maxBuffer: 64 << 20 }));
/** Every installed package of a tree, by name@version, with its stated licence. */
function packages(node, out = new Map()) {
  for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
    // An optional package for another platform is listed but not installed.
    if (dep.version) out.set(`${name}@${dep.version}`, typeof dep.license === "string" ? dep.license : null);
    packages(dep, out);
  }
  return out;
}
const all = packages(ls());
const shipped = packages(ls("--omit=dev"));
const problems = [];
for (const [id, licence] of all) {
  const ships = shipped.has(id);
  if (!licence) {
    if (!STATED_ELSEWHERE[id]) problems.push(`${id}: states no licence`);
  } else if (!satisfied(licence, ships ? SHIPPED : TOOLS)) {
    problems.push(`${id}: ${licence} is not allowed for ${ships ? "what the page ships" : "a build or test tool"}`);
  }
}
const count = all.size;
if (problems.length) {
  console.error(`npm licences: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`npm licences: ${count} packages checked (${shipped.size} shipped in the page), every licence allowed`);
