// The rolling upgrade as the engine would receive it (the program under the plan's mocks, with the
// stack's previous outputs given through the self-StackReference): the steps and their order, a
// fresh cluster and a re-run unchanged, an upgrade that changes the upgrade steps and nothing else,
// and the refusals before any resource.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { planStack, resourceNamed, resourcesOfType, type PlanResult, type RecordedResource } from "../../test/harness";
import { resourceOutputFakers, stackReferenceOutputs } from "../../scripts/plan/mocks";

const COMMAND = "command:remote:Command";
const SELF = "organization/onprem-k8s/poc";
const CPS = ["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"];
const WORKERS = ["nsx-poc-worker-1", "nsx-poc-worker-2"];
const named = (plan: PlanResult, name: string) => resourceNamed(plan, COMMAND, name);
const hostOf = (r: RecordedResource) => (r.inputs.connection as { host?: string } | undefined)?.host;
const paramsOf = (r: RecordedResource) => String(r.inputs.stdin ?? "").split("\n#!/usr/bin/env bash")[0]!;
const isUpgradeStep = (name: string) => /-upgrade(-drain|-uncordon)?$/.test(name);
/** The acceptance checks (components/checks/steps.ts): last, at the version the upgrade finished at, and again when it moves. */
const isCheckStep = (name: string) => /^nsx-poc-check-[a-z-]+$/.test(name);
/** What the engine diffs for a command: its stdin, triggers and command lines. */
const inputsOf = (plan: PlanResult) =>
  new Map(resourcesOfType(plan, COMMAND).map((r) => [r.name, JSON.stringify([r.inputs.stdin, r.inputs.triggers, r.inputs.create, r.inputs.delete])]));

/** The outputs a stack deployed at `version` left behind (every node installed at it). */
function deployedAt(version: string, nodes = [...CPS, ...WORKERS]): Record<string, unknown> {
  return {
    kubernetesVersion: version,
    nodes: nodes.map((name) => ({ name, role: name.includes("-cp-") ? "control-plane" : "worker", address: "unused", packagesVersion: version })),
  };
}

async function planWithPrevious(previous: Record<string, unknown> | undefined, overrides?: (cluster: any) => void): Promise<PlanResult> {
  stackReferenceOutputs.clear();
  if (previous) stackReferenceOutputs.set(SELF, previous);
  try {
    return await planStack("poc", overrides);
  } finally {
    stackReferenceOutputs.clear();
  }
}
const atVersion = (version: string) => (c: any) => (c.kubernetes.version = version);

