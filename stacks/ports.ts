// The traffic a cluster needs, derived from its description. One list feeds the node firewalls,
// the NSX DFW rules and the checklists, so they cannot disagree.
import type { ClusterSpec } from "./spec";

export type PortRole = "control-plane" | "worker" | "any";

export interface PortRule {
  /** Single port or range `from-to`. */
  port: string;
  protocol: "tcp" | "udp";
  /** Nodes that must accept the traffic. */
  on: PortRole;
  /** Who sends it: other nodes, or clients outside the cluster. */
  from: "nodes" | "clients";
  purpose: string;
}

export function requiredPorts(spec: Pick<ClusterSpec, "apiEndpoint" | "addons" | "workers">): PortRule[] {
  const rules: PortRule[] = [
    { port: "6443", protocol: "tcp", on: "control-plane", from: "clients", purpose: "kube-apiserver" },
    { port: "2379-2380", protocol: "tcp", on: "control-plane", from: "nodes", purpose: "etcd client and peer" },
    { port: "10250", protocol: "tcp", on: "any", from: "nodes", purpose: "kubelet API" },
    { port: "10257", protocol: "tcp", on: "control-plane", from: "nodes", purpose: "kube-controller-manager" },
    { port: "10259", protocol: "tcp", on: "control-plane", from: "nodes", purpose: "kube-scheduler" },
    { port: "30000-32767", protocol: "tcp", on: "any", from: "clients", purpose: "NodePort Services" },
  ];
  const endpoint = spec.apiEndpoint;
  if (endpoint.mode !== "external" && endpoint.port !== 6443) {
    rules.push({ port: String(endpoint.port), protocol: "tcp", on: "control-plane", from: "clients", purpose: `API VIP (${endpoint.mode})` });
  }
  if (endpoint.mode === "keepalived-haproxy") {
    // VRRP is IP protocol 112, not a port; firewalld needs it as a rich rule, the checklist says so.
  }
  const cni = spec.addons.cni;
  if (cni.type === "cilium") {
    rules.push({ port: "4240", protocol: "tcp", on: "any", from: "nodes", purpose: "Cilium health checks" });
    if (cni.mode === "vxlan") rules.push({ port: "8472", protocol: "udp", on: "any", from: "nodes", purpose: "Cilium VXLAN" });
    if (cni.mode === "geneve") rules.push({ port: "6081", protocol: "udp", on: "any", from: "nodes", purpose: "Cilium Geneve" });
    if (cni.hubble) rules.push({ port: "4244", protocol: "tcp", on: "any", from: "nodes", purpose: "Hubble server" });
  } else {
    if (cni.mode === "vxlan") rules.push({ port: "4789", protocol: "udp", on: "any", from: "nodes", purpose: "Calico VXLAN" });
    if (cni.mode === "ipip" || cni.mode === "native") rules.push({ port: "179", protocol: "tcp", on: "any", from: "nodes", purpose: "Calico BGP" });
    rules.push({ port: "5473", protocol: "tcp", on: "any", from: "nodes", purpose: "Calico Typha" });
  }
  if (spec.addons.loadBalancer.type === "metallb") {
    rules.push({ port: "7946", protocol: "tcp", on: "any", from: "nodes", purpose: "MetalLB memberlist" });
    rules.push({ port: "7946", protocol: "udp", on: "any", from: "nodes", purpose: "MetalLB memberlist" });
  }
  if (spec.addons.ingress.type !== "none") {
    rules.push({ port: "80", protocol: "tcp", on: "worker", from: "clients", purpose: "ingress HTTP" });
    rules.push({ port: "443", protocol: "tcp", on: "worker", from: "clients", purpose: "ingress HTTPS" });
  }
  return rules;
}
