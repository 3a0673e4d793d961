// The real-engine checks of one stack (poc, prod or an example), in the order a user meets them:
// preview, up, a no-change preview, the state's secrets, a description change, destroy. The
// machines and steps are the project's stand-in providers (test/providers, docs/testing.md "What the
// stand-ins leave unproven"); the remote steps here are recorded, not run (the lab test runs them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requiredSecretKeys } from "../../stacks/rules";
import type { SecretKey } from "../../stacks/schema";
import { readStackFile } from "../../stacks/stack-file";
import { REPO_ROOT, planStack, type PlanResult } from "../harness";
import { stackSpec } from "../stack-spec";
import { addOneWorker, deletionOrder, swapTwoControlPlanes } from "./edits";
import { planChanges, planKeys, previewChanges, urnKey } from "./expectations";
import { secretNeedles, testSecrets } from "./secrets";
import { EngineStack } from "./stack";
import { EngineWorkspace, RECORDED_STACK_ENV } from "./workspace";

const STEP_LIMIT_MS = 300_000;

/** Whether a value of `pulumi stack export --show-secrets` is a secret (signature and plaintext). */
function isRevealedSecret(value: unknown): boolean {
  return typeof (value as { plaintext?: unknown } | undefined)?.plaintext === "string";
}

/** A secret's value as `pulumi stack export --show-secrets` prints it, or the value itself. */
function revealedValue(value: unknown): unknown {
  const secret = value as { plaintext?: string } | undefined;
  return typeof secret?.plaintext === "string" ? JSON.parse(secret.plaintext) : value;
}

