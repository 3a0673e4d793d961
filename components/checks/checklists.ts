// Checklists a person works through on the real site (seed 001, sections 8, 10 and 13): the
// acceptance checks, the NSX DFW rules and SpoofGuard allow-list, and the MTU checklist.
// Each is rendered from the description, so every address and port in them is the real one.
import { IP_PROTOCOLS, requiredPorts, type PortRule } from "../../stacks/ports";
import { ENCAPSULATION_OVERHEAD, type ClusterSpec } from "../../stacks/spec";

const ICMP_AND_IP_HEADERS = 28;

export function acceptanceChecklist(spec: ClusterSpec): string {
  const api = `https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`;
  const lines = [
    `# Acceptance checklist: ${spec.name}`,
    "",
    "Run from a machine with the admin kubeconfig (`pulumi stack output kubeconfig --show-secrets > kubeconfig`).",
    "",
    `- [ ] API endpoint answers: \`curl -sk ${api}/readyz\` prints \`ok\``,
    ...spec.controlPlanes.map((cp) => `- [ ] apiserver on ${cp.name} answers directly: \`curl -sk https://${cp.address}:6443/readyz\``),
    `- [ ] all ${spec.controlPlanes.length} control planes Ready: \`kubectl get nodes -l node-role.kubernetes.io/control-plane\``,
    `- [ ] all ${spec.workers.length} workers Ready: \`kubectl get nodes\` shows ${spec.nodes.length} Ready nodes`,
    `- [ ] etcd has ${spec.controlPlanes.length} healthy members: \`kubectl -n kube-system exec etcd-${spec.controlPlanes[0].name} -- etcdctl --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/server.crt --key /etc/kubernetes/pki/etcd/server.key endpoint health --cluster\``,
    `- [ ] CNI (${spec.addons.cni.type}) pods Running on every node`,
  ];
  if (spec.addons.loadBalancer.type === "metallb") {
    lines.push("- [ ] a `Service` of type LoadBalancer gets an address from the pools: `kubectl get svc -A | grep LoadBalancer`");
  }
  if (spec.addons.ingress.type !== "none") {
    const address = spec.addons.ingress.loadBalancerIP ?? "<ingress address>";
    lines.push(`- [ ] ${spec.addons.ingress.type} answers on ${address}: \`curl -s -o /dev/null -w '%{http_code}' http://${address}/\` prints 404 before any route exists`);
    if (spec.addons.ingress.type === "traefik") {
      lines.push(`- [ ] the Gateway is programmed on ${address}: \`kubectl -n traefik get gateway traefik-gateway\` shows PROGRAMMED True and that address`);
      lines.push("- [ ] an HTTPRoute attached to Gateway traefik/traefik-gateway routes by host and path to a test Deployment");
    } else {
      lines.push("- [ ] an Ingress routes by host and path to a test Deployment");
    }
  }
  if (spec.addons.storage.type !== "none") {
    lines.push("- [ ] a PersistentVolumeClaim without storageClassName binds through the default StorageClass; a pod writes and reads it");
  }
  if (spec.addons.metrics.enabled) lines.push("- [ ] `kubectl top nodes` shows every node");
  if (spec.addons.backups.etcdSnapshots?.enabled) lines.push("- [ ] an etcd snapshot exists and `etcdutl snapshot status` reads it");
  if (spec.addons.backups.velero?.enabled) lines.push("- [ ] `velero backup create smoke --include-namespaces default --wait` completes and `velero restore` of it succeeds");
  if (spec.apiEndpoint.mode !== "external" && spec.controlPlanes.length > 1) {
    lines.push(`- [ ] VIP failover: stop the VIP holder (${spec.apiEndpoint.mode === "kube-vip" ? "move the kube-vip manifest away" : "systemctl stop keepalived"}) on the node holding ${spec.apiEndpoint.vip}; \`curl -sk ${api}/readyz\` keeps answering from another control plane`);
  }
  if (onNsxSegment(spec)) lines.push("- [ ] NSX DFW and SpoofGuard are set as in nsx-dfw-rules.md and spoofguard-allow-list.md: nothing is dropped");
  lines.push("- [ ] MTU checks in mtu-checklist.md pass between every pair of nodes");
  return `${lines.join("\n")}\n`;
}

/** Whether the node network is an NSX-T segment, where the DFW and SpoofGuard apply. */
export function onNsxSegment(spec: ClusterSpec): boolean {
  return spec.platform.type === "vsphere" && spec.platform.vsphere?.nsx === true;
}

/** The DFW source of what the machine running Pulumi sends: network.operatorCidr, or a placeholder to fill in. */
export function operatorSource(spec: ClusterSpec): string {
  const cidr = spec.network.operatorCidr;
  return cidr ? `${cidr} (machine running Pulumi)` : "<the machine running Pulumi: fill in its address, or set network.operatorCidr>";
}

/** The DFW service of a rule: a port and protocol, or an IP protocol by number (NSX services name them so). */
export function dfwService(rule: PortRule): string {
  if (rule.protocol === "tcp" || rule.protocol === "udp") return `${rule.port}/${rule.protocol}`;
  const ip = IP_PROTOCOLS[rule.protocol];
  return `IP protocol ${ip.number} (${ip.label})`;
}

function dfwSource(spec: ClusterSpec, rule: PortRule): string {
  if (rule.from === "operator") return operatorSource(spec);
  if (rule.from === "control-planes") return "k8s-nodes (control-plane)";
  return rule.from === "nodes" ? "k8s-nodes" : "any";
}

