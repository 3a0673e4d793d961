// The traffic a cluster needs, derived from its description. One list feeds the node firewalls
// (components/node: firewalld ports and protocols), the NSX DFW rules and the checklists, so they
// cannot disagree. Sources of the CNI entries:
//   Calico: docs.tigera.io/calico/latest/getting-started/kubernetes/requirements ("Network
//     requirements": BGP 179/tcp, IP-in-IP = IP protocol 4, VXLAN 4789/udp, Typha 5473/tcp).
//   Cilium: docs.cilium.io/en/stable/operations/system_requirements ("Firewall Rules": health
//     4240/tcp and ICMP echo, VXLAN 8472/udp, Geneve 6081/udp, Hubble server 4244/tcp).
//   Kubernetes: kubernetes.io/docs/reference/networking/ports-and-protocols.
import type { ClusterSpec, NodeRole } from "./spec";

export type PortRole = NodeRole | "any";

/** IP protocols without ports, by the name firewalld (and /etc/protocols) knows them. */
export const IP_PROTOCOLS = {
  ipip: { number: 4, label: "IP-in-IP" },
  vrrp: { number: 112, label: "VRRP" },
} as const;
export type IpProtocolName = keyof typeof IP_PROTOCOLS;

export interface PortRule {
  /** tcp/udp with a port, or an IP protocol that has none (IP-in-IP, VRRP). */
  protocol: "tcp" | "udp" | IpProtocolName;
  /** Single port or range `from-to`; only for tcp and udp. */
  port?: string;
  /** Nodes that must accept the traffic. */
  on: PortRole;
  /** Only this node accepts it (the in-cluster NFS server), within `on`. */
  node?: string;
  /**
   * Who sends it: every node, the control planes, clients outside the cluster, or the machine
   * running Pulumi (network.operatorCidr), which reaches every node over SSH and the API itself.
   */
  from: "nodes" | "control-planes" | "clients" | "operator";
  purpose: string;
}

type PortSpec = Pick<ClusterSpec, "apiEndpoint" | "addons" | "ssh" | "nodes">;

/** The CNI's own traffic between nodes, for the chosen mode. */
export function cniPorts(cni: ClusterSpec["addons"]["cni"]): PortRule[] {
  const between = (protocol: PortRule["protocol"], port: string | undefined, purpose: string): PortRule => ({ protocol, ...(port ? { port } : {}), on: "any", from: "nodes", purpose });
  if (cni.type === "cilium") {
    return [
      between("tcp", "4240", "Cilium health checks (with ICMP echo)"),
      ...(cni.mode === "vxlan" ? [between("udp", "8472", "Cilium VXLAN")] : []),
      ...(cni.mode === "geneve" ? [between("udp", "6081", "Cilium Geneve")] : []),
      // The agents always run the Hubble server; only the relay dials it from other nodes.
      ...(cni.hubble ? [between("tcp", "4244", "Hubble server (the relay collects flows from every agent)")] : []),
    ];
  }
  return [
    ...(cni.mode === "vxlan" ? [between("udp", "4789", "Calico VXLAN")] : []),
    ...(cni.mode === "ipip" ? [between("ipip", undefined, "Calico IP-in-IP tunnel")] : []),
    // BGP runs only where Calico routes without VXLAN (components/addons/calico/values.ts).
    ...(cni.mode === "ipip" || cni.mode === "native" ? [between("tcp", "179", "Calico BGP")] : []),
    between("tcp", "5473", "Calico Typha (the operator always runs it)"),
  ];
}

export function requiredPorts(spec: PortSpec): PortRule[] {
  const rules: PortRule[] = [
    { port: String(spec.ssh.port), protocol: "tcp", on: "any", from: "operator", purpose: "SSH: node preparation, kubeadm and every day-2 step run over it" },
    { port: "6443", protocol: "tcp", on: "control-plane", from: "clients", purpose: "kube-apiserver" },
    { port: "2379-2380", protocol: "tcp", on: "control-plane", from: "control-planes", purpose: "etcd client and peer" },
    { port: "10250", protocol: "tcp", on: "any", from: "nodes", purpose: "kubelet API" },
    { port: "10257", protocol: "tcp", on: "control-plane", from: "nodes", purpose: "kube-controller-manager" },
    { port: "10259", protocol: "tcp", on: "control-plane", from: "nodes", purpose: "kube-scheduler" },
    { port: "30000-32767", protocol: "tcp", on: "any", from: "clients", purpose: "NodePort Services" },
  ];
  const endpoint = spec.apiEndpoint;
  if (endpoint.mode !== "external") {
    // Pulumi's kubernetes provider installs every add-on through the endpoint (also covered by
    // the clients' rule; named so a DFW that lists its clients does not forget the operator).
    rules.push({ port: String(endpoint.port), protocol: "tcp", on: "control-plane", from: "operator", purpose: `Kubernetes API for Pulumi's kubernetes provider (through the ${endpoint.mode} VIP)` });
    if (endpoint.port !== 6443) rules.push({ port: String(endpoint.port), protocol: "tcp", on: "control-plane", from: "clients", purpose: `API VIP (${endpoint.mode})` });
  }
  if (endpoint.mode === "keepalived-haproxy") {
    rules.push({ protocol: "vrrp", on: "control-plane", from: "control-planes", purpose: "keepalived unicast adverts (without them every control plane claims the VIP)" });
  }
  rules.push(...cniPorts(spec.addons.cni));
  if (spec.addons.loadBalancer.type === "metallb") {
    rules.push({ port: "7946", protocol: "tcp", on: "any", from: "nodes", purpose: "MetalLB memberlist" });
    rules.push({ port: "7946", protocol: "udp", on: "any", from: "nodes", purpose: "MetalLB memberlist" });
  }
  if (spec.addons.ingress.type !== "none") {
    rules.push({ port: "80", protocol: "tcp", on: "worker", from: "clients", purpose: "ingress HTTP" });
    rules.push({ port: "443", protocol: "tcp", on: "worker", from: "clients", purpose: "ingress HTTPS" });
  }
  const storage = spec.addons.storage;
  const serverNode = storage.type === "nfs" && !storage.nfs?.server ? spec.nodes.find((n) => n.name === storage.nfs?.serverNode) : undefined;
  if (serverNode) {
    // NFSv4 needs 2049 alone (no rpcbind or mountd), which is what the provisioner mounts.
    rules.push({ port: "2049", protocol: "tcp", on: serverNode.role, node: serverNode.name, from: "nodes", purpose: `NFS server on ${serverNode.name}` });
  }
  return rules;
}

/** Whether the node accepts the rule's traffic. */
export function ruleApplies(rule: PortRule, node: { role: NodeRole; name: string }): boolean {
  return (rule.on === "any" || rule.on === node.role) && (rule.node === undefined || rule.node === node.name);
}

/**
 * What firewalld needs beyond ports for the CNI on a node: the interfaces the CNI creates and the
 * pod CIDR, put in a zone of their own that accepts and forwards pod traffic. Calico names cali*,
 * tunl0 (IP-in-IP) and vxlan.calico (Calico's node requirements); Cilium cilium_host, cilium_net,
 * cilium_vxlan/cilium_geneve and the pods' lxc* veths. `+` is firewalld's interface wildcard.
 */
export function cniInterfaces(cni: ClusterSpec["addons"]["cni"]): string[] {
  if (cni.type === "cilium") return ["cilium_+", "lxc+"];
  return ["cali+", ...(cni.mode === "ipip" ? ["tunl0"] : []), ...(cni.mode === "vxlan" ? ["vxlan.calico"] : [])];
}
