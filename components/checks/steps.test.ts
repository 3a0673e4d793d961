// The acceptance checks as the engine receives them (the program under the plan's mocks): one step
// per enabled check on the first control plane, after every add-on, join, settings step and node
// operation, under the Acceptance component; their triggers move when the description changes, so
// they run again.
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, resourcesOfType, type PlanResult } from "../../test/harness";

const COMMAND = "command:remote:Command";
const LOCAL = "command:local:Command";
const checksOf = (plan: PlanResult) => resourcesOfType(plan, COMMAND).filter((r) => /-check-[a-z-]+$/.test(r.name) && !/-check-(cleanup|vip-failover-.*)$/.test(r.name));

describe("acceptance check steps of poc", () => {
  let plan: PlanResult;
  let withWorker: PlanResult;
  beforeAll(async () => {
    plan = await planStack("poc");
    withWorker = await planStack("poc", (c) => c.workerPools[0].addresses.push("192.168.100.29"));
  }, 300_000);

  it("one step per check on the first control plane, under the Acceptance component", () => {
    const checks = checksOf(plan);
    expect(checks.map((r) => r.name)).toEqual(["endpoint-readyz", "apiserver-readyz", "nodes", "etcd", "cni", "pod-network", "dns", "metrics", "storage", "load-balancer", "ingress", "mtu"].map((c) => `nsx-poc-check-${c}`));
    for (const check of checks) {
      expect((check.inputs.connection as { host: string }).host).toBe("192.168.100.11");
      expect(check.parent).toMatch(/onprem-k8s:checks:Acceptance::nsx-poc-acceptance$/);
      expect(String(check.inputs.stdin)).toContain(`export CHECK=${check.name.replace("nsx-poc-check-", "")}`);
    }
  });

  it("waits for every add-on and every node's join", () => {
    const releases = resourcesOfType(plan, "kubernetes:helm.sh/v3:Release").map((r) => r.urn);
    const joins = resourcesOfType(plan, COMMAND).filter((r) => /-(join|init)$/.test(r.name)).map((r) => r.urn);
    expect(releases.length).toBeGreaterThan(0);
    for (const check of checksOf(plan)) expect(check.dependencies).toEqual(expect.arrayContaining([...releases, ...joins]));
  });

  it("waits for the last control plane's settings step and every node operation, which restart apiservers and kubelets", async () => {
    const operated = await planStack("poc", (c) => (c.nodeOperations = [{ name: "motd", type: "file", path: "/etc/motd", content: "onprem\n" }]));
    const commands = resourcesOfType(operated, COMMAND);
    const lastSettings = commands.filter((r) => /-settings$/.test(r.name)).at(-1)!;
    const operations = commands.filter((r) => /-op-motd$/.test(r.name));
    expect(lastSettings.name).toBe("nsx-poc-cp-3-settings");
    expect(operations.length).toBeGreaterThan(0);
    for (const check of checksOf(operated)) expect(check.dependencies).toEqual(expect.arrayContaining([lastSettings.urn, ...operations.map((r) => r.urn)]));
    // and the operations wait for the settings too
    for (const operation of operations) expect(operation.dependencies).toContain(lastSettings.urn);
  }, 300_000);

  it("runs again when the description changes (a worker added), and not otherwise", async () => {
    const triggers = (p: PlanResult) => Object.fromEntries(checksOf(p).map((r) => [r.name, JSON.stringify(r.inputs.triggers)]));
    const again = await planStack("poc");
    expect(triggers(again)).toEqual(triggers(plan));
    for (const [name, value] of Object.entries(triggers(withWorker))) expect(value, name).not.toBe(triggers(plan)[name]);
    expect(String(checksOf(withWorker).find((r) => r.name === "nsx-poc-check-nodes")!.inputs.stdin)).toContain("nsx-poc-worker-3");
  }, 300_000);

  it("probes the load balancer's and the ingress's addresses from the machine running Pulumi after their checks, then cleans up last", () => {
    const [fromHere] = resourcesOfType(plan, LOCAL).filter((r) => r.name === "nsx-poc-check-from-here");
    expect(fromHere, "a local step nsx-poc-check-from-here").toBeDefined();
    expect(fromHere!.inputs.create).toBe("node -");
    expect(String(fromHere!.inputs.stdin)).toContain("PASS from-here:");
    const byName = (name: string) => resourcesOfType(plan, COMMAND).find((r) => r.name === name)!;
    expect(fromHere!.dependencies).toEqual(expect.arrayContaining([byName("nsx-poc-check-load-balancer").urn, byName("nsx-poc-check-ingress").urn]));
    const cleanup = byName("nsx-poc-check-cleanup");
    expect(String(cleanup.inputs.stdin)).toContain("export CHECK=cleanup");
    expect(cleanup.dependencies).toEqual(expect.arrayContaining([fromHere!.urn, ...checksOf(plan).map((r) => r.urn)]));
  });

  it("fails the VIP over only on demand, on each control plane in turn after every other check", async () => {
    expect(resourcesOfType(plan, COMMAND).filter((r) => r.name.includes("vip-failover"))).toEqual([]);
    const failover = await planStack("poc", (c) => (c.checks = { vipFailover: true }));
    const steps = resourcesOfType(failover, COMMAND).filter((r) => r.name.includes("-check-vip-failover-"));
    expect(steps.map((r) => r.name)).toEqual(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"].map((cp) => `nsx-poc-check-vip-failover-${cp}`));
    expect(steps.map((r) => (r.inputs.connection as { host: string }).host)).toEqual(["192.168.100.11", "192.168.100.12", "192.168.100.13"]);
    expect(steps[1]!.dependencies).toContain(steps[0]!.urn);
    expect(steps[2]!.dependencies).toContain(steps[1]!.urn);
    expect(steps[0]!.dependencies).toEqual(expect.arrayContaining(checksOf(failover).map((r) => r.urn)));
    const cleanup = resourcesOfType(failover, COMMAND).find((r) => r.name === "nsx-poc-check-cleanup")!;
    expect(cleanup.dependencies).toContain(steps[2]!.urn);
  }, 300_000);

  it("the report is the stack output acceptance", () => {
    expect(Object.keys(plan.outputs ?? {})).toContain("acceptance");
  });
});
