// The part of summary.md a platform engineer reads first: what the site gets (nodes, their OS and
// sizes where the program sets them, the API endpoint and what must resolve, the addresses the
// network team reserves, every add-on with version and source), where the checklists and NSX
// artifacts are, and which resources are protected.
import { PACKAGE_FAMILY } from "../../components/node/parts";
import { cniInterfaces } from "../../stacks/ports";
import type { ClusterSpec } from "../../stacks/spec";
import type { RecordedResource } from "./monitor";
import { siteAddons } from "./site-addons";

function gib(mib: number): string {
  return `${Number.isInteger(mib / 1024) ? mib / 1024 : (mib / 1024).toFixed(1)} GiB`;
}

/** How clients reach the API, and what the DNS name (when there is one) must do. */
export function endpointLines(spec: ClusterSpec): string[] {
  const endpoint = spec.apiEndpoint;
  const url = `https://${endpoint.host}:${endpoint.port}`;
  const vip = endpoint.vip ? `VIP ${endpoint.vip}` : "the external load balancer";
  const lines = [`- API endpoint: ${url} (${endpoint.mode}, ${vip})`];
  if (endpoint.dnsName) {
    lines.push(
      `- \`${endpoint.dnsName}\` is the controlPlaneEndpoint, the kubeconfig's server and the add-ons' API server: the nodes get it in /etc/hosts, the machine running \`pulumi up\` needs a DNS record pointing at ${endpoint.vip ?? "the load balancer"} (the plan warns when it does not resolve)`,
    );
  }
  return lines;
}

/** The nodes' OS and, on the dnf family, what the firewall step does with firewalld and SELinux. */
export function osLines(spec: ClusterSpec): string[] {
  const os = spec.os;
  const family = PACKAGE_FAMILY[os.family];
  const lines = [`- OS: ${os.family} ${os.version} (${family} family)${spec.platform.type === "existing" ? ", as installed on the hosts" : ", from the template"}`];
  if (family !== "dnf") return lines;
  if (os.firewall === "disabled") {
    lines.push(`- firewalld: turned off on every node (os.firewall: disabled); SELinux ${os.selinux}`);
  } else {
    lines.push(
      `- firewalld: on; each node's service onprem-k8s holds exactly its role's ports and IP protocols from the one port list (the NSX DFW rules use the same), and the zone k8s-pods trusts ${cniInterfaces(spec.addons.cni).join(", ")} and ${spec.kubernetes.podCidr} with forwarding to and from it; SELinux ${os.selinux}`,
    );
    if (spec.addons.cni.type === "calico") {
      lines.push("- Calico's system requirements ask for firewalld to be disabled; this site keeps it on (os.firewall: firewalld) with the pod zone above. Set os.firewall: disabled to follow Calico's advice");
    }
  }
  return lines;
}

/** The addresses a network team must keep free for the cluster, beyond the nodes' own. */
export function reservedAddresses(spec: ClusterSpec): { address: string; use: string }[] {
  const rows: { address: string; use: string }[] = [];
  const endpoint = spec.apiEndpoint;
  if (endpoint.vip && endpoint.mode !== "external") rows.push({ address: endpoint.vip, use: `API VIP (${endpoint.mode}, moves between the control planes)` });
  if (endpoint.vip && endpoint.mode === "external") rows.push({ address: endpoint.vip, use: `API endpoint on the external load balancer (forwards ${endpoint.port}/tcp to the control planes' 6443/tcp)` });
  const ingress = spec.addons.ingress;
  if (ingress.type !== "none" && ingress.loadBalancerIP) rows.push({ address: ingress.loadBalancerIP, use: `ingress address (${ingress.type}; a LoadBalancer address from a MetalLB pool)` });
  const lb = spec.addons.loadBalancer;
  if (lb.type === "metallb") {
    for (const pool of lb.pools) rows.push({ address: pool.addresses.join(", "), use: `MetalLB pool ${pool.name} (${lb.mode === "l2" ? "announced by ARP" : "announced by BGP"}${pool.autoAssign ? "" : ", on request only"})` });
  }
  const created = spec.platform.type !== "existing";
  rows.push({ address: spec.nodes.map((n) => n.address).join(", "), use: created ? "the nodes (static, set at first boot)" : "the existing hosts' own addresses" });
  return rows;
}

