import { describe, expect, it } from "vitest";
import { extraTokens, staleMembers } from "./convergence";
import { nodeFaultsAsked, type NodeFault } from "./node-faults";

describe("fault harness: what converged means", () => {
  const CPS = ["k8s-master", "k8s-master-2", "k8s-master-3"];
  const started = (id: string, name: string, octet: number) => `${id}, started, ${name}, https://10.251.0.${octet}:2380, https://10.251.0.${octet}:2379, false`;

  it("one started etcd member per control plane, nothing else", () => {
    const healthy = [started("8e9e05c52164694d", "k8s-master", 100), started("91bc3c398fb3c146", "k8s-master-2", 110), started("fd422379fda50e48", "k8s-master-3", 111)].join("\n");
    expect(staleMembers(healthy, CPS)).toEqual([]);
    // A join killed after kubeadm added the member, before it started: no name yet.
    const unstarted = `${healthy}\n2a7b1c9d3e4f5a6b, unstarted, , https://10.251.0.112:2380, , false`;
    expect(staleMembers(unstarted, CPS)).toEqual(["unstarted member 2a7b1c9d3e4f5a6b, unstarted, , https://10.251.0.112:2380, , false"]);
    const missing = [started("8e9e05c52164694d", "k8s-master", 100), started("91bc3c398fb3c146", "k8s-master-2", 110), started("aaaa", "k8s-old", 120)].join("\n");
    expect(staleMembers(missing, CPS)).toEqual(["member of no control plane: k8s-old", "k8s-master-3 has 0 etcd members"]);
  });

  it("at most one bootstrap token (the live one)", () => {
    expect(extraTokens(["bootstrap-token-abcdef", "sh.helm.release.v1.x"])).toEqual([]);
    expect(extraTokens(["bootstrap-token-abcdef", "bootstrap-token-123456"])).toEqual(["bootstrap-token-abcdef", "bootstrap-token-123456"]);
  });

  it("runs the node faults asked for by kind: all, none, some; an unknown kind is named", () => {
    const all: NodeFault[] = [
      { kind: "kubelet killed", node: "k8s-master", during: "k8s-node1-join" },
      { kind: "node restarted", node: "k8s-master-2", during: "k8s-master-2-join" },
    ];
    expect(nodeFaultsAsked(undefined, all)).toBe(all);
    expect(nodeFaultsAsked("0", all)).toEqual([]);
    expect(nodeFaultsAsked("node restarted", all).map((f) => f.kind)).toEqual(["node restarted"]);
    expect(() => nodeFaultsAsked("node rebooted", all)).toThrow(/no node fault "node rebooted"; the kinds are "kubelet killed", "node restarted", or 0 for none/);
  });
});
