// CI's own scripts: .ci/run installs the tools and runs exactly the README's test command; a tool
// that cannot be had stops install-deps with its name; the run ends with one plain summary line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import SummaryLine from "./setup/summary-line";
import { runProcess } from "./tools/process";

const root = path.resolve(__dirname, "..");

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

  it("the test tooling that builds or runs for minutes never blocks a worker's event loop", () => {
    // A vitest worker blocked for a minute cannot answer the runner (`Timeout calling "onTaskUpdate"`
    // on a loaded machine). loop-devices.ts stays synchronous: losetup and sfdisk finish in milliseconds.
    const files = ["test/sandbox/node-sandbox.ts", "test/sandbox/control-plane.ts", "test/tools/go-binaries.ts", "test/tools/pulumi-binaries.ts", "test/tools/kube-validate.ts", "test/tools/lock.ts", "test/tools/apiserver.ts", ...["test/setup", "test/lab", "test/cluster", "test/engine"].flatMap((dir) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".ts")).map((f) => `${dir}/${f}`))];
    for (const file of files) {
      expect(fs.readFileSync(path.join(root, file), "utf8"), file).not.toMatch(/\b(spawnSync|execSync|execFileSync)\(|Atomics\.wait/);
    }
    expect(fs.readFileSync(path.join(root, "vitest.config.ts"), "utf8")).toMatch(/globalSetup: \["test\/setup\/tools\.ts"\]/);
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
