import { generateKeyPairSync } from "node:crypto";
import sshpk from "sshpk";
import { describe, expect, it } from "vitest";
import { readStackFile } from "./stack-file";
import { formatProblems, validateCluster, type Problem } from "./validate";
import { INTERNAL_ERROR, noProxyGaps, runRules } from "./rules";
import { testDir } from "../test/tools/test-dir";

// Judged on a day the tested version is supported upstream, so only the end-of-life rows see that warning.
const TODAY = "2026-06-01";
const planMode = { secretsPresent: new Set<never>(), planMode: true, today: TODAY };

/**
 * A complete, valid description (the PoC stack file) to break one field at a time, with the
 * maintained ingress: the PoC's ingress-nginx would add its retirement warning to every list below.
 */
function base(): Record<string, any> {
  const cluster = structuredClone(readStackFile("poc").cluster) as Record<string, any>;
  cluster.addons.ingress.type = "traefik";
  return cluster;
}

function problemsOf(mutate: (c: Record<string, any>) => void): Problem[] {
  const cluster = base();
  mutate(cluster);
  const result = validateCluster(cluster, planMode);
  const problems = result.ok ? result.warnings : result.problems;
  // A rule that throws is a bug: every row fails on it, whatever it looks for.
  for (const p of problems) expect(p.problem, formatProblems([p])).not.toContain(INTERNAL_ERROR);
  return problems;
}

interface Row {
  name: string;
  mutate: (c: Record<string, any>) => void;
  path: string;
  message: RegExp;
  fix: RegExp;
}

/** A well-formed DSA public key, the type current OpenSSH servers refuse (made here: ssh-keygen no longer makes them). */
const DSA_KEY = sshpk
  .parseKey(generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }).publicKey.export({ type: "spki", format: "pem" }).toString(), "pem")
  .toString("ssh");

/** Valid Proxmox settings for rows that switch the base description to Proxmox. */
function proxmoxSettings(): Record<string, any> {
  return { endpoint: "https://pve:8006/", nodes: ["a", "b", "c"], templateVmId: 9000, templateNode: "a", datastore: "local-lvm", vmIdStart: 200 };
}

