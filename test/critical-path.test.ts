// The deployment's order as the engine gets it (issue 25): the add-ons wait for the API and the
// nodes they schedule on, not for the control planes that join one at a time after init; the
// critical path runs machine → preparation → pki/endpoint → init → the longer of the serial joins
// and CNI → MetalLB → gate → ingress, with no control-plane join in front of an add-on.
import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { readStackFile } from "../stacks/stack-file";
import { runPlan, type PlanResult } from "../scripts/plan/run";
import { buildGraph, criticalPath, type ResourceGraph } from "../scripts/plan/graph";
import type { RecordedResource } from "../scripts/plan/monitor";

const root = path.resolve(__dirname, "..");

const plans = new Map<string, Promise<PlanResult>>();
const planOf = (stack: string) => {
  if (!plans.has(stack)) plans.set(stack, runPlan(readStackFile(stack, root)));
  return plans.get(stack)!;
};

const isControlPlaneJoin = (r: RecordedResource) => r.name.endsWith("-join") && /\bJOIN_ROLE='?control-plane/.test(String(r.inputs.stdin ?? ""));

/** Every resource `urn` waits for, directly or through others (a component: through its children). */
function waitedFor(graph: ResourceGraph, urn: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.waitsFor.get(urn) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.waitsFor.get(next) ?? []));
  }
  return seen;
}

/**
 * The add-on steps (everything under the Addons component) that wait for a control-plane join,
 * but for a step on that node itself (its kubelet's DNS address, which needs the node there).
 */
function addonsWaitingForControlPlaneJoins(plan: PlanResult): string[] {
  const graph = buildGraph(plan.resources);
  const addons = plan.resources.find((r) => r.type === "onprem-k8s:addons:Addons")!;
  const joins = new Set(plan.resources.filter(isControlPlaneJoin).map((r) => r.urn));
  expect(joins.size).toBeGreaterThan(0);
  const onNode = (r: RecordedResource) => plan.spec.controlPlanes.some((node) => r.name === `${node.name}-kubelet-dns`);
  return plan.resources
    .filter((r) => r.parent === addons.urn && !onNode(r))
    .filter((r) => [...waitedFor(graph, r.urn)].some((urn) => joins.has(urn)))
    .map((r) => r.name)
    .sort();
}

describe("add-ons do not wait for the control planes that join after init", () => {
  it("poc: only the vSphere CSI driver (pinned to control planes) and its StorageClass wait for them", async () => {
    expect(addonsWaitingForControlPlaneJoins(await planOf("poc"))).toEqual(["vsphere-csi-driver", "vsphere-csi-storageclass"]);
  });

  it("prod: the same, and Velero, which needs the storage", async () => {
    expect(addonsWaitingForControlPlaneJoins(await planOf("prod"))).toEqual(["velero", "vsphere-csi-driver", "vsphere-csi-storageclass"]);
  });

  it("the NFS example: nothing (its server waits for its own node only)", async () => {
    expect(addonsWaitingForControlPlaneJoins(await planOf("examples/redos-proxy-calico-metallb-nfs.yaml"))).toEqual([]);
  });

  it("the add-ons still wait for every worker joined and labelled (they schedule there)", async () => {
    const plan = await planOf("poc");
    const graph = buildGraph(plan.resources);
    const metallb = plan.resources.find((r) => r.name === "metallb")!;
    const before = waitedFor(graph, metallb.urn);
    const workerSteps = plan.resources.filter((r) => /worker-\d+-(join|membership)$/.test(r.name));
    expect(workerSteps.length).toBe(4);
    for (const step of workerSteps) expect(before.has(step.urn), step.name).toBe(true);
  });
});

describe.each(["poc", "prod"])("the critical path of %s", (stack) => {
  it("has no control-plane join before an add-on step, and ends with the add-on chain after init (then the acceptance checks)", async () => {
    const plan = await planOf(stack);
    const critical = criticalPath(buildGraph(plan.resources));
    const names = critical.steps.map((s) => s.name);
    const addons = plan.resources.find((r) => r.type === "onprem-k8s:addons:Addons")!;
    const firstAddon = critical.steps.findIndex((s) => s.parent === addons.urn);
    expect(firstAddon, names.join(" → ")).toBeGreaterThan(0);
    expect(critical.steps.slice(0, firstAddon).filter(isControlPlaneJoin).map((s) => s.name)).toEqual([]);
    // machine → preparation → pki → endpoint → init, then add-ons only.
    const init = names.findIndex((n) => n.endsWith("-init"));
    expect(names.slice(0, init + 1).map((n) => n.replace(/^.*-(cp|master)-1-?/, ""))).toEqual(["", "reachable", "base", "proxy", "containerd", "kubernetes-packages", "images", "pki", "endpoint", "init"]);
    // The acceptance checks (components/checks) check the finished cluster, so they come last, by design.
    const firstCheck = names.findIndex((n) => /-check-/.test(n));
    const addonChain = firstCheck < 0 ? critical.steps.slice(init + 1) : critical.steps.slice(init + 1, firstCheck);
    expect(firstCheck < 0 || names.slice(firstCheck).every((n) => /-check-/.test(n)), names.join(" → ")).toBe(true);
    expect(addonChain.every((s) => s.parent === addons.urn), names.join(" → ")).toBe(true);
    expect(addonChain.slice(-4).map((s) => s.name)).toEqual(["metallb", "metallb-webhook-ready", "metallb-config", "ingress-nginx"]);
  });
});