function nodeTable(spec: ClusterSpec): string[] {
  if (spec.platform.type === "existing") {
    // The program neither creates nor sizes existing hosts: no profile sizes that would not be true.
    return [
      "The hosts exist already: the program neither creates nor sizes them (their CPUs, memory and disks are what they have).",
      "",
      "| node | role | pool | address |",
      "|---|---|---|---|",
      ...spec.nodes.map((n) => `| ${n.name} | ${n.role} | ${n.pool} | ${n.address} |`),
    ];
  }
  return [
    "| node | role | pool | address | vCPU | memory | disk |",
    "|---|---|---|---|---|---|---|",
    ...spec.nodes.map(
      (n) => `| ${n.name} | ${n.role} | ${n.pool} | ${n.address} | ${n.cpus} | ${gib(n.memoryMiB)} | ${n.diskGiB} GiB${n.dataDiskGiB ? ` + ${n.dataDiskGiB} GiB data` : ""} |`,
    ),
  ];
}

/** Links, relative to out/<name>/summary.md, to every checklist (the NSX ones among them) and restore runbook. */
export function checklistLinks(artifacts: { kind: string; path: string }[]): string[] {
  const checklists = artifacts.filter((a) => a.kind === "checklist" || a.kind === "runbook");
  if (checklists.length === 0) return ["No checklists were rendered."];
  return checklists.map((a) => `- [${a.path}](artifacts/${a.path})${/nsx|spoofguard/.test(a.path) ? " (NSX)" : a.kind === "runbook" ? " (restore runbook)" : ""}`);
}

export function siteMarkdown(spec: ClusterSpec, resources: RecordedResource[], artifacts: { kind: string; path: string }[] = []): string[] {
  const protectedResources = resources.filter((r) => r.protect);
  const cni = spec.addons.cni;
  const machines = spec.platform.type === "existing" ? "existing hosts" : `${spec.platform.type} machines`;
  return [
    "## What the site gets",
    "",
    `- Kubernetes ${spec.kubernetes.version} on ${spec.nodes.length} nodes (${spec.controlPlanes.length} control planes, ${spec.workers.length} workers), ${machines}`,
    ...osLines(spec),
    ...endpointLines(spec),
    `- CNI: ${cni.type} (${cni.mode}, pod MTU ${spec.cniMtu}); pods ${spec.kubernetes.podCidr}, services ${spec.kubernetes.serviceCidr}`,
    ...(cni.type === "cilium" ? [`- Hubble: ${cni.hubble ? "relay and UI on (the relay reads every agent on 4244/tcp)" : "relay and UI off (addons.cni.hubble)"}`] : []),
    "",
    ...nodeTable(spec),
    "",
    "## Addresses to reserve",
    "",
    "| address | use |",
    "|---|---|",
    ...reservedAddresses(spec).map((row) => `| ${row.address} | ${row.use} |`),
    "",
    "## Add-ons",
    "",
    "| add-on | kind | version | namespace | source |",
    "|---|---|---|---|---|",
    ...siteAddons(spec).map((a) => `| ${a.name} | ${a.kind} | ${a.version} | ${a.namespace} | ${a.source} |`),
    "",
    "## Checklists",
    "",
    ...checklistLinks(artifacts),
    "- every rendered file: [artifacts.json](artifacts.json)",
    "",
    `## Protected (${protectedResources.length})`,
    "",
    ...(protectedResources.length
      ? ["`pulumi destroy` refuses while these are protected; lift it on purpose with `pulumi state unprotect <urn>`.", "", ...protectedResources.map((r) => `- ${r.name} (${r.type})`)]
      : ["Nothing is protected: `pulumi destroy` removes everything."]),
    "",
  ];
}
