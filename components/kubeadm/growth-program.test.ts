// Growth and shrink as the engine would receive them (the program under the plan's mocks, the
// stack's previous outputs given through the self-StackReference): control planes 1 -> 3 -> 5 and
// back 5 -> 3 -> 1, and a worker pool up and down, each by editing the description. What a change
// creates, what it deletes, and what it changes on the nodes that stay: nothing but what must
// follow (every node's /etc/hosts, each control plane's haproxy backends and keepalived peers, the
// kubelet CSR approver's node names). A control plane added months later gets exactly the steps
// and parameters it would have had on day 1, and leaves one at a time.
import { describe, expect, it, beforeAll } from "vitest";
import { planStack, resourceNamed, type PlanResult, type RecordedResource } from "../../test/harness";
import { stackReferenceOutputs } from "../../scripts/plan/mocks";

const EXAMPLE = "examples/existing-hosts-external-lb.yaml";
const SELF = "organization/onprem-k8s/existing-hosts-external-lb";
const COMMAND = "command:remote:Command";
const CPS = ["k8s-master", "k8s-master-2", "k8s-master-3", "k8s-master-4", "k8s-master-5"];
const CP_ADDRESSES = ["10.0.20.100", "10.0.20.110", "10.0.20.111", "10.0.20.112", "10.0.20.113"];
const WORKERS = ["k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"];
const WORKER_ADDRESSES = ["10.0.20.101", "10.0.20.102", "10.0.20.103", "10.0.20.104"];

/** The example behind keepalived + haproxy, poc, with `cps` control planes and `workers` workers. */
const shape = (cps: number, workers: number) => (c: any) => {
  c.profile = "poc";
  c.protect = false;
  c.endpoint = { mode: "keepalived-haproxy", vip: "10.0.20.99", port: 16443, virtualRouterId: 51 };
  c.controlPlane = { names: CPS.slice(0, cps), addresses: CP_ADDRESSES.slice(0, cps) };
  c.workerPools[0].names = WORKERS.slice(0, workers);
  c.workerPools[0].addresses = WORKER_ADDRESSES.slice(0, workers);
  delete c.addons.backups;
};

async function plan(cps: number, workers: number, previous?: PlanResult): Promise<PlanResult> {
  stackReferenceOutputs.clear();
  if (previous) stackReferenceOutputs.set(SELF, previous.outputs as Record<string, unknown>);
  try {
    return await planStack(EXAMPLE, shape(cps, workers));
  } finally {
    stackReferenceOutputs.clear();
  }
}

const key = (r: RecordedResource) => `${r.type} ${r.name}`;
/** What the engine diffs: every input (dependencies are not inputs: a changed dependency re-runs nothing). */
const inputsOf = (p: PlanResult) => new Map(p.resources.map((r) => [key(r), JSON.stringify(r.inputs)]));
const paramsOf = (r: RecordedResource) => String(r.inputs.stdin ?? "").split("\n#!/usr/bin/env bash")[0]!;
const named = (p: PlanResult, name: string) => resourceNamed(p, COMMAND, name);
const isUpgradeStep = (k: string) => /-upgrade(-drain|-uncordon)?$/.test(k);
/** The acceptance checks (components/checks): they run again on any change of the description, by design (from-here is a local command). */
const isCheckStep = (k: string) => /^command:(remote|local):Command [a-z0-9-]+-check-[a-z-]+$/.test(k);

interface Change {
  created: string[];
  deleted: string[];
  /** Changed inputs, upgrade steps and acceptance checks apart. */
  changed: string[];
  /** Upgrade steps (components/kubeadm/upgrade.ts) whose inputs changed. */
  changedUpgradeSteps: string[];
  /** Acceptance checks whose inputs changed (all of them on any change of the node list). */
  changedChecks: string[];
}