export function engineStackSuite(source: string, stackName: string): void {
  describe(`real engine: ${stackName} (${source})`, () => {
    let workspace: EngineWorkspace;
    let stack: EngineStack;
    let plan: PlanResult;
    let secrets: Partial<Record<SecretKey, string>>;
    const spec = stackSpec(source);

    beforeAll(async () => {
      // Record mode: these stacks' machines are stand-in records, so there is no host to reach.
      workspace = await EngineWorkspace.create(stackName, { env: RECORDED_STACK_ENV });
      secrets = await testSecrets(workspace.dir, [...new Set<SecretKey>(["sshPrivateKey", ...requiredSecretKeys(spec)])]);
      stack = await EngineStack.init(workspace, stackName, source, secrets);
      plan = await planStack(source);
    }, STEP_LIMIT_MS);

    afterAll(() => workspace?.dispose());

    it("pulumi preview: exits 0 and creates exactly what the offline plan registers", async () => {
      const preview = await stack.preview();
      const changes = previewChanges(preview);
      expect(changes.create).toEqual([...planKeys(plan)].sort());
      expect(changes.delete).toEqual([]);
      expect(changes.change).toEqual([]);
    }, STEP_LIMIT_MS);

    it("pulumi up, then pulumi preview --expect-no-changes; protected in the state is what the plan protects", async () => {
      await stack.ok(["up", "--yes"]);
      await stack.ok(["preview", "--expect-no-changes"]);
      // The engine passes a component's protection on to its children; the mocks do not.
      const protectedNow = (await stack.resources()).filter((r) => r.protect).map((r) => urnKey(r.urn)).sort();
      expect(protectedNow).toEqual(plan.resources.filter((r) => r.protect).map((r) => urnKey(r.urn)).sort());
    }, STEP_LIMIT_MS);

    it("pulumi stack export: no private key, token, password or kubeconfig in plaintext", async () => {
      const state = await stack.exportState();
      for (const [key, value] of Object.entries(secrets)) {
        for (const needle of secretNeedles(value)) expect(state.includes(needle), `secret ${key} in plaintext in the state`).toBe(false);
      }
      expect(state).not.toMatch(/PRIVATE KEY-----/);
      // Every generated value that is secret (read with --show-secrets) is nowhere in plaintext:
      // a secret RandomString would leak, its id is its result.
      const revealed = JSON.parse(await stack.ok(["stack", "export", "--show-secrets"])) as { deployment: { resources?: { type: string; urn: string; outputs?: Record<string, unknown> }[] } };
      const secretResults = (revealed.deployment.resources ?? []).filter((r) => r.type.startsWith("random:") && isRevealedSecret(r.outputs?.result));
      expect(secretResults.length).toBeGreaterThan(0);
      for (const generated of secretResults) {
        const result = String(revealedValue(generated.outputs?.result));
        expect(state.includes(result), `${generated.urn}: its result in plaintext in the state`).toBe(false);
      }
      expect(state).not.toMatch(/client-key-data|"?token"?:\s*"?[a-z0-9]{6}\.[a-z0-9]{16}/);
      // The kubeconfig output is there, as ciphertext, and whole for who asks with --show-secrets.
      const outputs = JSON.parse(await stack.ok(["stack", "output", "--json"])) as Record<string, unknown>;
      expect(outputs.kubeconfig).toBe("[secret]");
      // When the certificates expire is plain (dates are not secret); recorded steps report no date.
      expect(outputs.certificates).toMatchObject({ renewBeforeDays: spec.kubernetes.certificates.renewBeforeDays, controlPlanes: expect.any(Object) });
      const kubeconfig = parse(await stack.ok(["stack", "output", "kubeconfig", "--show-secrets"]));
      expect(kubeconfig.clusters[0].cluster.server).toBe(outputs.apiEndpoint);
    }, STEP_LIMIT_MS);

    if (Array.isArray((readStackFile(source, REPO_ROOT).cluster as any).controlPlane?.names)) {
      it("two of three control planes replaced at once: refused by the quorum guard through the real self-StackReference", async () => {
        stack.writeDescription(source, swapTwoControlPlanes);
        try {
          const refused = await stack.run(["preview"]);
          expect(refused.status).not.toBe(0);
          expect(refused.output).toMatch(/control-plane change refused/);
          expect(refused.output).toMatch(/below quorum/);
        } finally {
          stack.writeDescription(source);
        }
      }, STEP_LIMIT_MS);
    }

    it("one worker added: the preview is exactly the offline plans' difference, then pulumi up", async () => {
      const expected = planChanges(plan, await planStack(source, addOneWorker));
      expect(expected.create.length).toBeGreaterThan(0);
      stack.writeDescription(source, addOneWorker);
      expect(previewChanges(await stack.preview())).toEqual(expected);
      await stack.ok(["up", "--yes"]);
    }, STEP_LIMIT_MS);

    it("that worker removed again: exactly the plans' difference; a protected machine only after pulumi state unprotect", async () => {
      const expected = planChanges(await planStack(source, addOneWorker), plan);
      expect(expected.delete.length).toBeGreaterThan(0);
      stack.writeDescription(source);
      const refused = await stack.run(["preview"]);
      if (refused.status !== 0) {
        // Prod: the engine refuses to delete a protected machine, naming it; nothing else is refused.
        const blocked = [...refused.output.matchAll(/resource "(urn:pulumi:[^"]+)" cannot be deleted\s+because it is protected/g)].map((m) => m[1]!);
        expect(blocked.length, refused.output.slice(-3000)).toBeGreaterThan(0);
        for (const urn of new Set(blocked)) {
          expect(expected.delete).toContain(urnKey(urn));
          await stack.ok(["state", "unprotect", urn, "--yes"]);
        }
      }
      expect(previewChanges(await stack.preview())).toEqual(expected);
    }, STEP_LIMIT_MS);

    if (!spec.protect) {
      it("pulumi destroy: deletes everything, each node's membership before its join (kubeadm reset) before its machine (or, on existing hosts, its reachable step)", async () => {
        const result = await stack.run(["destroy", "--yes", "--json"]);
        expect(result.status, result.output.slice(-4000)).toBe(0);
        expect(await stack.resources()).toEqual([]);
        const order = deletionOrder(result.stdout).map((urn) => urn.split("::").at(-1)!);
        // Existing hosts have no machine resource: what goes last for them is the reachable step.
        const machine = spec.platform.type === "existing" ? "-reachable" : "";
        for (const node of spec.nodes.filter((n) => n.role === "worker")) {
          const at = (suffix: string) => order.indexOf(`${node.name}${suffix}`);
          expect(at("-membership"), `${node.name}: membership deleted`).toBeGreaterThanOrEqual(0);
          expect(at("-membership")).toBeLessThan(at("-join"));
          expect(at(machine), `${node.name}${machine} deleted`).toBeGreaterThanOrEqual(0);
          expect(at("-join")).toBeLessThan(at(machine));
        }
      }, STEP_LIMIT_MS);
    } else {
      it("pulumi destroy of a protected (prod) stack: refused, nothing deleted", async () => {
        const before = (await stack.resources()).map((r) => r.urn).sort();
        const result = await stack.run(["destroy", "--yes"]);
        expect(result.status).not.toBe(0);
        expect(result.output).toMatch(/destroy-guard.*protected|protected.*destroy-guard/s);
        expect((await stack.resources()).map((r) => r.urn).sort()).toEqual(before);
      }, STEP_LIMIT_MS);

      it("protection lifted on purpose (pulumi state unprotect --all), pulumi destroy deletes everything", async () => {
        await stack.ok(["state", "unprotect", "--all", "--yes"]);
        await stack.ok(["destroy", "--yes"]);
        expect(await stack.resources()).toEqual([]);
      }, STEP_LIMIT_MS);
    }
  });
}