describe("upgrade steps of a fresh poc stack (3 control planes, 2 workers)", () => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await planWithPrevious(undefined);
  });

  it("has one upgrade step per control plane, chained in order after every control-plane join", () => {
    const [cp1, cp2, cp3] = CPS.map((cp) => named(plan, `${cp}-upgrade`));
    expect(cp1!.dependencies).toEqual(expect.arrayContaining([named(plan, "nsx-poc-cp-1-init").urn, named(plan, "nsx-poc-cp-2-join").urn, named(plan, "nsx-poc-cp-3-join").urn]));
    expect(cp2!.dependencies).toContain(cp1!.urn);
    expect(cp3!.dependencies).toContain(cp2!.urn);
    expect(cp3!.dependencies).not.toContain(cp1!.urn);
    expect(paramsOf(cp1!)).toContain("export UPGRADE_ACTION=first-control-plane;");
    expect(paramsOf(cp2!)).toContain("export UPGRADE_ACTION=control-plane;");
    for (const [i, cp] of CPS.entries()) expect(hostOf(named(plan, `${cp}-upgrade`))).toBe(`192.168.100.1${i + 1}`);
  });

  it("drains and uncordons each worker from the first control plane, upgrades it on itself, after the control planes", () => {
    const cp3 = named(plan, "nsx-poc-cp-3-upgrade");
    for (const [i, worker] of WORKERS.entries()) {
      const drain = named(plan, `${worker}-upgrade-drain`);
      const upgrade = named(plan, `${worker}-upgrade`);
      const uncordon = named(plan, `${worker}-upgrade-uncordon`);
      expect(drain.dependencies).toEqual(expect.arrayContaining([cp3.urn, named(plan, `${worker}-membership`).urn]));
      expect(upgrade.dependencies).toContain(drain.urn);
      expect(uncordon.dependencies).toContain(upgrade.urn);
      expect([hostOf(drain), hostOf(upgrade), hostOf(uncordon)]).toEqual(["192.168.100.11", `192.168.100.2${i + 1}`, "192.168.100.11"]);
      expect(paramsOf(drain)).toMatch(/export UPGRADE_ACTION=drain; .*export HOST_NAME=nsx-poc-cp-1;/);
      // no admin credential ever reaches a worker: its own step carries none
      expect(paramsOf(upgrade)).not.toMatch(/HOST_NAME|admin/);
    }
    // a fresh cluster's no-op steps run side by side: no worker waits for another
    expect(named(plan, "nsx-poc-worker-2-upgrade-drain").dependencies).not.toContain(named(plan, "nsx-poc-worker-1-upgrade-uncordon").urn);
  });

  it("triggers every upgrade step on the target version, with the target minor's repository", () => {
    const steps = resourcesOfType(plan, COMMAND).filter((r) => isUpgradeStep(r.name));
    expect(steps).toHaveLength(CPS.length + 3 * WORKERS.length);
    for (const step of steps) {
      expect(step.inputs.triggers, step.name).toContain("1.34.4");
      expect(paramsOf(step)).toContain("export KUBERNETES_VERSION=1.34.4;");
      expect(paramsOf(step)).toMatch(/export KUBERNETES_REPO_URL=https\\:\/\/pkgs\.k8s\.io\/core\\:\/stable\\:\/v1\.34\/deb\/;/);
      expect(step.inputs.delete, step.name).toBeUndefined();
    }
  });

  it("installs and initialises a fresh cluster at the described version, as before", () => {
    for (const node of [...CPS, ...WORKERS]) {
      expect(paramsOf(named(plan, `${node}-kubernetes-packages`))).toMatch(/^export KUBERNETES_VERSION=1\.34\.4; export KUBERNETES_REPO_URL=https\\:\/\/pkgs\.k8s\.io\/core\\:\/stable\\:\/v1\.34\/deb\/; $/);
      expect(paramsOf(named(plan, `${node}-containerd`))).toContain("registry.k8s.io/pause\\:3.10.1");
    }
    expect(paramsOf(named(plan, "nsx-poc-cp-1-init"))).toContain("kubernetesVersion: v1.34.4");
  });

  it("records the version and each node's installed version in the outputs", () => {
    expect(plan.outputs.kubernetesVersion).toBe("1.34.4");
    expect(plan.outputs.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ name: "nsx-poc-worker-2", role: "worker", packagesVersion: "1.34.4" })]));
  });

  it("lets nothing but the recorded version and the acceptance checks wait for the no-op upgrade steps", () => {
    const steps = new Set(resourcesOfType(plan, COMMAND).filter((r) => isUpgradeStep(r.name)).map((r) => r.urn));
    const waiting = plan.resources.filter((r) => !isUpgradeStep(r.name) && !isCheckStep(r.name) && r.dependencies.some((urn) => steps.has(urn)));
    expect(waiting.map((r) => r.name)).toEqual([]);
  });
});

