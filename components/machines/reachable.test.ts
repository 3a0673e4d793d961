// The reachable script run locally against stand-in `cloud-init` commands: each outcome prints a
// message naming the node, and only a finished cloud-init (or none at all) passes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { REACHABLE_SCRIPT, reachableCommandLine, reachableScript } from "./reachable";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "machines-reachable-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs the command line as SSH would, with a PATH whose `cloud-init` behaves as given (or is absent). */
async function run(cloudInit: string | undefined, timeoutSeconds = 5) {
  const bin = fs.mkdtempSync(path.join(work, "bin-"));
  for (const tool of ["bash", "id", "hostname", "timeout", "tr", "sleep", "env"]) {
    const found = (await runProcess("bash", ["-c", `command -v ${tool}`], { allowFail: true })).stdout.trim();
    fs.symlinkSync(found, path.join(bin, tool));
  }
  if (cloudInit !== undefined) fs.writeFileSync(path.join(bin, "cloud-init"), `#!${path.join(bin, "bash")}\n${cloudInit}\n`, { mode: 0o755 });
  return runProcess(path.join(bin, "bash"), ["-c", reachableCommandLine("cp-1", timeoutSeconds)], { input: reachableScript(), env: { PATH: bin }, allowFail: true });
}

describe("reachable.sh", () => {
  it("is shellcheck-clean", async () => {
    // A missing shellcheck fails here: the spawn error names it.
    const check = await runProcess("shellcheck", [REACHABLE_SCRIPT], { allowFail: true });
    expect(check.status, check.stdout).toBe(0);
  });

  it("passes once cloud-init has finished", async () => {
    const result = await run('[ "$2" = --wait ] && exit 0; echo "status: done"');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/reachable: cp-1 answers over SSH as \S+/);
    expect(result.stdout).toMatch(/reachable: cp-1: cloud-init has finished/);
  });

  it("passes hosts without cloud-init", async () => {
    const result = await run(undefined);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/cp-1: cloud-init is not installed, nothing to wait for/);
  });

  it("passes recoverable errors with the details", async () => {
    const result = await run('[ "$2" = --wait ] && exit 2; echo "status: done (deprecated key)"');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/recoverable errors: status: done \(deprecated key\)/);
  });

  it("fails a failed cloud-init with its status", async () => {
    const result = await run('[ "$2" = --wait ] && exit 1; echo "status: error"; echo "errors: package install failed"');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/reachable: cp-1: cloud-init failed \(exit 1\): status: error errors: package install failed/);
  });

  it("fails a cloud-init that is still running after the limit", async () => {
    const result = await run('[ "$2" = --wait ] && sleep 30; echo "status: running"', 1);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cp-1: cloud-init is still running after 1s/);
  });

  it("quotes its parameters on the command line", () => {
    expect(reachableCommandLine("cp-1", 900)).toBe("export NODE_NAME=cp-1; export CLOUD_INIT_TIMEOUT_SECONDS=900; bash -s");
  });
});
