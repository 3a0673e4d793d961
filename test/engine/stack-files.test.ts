// Every stack has its real-engine test file: one file per stack, so that a new example cannot be
// left out when the files are split for parallel runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..", "..");

describe("real-engine test files", () => {
  it("one per shipped stack and per example, each running the stack suite on it", () => {
    const stacks = fs.readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.slice(1) ?? []);
    const examples = fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".yaml")).map((f) => path.basename(f, ".yaml"));
    const expected = [
      ...stacks.map((s) => [`stack-${s}.test.ts`, `engineStackSuite("${s}", "${s}")`]),
      ...examples.map((e) => [`example-${e}.test.ts`, `engineStackSuite("examples/${e}.yaml", "${e}")`]),
    ];
    for (const [file, call] of expected) {
      const full = path.join(__dirname, file!);
      expect(fs.existsSync(full), `test/engine/${file} is missing`).toBe(true);
      expect(fs.readFileSync(full, "utf8"), file).toContain(call);
    }
  });
});
