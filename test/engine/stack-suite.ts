// The real-engine checks of one stack (poc, prod or an example), in the order a user meets them:
// preview, up, a no-change preview, the state's secrets, a description change, destroy. The
// machines and steps are the project's stand-in providers (test/providers, README "What the
// tests leave unproven"); the remote steps here are recorded, not run (the lab test runs them).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requiredSecretKeys } from "../../stacks/rules";
import type { SecretKey } from "../../stacks/schema";
import { planStack, type PlanResult } from "../harness";
import { stackSpec } from "../stack-spec";
import { planChanges, planKeys, previewChanges } from "./expectations";
import { secretNeedles, testSecrets } from "./secrets";
import { EngineStack } from "./stack";
import { EngineWorkspace } from "./workspace";

const STEP_LIMIT_MS = 300_000;

/** One worker of the first pool replaced by a new address (and name, where the pool names them). */
export function swapOneWorker(cluster: any): void {
  const pool = cluster.workerPools[0];
  const used = new Set<string>([...cluster.controlPlane.addresses, ...cluster.workerPools.flatMap((p: any) => p.addresses), cluster.endpoint?.vip, cluster.network.gateway]);
  pool.addresses.pop();
  pool.names?.pop();
  const [a, b, c, d] = pool.addresses[0].split(".").map(Number);
  let last = d + 1;
  while (used.has(`${a}.${b}.${c}.${last}`)) last++;
  pool.addresses.push(`${a}.${b}.${c}.${last}`);
  pool.names?.push(`${pool.name}-added`);
}

/** Delete operations in the order the engine finished them, from `--event-log`. */
export function deletionOrder(eventLog: string): string[] {
  return eventLog
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { resOutputsEvent?: { metadata: { op: string; urn: string } } })
    .flatMap((event) => (event.resOutputsEvent?.metadata.op === "delete" ? [event.resOutputsEvent.metadata.urn] : []));
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
      workspace = await EngineWorkspace.create(stackName, { env: { ONPREM_K8S_COMMAND_STANDIN: "record" } });
      secrets = await testSecrets(workspace.dir, ["sshPrivateKey", ...requiredSecretKeys(spec)] as SecretKey[]);
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

    it("pulumi up, then pulumi preview --expect-no-changes", async () => {
      await stack.ok(["up", "--yes"]);
      await stack.ok(["preview", "--expect-no-changes"]);
    }, STEP_LIMIT_MS);

    it("pulumi stack export: no private key, token, password or kubeconfig in plaintext", async () => {
      const state = await stack.exportState();
      for (const [key, value] of Object.entries(secrets)) {
        for (const needle of secretNeedles(value)) expect(state.includes(needle), `secret ${key} in plaintext in the state`).toBe(false);
      }
      expect(state).not.toMatch(/PRIVATE KEY-----/);
      expect(state).not.toMatch(/client-key-data|"?token"?:\s*"?[a-z0-9]{6}\.[a-z0-9]{16}/);
      // The kubeconfig output is there, as ciphertext, and whole for who asks with --show-secrets.
      const outputs = JSON.parse(await stack.ok(["stack", "output", "--json"])) as Record<string, unknown>;
      expect(outputs.kubeconfig).toBe("[secret]");
      const kubeconfig = parse(await stack.ok(["stack", "output", "kubeconfig", "--show-secrets"]));
      expect(kubeconfig.clusters[0].cluster.server).toBe(outputs.apiEndpoint);
    }, STEP_LIMIT_MS);

    it("a description change (one worker removed, one added) previews exactly the plan's difference", async () => {
      const changed = await planStack(source, swapOneWorker);
      const expected = planChanges(plan, changed);
      expect(expected.create.length).toBeGreaterThan(0);
      expect(expected.delete.length).toBeGreaterThan(0);
      stack.writeDescription(source, swapOneWorker);
      try {
        expect(previewChanges(await stack.preview())).toEqual(expected);
      } finally {
        stack.writeDescription(source);
      }
    }, STEP_LIMIT_MS);

    if (!spec.protect) {
      it("pulumi destroy: deletes everything, each node's membership before its join (kubeadm reset) before its machine", async () => {
        const eventLog = path.join(workspace.dir, "destroy-events.jsonl");
        await stack.ok(["destroy", "--yes", "--event-log", eventLog]);
        expect(await stack.resources()).toEqual([]);
        const order = deletionOrder(fs.readFileSync(eventLog, "utf8")).map((urn) => urn.split("::").at(-1)!);
        for (const node of spec.nodes.filter((n) => n.role === "worker")) {
          const at = (suffix: string) => order.indexOf(`${spec.name}-${node.name}${suffix}`);
          expect(at("-membership"), `${node.name}: membership deleted`).toBeGreaterThanOrEqual(0);
          expect(at("-membership")).toBeLessThan(at("-join"));
          expect(at("-join")).toBeLessThan(at(""));
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
