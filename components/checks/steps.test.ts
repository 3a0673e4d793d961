// The acceptance checks as the engine receives them (the program under the plan's mocks): one step
// per enabled check on the first control plane, after every add-on, join, settings step and node
// operation, under the Acceptance component; their triggers move when the description changes, so
// they run again.
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, resourcesOfType, type PlanResult } from "../../test/harness";

const COMMAND = "command:remote:Command";
const checksOf = (plan: PlanResult) => resourcesOfType(plan, COMMAND).filter((r) => /-check-[a-z-]+$/.test(r.name));

describe("acceptance check steps of poc", () => {
  let plan: PlanResult;
  let withWorker: PlanResult;
  beforeAll(async () => {
    plan = await planStack("poc");
    withWorker = await planStack("poc", (c) => c.workerPools[0].addresses.push("192.168.100.29"));
  }, 300_000);

  it("one step per check on the first control plane, under the Acceptance component", () => {
    const checks = checksOf(plan);
    expect(checks.map((r) => r.name)).toEqual(["endpoint-readyz", "apiserver-readyz", "nodes", "etcd", "cni", "dns", "metrics", "storage", "load-balancer", "mtu"].map((c) => `nsx-poc-check-${c}`));
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

  it("the report is the stack output acceptance", () => {
    expect(Object.keys(plan.outputs ?? {})).toContain("acceptance");
  });
});
