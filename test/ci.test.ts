// CI's own scripts: .ci/run installs the tools and runs exactly the README's test command; a tool
// that cannot be had stops install-deps with its name; the run ends with one plain summary line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import SummaryLine from "./setup/summary-line";
import { runProcess } from "./tools/process";

const root = path.resolve(__dirname, "..");

/** TypeScript files below a directory of the repository, as paths relative to its root. */
function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.split(path.sep).includes("node_modules"))
    .map((f) => path.join(dir, f));
}

/** A PATH with every command of this one except `hidden`. */
function pathWithout(hidden: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "path-"));
  for (const source of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    if (!fs.existsSync(source)) continue;
    for (const name of fs.readdirSync(source)) {
      const target = path.join(dir, name);
      if (name !== hidden && !fs.existsSync(target)) fs.symlinkSync(path.join(source, name), target);
    }
  }
  return dir;
}

describe("CI scripts", () => {
  it(".ci/run installs the tools, then runs exactly the README's test command, last", () => {
    const commands = fs.readFileSync(path.join(root, ".ci/run"), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#"));
    expect(commands.at(-1)).toBe("npm test");
    expect(commands).toContain("bash .ci/install-deps");
    expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toMatch(/## Run the tests\n\n```sh\nnpm test\n```/);
  });

  it.runIf(process.getuid?.() === 0)("install-deps fails loudly, naming the tool, when one cannot be had", async () => {
    const run = await runProcess("bash", [path.join(root, ".ci/install-deps")], { env: { ...process.env, PATH: pathWithout("haproxy") }, allowFail: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("install-deps: haproxy is missing although package haproxy was installed");
  });

  it("no test file or test helper blocks its worker's event loop with a synchronous child process or wait", () => {
    // A vitest worker blocked for a minute cannot answer the runner (`Timeout calling "onTaskUpdate"`
    // on a loaded machine): child processes go through runProcess (test/tools/process.ts).
    const testFiles = ["components", "stacks", "scripts"].flatMap((dir) => sourceFiles(dir).filter((f) => f.endsWith(".test.ts")));
    const files = [...testFiles, ...sourceFiles("test")];
    expect(files.length).toBeGreaterThan(100);
    const blocking = [/\b(spawnSync|execSync|execFileSync)\s*\(/, /\bAtomics\.wait\s*\(/, /\{[^}]*\b(spawnSync|execSync|execFileSync)\b[^}]*\}\s*(from\s*|=\s*require\()["'](node:)?child_process["']/];
    const offenders = files.flatMap((file) =>
      fs
        .readFileSync(path.join(root, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (blocking.some((pattern) => pattern.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
    // And each worker measures its own event loop: the guard fails a file that blocked it anyway.
    const config = fs.readFileSync(path.join(root, "vitest.config.ts"), "utf8");
    expect(config).toMatch(/globalSetup: \["test\/setup\/tools\.ts"\]/);
    expect(config).toMatch(/setupFiles: \["test\/setup\/event-loop-guard\.ts"\]/);
  });

  it("the run ends with one plain line counting passed, failed and skipped tests, errors outside tests counted as failed", () => {
    const test = (state: string | undefined) => ({ type: "test", result: state ? { state } : undefined });
    const files = [
      { type: "suite", result: { state: "pass" }, tasks: [test("pass"), test("pass"), test(undefined)] },
      // a file whose beforeAll failed: its tests never ran, the file itself is one failure
      { type: "suite", result: { state: "fail" }, tasks: [{ type: "suite", result: { state: "fail" }, tasks: [test("skip")] }] },
      { type: "suite", result: { state: "fail" }, tasks: [test("fail"), test("pass")] },
    ];
    let written = "";
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((written += chunk), true)) as typeof process.stdout.write;
    try {
      new SummaryLine().onFinished(files, [new Error("Timeout calling onTaskUpdate")]);
    } finally {
      process.stdout.write = write;
    }
    expect(written).toBe("\ntests: 3 passed, 3 failed, 2 skipped\n");
  });
});
