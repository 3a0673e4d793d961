// The README stays in step with the code: the config reference is the schema's, the commands it
// gives exist, and every example it lists is there.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { configReference, configRows } from "../stacks/reference";
import { pinnedChartsTable } from "../scripts/pinned-charts";
import { SECRET_KEYS } from "../stacks/schema";

const root = path.resolve(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const testingDoc = fs.readFileSync(path.join(root, "docs", "testing.md"), "utf8");

/** A "## " section of a Markdown text, from its heading to the next one (which must exist or be the end). */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "## ${heading}"`);
  const next = text.indexOf("\n## ", start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

describe("README", () => {
  it("carries the config reference generated from the schema (run `npm run docs:config` after a schema change)", () => {
    expect(readme).toContain(configReference());
  });

  it("lists the pinned charts as charts.ts pins them (run `npm run docs:config` after a bump)", () => {
    expect(readme).toContain(pinnedChartsTable());
  });

  it("documents every field of the schema", () => {
    for (const row of configRows()) expect(readme).toContain(`\`cluster.${row.path}\``);
  });

  it("names commands that exist", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(readme).toMatch(/npm ci\nnpm run plan -- poc/);
    expect(scripts.plan).toBeDefined();
    expect(readme).toMatch(/```sh\nnpm test\n```/);
    expect(fs.readFileSync(path.join(root, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
  });

  it("deploy for real sets every secret the program reads, says what the machine running Pulumi needs and how to deploy an example", () => {
    const deploy = section(readme, "Deploy for real");
    for (const key of Object.keys(SECRET_KEYS)) expect(deploy).toMatch(new RegExp(`^pulumi config set --secret ${key}\\b`, "m"));
    expect(deploy).toMatch(/PULUMI_CONFIG_PASSPHRASE/);
    expect(deploy).toMatch(/SSH from the machine running Pulumi to every node/);
    expect(deploy).toMatch(/cp examples\/\S+\.yaml Pulumi\.lab\.yaml && pulumi stack init lab/);
    expect(deploy).toMatch(/endpoint\.dnsName[\s\S]*DNS\s+record/);
  });

  it("tells a root user to run the install as it is, with no sudo", () => {
    const tests = section(readme, "Run the tests");
    expect(tests).toContain("`bash .ci/install-deps`");
    expect(tests).not.toMatch(/\bsudo\b/);
  });

  it("puts the user's path first: set up and plan, the tests' command, the site, deploy, day 2, the reference; how it is tested last, pointing to docs/testing.md", () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.slice(0, 2)).toEqual(["Set up and plan (the main job)", "Run the tests"]);
    const order = ["Set up and plan (the main job)", "Run the tests", "Describe your site", "Deploy for real", "Day 2", "Config reference", "How it is tested"];
    expect(order.map((h) => headings.indexOf(h))).toEqual([...order.map((h) => headings.indexOf(h))].sort((a, b) => a - b));
    expect(order.every((h) => headings.includes(h))).toBe(true);
    expect(headings.at(-1)).toBe("How it is tested");
    for (const short of ["Run the tests", "How it is tested"]) {
      expect(section(readme, short)).toContain("[docs/testing.md](docs/testing.md)");
      expect(section(readme, short).split("\n").length, short).toBeLessThan(25);
    }
    // The README before "Deploy for real" stays short: test internals live in docs/testing.md.
    expect(readme.slice(0, readme.indexOf("\n## Deploy for real")).split("\n").length).toBeLessThan(80);
  });

  it("docs/testing.md keeps the test internals: the lab, the real engine, the stand-ins and what they leave unproven", () => {
    for (const heading of ["Running the suite", "What checks what", "A real cluster: the real-node lab", "The real Pulumi engine"]) section(testingDoc, heading);
    expect(testingDoc).toMatch(/\n### What the stand-ins leave unproven\n[\s\S]*\| package \| the stand-in does \| left unproven \|/);
    expect(testingDoc).toContain("npm run test:cluster");
    expect(testingDoc).toContain("npm run test:engine");
  });

  it("states measured cold and warm suite times, not placeholders", () => {
    const tests = section(testingDoc, "Running the suite");
    // columns: run | caches | machine | setup phase | whole run
    expect(tests).toMatch(/\| cold \| empty [^|]+\| both cores busy [^|]+\| [\d.–]+ min \| \d+(–\d+)? min \|/);
    expect(tests).toMatch(/\| cold \| empty [^|]+\| idle \| [\d.–]+ min \| \d+(\.\d)? min \|/);
    expect(tests).toMatch(/\| warm \| [^|]+\| idle \| \d+ s \| \d+(\.\d)? min \|/);
  });

  it("lists every example that exists, and only those", () => {
    const listed = [...readme.matchAll(/`(examples\/[^`]+\.yaml)`/g)].map((m) => m[1]);
    const present = fs.readdirSync(path.join(root, "examples")).map((f) => `examples/${f}`);
    expect(new Set(listed)).toEqual(new Set(present));
  });
});