function dfwDestination(spec: ClusterSpec, rule: PortRule): string {
  if (rule.node) return `${spec.nodes.find((n) => n.name === rule.node)?.address ?? rule.node} (${rule.node})`;
  return rule.on === "any" ? "k8s-nodes" : `k8s-nodes (${rule.on})`;
}

export function nsxFirewallRules(spec: ClusterSpec): string {
  const members = spec.nodes.map((node) => `${node.address} (${node.name})`).join(", ");
  // One row per rule of stacks/ports.ts, the list the node firewalls are opened from.
  const rows = requiredPorts(spec).map((rule) => `| ${dfwSource(spec, rule)} | ${dfwDestination(spec, rule)} | ${dfwService(rule)} | ${rule.purpose} |`);
  const endpoint = spec.apiEndpoint;
  // The VIP moves between control planes, so the DFW sees it on their ports, not as a node address.
  if (endpoint.vip && endpoint.mode !== "external") {
    rows.push(`| any | ${endpoint.vip} (API VIP) | ${endpoint.port}/TCP | Kubernetes API through the VIP (${endpoint.mode}) |`);
    rows.push(`| ${operatorSource(spec)} | ${endpoint.vip} (API VIP) | ${endpoint.port}/TCP | Pulumi's kubernetes provider installs the add-ons through the VIP |`);
  } else {
    rows.push(`| ${operatorSource(spec)} | ${endpoint.host} (external load balancer) | ${endpoint.port}/TCP | Pulumi's kubernetes provider installs the add-ons through the endpoint (the load balancer's own rules, if it sits behind the DFW) |`);
  }
  const lb = spec.addons.loadBalancer;
  const ingress = spec.addons.ingress;
  if (ingress.type !== "none" && ingress.loadBalancerIP) rows.push(`| any | ${ingress.loadBalancerIP} (ingress) | 80/TCP, 443/TCP | ${ingress.type} |`);
  if (lb.type === "metallb") {
    for (const pool of lb.pools) rows.push(`| any | ${pool.addresses.join(", ")} (MetalLB pool ${pool.name}) | ports of the LoadBalancer Services | Services of type LoadBalancer |`);
  }
  rows.push(
    "| k8s-nodes | k8s-nodes | ICMP echo, ICMP destination unreachable (fragmentation needed) | MTU checks (`ping -M do`), path MTU discovery, Cilium's health probes |",
    "| k8s-nodes | any | any | packages, images, external APIs (through the proxy where there is one) |",
  );
  return [
    `# NSX DFW rules: ${spec.name}`,
    "",
    `Group \`k8s-nodes\`: ${members}.`,
    "Place these allow rules above the default deny rules (seed 001, risk 3).",
    spec.network.operatorCidr
      ? `The machine running Pulumi is ${spec.network.operatorCidr} (network.operatorCidr): every node step runs over SSH from it.`
      : "Every node step runs over SSH from the machine running Pulumi: its rows name it as a placeholder; put its address there (or set network.operatorCidr and plan again).",
    "",
    "| source | destination | service | purpose |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

export function spoofGuardAllowList(spec: ClusterSpec): string {
  const entries: string[] = [];
  if (spec.apiEndpoint.vip && spec.apiEndpoint.mode !== "external") {
    entries.push(`- ${spec.apiEndpoint.vip}: API VIP announced by ${spec.apiEndpoint.mode} from any control plane (${spec.controlPlanes.map((n) => n.name).join(", ")})`);
  }
  const lb = spec.addons.loadBalancer;
  if (lb.type === "metallb" && lb.mode === "l2") {
    for (const pool of lb.pools) entries.push(`- ${pool.addresses.join(", ")}: MetalLB pool ${pool.name} announced by ARP from the speaker nodes`);
  }
  return [
    `# SpoofGuard allow-list: ${spec.name}`,
    "",
    "These addresses move between node ports by gratuitous ARP; allow them on the segment ports of",
    "the k8s-nodes group, or SpoofGuard drops the announcements (seed 001, risk 2).",
    "",
    ...(entries.length ? entries : ["- nothing: no address is announced by ARP in this cluster"]),
    "",
  ].join("\n");
}

export function mtuChecklist(spec: ClusterSpec): string {
  const cni = spec.addons.cni;
  const overhead = ENCAPSULATION_OVERHEAD[cni.mode];
  const [first, second] = spec.nodes;
  const peer = second ?? first;
  return [
    `# MTU checklist: ${spec.name}`,
    "",
    `| layer | MTU |`,
    `|---|---|`,
    `| node NIC ${spec.network.interface} | ${spec.network.mtu} |`,
    `| ${cni.type} ${cni.mode} encapsulation | -${overhead} |`,
    `| pods | ${spec.cniMtu} |`,
    "",
    `- [ ] on every node \`ip link show ${spec.network.interface}\` reports mtu ${spec.network.mtu}`,
    `- [ ] the underlay carries full frames: from ${first.name} \`ping -M do -s ${spec.network.mtu - ICMP_AND_IP_HEADERS} -c 3 ${peer.address}\` succeeds`,
    `- [ ] pods get MTU ${spec.cniMtu}: \`kubectl run mtu --rm -it --image=busybox -- ip link show eth0\``,
    `- [ ] pod to pod across nodes: \`ping -M do -s ${spec.cniMtu - ICMP_AND_IP_HEADERS}\` between pods on ${first.name} and ${peer.name} succeeds`,
    onNsxSegment(spec) ? "- [ ] NSX: the transport-node overlay MTU is at least the node MTU plus the Geneve overlay (typically 1600 or more)" : "",
    "",
  ]
    .filter((line, index, all) => line !== "" || index === all.length - 1)
    .join("\n");
}