const rows: Row[] = [
  { name: "even control-plane count", mutate: (c) => (c.controlPlane.addresses = ["192.168.100.11", "192.168.100.12"]), path: "cluster.controlPlane.addresses", message: /odd number/, fix: /use 1 or 3/ },
  { name: "count disagrees with addresses", mutate: (c) => (c.controlPlane.count = 5), path: "cluster.controlPlane.count", message: /count is 5 but 3 addresses/, fix: /^list exactly 5 addresses in cluster.controlPlane.addresses, or remove count \(it then follows the 3 listed addresses\)$/ },
  { name: "worker count 0 with two addresses: no fix the minimum-worker rule refuses", mutate: (c) => (c.workerPools[0].count = 0), path: "cluster.workerPools[0].count", message: /count is 0 but 2 addresses/, fix: /^remove count \(it then follows the 2 listed addresses\)$/ },
  { name: "even control-plane count with more addresses: only odd choices", mutate: (c) => (c.controlPlane.count = 2), path: "cluster.controlPlane.count", message: /count is 2 but 3 addresses/, fix: /^remove count/ },
  { name: "duplicate node address", mutate: (c) => (c.workerPools[0].addresses[1] = "192.168.100.21"), path: "cluster.workerPools[0].addresses[1]", message: /^192.168.100.21 is already node nsx-poc-worker-1's address \(cluster.workerPools\[0\].addresses\[0\]\)$/, fix: /its own free host address/ },
  { name: "node outside subnet", mutate: (c) => (c.workerPools[0].addresses[0] = "192.168.200.21"), path: "cluster.workerPools[0].addresses[0]", message: /outside the node subnet 192.168.100.0\/24/, fix: /inside 192.168.100.0\/24/ },
  { name: "node on the gateway", mutate: (c) => (c.workerPools[0].addresses[0] = "192.168.100.1"), path: "cluster.workerPools[0].addresses[0]", message: /gateway/, fix: /free host address/ },
  { name: "VIP outside subnet", mutate: (c) => (c.endpoint.vip = "10.1.1.10"), path: "cluster.endpoint.vip", message: /outside the node subnet/, fix: /inside 192.168.100.0\/24/ },
  { name: "VIP is a node address", mutate: (c) => (c.endpoint.vip = "192.168.100.12"), path: "cluster.endpoint.vip", message: /is already node nsx-poc-cp-2's address/, fix: /not used by a node/ },
  { name: "VIP inside a LoadBalancer pool", mutate: (c) => (c.endpoint.vip = "192.168.100.210"), path: "cluster.endpoint.vip", message: /inside LoadBalancer pool default/, fix: /outside every pool/ },
  { name: "VIP missing for kube-vip", mutate: (c) => delete c.endpoint.vip, path: "cluster.endpoint.vip", message: /needs a virtual IP/, fix: /set cluster.endpoint.vip/ },
  { name: "VIP failover check with an external load balancer", mutate: (c) => Object.assign(c, { endpoint: { mode: "external", vip: "192.168.100.10", port: 6443 }, checks: { vipFailover: true } }), path: "cluster.checks.vipFailover", message: /the program holds no VIP/, fix: /endpoint.mode kube-vip or keepalived-haproxy/ },
  { name: "haproxy on the apiserver port", mutate: (c) => Object.assign(c.endpoint, { mode: "keepalived-haproxy", port: 6443 }), path: "cluster.endpoint.port", message: /already listens on 6443/, fix: /8443/ },
  { name: "pod CIDR overlaps service CIDR", mutate: (c) => (c.kubernetes.podCidr = "10.100.0.0/16"), path: "cluster.kubernetes.podCidr", message: /overlaps cluster.kubernetes.serviceCidr/, fix: /do not overlap/ },
  { name: "service CIDR overlaps node subnet", mutate: (c) => (c.kubernetes.serviceCidr = "192.168.0.0/16"), path: "cluster.kubernetes.serviceCidr", message: /overlaps cluster.network.subnet/, fix: /do not overlap/ },
  { name: "CIDR with host bits", mutate: (c) => (c.kubernetes.podCidr = "10.244.1.0/16"), path: "cluster.kubernetes.podCidr", message: /host bits/, fix: /10.244.0.0\/16/ },
  { name: "L2 pool outside the subnet", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.150.0/28"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /inside the node subnet/, fix: /BGP mode/ },
  { name: "pool contains a node", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.16/28"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /contains node nsx-poc-worker-1's address 192.168.100.21/, fix: /exclude 192.168.100.21 from the pool/ },
  { name: "overlapping pools", mutate: (c) => c.addons.loadBalancer.pools.push({ name: "second", addresses: ["192.168.100.215-192.168.100.225"] }), path: "cluster.addons.loadBalancer.pools[1].addresses[0]", message: /overlaps LoadBalancer pool default .*\(cluster.addons.loadBalancer.pools\[0\].addresses\[0\]\)/, fix: /disjoint/ },
  { name: "ingress address in no pool", mutate: (c) => (c.addons.ingress.loadBalancerIP = "192.168.100.240"), path: "cluster.addons.ingress.loadBalancerIP", message: /in no LoadBalancer pool/, fix: /pick an address/ },
  { name: "CNI MTU above underlay minus VXLAN", mutate: (c) => (c.addons.cni.mtu = 1460), path: "cluster.addons.cni.mtu", message: /1460 \+ 50 bytes of vxlan overhead exceeds the node MTU 1500/, fix: /at most 1450/ },
  { name: "Geneve with Calico", mutate: (c) => (c.addons.cni = { type: "calico", mode: "geneve" }), path: "cluster.addons.cni.mode", message: /no Geneve/, fix: /vxlan, ipip or native/ },
  { name: "kube-proxy with Cilium's replacement", mutate: (c) => (c.kubernetes.kubeProxy = true), path: "cluster.kubernetes.kubeProxy", message: /both program Services/, fix: /false/ },
  { name: "version without patch", mutate: (c) => (c.kubernetes.version = "1.34"), path: "cluster.kubernetes.version", message: /not an exact x.y.z/, fix: /full version/ },
  { name: "unsupported version", mutate: (c) => (c.kubernetes.version = "1.22.3"), path: "cluster.kubernetes.version", message: /1.22 is not supported/, fix: /1.30 to 1.36/ },
  { name: "minor past the last one with packages and a pause tag", mutate: (c) => (c.kubernetes.version = "1.37.0"), path: "cluster.kubernetes.version", message: /1.37 is not supported/, fix: /1.30 to 1.36/ },
  { name: "package mirror of one minor instead of its root", mutate: (c) => (c.kubernetes.packageRepository = "https://mirror.corp.example/k8s/core:/stable:/v1.34/deb/"), path: "cluster.kubernetes.packageRepository", message: /one minor's repository/, fix: /e.g. https:\/\/mirror.corp.example\/k8s$/ },
  { name: "containerd mirror keyed by a URL", mutate: (c) => (c.registries = { containerdMirrors: { "https://Docker.io/v2": "https://mirror.corp.example:5000" } }), path: "cluster.registries.containerdMirrors.https://Docker.io/v2", message: /registry's host/, fix: /e.g. docker.io: / },
  { name: "no_proxy without the VIP", mutate: (c) => (c.proxy = { http: "http://proxy.corp:3128", extendNoProxy: false, noProxy: ["localhost"] }), path: "cluster.proxy.noProxy", message: /does not cover .*192.168.100.10/, fix: /extendNoProxy: true/ },
  { name: "proxy that is not a URL", mutate: (c) => (c.proxy = { http: "proxy.corp:3128" }), path: "cluster.proxy.http", message: /http:\/\/ or https:\/\/ URL/, fix: /full URL/ },
  { name: "vSphere platform without its settings", mutate: (c) => delete c.platform.vsphere, path: "cluster.platform.vsphere", message: /needs its connection and placement settings/, fix: /add cluster.platform.vsphere/ },
  { name: "settings of another platform", mutate: (c) => (c.platform.proxmox = { endpoint: "https://pve:8006/", nodes: ["pve1"], templateVmId: 9000, templateNode: "pve1", datastore: "local-lvm", vmIdStart: 200 }), path: "cluster.platform.proxmox", message: /platform type is vsphere/, fix: /remove cluster.platform.proxmox/ },
  { name: "vSphere CSI on Proxmox", mutate: (c) => { c.platform = { type: "proxmox", proxmox: { endpoint: "https://pve:8006/", nodes: ["a", "b", "c"], templateVmId: 9000, templateNode: "a", datastore: "local-lvm", vmIdStart: 200 } }; }, path: "cluster.addons.storage.type", message: /vSphere CSI needs vSphere machines/, fix: /nfs/ },
  { name: "NFS without a server", mutate: (c) => (c.addons.storage = { type: "nfs", nfs: {} }), path: "cluster.addons.storage.nfs", message: /needs a server/, fix: /serverNode/ },
  { name: "unsupported OS family", mutate: (c) => (c.os.family = "centos"), path: "cluster.os.family", message: /expected one of/, fix: /ubuntu, debian, rhel, redos/ },
  { name: "unsupported OS release", mutate: (c) => (c.os.version = "20.04"), path: "cluster.os.version", message: /ubuntu "20.04" is not a supported release/, fix: /22.04, 24.04/ },
  { name: "junk SELinux mode", mutate: (c) => (c.os.selinux = "sometimes"), path: "cluster.os.selinux", message: /not an SELinux mode/, fix: /enforcing, permissive or disabled/ },
  { name: "misspelt key", mutate: (c) => (c.network.gatway = "192.168.100.1"), path: "cluster.network.gatway", message: /unknown key "gatway"; did you mean gateway\? It is set as well/, fix: /remove gatway .*known keys: subnet, gateway/ },
  { name: "unknown key with nothing close", mutate: (c) => (c.network.routerAddress = "192.168.100.1"), path: "cluster.network.routerAddress", message: /^unknown key "routerAddress"$/, fix: /known keys: subnet, gateway/ },
  { name: "misspelt key deep in a list entry", mutate: (c) => { c.workerPools[0].adresses = c.workerPools[0].addresses; delete c.workerPools[0].addresses; }, path: "cluster.workerPools[0].adresses", message: /did you mean addresses\?/, fix: /rename adresses to addresses/ },
  { name: "patch that was never released", mutate: (c) => (c.kubernetes.version = "1.34.99"), path: "cluster.kubernetes.version", message: /1.34.99 was never released: the newest 1.34 patch \(as of 2026-12-06\) is 1.34.6/, fix: /use 1.34.6 or an earlier 1.34 patch; if 1.34.99 was released since, add it to stacks\/kubernetes-releases.ts/ },
  { name: "minor out of upstream support", mutate: (c) => (c.kubernetes.version = "1.30.14"), path: "cluster.kubernetes.version", message: /1.30 reached its upstream end of life on 2025-07-15/, fix: /upgrade to a supported minor \(1.33 or newer, e.g. 1.33.13\)/ },
  { name: "missing required field", mutate: (c) => delete c.network.subnet, path: "cluster.network.subnet", message: /missing/, fix: /set cluster.network.subnet/ },
  { name: "wrong enum value", mutate: (c) => (c.endpoint.mode = "vrrp"), path: "cluster.endpoint.mode", message: /expected one of/, fix: /kube-vip, keepalived-haproxy, external/ },
  { name: "prod profile with one control plane", mutate: (c) => { c.profile = "prod"; c.controlPlane.addresses = ["192.168.100.11"]; }, path: "cluster.controlPlane.addresses", message: /prod profile needs at least 3 control planes/, fix: /profile poc/ },
  { name: "Velero without a location", mutate: (c) => (c.addons.backups = { velero: { enabled: true } }), path: "cluster.addons.backups.velero", message: /no S3 location/, fix: /s3Url and .bucket/ },
  { name: "MetalLB selector no node carries", mutate: (c) => (c.addons.loadBalancer.nodeSelector = { "node-role.kubernetes.io/metallb": "true" }), path: "cluster.addons.loadBalancer.nodeSelector", message: /no node carries these labels/, fix: /label a worker pool/ },
  // Machine platforms (components/machines).
  { name: "vSphere tag without a category", mutate: (c) => (c.platform.vsphere.tags = ["poc"]), path: "cluster.platform.vsphere.tags[0]", message: /looked up by its category and its name/, fix: /category\/tag/ },
  { name: "DRS anti-affinity for one control plane", mutate: (c) => { c.platform.vsphere.antiAffinity = true; c.controlPlane.addresses = ["192.168.100.11"]; }, path: "cluster.platform.vsphere.antiAffinity", message: /nothing to be kept apart/, fix: /antiAffinity: false/ },
  { name: "template VMID inside the control planes' VMID block", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), templateVmId: 202 } }), path: "cluster.platform.proxmox.vmIdStart", message: /span 200-399 and include the template's VMID 202/, fix: /start above 202 \(e.g. vmIdStart: 300\)/ },
  { name: "template VMID inside a worker pool's (still unused) VMID block", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), templateVmId: 390 } }), path: "cluster.platform.proxmox.vmIdStart", message: /include the template's VMID 390/, fix: /at most 190/ },
  { name: "worker pool larger than its VMID block", mutate: (c) => { c.platform = { type: "proxmox", proxmox: proxmoxSettings() }; c.workerPools[0].addresses = Array.from({ length: 101 }, (_, i) => `192.168.100.${30 + i}`); }, path: "cluster.workerPools[0].addresses", message: /101 machines in the worker pool worker, but its Proxmox VMID block 300-399 holds 100/, fix: /split it into pools of at most 100/ },
  { name: "SSH address for a node that is not a Proxmox node of the cluster", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), ssh: { username: "root", nodeAddresses: { pve9: "10.0.0.9" } } } }), path: "cluster.platform.proxmox.ssh.nodeAddresses.pve9", message: /not a Proxmox node of this cluster/, fix: /one of: a, b, c/ },
  { name: "Proxmox without an SSH login for snippet uploads", mutate: (c) => (c.platform = { type: "proxmox", proxmox: proxmoxSettings() }), path: "cluster.platform.proxmox.ssh", message: /snippets are uploaded over SSH/, fix: /ssh.username \(and the secret proxmoxSshPrivateKey, or agent: true\)/ },
  { name: "worker pool name used twice", mutate: (c) => c.workerPools.push({ ...c.workerPools[0], names: ["other-1", "other-2"], addresses: ["192.168.100.31", "192.168.100.32"] }), path: "cluster.workerPools[1].name", message: /also used by cluster.workerPools\[0\]/, fix: /its own name/ },
  // Offline and isolated sites.
  { name: "NTP server that is neither a host name nor an address", mutate: (c) => (c.network.ntpServers = ["ntp server"]), path: "cluster.network.ntpServers[0]", message: /host name or an IPv4 address/, fix: /ntp1.example.internal/ },
  { name: "vSphere CSI manifest that is not an http(s) URL", mutate: (c) => (c.addons.storage.vsphereCsi.manifestUrl = "file:///srv/vsphere-csi-driver.yaml"), path: "cluster.addons.storage.vsphereCsi.manifestUrl", message: /http:\/\/ or https:\/\/ URL/, fix: /full URL/ },
  { name: "VMIDs past Proxmox's largest", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), vmIdStart: 999_999_998 } }), path: "cluster.platform.proxmox.vmIdStart", message: /above Proxmox's largest VMID/, fix: /lower/ },
  { name: "Proxmox node listed twice", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), nodes: ["a", "b", "a"] } }), path: "cluster.platform.proxmox.nodes[2]", message: /listed twice/, fix: /once/ },
  { name: "fewer Proxmox nodes than control planes", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), nodes: ["a", "b"] } }), path: "cluster.platform.proxmox.nodes", message: /3 control planes on 2 Proxmox node/, fix: /at least 3 Proxmox nodes/ },
  { name: "linked clones onto other Proxmox nodes", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), fullClone: false } }), path: "cluster.platform.proxmox.fullClone", message: /only be placed on b, c if the template's storage is shared/, fix: /fullClone: true/ },
  // Pool blocks a rule cannot read are reported, and the rule's other checks still run.
  { name: "pool range written high-to-low", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.220-192.168.100.200"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /ends before it starts/, fix: /low-high/ },
  { name: "pool range with an octet above 255", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.200-192.168.100.300"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /octet 300, above 255/, fix: /valid IPv4 addresses/ },
  { name: "backwards pool range reported next to an unrelated schema problem", mutate: (c) => { c.kubernetes.version = 1.3; c.addons.loadBalancer.pools[0].addresses = ["192.168.100.220-192.168.100.200"]; }, path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /ends before it starts/, fix: /low-high/ },
  { name: "unreadable pool block next to a VIP inside another pool block", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.999/28", "192.168.100.8/29"]), path: "cluster.endpoint.vip", message: /inside LoadBalancer pool default/, fix: /outside every pool/ },
  { name: "pool block that is a bare address", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.200"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /MetalLB reads a single address only as a CIDR \(192.168.100.200\/32\)/, fix: /one address as 192.168.100.200\/32/ },
  // Addresses that parse but no host can use.
  { name: "VIP is the subnet's network address", mutate: (c) => (c.endpoint.vip = "192.168.100.0"), path: "cluster.endpoint.vip", message: /network address of 192.168.100.0\/24/, fix: /free host address of 192.168.100.0\/24/ },
  { name: "VIP is the broadcast address", mutate: (c) => (c.endpoint.vip = "192.168.100.255"), path: "cluster.endpoint.vip", message: /broadcast address/, fix: /neither included/ },
  { name: "VIP is the gateway", mutate: (c) => (c.endpoint.vip = "192.168.100.1"), path: "cluster.endpoint.vip", message: /already the gateway's address/, fix: /not used by a node, the gateway/ },
  { name: "ingress address is the broadcast address", mutate: (c) => { c.addons.loadBalancer.pools[0].addresses = ["192.168.100.240/28"]; c.addons.ingress.loadBalancerIP = "192.168.100.255"; }, path: "cluster.addons.ingress.loadBalancerIP", message: /the ingress address is the broadcast address/, fix: /free host address/ },
  { name: "pool holding the broadcast address", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.240/28"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /contains the broadcast address 192.168.100.255/, fix: /exclude 192.168.100.255/ },
  { name: "pool holding the network address", mutate: (c) => (c.addons.loadBalancer.pools[0].addresses = ["192.168.100.0-192.168.100.9", "192.168.100.200/32"]), path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /contains the network address 192.168.100.0/, fix: /exclude 192.168.100.0/ },
  // Values checked as their consumer checks them, before anything exists.
  { name: "control plane below kubeadm's CPU minimum", mutate: (c) => (c.controlPlane.cpus = 1), path: "cluster.controlPlane.cpus", message: /kubeadm's preflight refuses a control plane with fewer than 2 CPUs/, fix: /at least 2 vCPUs/ },
  { name: "control plane below kubeadm's memory minimum", mutate: (c) => (c.controlPlane.memoryMiB = 1536), path: "cluster.controlPlane.memoryMiB", message: /less than 1700 MiB/, fix: /at least 2048 MiB/ },
  { name: "control plane at kubeadm's memory minimum, less what the kernel keeps", mutate: (c) => (c.controlPlane.memoryMiB = 1800), path: "cluster.controlPlane.memoryMiB", message: /as the kernel reports it/, fix: /at least 2048 MiB/ },
  { name: "authorized key that sshd cannot read", mutate: (c) => (c.ssh.authorizedKeys = ["ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7pcpExampleKeyOnlyForDocsQ0n6rZ ansible@control-host"]), path: "cluster.ssh.authorizedKeys[0]", message: /not an OpenSSH public key sshd can read/, fix: /whole line of the public key file/ },
  { name: "authorized key of a refused type", mutate: (c) => (c.ssh.authorizedKeys = [DSA_KEY]), path: "cluster.ssh.authorizedKeys[0]", message: /DSA keys \(ssh-dss\) are refused by OpenSSH/, fix: /id_ed25519.pub/ },
  { name: "Proxmox endpoint over plain http", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), endpoint: "http://pve:8006" } }), path: "cluster.platform.proxmox.endpoint", message: /answers only over TLS/, fix: /use https:\/\/pve:8006\// },
  { name: "Proxmox endpoint with the API path", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), endpoint: "https://pve:8006/api2/json" } }), path: "cluster.platform.proxmox.endpoint", message: /appends \/api2\/json itself/, fix: /only the origin: https:\/\/pve:8006\// },
  { name: "Proxmox storage ID with a blank", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), datastore: "local lvm" } }), path: "cluster.platform.proxmox.datastore", message: /not a Proxmox storage ID/, fix: /local-lvm/ },
  { name: "Proxmox node name with a dot", mutate: (c) => (c.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), templateNode: "pve1.example.internal" } }), path: "cluster.platform.proxmox.templateNode", message: /not a Proxmox node name/, fix: /e.g. pve1/ },
  { name: "vSphere folder with the datacenter's path", mutate: (c) => (c.platform.vsphere.folder = `/${c.platform.vsphere.datacenter}/vm/k8s`), path: "cluster.platform.vsphere.folder", message: /below the datacenter's VM folder/, fix: /^write k8s$/ },
  { name: "vSphere name longer than vCenter allows", mutate: (c) => (c.platform.vsphere.template = "t".repeat(81)), path: "cluster.platform.vsphere.template", message: /81 characters; vSphere inventory names have at most 80/, fix: /as vCenter shows it/ },
  // Every address against every other role's (stacks/rules/addresses.ts).
  { name: "DNS server inside the service network", mutate: (c) => (c.network.dnsServers = ["10.96.0.10"]), path: "cluster.kubernetes.serviceCidr", message: /the service network 10.96.0.0\/12 contains a DNS server's address 10.96.0.10 \(cluster.network.dnsServers\[0\]\)/, fix: /hold no address of the site/ },
  { name: "NTP server on a node", mutate: (c) => (c.network.ntpServers = ["192.168.100.21"]), path: "cluster.workerPools[0].addresses[0]", message: /192.168.100.21 is already an NTP server's address/, fix: /its own free host address/ },
  { name: "external NFS server on the VIP", mutate: (c) => (c.addons.storage = { type: "nfs", nfs: { server: "192.168.100.10" } }), path: "cluster.endpoint.vip", message: /192.168.100.10 is already the NFS server's address \(cluster.addons.storage.nfs.server\)/, fix: /for the VIP/ },
  { name: "ingress address on the VIP", mutate: (c) => { c.endpoint.vip = "192.168.100.205"; c.addons.loadBalancer.pools[0].addresses = ["192.168.100.200-192.168.100.204", "192.168.100.206-192.168.100.220"]; c.addons.ingress.loadBalancerIP = "192.168.100.205"; }, path: "cluster.addons.ingress.loadBalancerIP", message: /192.168.100.205 is already the API VIP's address/, fix: /from a LoadBalancer pool that nothing else uses/ },
  { name: "pool overlapping the pod network (BGP)", mutate: (c) => { c.addons.loadBalancer.mode = "bgp"; c.addons.loadBalancer.bgp = { localAsn: 64512, peers: [{ address: "192.168.100.1", asn: 64513 }] }; c.addons.loadBalancer.pools[0].addresses = ["10.244.10.0/24"]; }, path: "cluster.addons.loadBalancer.pools[0].addresses[0]", message: /^LoadBalancer pool default 10.244.10.0\/24 overlaps the pod network 10.244.0.0\/16 \(cluster.kubernetes.podCidr\)$/, fix: /exclude 10.244.0.0\/16 from the pool/ },
  // Sizes kubeadm or the CNI refuse on the site.
  { name: "service CIDR larger than kubeadm accepts", mutate: (c) => (c.kubernetes.serviceCidr = "10.0.0.0/11"), path: "cluster.kubernetes.serviceCidr", message: /21 host bits; kubeadm and the apiserver accept at most 20/, fix: /\/12 or smaller/ },
  { name: "service CIDR without room for the cluster DNS address", mutate: (c) => (c.kubernetes.serviceCidr = "10.96.0.0/29"), path: "cluster.kubernetes.serviceCidr", message: /a \/29 service network has no 10th address/, fix: /\/24 or larger/ },
  { name: "pod CIDR smaller than kubeadm's node mask", mutate: (c) => (c.kubernetes.podCidr = "10.244.0.0/25"), path: "cluster.kubernetes.podCidr", message: /kubeadm refuses a \/25 pod network/, fix: /between \/8 and \/24/ },
  { name: "pod CIDR with fewer Cilium blocks than nodes", mutate: (c) => (c.kubernetes.podCidr = "10.244.0.0/23"), path: "cluster.kubernetes.podCidr", message: /holds 2 of Cilium's \/24 cluster-pool blocks but the description has 5 nodes/, fix: /\/21 or larger/ },
  { name: "pod CIDR with fewer Calico blocks than nodes", mutate: (c) => { c.addons.cni = { type: "calico", mode: "vxlan" }; c.kubernetes.podCidr = "10.244.0.0/24"; }, path: "cluster.kubernetes.podCidr", message: /holds 4 of Calico's \/26 IPAM blocks but the description has 5 nodes/, fix: /\/23 or larger/ },
  { name: "pod CIDR with little room to grow", mutate: (c) => (c.kubernetes.podCidr = "10.244.0.0/21"), path: "cluster.kubernetes.podCidr", message: /holds 8 Cilium \/24 blocks: room for only 3 more nodes beyond today's 5/, fix: /\/20 or larger/ },
  { name: "pod CIDR too small for a pool's count", mutate: (c) => { c.kubernetes.podCidr = "10.244.0.0/22"; c.workerPools[0].count = 3; }, path: "cluster.kubernetes.podCidr", message: /holds 4 of Cilium's .* 6 nodes/, fix: /\/21 or larger/ },
  // Contradictions are refused or said out loud, never resolved silently.
  { name: "kube-proxy replacement and kube-proxy both off", mutate: (c) => { c.addons.cni.kubeProxyReplacement = false; c.kubernetes.kubeProxy = false; }, path: "cluster.kubernetes.kubeProxy", message: /nothing would implement Services/, fix: /kubeProxyReplacement: true/ },
  { name: "Hubble on Calico", mutate: (c) => (c.addons.cni = { type: "calico", mode: "vxlan", hubble: true }), path: "cluster.addons.cni.hubble", message: /Hubble is part of Cilium; with calico it is not installed/, fix: /remove hubble/ },
  { name: "BGP settings in L2 mode", mutate: (c) => (c.addons.loadBalancer.bgp = { localAsn: 64512, peers: [{ address: "192.168.100.1", asn: 64513 }] }), path: "cluster.addons.loadBalancer.bgp", message: /L2 mode, so this setting is ignored/, fix: /mode: bgp/ },
  { name: "NFS settings with vSphere CSI", mutate: (c) => (c.addons.storage.nfs = { server: "nfs.example.internal" }), path: "cluster.addons.storage.nfs", message: /storage type is vsphere-csi, so this setting is ignored/, fix: /type: nfs/ },
  { name: "ingress address without an ingress controller", mutate: (c) => (c.addons.ingress.type = "none"), path: "cluster.addons.ingress.loadBalancerIP", message: /no ingress controller is installed/, fix: /type: traefik/ },
  { name: "ingress-nginx is retired upstream", mutate: (c) => (c.addons.ingress.type = "ingress-nginx"), path: "cluster.addons.ingress.type", message: /ingress-nginx is retired upstream .*March 2026/, fix: /ingress\.type: traefik .*docs\/ingress\.md/ },
  { name: "ingress-nginx on a Kubernetes too old for the Gateway API: upgrade first", mutate: (c) => { c.addons.ingress.type = "ingress-nginx"; c.kubernetes.version = "1.30.14"; }, path: "cluster.addons.ingress.type", message: /ingress-nginx is retired upstream/, fix: /^upgrade to Kubernetes 1\.31 or newer, then set cluster\.addons\.ingress\.type: traefik/ },
  { name: "traefik on a Kubernetes older than its Gateway API CRDs allow", mutate: (c) => (c.kubernetes.version = "1.30.14"), path: "cluster.addons.ingress.type", message: /Gateway API v1\.6\.1 CRDs .* require Kubernetes 1\.31 or newer/, fix: /use Kubernetes 1\.31 or newer/ },
  { name: "Gateway API CRDs location without traefik", mutate: (c) => { c.addons.ingress.type = "ingress-nginx"; c.addons.ingress.gatewayApiCrdsUrl = "https://files.local/standard-install.yaml"; }, path: "cluster.addons.ingress.gatewayApiCrdsUrl", message: /installs no Gateway API, so this setting is ignored/, fix: /type: traefik/ },
  { name: "SELinux mode on Ubuntu", mutate: (c) => (c.os.selinux = "enforcing"), path: "cluster.os.selinux", message: /ubuntu does not use SELinux, so this setting is ignored/, fix: /remove cluster.os.selinux/ },
  { name: "data disk size on existing hosts", mutate: (c) => { c.platform = { type: "existing" }; c.addons.storage = { type: "none" }; c.workerPools[0].dataDiskGiB = 100; }, path: "cluster.workerPools[0].dataDiskGiB", message: /no data disk is added/, fix: /attach the disk/ },
  // Generated names pass the same rules as written ones.
  { name: "generated worker names longer than a DNS label", mutate: (c) => (c.workerPools[0].name = "w".repeat(55)), path: "cluster.workerPools[0].name", message: /generated node name nsx-poc-w+-2 is not a valid node name: 65 characters/, fix: /shorten cluster.name or cluster.workerPools\[0\].name by 2 characters, or give the names in cluster.workerPools\[0\].names/ },
  { name: "generated control-plane names longer than a DNS label", mutate: (c) => (c.name = "c".repeat(60)), path: "cluster.name", message: /c+-cp-3 is not a valid node name: 65 characters/, fix: /shorten cluster.name by 2 characters/ },
  { name: "duplicate node name names the other node's full path", mutate: (c) => (c.workerPools[0].names = ["w", "w"]), path: "cluster.workerPools[0].names[1]", message: /also by the node at cluster.workerPools\[0\].addresses\[0\]/, fix: /unique name/ },
  // Free-form strings get the check of what consumes them.
  { name: "NFS server in mount syntax", mutate: (c) => (c.addons.storage = { type: "nfs", nfs: { server: "10.0.20.5:/srv/nfs" } }), path: "cluster.addons.storage.nfs.server", message: /mount syntax host:\/path/, fix: /host name or address/ },
  { name: "NFS server given as a URL", mutate: (c) => (c.addons.storage = { type: "nfs", nfs: { server: "nfs://files.example.internal" } }), path: "cluster.addons.storage.nfs.server", message: /a URL; the server is only the host/, fix: /host name or address/ },
  { name: "NFS export path with a blank", mutate: (c) => (c.addons.storage = { type: "nfs", nfs: { server: "10.0.20.5", path: "/srv/nfs data" } }), path: "cluster.addons.storage.nfs.path", message: /\/etc\/exports/, fix: /absolute path without blanks, e.g. \/srv\/nfs\/k8s/ },
  { name: "etcd snapshot schedule with four fields", mutate: (c) => (c.addons.backups = { etcdSnapshots: { enabled: true, schedule: "0 */6 * *" } }), path: "cluster.addons.backups.etcdSnapshots.schedule", message: /4 fields, but a schedule has five/, fix: /write five fields .* or a macro such as @daily/ },
  { name: "etcd snapshot schedule with a minute above 59", mutate: (c) => (c.addons.backups = { etcdSnapshots: { enabled: true, schedule: "61 * * * *" } }), path: "cluster.addons.backups.etcdSnapshots.schedule", message: /not a valid schedule \(got value 61 expected range 0-59\)/, fix: /e.g. "0 \*\/6 \* \* \*"/ },
  { name: "Velero schedule with seconds", mutate: (c) => (c.addons.backups = { velero: { enabled: false, schedule: "0 0 2 * * *" } }), path: "cluster.addons.backups.velero.schedule", message: /6 fields/, fix: /five fields/ },
  { name: "unknown schedule macro", mutate: (c) => (c.addons.backups = { velero: { enabled: false, schedule: "@reboot" } }), path: "cluster.addons.backups.velero.schedule", message: /not a schedule macro/, fix: /@daily/ },
  { name: "interface name longer than Linux allows", mutate: (c) => (c.network.interface = "enp0s31f6-bond0-vlan100"), path: "cluster.network.interface", message: /at most 15/, fix: /`ip link` shows it, e.g. ens192/ },
  { name: "node label value with a blank", mutate: (c) => (c.workerPools[0].labels = { role: "edge nodes" }), path: "cluster.workerPools[0].labels.role", message: /label value is at most 63/, fix: /as the API accepts them/ },
  { name: "node selector key with two slashes", mutate: (c) => (c.addons.loadBalancer.nodeSelector = { "a/b/c": "x" }), path: "cluster.addons.loadBalancer.nodeSelector.a/b/c", message: /at most one '\/'/, fix: /as the API accepts them/ },
  { name: "taint key with an upper-case prefix", mutate: (c) => (c.workerPools[0].taints = [{ key: "Example.com/dedicated", effect: "NoSchedule" }]), path: "cluster.workerPools[0].taints[0].key", message: /prefix Example.com is not a lower-case DNS name/, fix: /label-style key, e.g. dedicated or example.com\/dedicated/ },
  { name: "image registry given as a URL", mutate: (c) => (c.registries = { imageRegistry: "https://registry.corp.example:5000" }), path: "cluster.registries.imageRegistry", message: /images name their registry without a scheme/, fix: /as images name it, e.g. registry.corp.example:5000\/k8s/ },
  { name: "chart repository without a scheme", mutate: (c) => (c.registries = { chartRepository: "charts.corp.example/k8s" }), path: "cluster.registries.chartRepository", message: /http:\/\/, https:\/\/ or oci:\/\//, fix: /with its scheme, e.g. https:\/\/charts/ },
  { name: "Velero bucket with upper case", mutate: (c) => (c.addons.backups = { velero: { enabled: true, s3Url: "https://s3.example.internal", bucket: "Backups" } }), path: "cluster.addons.backups.velero.bucket", message: /S3 bucket names/, fix: /e.g. velero-backups/ },
  { name: "datastore URL as a path", mutate: (c) => (c.addons.storage.vsphereCsi = { datastoreUrl: "/vmfs/volumes/abc" }), path: "cluster.addons.storage.vsphereCsi.datastoreUrl", message: /ds:\/\/\/vmfs\/volumes/, fix: /datastore's summary in vCenter/ },
  { name: "no_proxy entry with commas", mutate: (c) => (c.proxy = { http: "http://proxy.corp:3128", noProxy: [".corp,.example"] }), path: "cluster.proxy.noProxy[0]", message: /joined with commas/, fix: /its own list entry/ },
  { name: "data disk that is not a device path", mutate: (c) => (c.addons.storage = { type: "nfs", nfs: { serverNode: "nsx-poc-worker-1", dataDisk: { device: "/dev/../etc/passwd" } } }), path: "cluster.addons.storage.nfs.dataDisk.device", message: /block device path/, fix: /\/dev\/sdb/ },
  { name: "SSH user that is not a Linux user name", mutate: (c) => (c.ssh.user = "K8s Admin"), path: "cluster.ssh.user", message: /not a Linux user name/, fix: /such as k8sadmin/ },
  { name: "vCenter given as a URL", mutate: (c) => (c.platform.vsphere.server = "https://vcenter.corp.example.internal/sdk"), path: "cluster.platform.vsphere.server", message: /a URL; the server is only vCenter's host/, fix: /e.g. vcenter.example.internal/ },
  // Message quality: found and expected, in the project's words.
  { name: "OS release as a YAML number", mutate: (c) => (c.os.version = 24.04), path: "cluster.os.version", message: /expected text, found the number 24.04: YAML reads an unquoted 24.04 as a number/, fix: /quote it: version: "24.04"/ },
  { name: "Kubernetes version as a YAML number", mutate: (c) => (c.kubernetes.version = 1.3), path: "cluster.kubernetes.version", message: /found the number 1.3: YAML reads an unquoted 1.3 as a number/, fix: /version: "1.34.4" \(YAML also drops trailing zeros/ },
  { name: "SSH user as a YAML boolean", mutate: (c) => (c.ssh.user = true), path: "cluster.ssh.user", message: /expected text, found the boolean true/, fix: /quote it: user: "true"/ },
  { name: "number written as text", mutate: (c) => (c.workerPools[0].cpus = "4"), path: "cluster.workerPools[0].cpus", message: /expected a number, found the text "4"/, fix: /without quotes: cpus: 4/ },
  { name: "fractional count", mutate: (c) => (c.workerPools[0].cpus = 2.5), path: "cluster.workerPools[0].cpus", message: /expected a whole number, found the number 2.5/, fix: /whole number such as 3/ },
  { name: "list given as a single value", mutate: (c) => (c.network.dnsServers = "192.168.1.53"), path: "cluster.network.dnsServers", message: /expected a list, found the text "192.168.1.53"/, fix: /make cluster.network.dnsServers a list \(DNS servers/ },
  { name: "number below the minimum", mutate: (c) => (c.workerPools[0].memoryMiB = 512), path: "cluster.workerPools[0].memoryMiB", message: /512 is below the smallest accepted value 1024/, fix: /at least 1024/ },
  { name: "empty list", mutate: (c) => (c.network.dnsServers = []), path: "cluster.network.dnsServers", message: /0 entries, at least 1 needed/, fix: /at least 1 entry/ },
  { name: "not an address", mutate: (c) => (c.network.gateway = "192.168.100.x"), path: "cluster.network.gateway", message: /^not an IPv4 address$/, fix: /192.168.100.10/ },
  { name: "version fix suggests the tested version", mutate: (c) => (c.kubernetes.version = "1.34"), path: "cluster.kubernetes.version", message: /not an exact x.y.z/, fix: /e.g. 1.34.4$/ },
];

describe("validation of a bad description", () => {
  it("accepts the unmodified base description", () => {
    expect(validateCluster(base(), planMode).ok).toBe(true);
  });

  it.each(rows)("$name", (row) => {
    const problems = problemsOf(row.mutate);
    const match = problems.find((p) => p.path === row.path && row.message.test(p.problem));
    expect(match, `expected a problem at ${row.path} matching ${row.message}, got:\n${formatProblems(problems)}`).toBeDefined();
    expect(match!.fix).toMatch(row.fix);
  });

  it("lets the site's own servers share an address (a router answering DNS and NTP) and the ingress address sit in a pool", () => {
    const problems = problemsOf((c) => {
      c.network.dnsServers = ["192.168.100.1"];
      c.network.ntpServers = ["192.168.100.1"];
    });
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  it("reads the SSH private key as the client would, and compares its public part with the authorized keys", async () => {
    const { runProcess } = await import("../test/tools/process");
    const fs = await import("node:fs");
    const path = await import("node:path");
    const dir = testDir("sshkey-");
    const key = path.join(dir, "id");
    await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", key]);
    const privateKey = fs.readFileSync(key, "utf8");
    const publicKey = fs.readFileSync(`${key}.pub`, "utf8").trim();
    const check = (text: string, keys?: string[]) => {
      const cluster = base();
      if (keys) cluster.ssh.authorizedKeys = keys;
      const result = validateCluster(cluster, { ...planMode, sshPrivateKey: text });
      return (result.ok ? result.warnings : result.problems).filter((p) => /sshPrivateKey|ssh\.authorizedKeys/.test(p.path));
    };
    expect(check(privateKey, [publicKey])).toEqual([]);
    expect(check(privateKey)).toEqual([expect.objectContaining({ path: "cluster.ssh.authorizedKeys", severity: "warning", problem: expect.stringMatching(/public part of the secret sshPrivateKey \(SHA256:.*\) is not among these keys/) })]);
    expect(check("k")).toEqual([expect.objectContaining({ path: "onprem-k8s:sshPrivateKey", severity: "error", value: "(secret, not shown)", problem: expect.stringMatching(/not a private key the SSH client can read/) })]);
    await runProcess("ssh-keygen", ["-q", "-p", "-N", "secret", "-f", key]);
    expect(check(fs.readFileSync(key, "utf8"), [publicKey])).toEqual([expect.objectContaining({ problem: expect.stringMatching(/protected by a passphrase/) })]);
  });

  it("reports a misspelt key once: did you mean, and not also the key it meant as missing", () => {
    const problems = problemsOf((c) => {
      c.network.dnsServer = c.network.dnsServers;
      delete c.network.dnsServers;
    });
    expect(problems.map((p) => [p.path, p.problem, p.fix])).toEqual([["cluster.network.dnsServer", 'unknown key "dnsServer"; did you mean dnsServers?', "rename dnsServer to dnsServers"]]);
  });

  it("reports a misspelt profile as one problem, not as every field the profile supplies", () => {
    const problems = problemsOf((c) => (c.profile = "prd"));
    expect(problems).toEqual([expect.objectContaining({ path: "cluster.profile", value: "prd", problem: 'expected one of poc, prod; found the text "prd"', fix: "use one of: poc, prod" })]);
    expect(problemsOf((c) => delete c.profile).map((p) => [p.path, p.problem])).toEqual([["cluster.profile", "missing"]]);
  });

  it("never shows the schema library's own texts", () => {
    const problems = [
      ...problemsOf((c) => (c.network.ntpServers = ["ntp server"])),
      ...problemsOf((c) => (c.workerPools[0].addresses = "192.168.100.21")),
      ...problemsOf((c) => (c.endpoint.vip = 10)),
      ...problemsOf((c) => (c.addons.cni.mtu = 99999)),
      ...problemsOf((c) => (c.name = "x".repeat(70))),
    ];
    expect(problems.length).toBeGreaterThanOrEqual(5);
    for (const p of problems) expect(`${p.problem} ${p.fix}`).not.toMatch(/Invalid input|Invalid option|Too (small|big):|expected .*, received/);
  });

  it("reports a rule that throws as an internal error instead of dropping it", () => {
    const config = base();
    const throwing = { uses: ["network"], check: () => { throw new TypeError("cannot read properties of undefined"); } };
    const quiet = { uses: ["endpoint"], check: () => [] };
    const problems = runRules(config as never, planMode, [], [throwing, quiet]);
    expect(problems).toEqual([
      expect.objectContaining({ path: "cluster.network", severity: "error", problem: expect.stringMatching(/internal error in the check of cluster.network: cannot read properties/), fix: expect.stringMatching(/bug in onprem-k8s's validation/) }),
    ]);
  });

  it("reports five independent mistakes together, each with field, value and fix", () => {
    const problems = problemsOf((c) => {
      c.controlPlane.addresses = ["192.168.100.11", "192.168.100.12"]; // even count
      c.endpoint.vip = "192.168.100.205"; // inside the MetalLB pool
      c.kubernetes.podCidr = "10.96.0.0/16"; // overlaps the service CIDR
      c.addons.cni.mtu = 1500; // no room for VXLAN
      c.addons.storage.typo = true; // schema: unknown key
    });
    const report = formatProblems(problems);
    expect(problems.filter((p) => p.severity === "error")).toHaveLength(5);
    for (const field of ["cluster.controlPlane.addresses", "cluster.endpoint.vip", "cluster.kubernetes.podCidr", "cluster.addons.cni.mtu", "cluster.addons.storage.typo"]) {
      expect(report).toContain(field);
    }
    expect(report).toMatch(/has 5 errors/);
    expect(report.match(/value: /g)).toHaveLength(5);
    expect(report.match(/fix: /g)).toHaveLength(5);
  });

  it("requires the platform's secrets outside the offline plan", () => {
    const result = validateCluster(base(), { secretsPresent: new Set(["sshPrivateKey"]), planMode: false, today: TODAY });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.path)).toEqual(["onprem-k8s:vspherePassword"]);
      expect(result.problems[0].fix).toMatch(/pulumi config set --secret vspherePassword/);
    }
  });

  it("refuses a secret given as plain config in prod and warns in poc, with the --secret command", () => {
    const ctx = { ...planMode, plainSecrets: new Set(["vspherePassword", "sshPrivateKey"] as const) };
    const poc = validateCluster(base(), ctx);
    expect(poc.ok).toBe(true);
    expect(poc.ok && poc.warnings.map((p) => [p.path, p.severity, p.fix])).toEqual([
      ["onprem-k8s:vspherePassword", "warning", "pulumi config set --secret vspherePassword '<value>', then rotate the credential if the stack file was ever committed or shared"],
      ["onprem-k8s:sshPrivateKey", "warning", "pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519, then rotate the key if the stack file was ever committed or shared"],
    ]);
    const prod = base();
    prod.profile = "prod";
    prod.workerPools[0].addresses.push("192.168.100.23");
    prod.addons.backups = { velero: { enabled: false } };
    const refused = validateCluster(prod, ctx);
    expect(refused.ok).toBe(false);
    const problem = !refused.ok && refused.problems.find((p) => p.path === "onprem-k8s:vspherePassword");
    expect(problem).toMatchObject({ severity: "error", problem: expect.stringMatching(/clear text in the stack file; the prod profile refuses that/), fix: expect.stringMatching(/^pulumi config set --secret vspherePassword/) });
    expect(JSON.stringify(refused)).not.toContain("hunter2");
  });

  it("requires the Proxmox SSH key for snippet uploads unless the SSH agent is used", () => {
    const proxmox = (ssh: Record<string, unknown>) => {
      const cluster = base();
      cluster.platform = { type: "proxmox", proxmox: { ...proxmoxSettings(), ssh } };
      cluster.addons.storage = { type: "none" };
      return validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey", "proxmoxApiToken"]), planMode: false, today: TODAY });
    };
    const withKey = proxmox({ username: "root" });
    expect(withKey.ok ? [] : withKey.problems.map((p) => [p.path, p.fix])).toEqual([["onprem-k8s:proxmoxSshPrivateKey", "pulumi config set --secret proxmoxSshPrivateKey ... (or: pulumi config set --secret proxmoxSshPrivateKey < ~/.ssh/id_ed25519)"]]);
    expect(proxmox({ username: "root", agent: true }).ok).toBe(true);
  });

  it("derives defaults from the profile and the schema", () => {
    const result = validateCluster(base(), planMode);
    if (!result.ok) throw new Error(formatProblems(result.problems));
    const { spec } = result;
    expect(spec.protect).toBe(false);
    expect(spec.controlPlanes.map((n) => n.name)).toEqual(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]);
    expect(spec.workers[0]).toMatchObject({ name: "nsx-poc-worker-1", cpus: 4, memoryMiB: 16384, diskGiB: 100 });
    expect(spec.kubeProxyEnabled).toBe(false);
    expect(spec.apiEndpoint).toMatchObject({ host: "api.nsx-poc.corp.example.internal", port: 6443, vip: "192.168.100.10" });
    const prod = base();
    prod.profile = "prod";
    prod.workerPools[0].addresses.push("192.168.100.23");
    prod.addons.backups = { velero: { enabled: false } };
    const prodResult = validateCluster(prod, planMode);
    expect(prodResult.ok && prodResult.spec.protect).toBe(true);
    expect(prodResult.ok && prodResult.spec.controlPlanes[0].cpus).toBe(4);
  });
});

describe("no_proxy", () => {
  it("computes an effective list covering localhost, the VIP, every node, the cluster CIDRs and domain", () => {
    const cluster = base();
    cluster.proxy = { http: "http://proxy.corp:3128", noProxy: [".corp.example.internal"] };
    const result = validateCluster(cluster, planMode);
    if (!result.ok) throw new Error(formatProblems(result.problems));
    const entries = result.spec.noProxy;
    expect(entries).toEqual(expect.arrayContaining(["localhost", "127.0.0.1", "192.168.100.10", "192.168.100.11", "nsx-poc-worker-2", "10.244.0.0/16", "10.96.0.0/12", ".svc", ".cluster.local", ".corp.example.internal"]));
    expect(noProxyGaps(entries, ["192.168.100.22", "kubernetes.default.svc", "x.svc.cluster.local"])).toEqual([]);
  });

  it("finds gaps by CIDR containment and domain suffix", () => {
    expect(noProxyGaps(["10.0.0.0/8", ".svc"], ["10.1.2.3", "a.svc", "192.168.1.1", "svc.example"])).toEqual(["192.168.1.1", "svc.example"]);
  });
});
