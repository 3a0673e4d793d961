// The growth phases' descriptions (growth.ts), without the lab: the stack starts without the spare
// hosts, grows to five control planes and two workers, shrinks back, and each of those is a
// description the program accepts (an even number of control planes would be refused).
import { describe, expect, it } from "vitest";
import { labCluster, type LabFacts } from "../../lab/stack-config";
import { formatProblems, validateCluster } from "../../../stacks/validate";
import { SPARE_CONTROL_PLANES, SPARE_WORKERS, listHosts, withoutSpareHosts } from "./growth";

const CONTROL_PLANES = ["k8s-master", "k8s-master-2", "k8s-master-3"];
const WORKERS = ["k8s-node1"];
const address = (octet: number) => `10.251.0.${octet}`;
const lab: LabFacts = {
  hosts: [
    ...[...CONTROL_PLANES, ...SPARE_CONTROL_PLANES].map((name, i) => ({ name, role: "control-plane" as const, address: address([100, 110, 111, 112, 113][i]!) })),
    ...[...WORKERS, ...SPARE_WORKERS].map((name, i) => ({ name, role: "worker" as const, address: address(101 + i) })),
  ],
  subnet: "10.251.0.0/24",
  gateway: address(1),
  vip: address(99),
  sshUser: "root",
  sshPort: 22,
  publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk8Jq3w2vB7rL0c9pXy4Zt1sM6nQe5uRk2aD8fGh1Tj lab",
  kubernetesVersion: "1.34.4",
  packageRepository: "http://10.251.0.1:8080/repo",
  interfaceName: "eth0",
};

function spec(edit: (cluster: any) => void) {
  const result = validateCluster(labCluster(lab, edit), { secretsPresent: new Set(["sshPrivateKey"] as const), planMode: false });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}
const names = (s: ReturnType<typeof spec>) => [s.controlPlanes.map((n) => n.name), s.workers.map((n) => n.name)];

describe("the growth phases' descriptions", () => {
  it("start without the spare hosts, grow to 5 + 2, shrink back to 3 + 1, each accepted", () => {
    expect(names(spec(withoutSpareHosts))).toEqual([CONTROL_PLANES, WORKERS]);
    const grown = spec((c) => listHosts(lab.hosts, c, [...CONTROL_PLANES, ...SPARE_CONTROL_PLANES], [...WORKERS, ...SPARE_WORKERS]));
    expect(names(grown)).toEqual([[...CONTROL_PLANES, ...SPARE_CONTROL_PLANES], [...WORKERS, ...SPARE_WORKERS]]);
    expect(grown.controlPlanes.map((n) => n.address)).toEqual(["100", "110", "111", "112", "113"].map((o) => address(Number(o))));
    expect(names(spec((c) => listHosts(lab.hosts, c, CONTROL_PLANES, WORKERS)))).toEqual([CONTROL_PLANES, WORKERS]);
  });

  it("would be refused with one spare control plane only (four: etcd wants an odd number)", () => {
    expect(() => spec((c) => listHosts(lab.hosts, c, [...CONTROL_PLANES, SPARE_CONTROL_PLANES[0]!], WORKERS))).toThrow(/4 control planes: stacked etcd needs an odd number/);
  });
});
