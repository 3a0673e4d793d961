// The destroy guard (components/destroy-guard.ts) as the program registers it. The real engine's
// refusal itself is shown by test/engine (a prod destroy deletes nothing).
import { describe, expect, it } from "vitest";
import { planStack, resourcesOfType } from "./harness";

const GUARD = "random:index/randomString:RandomString";

describe("destroy guard", () => {
  it("prod: one protected guard that depends on every other resource of the stack", async () => {
    const plan = await planStack("prod");
    const guard = resourcesOfType(plan, GUARD).find((r) => r.name.endsWith("-destroy-guard"));
    expect(guard, "prod registers a destroy guard").toBeDefined();
    expect(guard!.protect).toBe(true);
    // Only through dependsOn: an input from another resource would make it part of replacements.
    expect(guard!.inputs).toEqual({ length: 8, special: false });
    const others = plan.resources.filter((r) => r.custom && r.urn !== guard!.urn && !r.type.startsWith("pulumi:providers:"));
    const missing = others.filter((r) => !guard!.dependencies.includes(r.urn)).map((r) => r.urn);
    expect(missing).toEqual([]);
  });

  it("prod: only the machines, the CAs and keys (the Secrets-at-rest encryption keys among them), and the guard are protected, never a component", async () => {
    // The engine protects every child of a protected component, even one registered with
    // `protect: false` (shown by test/engine: the state's protected set equals the plan's).
    const plan = await planStack("prod");
    const protectedTypes = new Set(plan.resources.filter((r) => r.protect).map((r) => r.type));
    expect([...protectedTypes].sort()).toEqual(["random:index/randomBytes:RandomBytes", GUARD, "tls:index/privateKey:PrivateKey", "tls:index/selfSignedCert:SelfSignedCert", "vsphere:index/virtualMachine:VirtualMachine"]);
  });

  it("poc (not protected): no guard, so destroy removes everything", async () => {
    const plan = await planStack("poc");
    expect(resourcesOfType(plan, GUARD).filter((r) => r.name.endsWith("-destroy-guard"))).toEqual([]);
  });
});
