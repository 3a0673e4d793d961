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
    const deploy = readme.slice(readme.indexOf("## Deploy for real"), readme.indexOf("## Layout"));
    for (const key of Object.keys(SECRET_KEYS)) expect(deploy).toMatch(new RegExp(`^pulumi config set --secret ${key}\\b`, "m"));
    expect(deploy).toMatch(/PULUMI_CONFIG_PASSPHRASE/);
    expect(deploy).toMatch(/SSH from the machine running Pulumi to every node/);
    expect(deploy).toMatch(/cp examples\/\S+\.yaml Pulumi\.lab\.yaml && pulumi stack init lab/);
    expect(deploy).toMatch(/endpoint\.dnsName[\s\S]*DNS\s+record/);
  });

  it("tells a root user to run the install as it is, with no sudo", () => {
    const tests = readme.slice(readme.indexOf("## Run the tests"), readme.indexOf("## Deploy for real"));
    expect(tests).toContain("`bash .ci/install-deps`");
    expect(tests).not.toMatch(/\bsudo\b/);
  });

  it("states measured cold and warm suite times, not placeholders", () => {
    const tests = readme.slice(readme.indexOf("## Run the tests"), readme.indexOf("## Deploy for real"));
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
