// The stand-in providers' own Go tests (test/providers: diff and replace rules, secrets on the
// wire, random and tls rules, the command provider against a throwaway sshd).
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runProcess } from "./tools/process";

describe("test providers", () => {
  it("go test ./... passes", async () => {
    const r = await runProcess("go", ["test", "./..."], { cwd: path.join(__dirname, "providers"), allowFail: true, timeoutMs: 300_000 });
    expect(r.status, r.output).toBe(0);
  }, 320_000);
});
