// The stand-in providers' own Go tests (test/providers: diff and replace rules, secrets on the
// wire, random and tls rules, the command provider against a throwaway sshd). The setup has
// compiled them already (compileProviderTests).
import { describe, expect, it } from "vitest";
import { providerTests } from "./tools/pulumi-binaries";

describe("test providers", () => {
  it("go test ./... passes", async () => {
    const r = await providerTests();
    expect(r.status, r.output).toBe(0);
  }, 320_000);
});
