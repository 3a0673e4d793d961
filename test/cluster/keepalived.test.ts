// The keepalived + haproxy API endpoint for real: the example stack that uses it
// (examples/proxmox-keepalived-calico-nfs.yaml: 3 control planes, endpoint port 16443) brought up
// in the lab with its own endpoint steps (real haproxy and keepalived from Debian, VRRP over the
// lab's bridge) before kubeadm init, as the program orders them; then the VIP's failover.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, type PlanResult } from "../harness";
import { stackSpec } from "../stack-spec";
import { sleep } from "../tools/process";
import { labGate } from "./gate";
import { PlannedCluster } from "./planned-cluster";

const EXAMPLE = "examples/proxmox-keepalived-calico-nfs.yaml";
const MINUTE = 60_000;
const gate = labGate();

describe.runIf(gate.run)(`a real cluster behind keepalived + haproxy (${EXAMPLE})`, () => {
  const spec = stackSpec(EXAMPLE);
  const controlPlanes = spec.controlPlanes.map((n) => n.name);
  const [cp1, ...others] = controlPlanes as [string, ...string[]];
  const worker = spec.workers[0]!.name;
  const endpoint = `${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`;
  let plan: PlanResult;
  let cluster: PlannedCluster;

  beforeAll(async () => {
    plan = await planStack(EXAMPLE);
    cluster = await PlannedCluster.start(plan, spec);
    // One lab at a time on a machine: this may first wait for another file's cluster to finish.
  }, 30 * MINUTE);

  afterAll(async () => {
    await cluster?.dispose();
  }, 2 * MINUTE);

  it("each control plane is prepared and gets its PKI and endpoint (haproxy, keepalived) first; init reaches its API through the VIP", async () => {
    await Promise.all(controlPlanes.map((name) => cluster.startNode(name)));
    for (const name of controlPlanes) {
      await cluster.prepare(name);
      await cluster.mustStep(name, "pki");
      const endpointStep = await cluster.mustStep(name, "endpoint");
      expect(endpointStep).toContain("changed: started haproxy");
      expect(endpointStep).toContain("changed: started keepalived");
    }
    // no apiserver answers yet: every node's check fails, so no node holds the VIP
    expect(await cluster.vipHolders()).toEqual([]);
    const init = await cluster.mustStep(cp1, "init");
    expect(init).toContain(`ok: API endpoint ${endpoint} is ready`);
    expect(await cluster.vipHolders()).toHaveLength(1);
  }, 10 * MINUTE);

  it("the other control planes and a worker join through the endpoint; all Ready, etcd at three members", async () => {
    for (const name of others) {
      await cluster.mustStep(name, "token");
      expect(await cluster.mustStep(name, "join")).toContain(`ok: joining through the API endpoint ${endpoint}`);
      await cluster.mustStep(name, "membership");
    }
    await cluster.startNode(worker);
    await cluster.prepare(worker);
    await cluster.mustStep(worker, "token");
    expect(await cluster.mustStep(worker, "join")).toContain(`changed: ${worker} joined as worker`);
    await cluster.mustStep(worker, "membership");
    await cluster.waitReady([...controlPlanes, worker]);
    expect(await cluster.etcdMembers()).toEqual([...controlPlanes].sort());
  }, 12 * MINUTE);

  it("when the VIP's holder stops keepalived, another control plane takes the VIP and the API still answers through it", async () => {
    const [holder] = await cluster.vipHolders();
    expect(controlPlanes).toContain(holder);
    await cluster.lab.node(holder!).exec("systemctl stop keepalived", { check: true });
    let holders = await cluster.vipHolders();
    for (let i = 0; i < 30 && (holders.length !== 1 || holders[0] === holder); i++) {
      await sleep(1000);
      holders = await cluster.vipHolders();
    }
    expect(holders).toHaveLength(1);
    expect(holders[0]).not.toBe(holder);
    // kubectl on the first control plane talks to the endpoint's name: the VIP, now elsewhere
    const readyz = await cluster.kubectl("get --raw /readyz");
    expect(readyz.stdout).toBe("ok");
  }, 3 * MINUTE);
});