/** From the deployed stack `before` (planned on its own previous outputs) to `after`. */
function change(before: PlanResult, after: PlanResult): Change {
  const [x, y] = [inputsOf(before), inputsOf(after)];
  const changed = [...y.keys()].filter((k) => x.has(k) && x.get(k) !== y.get(k));
  return {
    created: [...y.keys()].filter((k) => !x.has(k)).sort(),
    deleted: [...x.keys()].filter((k) => !y.has(k)).sort(),
    changed: changed.filter((k) => !isUpgradeStep(k) && !isCheckStep(k)).sort(),
    changedUpgradeSteps: changed.filter(isUpgradeStep).sort(),
    changedChecks: changed.filter(isCheckStep).sort(),
  };
}

/** What must follow a change of the node list on every node that stays. */
const followers = (controlPlanes: string[], workers: string[]) =>
  [
    ...[...controlPlanes, ...workers].map((n) => `${COMMAND} ${n}-base`), // /etc/hosts lists every node
    ...controlPlanes.map((n) => `${COMMAND} ${n}-endpoint`), // haproxy backends, keepalived peers
    "kubernetes:helm.sh/v3:Release kubelet-csr-approver", // the node names whose serving certificates it approves
  ].sort();

/** The lines of a step's parameters one plan has and the other has not. */
function differingParams(a: RecordedResource, b: RecordedResource): string[] {
  const [x, y] = [paramsOf(a).split("; "), paramsOf(b).split("; ")];
  return [...x.filter((l) => !y.includes(l)), ...y.filter((l) => !x.includes(l))].map((l) => l.replace(/=.*$/s, ""));
}

