// The event-loop guard against planted files: a real vitest run (the project's vitest CLI, a small
// config with only the guard as setup file, no globalSetup) with the bound lowered, so a test or
// an import that blocks its worker fails its file by name, and a file that only waits passes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../tools/process";
import { BLOCK_LIMIT_ENV } from "./event-loop-guard";

const root = path.resolve(__dirname, "../..");
const LIMIT_SECONDS = 1.5;
// Wall-clock busy loops, so they block this long however loaded the machine is.
const BLOCK_MS = 3_000;
const busyLoop = `const end = Date.now() + ${BLOCK_MS}; while (Date.now() < end) { /* blocked */ }`;

interface FileResult {
  name: string;
  status: string;
  message: string;
}

describe("the event-loop guard", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "event-loop-guard-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("fails a file that blocks its worker longer than the bound, naming the file, the block and where; passes one that waits", async () => {
    const plant = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);
    plant("blocking.test.ts", `it("spins", () => { ${busyLoop} });\nit("comes after", () => {});\n`);
    plant("import-blocking.test.ts", `${busyLoop}\nit("runs", () => {});\n`);
    plant("waiting.test.ts", `it("waits as long without blocking", async () => { await new Promise((r) => setTimeout(r, ${BLOCK_MS})); });\n`);
    plant(
      "vitest.config.mjs",
      `export default { test: { include: ["*.test.ts"], globals: true, pool: "forks", maxWorkers: 3, minWorkers: 1, setupFiles: [${JSON.stringify(path.join(root, "test/setup/event-loop-guard.ts"))}] } };\n`,
    );
    // The inner run must not take this worker's vitest variables for its own.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
    const report = path.join(dir, "report.json");
    const run = await runProcess(
      process.execPath,
      [path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--config", path.join(dir, "vitest.config.mjs"), "--root", dir, "--reporter=json", `--outputFile=${report}`],
      { cwd: dir, env: { ...env, [BLOCK_LIMIT_ENV]: String(LIMIT_SECONDS) }, allowFail: true, timeoutMs: 90_000 },
    );
    expect(run.status, run.output).toBe(1);
    const files = new Map((JSON.parse(fs.readFileSync(report, "utf8")).testResults as FileResult[]).map((f) => [path.basename(f.name), f]));
    expect([...files.keys()].sort()).toEqual(["blocking.test.ts", "import-blocking.test.ts", "waiting.test.ts"]);

    expect(files.get("waiting.test.ts")?.status, files.get("waiting.test.ts")?.message).toBe("passed");
    const blocked = files.get("blocking.test.ts")!;
    expect(blocked.status).toBe("failed");
    expect(blocked.message).toMatch(new RegExp(`^blocking\\.test\\.ts blocked its worker's event loop for (\\d+\\.\\d) s while test "spins" .*; the bound is ${LIMIT_SECONDS} s \\(${BLOCK_LIMIT_ENV}\\)`));
    expect(Number(/for (\d+\.\d) s/.exec(blocked.message)![1])).toBeGreaterThanOrEqual(BLOCK_MS / 1000);
    const atImport = files.get("import-blocking.test.ts")!;
    expect(atImport.status).toBe("failed");
    expect(atImport.message).toMatch(/^import-blocking\.test\.ts blocked its worker's event loop for \d+\.\d s while importing the file/);
  }, 120_000);
});
