// A version change of the shipped poc stack under the real Pulumi engine (stand-in providers, steps
// recorded, not run): deployed at 1.34.3, the description bumped to 1.34.4 previews exactly the
// upgrade steps, in order, and nothing else; after `pulumi up` a preview changes nothing; a
// downgrade is refused through the real self-StackReference with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredSecretKeys } from "../../stacks/rules";
import type { SecretKey } from "../../stacks/schema";
import { stackSpec } from "../stack-spec";
import { previewChanges, urnKey } from "./expectations";
import { testSecrets } from "./secrets";
import { EngineStack } from "./stack";
import { EngineWorkspace, RECORDED_STACK_ENV } from "./workspace";

const STEP_LIMIT_MS = 300_000;
const SOURCE = "poc";
const at = (version: string) => (cluster: any) => (cluster.kubernetes.version = version);
const COMMAND_KEY = "command:remote:Command::";

describe("real engine: poc upgraded 1.34.3 -> 1.34.4", () => {
  let workspace: EngineWorkspace;
  let stack: EngineStack;
  const spec = stackSpec(SOURCE);
  const workers = spec.workers.map((w) => w.name);
  const upgradeSteps = [
    ...spec.controlPlanes.map((cp) => `${cp.name}-upgrade`),
    ...workers.flatMap((w) => [`${w}-upgrade-drain`, `${w}-upgrade`, `${w}-upgrade-uncordon`]),
  ];

  beforeAll(async () => {
    workspace = await EngineWorkspace.create("upgrade-poc", { env: RECORDED_STACK_ENV });
    const secrets = await testSecrets(workspace.dir, [...new Set<SecretKey>(["sshPrivateKey", ...requiredSecretKeys(spec)])]);
    stack = await EngineStack.init(workspace, "upgrade-poc", SOURCE, secrets, at("1.34.3"));
    await stack.ok(["up", "--yes"]);
  }, STEP_LIMIT_MS);

  afterAll(() => workspace?.dispose());

  it("records the deployed version and each node's in the stack outputs", async () => {
    const outputs = JSON.parse(await stack.ok(["stack", "output", "--json"])) as { kubernetesVersion: string; nodes: { packagesVersion: string }[] };
    expect(outputs.kubernetesVersion).toBe("1.34.3");
    expect(outputs.nodes.map((n) => n.packagesVersion)).toEqual(Array(spec.nodes.length).fill("1.34.3"));
  }, STEP_LIMIT_MS);

  it("the bump previews exactly the upgrade steps, in order, then the acceptance checks again, and nothing else", async () => {
    stack.writeDescription(SOURCE);
    const preview = await stack.preview();
    // The acceptance checks (components/checks) check the version the upgrade finished at, so they
    // run again after it, by design; every other step keeps its inputs.
    // (from-here is a local command: it probes from the machine running Pulumi)
    const isCheck = (key: string) => [COMMAND_KEY, "command:local:Command::"].some((type) => key.startsWith(`${type}${spec.name}-check-`));
    const changes = previewChanges(preview);
    expect(changes.change.filter(isCheck).length, "the acceptance checks run again").toBeGreaterThan(0);
    expect({ ...changes, change: changes.change.filter((key) => !isCheck(key)) }).toEqual({ create: [], delete: [], change: upgradeSteps.map((name) => `${COMMAND_KEY}${name}`).sort() });
    const order = preview.steps.map((s) => urnKey(s.urn));
    const lastUpgrade = Math.max(...upgradeSteps.map((name) => order.lastIndexOf(`${COMMAND_KEY}${name}`)));
    expect(order.findIndex(isCheck), "the checks after the last upgrade step").toBeGreaterThan(lastUpgrade);
    // The preview lists them in the order they would run: the control planes one by one, then
    // the workers (one batch of two in poc: side by side, each drain, upgrade, uncordon in turn).
    const inOrder = [...new Set(preview.steps.map((s) => urnKey(s.urn).slice(COMMAND_KEY.length)).filter((name) => upgradeSteps.includes(name)))];
    const position = (name: string) => inOrder.indexOf(name);
    expect(inOrder.slice(0, spec.controlPlanes.length)).toEqual(spec.controlPlanes.map((cp) => `${cp.name}-upgrade`));
    for (const w of workers) {
      expect(position(`${w}-upgrade-drain`)).toBeLessThan(position(`${w}-upgrade`));
      expect(position(`${w}-upgrade`)).toBeLessThan(position(`${w}-upgrade-uncordon`));
    }
  }, STEP_LIMIT_MS);

  it("pulumi up, then preview --expect-no-changes; the outputs move to 1.34.4, each node keeps its installed version", async () => {
    await stack.ok(["up", "--yes"]);
    await stack.ok(["preview", "--expect-no-changes"]);
    const outputs = JSON.parse(await stack.ok(["stack", "output", "--json"])) as { kubernetesVersion: string; nodes: { packagesVersion: string }[] };
    expect(outputs.kubernetesVersion).toBe("1.34.4");
    expect(outputs.nodes.map((n) => n.packagesVersion)).toEqual(Array(spec.nodes.length).fill("1.34.3"));
  }, STEP_LIMIT_MS);

  it("a downgrade is refused through the real self-StackReference, nothing changed", async () => {
    const before = await stack.exportState();
    stack.writeDescription(SOURCE, at("1.34.3"));
    try {
      const refused = await stack.run(["up", "--yes"]);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/cluster\.kubernetes\.version[\s\S]*the cluster runs Kubernetes 1\.34\.4/);
      expect(refused.output).not.toMatch(/\n\s+at .*\.ts:\d+/);
    } finally {
      stack.writeDescription(SOURCE);
    }
    const resources = (state: string) =>
      (JSON.parse(state).deployment.resources as { urn: string; inputs?: unknown }[]).map((r) => JSON.stringify([r.urn, r.inputs]));
    expect(resources(await stack.exportState())).toEqual(resources(before));
  }, STEP_LIMIT_MS);
});