describe("an upgrade of a deployed poc stack", () => {
  let refusal: NodeJS.UnhandledRejectionListener;
  let vitestListeners: NodeJS.UnhandledRejectionListener[] = [];
  // A refusal is also reported by the SDK as an unhandled rejection of the program's promise; only those are kept from vitest.
  beforeEach(() => {
    vitestListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    refusal = (reason, promise) => {
      if (reason instanceof Error && /The cluster description has \d+ error/.test(reason.message)) return;
      for (const listener of vitestListeners) listener(reason, promise);
    };
    process.on("unhandledRejection", refusal);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.removeListener("unhandledRejection", refusal);
    for (const listener of vitestListeners) process.on("unhandledRejection", listener);
  });

  let fresh: PlanResult;
  let rerun: PlanResult;
  let deployed: PlanResult;
  let upgrade: PlanResult;
  beforeAll(async () => {
    fresh = await planWithPrevious(undefined);
    rerun = await planWithPrevious(deployedAt("1.34.4"));
    deployed = await planWithPrevious(undefined, atVersion("1.34.3"));
    upgrade = await planWithPrevious(deployedAt("1.34.3"));
  });

  it("changes nothing on a re-run at the recorded version (every command's inputs as on the first deployment)", () => {
    expect(inputsOf(rerun)).toEqual(inputsOf(fresh));
    expect(rerun.resources.map((r) => r.urn)).toEqual(fresh.resources.map((r) => r.urn));
  });

  it("1.34.3 -> 1.34.4 changes the upgrade steps and no other command but the acceptance checks: packages, containerd, joins and init keep 1.34.3", () => {
    const before = inputsOf(deployed);
    const after = inputsOf(upgrade);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...after.keys()].filter((name) => after.get(name) !== before.get(name));
    expect(changed.sort()).toEqual([...after.keys()].filter((name) => isUpgradeStep(name) || isCheckStep(name)).sort());
    for (const node of [...CPS, ...WORKERS]) {
      expect(paramsOf(named(upgrade, `${node}-kubernetes-packages`))).toContain("export KUBERNETES_VERSION=1.34.3;");
    }
    expect(paramsOf(named(upgrade, "nsx-poc-cp-1-init"))).toContain("kubernetesVersion: v1.34.3");
    // the outputs keep each node's installed version; the recorded cluster version is the target
    expect(upgrade.outputs.kubernetesVersion).toBe("1.34.4");
    expect((upgrade.outputs.nodes as { packagesVersion: string }[]).map((n) => n.packagesVersion)).toEqual(Array(5).fill("1.34.3"));
  });

  it("moves vsphere-cpi, whose release line follows the Kubernetes minor, after the control planes' upgrade", () => {
    const cpi = resourceNamed(upgrade, "kubernetes:helm.sh/v3:Release", "vsphere-cpi");
    expect(cpi.dependencies).toContain(named(upgrade, "nsx-poc-cp-3-upgrade").urn);
  });

  it("chains the workers in batches of kubernetes.upgrade.workerBatchSize during an upgrade", async () => {
    const batched = await planWithPrevious(deployedAt("1.34.3"), (c) => (c.kubernetes.upgrade = { workerBatchSize: 1 }));
    expect(named(batched, "nsx-poc-worker-2-upgrade-drain").dependencies).toContain(named(batched, "nsx-poc-worker-1-upgrade-uncordon").urn);
    // poc's default batch of 2 takes both workers at once
    expect(named(upgrade, "nsx-poc-worker-2-upgrade-drain").dependencies).not.toContain(named(upgrade, "nsx-poc-worker-1-upgrade-uncordon").urn);
  });

  it("installs a worker added during an upgrade at the new version, joining after the control planes' upgrade", async () => {
    const added = await planWithPrevious(deployedAt("1.34.3"), (c) => c.workerPools[0].addresses.push("192.168.100.23"));
    const join = named(added, "nsx-poc-worker-3-join");
    expect(paramsOf(named(added, "nsx-poc-worker-3-kubernetes-packages"))).toContain("export KUBERNETES_VERSION=1.34.4;");
    expect(join.dependencies).toContain(named(added, "nsx-poc-cp-3-upgrade").urn);
    // the existing workers' joins do not wait: they are not run again
    expect(named(added, "nsx-poc-worker-1-join").dependencies).not.toContain(named(added, "nsx-poc-cp-3-upgrade").urn);
    expect((added.outputs.nodes as { name: string; packagesVersion: string }[]).find((n) => n.name === "nsx-poc-worker-3")?.packagesVersion).toBe("1.34.4");
  });

  /** Plans while counting the machines and commands registered (the mocks answer each one). */
  async function refused(previous: Record<string, unknown>, version: string): Promise<{ error: Error; registered: number }> {
    const types = ["vsphere:index/virtualMachine:VirtualMachine", COMMAND];
    const saved = types.map((type) => resourceOutputFakers[type]);
    let registered = 0;
    for (const [i, type] of types.entries()) resourceOutputFakers[type] = (args) => (registered++, saved[i]?.(args) ?? {});
    try {
      const error = await planWithPrevious(previous, atVersion(version)).then(
        () => new Error("planned"),
        (e: Error) => e,
      );
      return { error, registered };
    } finally {
      for (const [i, type] of types.entries()) {
        if (saved[i]) resourceOutputFakers[type] = saved[i]!;
        else delete resourceOutputFakers[type];
      }
    }
  }

  it("refuses a downgrade before any resource, naming cluster.kubernetes.version and the fix", async () => {
    const { error, registered } = await refused(deployedAt("1.34.4"), "1.34.3");
    expect(error.message).toMatch(/cluster\.kubernetes\.version\n +value: +1\.34\.3\n +problem: the cluster runs Kubernetes 1\.34\.4[\s\S]*fix: +set cluster\.kubernetes\.version back to 1\.34\.4/);
    expect(registered).toBe(0);
  });

  it("refuses a skipped minor before any resource", async () => {
    const { error, registered } = await refused(deployedAt("1.33.6"), "1.35.4");
    expect(error.message).toMatch(/going to 1\.35 skips 1\.34[\s\S]*upgrade to a 1\.34\.x release first/);
    expect(registered).toBe(0);
  });
});