describe("growing and shrinking the control planes (keepalived + haproxy, existing hosts)", () => {
  const plans = new Map<string, PlanResult>();
  const at = (name: string) => plans.get(name)!;
  beforeAll(async () => {
    plans.set("1 fresh", await plan(1, 2));
    plans.set("1", await plan(1, 2, at("1 fresh"))); // deployed: planned on its own outputs
    plans.set("1 -> 3", await plan(3, 2, at("1")));
    plans.set("3 fresh", await plan(3, 2));
    plans.set("3", await plan(3, 2, at("1 -> 3")));
    plans.set("3 -> 5", await plan(5, 2, at("3")));
    plans.set("5", await plan(5, 2, at("3 -> 5")));
    plans.set("5 -> 3", await plan(3, 2, at("5")));
    plans.set("3 -> 1", await plan(1, 2, at("3")));
  }, 300_000);

  it("changes nothing when planned again on its own outputs", () => {
    expect(change(at("1 fresh"), at("1"))).toEqual({ created: [], deleted: [], changed: [], changedUpgradeSteps: [], changedChecks: [] });
  });

  it("1 -> 3 creates the new control planes' steps only, and changes on the others only what must follow", () => {
    const c = change(at("1"), at("1 -> 3"));
    expect(c.deleted).toEqual([]);
    expect(c.created.length).toBeGreaterThan(0);
    expect(c.created.filter((k) => !/ k8s-master-[23]-/.test(k))).toEqual([]);
    // init and every join keep their parameters: nothing re-runs kubeadm on a node that is there
    expect(c.changed).toEqual(followers(["k8s-master"], ["k8s-node1", "k8s-node2"]));
    // the acceptance checks run again on the grown cluster
    expect(c.changedChecks).toEqual([...inputsOf(at("1 -> 3")).keys()].filter(isCheckStep).sort());
    expect(c.changedChecks.length).toBeGreaterThan(0);
  });

  it("gives a control plane added later exactly the steps and parameters it gets in a fresh deployment", () => {
    const [grown, fresh] = [inputsOf(at("1 -> 3")), inputsOf(at("3 fresh"))];
    const added = [...grown.keys()].filter((k) => / k8s-master-[23]-/.test(k));
    expect(added.sort()).toEqual([...fresh.keys()].filter((k) => / k8s-master-[23]-/.test(k)).sort());
    for (const k of added) expect(grown.get(k), k).toBe(fresh.get(k));
    // and the cluster as a whole is the fresh one: same resources, same inputs
    expect([...grown.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const k of grown.keys()) if (!/-(base|endpoint|init|join)$/.test(k) && !isUpgradeStep(k)) expect(grown.get(k), k).toBe(fresh.get(k));
  });

  it("joins with the Pulumi-held PKI: the same CAs and keys on every control plane, no certificate key, no upload-certs", () => {
    const grown = at("1 -> 3");
    const pki = (n: string) => paramsOf(named(grown, `${n}-pki`));
    expect(pki("k8s-master-2").replace("NODE_NAME=k8s-master-2", "")).toBe(pki("k8s-master").replace("NODE_NAME=k8s-master", ""));
    expect(pki("k8s-master-3")).toMatch(/export PKI_CA_KEY=/);
    const join = paramsOf(named(grown, "k8s-master-3-join"));
    expect(join).toMatch(/controlPlane:\n\s+localAPIEndpoint:\n\s+advertiseAddress: 10\.0\.20\.111/);
    expect(join).not.toMatch(/certificateKey|upload-certs/);
    // the join waits for its own PKI step and the previous control plane's join
    const joinStep = named(grown, "k8s-master-3-join");
    expect(joinStep.dependencies).toEqual(expect.arrayContaining([named(grown, "k8s-master-3-pki").urn, named(grown, "k8s-master-2-join").urn, named(grown, "k8s-master-3-token").urn]));
  });

  it("makes the bootstrap token valid right before each added node joins (its own token step on the first control plane)", () => {
    const grown = at("1 -> 3");
    for (const n of ["k8s-master-2", "k8s-master-3"]) {
      const token = named(grown, `${n}-token`);
      expect((token.inputs.connection as { host: string }).host).toBe("10.0.20.100");
      expect(paramsOf(token)).toContain("export BOOTSTRAP_TOKEN_TTL_SECONDS=7200;");
      expect(named(grown, `${n}-join`).dependencies).toContain(token.urn);
    }
  });

  it("rewrites every existing control plane's haproxy backends and keepalived peers, before an added one starts keepalived", () => {
    const grown = at("1 -> 3");
    const existing = paramsOf(named(grown, "k8s-master-endpoint"));
    for (const address of CP_ADDRESSES.slice(0, 3)) expect(existing).toContain(`server k8s-master${address === "10.0.20.100" ? "" : `-${CP_ADDRESSES.indexOf(address) + 1}`} ${address}:6443`);
    expect(existing).toMatch(/unicast_peer \{\n\s+10\.0\.20\.110\n\s+10\.0\.20\.111\n/);
    for (const n of ["k8s-master-2", "k8s-master-3"]) expect(named(grown, `${n}-endpoint`).dependencies, n).toContain(named(grown, "k8s-master-endpoint").urn);
    // on a first deployment no control plane's endpoint waits for another's
    const fresh = at("3 fresh");
    expect(named(fresh, "k8s-master-3-endpoint").dependencies).not.toContain(named(fresh, "k8s-master-endpoint").urn);
    // 3 -> 5: the added ones wait for all three existing ones
    const five = at("3 -> 5");
    for (const n of ["k8s-master-4", "k8s-master-5"]) {
      for (const e of CPS.slice(0, 3)) expect(named(five, `${n}-endpoint`).dependencies, `${n} after ${e}`).toContain(named(five, `${e}-endpoint`).urn);
    }
  });

  it("3 -> 5 likewise", () => {
    const c = change(at("3"), at("3 -> 5"));
    expect(c.deleted).toEqual([]);
    expect(c.created.filter((k) => !/ k8s-master-[45]-/.test(k))).toEqual([]);
    expect(c.changed).toEqual(followers(CPS.slice(0, 3), ["k8s-node1", "k8s-node2"]));
  });

  it("5 -> 3 and 3 -> 1 delete exactly the removed control planes' steps and change on the others only what must follow", () => {
    const five = change(at("5"), at("5 -> 3"));
    expect(five.created).toEqual([]);
    expect(five.deleted.length).toBeGreaterThan(0);
    expect(five.deleted.filter((k) => !/ k8s-master-[45]-/.test(k))).toEqual([]);
    expect(five.changed).toEqual(followers(CPS.slice(0, 3), ["k8s-node1", "k8s-node2"]));
    const three = change(at("3"), at("3 -> 1"));
    expect(three.created).toEqual([]);
    expect(three.deleted.filter((k) => !/ k8s-master-[23]-/.test(k))).toEqual([]);
    expect(three.changed).toEqual(followers(["k8s-master"], ["k8s-node1", "k8s-node2"]));
  });

  it("removes control planes one at a time, the last first: each membership (whose delete removes the etcd member) depends on the previous one's, and Pulumi deletes a dependent first", () => {
    const five = at("5");
    for (let i = 2; i < 5; i++) {
      expect(named(five, `${CPS[i]}-membership`).dependencies, `${CPS[i]} after ${CPS[i - 1]}`).toContain(named(five, `${CPS[i - 1]}-membership`).urn);
    }
    expect(named(five, `${CPS[1]}-membership`).dependencies.filter((urn) => urn.includes("-membership"))).toEqual([]);
    expect(named(five, "k8s-master-5-membership").inputs.delete).toMatch(/KUBEADM_ACTION=delete/);
  });

  it("changes no upgrade step's inputs (upgrade.ts): growing or shrinking re-runs no upgrade", () => {
    for (const [from, to] of [["1", "1 -> 3"], ["3", "3 -> 5"], ["5", "5 -> 3"], ["3", "3 -> 1"]] as const) {
      const c = change(at(from), at(to));
      const differing = c.changedUpgradeSteps.map((k) => {
        const name = k.slice(COMMAND.length + 1);
        return `${name}: ${differingParams(named(at(from), name), named(at(to), name)).join(", ")}`;
      });
      expect(differing, `${from} -> ${to}`).toEqual([]);
    }
  });

  it("gives an added control plane's upgrade step the parameters a fresh deployment gives it", () => {
    const [grown, fresh] = [at("1 -> 3"), at("3 fresh")];
    for (const n of ["k8s-master-2", "k8s-master-3"]) expect(paramsOf(named(grown, `${n}-upgrade`)), n).toBe(paramsOf(named(fresh, `${n}-upgrade`)));
  });
});

describe("growing and shrinking a worker pool", () => {
  let before: PlanResult;
  let grown: PlanResult;
  let shrunk: PlanResult;
  beforeAll(async () => {
    const fresh = await plan(3, 2);
    before = await plan(3, 2, fresh);
    grown = await plan(3, 4, before);
    shrunk = await plan(3, 1, await plan(3, 2, fresh));
  }, 300_000);

  it("2 -> 4 workers creates the new workers' steps only; control planes' endpoints stay as they are", () => {
    const c = change(before, grown);
    expect(c.deleted).toEqual([]);
    expect(c.created.filter((k) => !/ k8s-node[34]-/.test(k))).toEqual([]);
    expect(c.created).toEqual(expect.arrayContaining([`${COMMAND} k8s-node3-join`, `${COMMAND} k8s-node4-membership`]));
    expect(c.changed).toEqual([...[...CPS.slice(0, 3), "k8s-node1", "k8s-node2"].map((n) => `${COMMAND} ${n}-base`), "kubernetes:helm.sh/v3:Release kubelet-csr-approver"].sort());
    expect(c.changedUpgradeSteps).toEqual([]);
  });

  it("2 -> 1 workers deletes that worker's steps only", () => {
    const c = change(before, shrunk);
    expect(c.created).toEqual([]);
    expect(c.deleted.filter((k) => !/ k8s-node2-/.test(k))).toEqual([]);
    expect(c.deleted).toEqual(expect.arrayContaining([`${COMMAND} k8s-node2-membership`, `${COMMAND} k8s-node2-join`]));
    expect(c.changed).toEqual([...[...CPS.slice(0, 3), "k8s-node1"].map((n) => `${COMMAND} ${n}-base`), "kubernetes:helm.sh/v3:Release kubelet-csr-approver"].sort());
  });
});
