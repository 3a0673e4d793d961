// Existing hosts: nothing is created on a platform, every host still gets its reachable step.
import { describe, expect, it } from "vitest";
import { planStack, resourcesOfType } from "../../test/harness";

describe("existing hosts", () => {
  it("creates no machines and no cloud-init, only a reachable step per host", async () => {
    const plan = await planStack("examples/existing-hosts-external-lb.yaml");
    const custom = plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const machineLayer = custom.filter((r) => r.parent?.endsWith("lab-machines"));
    expect(machineLayer.map((r) => r.type)).toEqual(machineLayer.map(() => "command:remote:Command"));
    const steps = resourcesOfType(plan, "command:remote:Command").filter((r) => r.name.endsWith("-reachable"));
    expect(steps.map((s) => [s.name, (s.inputs.connection as { host: string }).host])).toEqual([
      ["k8s-master-reachable", "10.0.20.100"],
      ["k8s-master-2-reachable", "10.0.20.110"],
      ["k8s-master-3-reachable", "10.0.20.111"],
      ["k8s-node1-reachable", "10.0.20.101"],
      ["k8s-node2-reachable", "10.0.20.102"],
      ["k8s-node3-reachable", "10.0.20.103"],
      ["k8s-node4-reachable", "10.0.20.104"],
    ]);
    // Protect is the parent's (prod) for the component, never for the SSH steps.
    for (const step of steps) expect(step.protect).toBe(false);
    expect(plan.artifacts.filter((a) => a.path.startsWith("machines/"))).toEqual([]);
  });
});
