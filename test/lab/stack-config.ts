// The stack config of a lab (test/lab/lab.ts, test/cluster/ssh-hosts.ts): examples/existing-hosts-external-lb.yaml with the
// lab's facts put in, so `pulumi up` prepares the lab's hosts as it would that site's. Changed
// from the example: the hosts' names and addresses, the subnet, gateway, DNS server and VIP;
// ssh as root with the lab's key; the Kubernetes version the mirror carries and the mirror as
// kubernetes.packageRepository (the hosts have no way out); profile poc (protect false, so
// `pulumi destroy` may remove everything again) and no add-on that needs a server outside the lab
// (the example's NFS server and Velero's S3).
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { CLUSTER_KEY } from "../../stacks/config-keys";
import type { ClusterSpec } from "../../stacks/spec";
import { formatProblems, validateCluster } from "../../stacks/validate";
import type { LabHost } from "./lab";

const EXAMPLE = path.resolve(__dirname, "../../examples/existing-hosts-external-lb.yaml");

/** The lab's part of the config: what labCluster puts into the example (a test/lab Lab, or the real-node lab's hosts). */
export interface LabFacts {
  hosts: Pick<LabHost, "name" | "role" | "address">[];
  subnet: string;
  gateway: string;
  vip: string;
  sshUser: string;
  sshPort: number;
  publicKey: string;
  kubernetesVersion: string;
  packageRepository: string;
  interfaceName: string;
}

/** The cluster description (`onprem-k8s:cluster`) for the lab, as a plain object; `edit` changes it last. */
export function labCluster(lab: LabFacts, edit: (cluster: any) => void = () => {}): Record<string, any> {
  const document = parse(fs.readFileSync(EXAMPLE, "utf8")) as { config: Record<string, any> };
  const cluster = structuredClone(document.config[CLUSTER_KEY]) as Record<string, any>;
  const of = (role: "control-plane" | "worker") => lab.hosts.filter((h) => h.role === role);
  const octet = (last: number) => lab.gateway.replace(/\.\d+$/, `.${last}`);
  cluster.profile = "poc";
  cluster.protect = false;
  cluster.network = { ...cluster.network, subnet: lab.subnet, gateway: lab.gateway, dnsServers: [lab.gateway], interface: lab.interfaceName, searchDomains: [] };
  cluster.controlPlane = { names: of("control-plane").map((h) => h.name), addresses: of("control-plane").map((h) => h.address) };
  const workers = of("worker");
  cluster.workerPools = workers.length > 0 ? [{ name: "node", names: workers.map((h) => h.name), addresses: workers.map((h) => h.address) }] : [];
  // The endpoint stays the example's external load balancer: the VIP is on the bridge and the
  // stand-ins answer for it (control-plane-standins/curl). No dnsName: nothing resolves it here.
  cluster.endpoint = { mode: "external", vip: lab.vip, port: 6443 };
  cluster.kubernetes = { version: lab.kubernetesVersion, packageRepository: lab.packageRepository };
  cluster.ssh = { user: lab.sshUser, port: lab.sshPort, authorizedKeys: [lab.publicKey] };
  cluster.addons.loadBalancer.pools = [{ name: "default", addresses: [`${octet(200)}-${octet(220)}`] }];
  cluster.addons.ingress.loadBalancerIP = octet(200);
  cluster.addons.storage = { type: "none" };
  delete cluster.addons.backups;
  // The acceptance checks the lab can reach (docs/acceptance.md): the API through the endpoint and
  // on each apiserver, the nodes, etcd. The CNI and metrics-server are add-ons the kubernetes
  // stand-in provider only records (the pod network is the lab's bridge plugin, its routes between
  // nodes laid only by the add-on phases); nothing programs Services (kube-proxy is replaced by that
  // Cilium), so CoreDNS cannot reach the API and no name resolves; the nodes' root has no ping for
  // the MTU probe. The add-on phases run the pod-network check themselves (day2/addon-acceptance.ts).
  cluster.checks = { skip: ["cni", "pod-network", "dns", "metrics", "mtu"] };
  edit(cluster);
  return cluster;
}

/**
 * The stack file (Pulumi.<stack>.yaml) for the lab. The secret sshPrivateKey is not in it: set it
 * with `pulumi config set --secret sshPrivateKey < <lab.privateKeyFile>` (it must be stored encrypted).
 */
export function renderLabStack(lab: LabFacts, edit?: (cluster: any) => void): string {
  const header = [
    "# The onprem-k8s lab (test/lab): existing hosts in network namespaces on this machine, from",
    "# examples/existing-hosts-external-lb.yaml. Secret (pulumi config set --secret): sshPrivateKey.",
  ];
  return `${header.join("\n")}\n${stringify({ config: { [CLUSTER_KEY]: labCluster(lab, edit) } }, { lineWidth: 0 })}`;
}

/** The validated spec of the lab's description, as the program would see it (warnings dropped). */
export function labSpec(lab: LabFacts, edit?: (cluster: any) => void): ClusterSpec {
  return labDescriptionSpec(labCluster(lab, edit));
}

/** The validated spec of a lab description (e.g. a stack file's, as edited), as the program would see it; problems thrown as the program words them. */
export function labDescriptionSpec(cluster: Record<string, any>): ClusterSpec {
  const result = validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey"]), planMode: false });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}
