// Cross-field rules: what the schema cannot see field by field. Each rule names the sections it
// reads; a rule is skipped when one of them already failed the schema, so one typo does not
// produce a cascade of follow-up messages while independent mistakes are all still reported.
import { PROXMOX_VMID_BLOCK, SECRET_KEYS, SUPPORTED_KUBERNETES_MINORS, SUPPORTED_OS_VERSIONS, type ClusterConfig, type SecretKey } from "./schema";
import { addressInBlock, contains, isNetworkAddress, overlaps, parseBlock, type AddressRange } from "./network";
import { PROFILES } from "./profiles";
import { ENCAPSULATION_OVERHEAD, cniMtuOf, cniReplacesKubeProxy, effectiveNoProxy, nodesOf, requiredNoProxy } from "./spec";

export interface Problem {
  /** Dotted path of the offending field as written in the stack file, e.g. cluster.network.subnet. */
  path: string;
  value: unknown;
  problem: string;
  fix: string;
  severity: "error" | "warning";
}

export interface RuleContext {
  /** Secrets that are set for the stack; absent ones are an error unless `planMode`. */
  secretsPresent: ReadonlySet<SecretKey>;
  /** The offline plan substitutes placeholders for secrets it cannot decrypt. */
  planMode: boolean;
}

interface Rule {
  /** Dotted paths (below `cluster.`) the rule reads. */
  uses: string[];
  check(c: ClusterConfig, ctx: RuleContext): Problem[];
}

const P = (path: string) => `cluster.${path}`;

function error(path: string, value: unknown, problem: string, fix: string): Problem {
  return { path: P(path), value, problem, fix, severity: "error" };
}

function warning(path: string, value: unknown, problem: string, fix: string): Problem {
  return { path: P(path), value, problem, fix, severity: "warning" };
}

/** Every node address with the path it was written at. */
function addressEntries(c: ClusterConfig): { path: string; address: string; name: string }[] {
  const nodes = nodesOf(c);
  const paths = [
    ...c.controlPlane.addresses.map((_, i) => `controlPlane.addresses[${i}]`),
    ...c.workerPools.flatMap((pool, p) => pool.addresses.map((_, i) => `workerPools[${p}].addresses[${i}]`)),
  ];
  return nodes.map((node, i) => ({ path: paths[i], address: node.address, name: node.name }));
}

function poolRanges(c: ClusterConfig): { path: string; range: AddressRange; pool: string }[] {
  return c.addons.loadBalancer.pools.flatMap((pool, p) =>
    pool.addresses.map((block, i) => ({ path: `addons.loadBalancer.pools[${p}].addresses[${i}]`, range: parseBlock(block), pool: pool.name })),
  );
}

const rules: Rule[] = [
  {
    uses: ["controlPlane"],
    check(c) {
      const count = c.controlPlane.count ?? c.controlPlane.addresses.length;
      const problems: Problem[] = [];
      if (count % 2 === 0) {
        problems.push(
          error(
            c.controlPlane.count === undefined ? "controlPlane.addresses" : "controlPlane.count",
            count,
            `${count} control planes: stacked etcd needs an odd number of members to keep quorum (${count} tolerates no more failures than ${count - 1})`,
            `use ${count - 1} or ${count + 1} control planes`,
          ),
        );
      }
      return problems;
    },
  },
  {
    uses: ["controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const groups = [
        { path: "controlPlane", count: c.controlPlane.count, addresses: c.controlPlane.addresses, names: c.controlPlane.names },
        ...c.workerPools.map((pool, p) => ({ path: `workerPools[${p}]`, count: pool.count, addresses: pool.addresses, names: pool.names })),
      ];
      for (const group of groups) {
        if (group.count !== undefined && group.count !== group.addresses.length) {
          problems.push(
            error(`${group.path}.count`, group.count, `count is ${group.count} but ${group.addresses.length} addresses are listed`, `list exactly ${group.count} addresses in ${P(group.path)}.addresses, or set count to ${group.addresses.length}`),
          );
        }
        if (group.names && group.names.length !== group.addresses.length) {
          problems.push(
            error(`${group.path}.names`, group.names, `${group.names.length} names for ${group.addresses.length} addresses`, "give one name per address, or drop `names` to use generated ones"),
          );
        }
      }
      if (c.controlPlane.addresses.length === 0) {
        problems.push(error("controlPlane.addresses", [], "no control plane is listed", "list at least one control-plane address"));
      }
      return problems;
    },
  },
  {
    uses: ["profile", "controlPlane", "workerPools"],
    check(c) {
      const minimum = PROFILES[c.profile].minimum;
      const workers = c.workerPools.reduce((sum, pool) => sum + pool.addresses.length, 0);
      const problems: Problem[] = [];
      if (c.controlPlane.addresses.length < minimum.controlPlanes) {
        problems.push(error("controlPlane.addresses", c.controlPlane.addresses, `the ${c.profile} profile needs at least ${minimum.controlPlanes} control planes, got ${c.controlPlane.addresses.length}`, `list ${minimum.controlPlanes} control-plane addresses, or use profile poc`));
      }
      if (workers < minimum.workers) {
        problems.push(error("workerPools", workers, `the ${c.profile} profile needs at least ${minimum.workers} workers, got ${workers}`, `add workers to cluster.workerPools (at least ${minimum.workers})`));
      }
      return problems;
    },
  },
  {
    uses: ["name", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const seenNames = new Map<string, string>();
      const seenAddresses = new Map<string, string>();
      for (const entry of addressEntries(c)) {
        const nameOwner = seenNames.get(entry.name);
        if (nameOwner) {
          problems.push(error(entry.path.replace(/addresses/, "names"), entry.name, `node name ${entry.name} is used twice (also by ${nameOwner})`, "give every node a unique name"));
        }
        seenNames.set(entry.name, entry.path);
        const addressOwner = seenAddresses.get(entry.address);
        if (addressOwner) {
          problems.push(error(entry.path, entry.address, `address ${entry.address} is also given at ${P(addressOwner)}`, "give every node its own address"));
        }
        seenAddresses.set(entry.address, entry.path);
      }
      return problems;
    },
  },
  {
    uses: ["network", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const subnet = parseBlock(c.network.subnet);
      for (const entry of addressEntries(c)) {
        const address = parseBlock(entry.address);
        if (!contains(subnet, address)) {
          problems.push(error(entry.path, entry.address, `node address is outside the node subnet ${c.network.subnet}`, `use an address inside ${c.network.subnet}, or correct cluster.network.subnet`));
        } else if (address.first === subnet.first || address.first === subnet.last) {
          problems.push(error(entry.path, entry.address, `node address is the network or broadcast address of ${c.network.subnet}`, "use a host address"));
        } else if (entry.address === c.network.gateway) {
          problems.push(error(entry.path, entry.address, "node address is the gateway's address", "use a free host address"));
        }
      }
      return problems;
    },
  },
  {
    uses: ["network"],
    check(c) {
      const problems: Problem[] = [];
      if (!isNetworkAddress(c.network.subnet)) {
        problems.push(error("network.subnet", c.network.subnet, "host bits are set in the subnet", `write the network address, e.g. ${networkAddressOf(c.network.subnet)}`));
      }
      if (!addressInBlock(c.network.gateway, c.network.subnet)) {
        problems.push(error("network.gateway", c.network.gateway, `the gateway is outside the node subnet ${c.network.subnet}`, "use the subnet's router address"));
      }
      return problems;
    },
  },
  {
    uses: ["endpoint", "network", "controlPlane", "workerPools", "addons.loadBalancer"],
    check(c) {
      const problems: Problem[] = [];
      const { mode, vip, dnsName } = c.endpoint;
      if (mode !== "external" && !vip) {
        problems.push(error("endpoint.vip", vip, `endpoint mode ${mode} needs a virtual IP`, "set cluster.endpoint.vip to a free address in the node subnet"));
      }
      if (mode === "external" && !vip && !dnsName) {
        problems.push(error("endpoint", undefined, "an external load balancer needs an address or a DNS name", "set cluster.endpoint.vip or cluster.endpoint.dnsName to the load balancer's frontend"));
      }
      if (!vip) return problems;
      if (mode !== "external" && !addressInBlock(vip, c.network.subnet)) {
        problems.push(error("endpoint.vip", vip, `the VIP is outside the node subnet ${c.network.subnet}: ARP/VRRP can only announce it on the nodes' own segment`, `pick a free address inside ${c.network.subnet}`));
      }
      const node = addressEntries(c).find((entry) => entry.address === vip);
      if (node) {
        problems.push(error("endpoint.vip", vip, `the VIP is node ${node.name}'s address (${P(node.path)})`, "pick an address no node uses"));
      }
      if (vip === c.network.gateway) {
        problems.push(error("endpoint.vip", vip, "the VIP is the gateway's address", "pick a free address"));
      }
      const pool = poolRanges(c).find((entry) => contains(entry.range, parseBlock(vip)));
      if (pool) {
        problems.push(error("endpoint.vip", vip, `the VIP lies inside LoadBalancer pool ${pool.pool} (${P(pool.path)} = ${pool.range.text}), so MetalLB could hand it to a Service`, "move the VIP out of the pool or shrink the pool"));
      }
      return problems;
    },
  },
  {
    uses: ["endpoint"],
    check(c) {
      if (c.endpoint.mode === "keepalived-haproxy" && c.endpoint.port === 6443) {
        return [error("endpoint.port", 6443, "haproxy runs on the control planes, where the apiserver already listens on 6443", "use another port for the VIP, e.g. 8443 (the default) or 16443")];
      }
      return [];
    },
  },
  {
    uses: ["kubernetes", "network"],
    check(c) {
      const blocks = [
        { path: "kubernetes.podCidr", value: c.kubernetes.podCidr },
        { path: "kubernetes.serviceCidr", value: c.kubernetes.serviceCidr },
        { path: "network.subnet", value: c.network.subnet },
      ];
      const problems: Problem[] = [];
      for (let i = 0; i < blocks.length; i++) {
        for (let j = i + 1; j < blocks.length; j++) {
          if (overlaps(parseBlock(blocks[i].value), parseBlock(blocks[j].value))) {
            problems.push(error(blocks[i].path, blocks[i].value, `${blocks[i].value} overlaps ${P(blocks[j].path)} = ${blocks[j].value}`, "choose pod, service and node networks that do not overlap"));
          }
        }
      }
      for (const block of blocks.slice(0, 2)) {
        if (!isNetworkAddress(block.value)) {
          problems.push(error(block.path, block.value, "host bits are set in the CIDR", `write the network address, e.g. ${networkAddressOf(block.value)}`));
        }
      }
      return problems;
    },
  },
  {
    uses: ["addons.loadBalancer", "network", "controlPlane", "workerPools", "kubernetes"],
    check(c) {
      const lb = c.addons.loadBalancer;
      if (lb.type === "none") return [];
      const problems: Problem[] = [];
      if (lb.pools.length === 0) {
        problems.push(error("addons.loadBalancer.pools", [], "MetalLB has no address pool", "add a pool, e.g. { name: default, addresses: [192.168.100.200-192.168.100.220] }"));
      }
      if (lb.mode === "bgp" && !lb.bgp) {
        problems.push(error("addons.loadBalancer.bgp", undefined, "BGP mode needs a local ASN and peers", "set cluster.addons.loadBalancer.bgp.localAsn and .peers, or use mode l2"));
      }
      const ranges = poolRanges(c);
      const subnet = parseBlock(c.network.subnet);
      const nodes = addressEntries(c);
      for (const [i, entry] of ranges.entries()) {
        if (lb.mode === "l2" && !contains(subnet, entry.range)) {
          problems.push(error(entry.path, entry.range.text, `an L2 pool must lie inside the node subnet ${c.network.subnet}: ARP answers only on the nodes' segment`, `use addresses inside ${c.network.subnet}, or BGP mode`));
        }
        for (const node of nodes) {
          if (contains(entry.range, parseBlock(node.address))) {
            problems.push(error(entry.path, entry.range.text, `pool ${entry.pool} contains node ${node.name}'s address ${node.address}`, "exclude node addresses from the pool"));
          }
        }
        if (contains(entry.range, parseBlock(c.network.gateway))) {
          problems.push(error(entry.path, entry.range.text, `pool ${entry.pool} contains the gateway ${c.network.gateway}`, "exclude the gateway from the pool"));
        }
        for (const cidr of [c.kubernetes.podCidr, c.kubernetes.serviceCidr]) {
          if (overlaps(entry.range, parseBlock(cidr))) {
            problems.push(error(entry.path, entry.range.text, `pool ${entry.pool} overlaps the cluster network ${cidr}`, "use addresses outside the pod and service CIDRs"));
          }
        }
        for (const other of ranges.slice(i + 1)) {
          if (overlaps(entry.range, other.range)) {
            problems.push(error(entry.path, entry.range.text, `overlaps ${P(other.path)} = ${other.range.text}`, "make the pools disjoint"));
          }
        }
      }
      const selector = Object.entries(lb.nodeSelector);
      if (selector.length > 0 && !nodesOf(c).some((node) => selector.every(([k, v]) => node.labels[k] === v))) {
        problems.push(error("addons.loadBalancer.nodeSelector", lb.nodeSelector, "no node carries these labels, so no node would announce the pools", "label a worker pool with them (cluster.workerPools[].labels) or drop the selector"));
      }
      return problems;
    },
  },
  {
    uses: ["addons.ingress", "addons.loadBalancer"],
    check(c) {
      const ingress = c.addons.ingress;
      if (ingress.type === "none") return [];
      const problems: Problem[] = [];
      if (c.addons.loadBalancer.type === "none") {
        problems.push(error("addons.ingress.type", ingress.type, "ingress-nginx publishes a LoadBalancer Service but no LoadBalancer provider is configured", "enable cluster.addons.loadBalancer (type metallb) or set ingress type none"));
      }
      if (ingress.loadBalancerIP && !poolRanges(c).some((entry) => contains(entry.range, parseBlock(ingress.loadBalancerIP!)))) {
        problems.push(error("addons.ingress.loadBalancerIP", ingress.loadBalancerIP, "the ingress address is in no LoadBalancer pool, so MetalLB cannot assign it", "pick an address from one of cluster.addons.loadBalancer.pools"));
      }
      return problems;
    },
  },
  {
    uses: ["addons.cni", "network", "kubernetes"],
    check(c) {
      const cni = c.addons.cni;
      const problems: Problem[] = [];
      if (cni.mode === "geneve" && cni.type !== "cilium") {
        problems.push(error("addons.cni.mode", cni.mode, "Calico has no Geneve mode", "use vxlan, ipip or native with Calico"));
      }
      if (cni.mode === "ipip" && cni.type !== "calico") {
        problems.push(error("addons.cni.mode", cni.mode, "Cilium has no IP-in-IP mode", "use vxlan, geneve or native with Cilium"));
      }
      const overhead = ENCAPSULATION_OVERHEAD[cni.mode];
      const mtu = cniMtuOf(c);
      if (mtu > c.network.mtu - overhead) {
        problems.push(
          error("addons.cni.mtu", mtu, `pod MTU ${mtu} + ${overhead} bytes of ${cni.mode} overhead exceeds the node MTU ${c.network.mtu}: large packets would be fragmented or dropped (seed 001, risk 1)`, `set cluster.addons.cni.mtu to at most ${c.network.mtu - overhead}, or omit it to derive it`),
        );
      }
      if (cni.kubeProxyReplacement !== undefined && cni.type !== "cilium") {
        problems.push(error("addons.cni.kubeProxyReplacement", cni.kubeProxyReplacement, "only Cilium can replace kube-proxy", "remove kubeProxyReplacement"));
      }
      if (cniReplacesKubeProxy(c) && c.kubernetes.kubeProxy === true) {
        problems.push(error("kubernetes.kubeProxy", true, "Cilium's kube-proxy replacement and kube-proxy would both program Services", "set cluster.kubernetes.kubeProxy to false, or addons.cni.kubeProxyReplacement to false"));
      }
      if (cni.type === "calico" && c.kubernetes.kubeProxy === false) {
        problems.push(error("kubernetes.kubeProxy", false, "Calico (iptables data plane) needs kube-proxy", "set cluster.kubernetes.kubeProxy to true or remove it"));
      }
      if (cni.checksumOffloadWorkaround && !(cni.type === "calico" && cni.mode === "vxlan")) {
        problems.push(error("addons.cni.checksumOffloadWorkaround", true, "the checksum-offload workaround is for Calico VXLAN only", "remove it, or use Calico with mode vxlan"));
      }
      return problems;
    },
  },
  {
    uses: ["kubernetes.version"],
    check(c) {
      const version = c.kubernetes.version;
      const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
      if (!match) {
        return [error("kubernetes.version", version, "not an exact x.y.z version (packages are pinned to it)", `write the full version, e.g. ${SUPPORTED_KUBERNETES_MINORS.at(-2)}.4`)];
      }
      const minor = `${match[1]}.${match[2]}`;
      if (!(SUPPORTED_KUBERNETES_MINORS as readonly string[]).includes(minor)) {
        return [error("kubernetes.version", version, `Kubernetes ${minor} is not supported`, `use a version of ${SUPPORTED_KUBERNETES_MINORS[0]} to ${SUPPORTED_KUBERNETES_MINORS.at(-1)}`)];
      }
      if (version.startsWith("v")) {
        return [error("kubernetes.version", version, "write the version without the leading v", `use ${version.slice(1)}`)];
      }
      return [];
    },
  },
  {
    uses: ["proxy", "endpoint", "network", "controlPlane", "workerPools", "kubernetes"],
    check(c) {
      if (!c.proxy) return [];
      const entries = effectiveNoProxy(c);
      const gaps = noProxyGaps(entries, requiredNoProxy(c));
      if (gaps.length === 0) return [];
      return [
        error("proxy.noProxy", c.proxy.noProxy, `no_proxy does not cover ${gaps.join(", ")}: cluster traffic to them would go through the proxy (seed 000, T-035)`, `add ${gaps.join(", ")} to cluster.proxy.noProxy, or set cluster.proxy.extendNoProxy: true`),
      ];
    },
  },
  {
    uses: ["platform"],
    check(c) {
      const problems: Problem[] = [];
      const { type } = c.platform;
      for (const name of ["vsphere", "proxmox"] as const) {
        if (type === name && !c.platform[name]) {
          problems.push(error(`platform.${name}`, undefined, `platform type ${name} needs its connection and placement settings`, `add cluster.platform.${name} (see the README's config reference)`));
        }
        if (type !== name && c.platform[name]) {
          problems.push(error(`platform.${name}`, "{...}", `settings for ${name} are given but platform type is ${type}`, `remove cluster.platform.${name}, or set cluster.platform.type to ${name}`));
        }
      }
      const vsphere = c.platform.vsphere;
      if (type === "vsphere" && vsphere && !vsphere.computeCluster && !vsphere.resourcePool) {
        problems.push(error("platform.vsphere.computeCluster", undefined, "no placement: neither a compute cluster nor a resource pool is given", "set cluster.platform.vsphere.computeCluster (or resourcePool)"));
      }
      if (type === "vsphere" && vsphere?.antiAffinity && !vsphere.computeCluster) {
        problems.push(error("platform.vsphere.antiAffinity", true, "DRS anti-affinity rules need a compute cluster", "set cluster.platform.vsphere.computeCluster, or antiAffinity: false"));
      }
      return problems;
    },
  },
  {
    uses: ["platform", "controlPlane", "workerPools"],
    check(c) {
      const proxmox = c.platform.proxmox;
      if (c.platform.type !== "proxmox" || !proxmox) return [];
      const problems: Problem[] = [];
      // Each pool's VMIDs come from its own block (components/machines/placement.ts).
      const blocks = [
        { path: "controlPlane.addresses", pool: "control plane", machines: c.controlPlane.addresses.length },
        ...c.workerPools.map((pool, i) => ({ path: `workerPools[${i}].addresses`, pool: `worker pool ${pool.name}`, machines: pool.addresses.length })),
      ];
      blocks.forEach((block, i) => {
        if (block.machines <= PROXMOX_VMID_BLOCK) return;
        const first = proxmox.vmIdStart + PROXMOX_VMID_BLOCK * i;
        problems.push(error(block.path, block.machines, `${block.machines} machines in the ${block.pool}, but its Proxmox VMID block ${first}-${first + PROXMOX_VMID_BLOCK - 1} holds ${PROXMOX_VMID_BLOCK}`, `split it into pools of at most ${PROXMOX_VMID_BLOCK} machines`));
      });
      const last = proxmox.vmIdStart + PROXMOX_VMID_BLOCK * blocks.length - 1;
      if (proxmox.templateVmId >= proxmox.vmIdStart && proxmox.templateVmId <= last) {
        problems.push(
          error(
            "platform.proxmox.vmIdStart",
            proxmox.vmIdStart,
            `the VMID blocks of the ${blocks.length} pools (${PROXMOX_VMID_BLOCK} each) span ${proxmox.vmIdStart}-${last} and include the template's VMID ${proxmox.templateVmId}`,
            `start above ${proxmox.templateVmId} (e.g. vmIdStart: ${Math.ceil((proxmox.templateVmId + 1) / 100) * 100}), or at most ${proxmox.templateVmId - PROXMOX_VMID_BLOCK * blocks.length}, or move the template to another VMID`,
          ),
        );
      }
      const controlPlanes = c.controlPlane.addresses.length;
      if (controlPlanes > 1 && proxmox.nodes.length < controlPlanes) {
        problems.push(warning("platform.proxmox.nodes", proxmox.nodes, `${controlPlanes} control planes on ${proxmox.nodes.length} Proxmox node(s): losing one host can take etcd quorum with it`, `list at least ${controlPlanes} Proxmox nodes to spread control planes`));
      }
      return problems;
    },
  },
  {
    // Machine-platform settings the schema cannot check field by field (components/machines).
    uses: ["platform", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const vsphere = c.platform.type === "vsphere" ? c.platform.vsphere : undefined;
      if (vsphere) {
        vsphere.tags.forEach((tag, i) => {
          if (!/^[^/]+\/[^/]+$/.test(tag)) {
            problems.push(error(`platform.vsphere.tags[${i}]`, tag, "a vSphere tag is looked up by its category and its name", "write it as category/tag, e.g. k8s/poc"));
          }
        });
        if (vsphere.antiAffinity && c.controlPlane.addresses.length < 2) {
          problems.push(warning("platform.vsphere.antiAffinity", true, "a single control plane has nothing to be kept apart from, so no DRS rule is created", "add control planes (3 for HA), or set antiAffinity: false"));
        }
      }
      const proxmox = c.platform.type === "proxmox" ? c.platform.proxmox : undefined;
      if (proxmox) {
        proxmox.nodes.forEach((node, i) => {
          const first = proxmox.nodes.indexOf(node);
          if (first !== i) problems.push(error(`platform.proxmox.nodes[${i}]`, node, `Proxmox node ${node} is listed twice (also at cluster.platform.proxmox.nodes[${first}]), which would put machines spread over "distinct" nodes on the same host`, "list every Proxmox node once"));
        });
        const last = proxmox.vmIdStart + PROXMOX_VMID_BLOCK * (c.workerPools.length + 1) - 1;
        if (last > 999_999_999) {
          problems.push(error("platform.proxmox.vmIdStart", proxmox.vmIdStart, `the pools' VMID blocks would reach ${last}, above Proxmox's largest VMID 999999999`, "start the range lower"));
        }
        const known = new Set([...proxmox.nodes, proxmox.templateNode]);
        for (const name of Object.keys(proxmox.ssh?.nodeAddresses ?? {})) {
          if (!known.has(name)) {
            problems.push(error(`platform.proxmox.ssh.nodeAddresses.${name}`, name, `${name} is not a Proxmox node of this cluster, so its address would never be dialled`, `key the address by one of: ${[...known].join(", ")}`));
          }
        }
        if (!proxmox.ssh) {
          problems.push(warning("platform.proxmox.ssh", undefined, "cloud-init snippets are uploaded over SSH to the Proxmox nodes, and no SSH login is described: the provider falls back to its PROXMOX_VE_SSH_* environment", "set cluster.platform.proxmox.ssh.username (and the secret proxmoxSshPrivateKey, or agent: true)"));
        }
        const elsewhere = proxmox.nodes.filter((node) => node !== proxmox.templateNode);
        if (!proxmox.fullClone && elsewhere.length > 0) {
          problems.push(warning("platform.proxmox.fullClone", false, `linked clones of template ${proxmox.templateVmId} on ${proxmox.templateNode} can only be placed on ${elsewhere.join(", ")} if the template's storage is shared`, "use full clones (fullClone: true), shared storage, or list only the template's node"));
        }
      }
      return problems;
    },
  },
  {
    uses: ["addons.storage", "platform", "controlPlane", "workerPools"],
    check(c) {
      const storage = c.addons.storage;
      const problems: Problem[] = [];
      if (storage.type === "vsphere-csi" && c.platform.type !== "vsphere") {
        problems.push(error("addons.storage.type", storage.type, `vSphere CSI needs vSphere machines, but platform type is ${c.platform.type}`, "use storage type nfs (or none) on this platform"));
      }
      if (storage.type === "vsphere-csi" && !storage.vsphereCsi?.storagePolicy && !storage.vsphereCsi?.datastoreUrl) {
        problems.push(error("addons.storage.vsphereCsi", storage.vsphereCsi, "the vSphere CSI StorageClass needs a storage policy or a datastore URL", "set cluster.addons.storage.vsphereCsi.storagePolicy or .datastoreUrl"));
      }
      if (storage.type === "nfs") {
        const nfs = storage.nfs;
        if (!nfs?.server && !nfs?.serverNode) {
          problems.push(error("addons.storage.nfs", nfs, "NFS storage needs a server", "set cluster.addons.storage.nfs.server (external) or .serverNode (a node of this cluster)"));
        }
        if (nfs?.server && nfs.serverNode) {
          problems.push(error("addons.storage.nfs.serverNode", nfs.serverNode, "both an external server and an in-cluster server node are given", "keep one of nfs.server and nfs.serverNode"));
        }
        if (nfs?.serverNode && !nodesOf(c).some((node) => node.name === nfs.serverNode)) {
          problems.push(error("addons.storage.nfs.serverNode", nfs.serverNode, "no node has this name", `use one of: ${nodesOf(c).map((n) => n.name).join(", ")}`));
        }
        if (nfs?.dataDisk && !nfs.serverNode) {
          problems.push(error("addons.storage.nfs.dataDisk", nfs.dataDisk, "a data disk is only prepared on an in-cluster NFS server", "set cluster.addons.storage.nfs.serverNode, or remove dataDisk"));
        }
      }
      return problems;
    },
  },
  {
    uses: ["os"],
    check(c) {
      const problems: Problem[] = [];
      const supported: readonly string[] = SUPPORTED_OS_VERSIONS[c.os.family];
      if (!supported.includes(c.os.version)) {
        problems.push(error("os.version", c.os.version, `${c.os.family} ${c.os.version} is not a supported release`, `use one of: ${supported.join(", ")}`));
      }
      if (!["enforcing", "permissive", "disabled"].includes(c.os.selinux.toLowerCase())) {
        problems.push(error("os.selinux", c.os.selinux, "not an SELinux mode", "use enforcing, permissive or disabled (any case)"));
      }
      return problems;
    },
  },
  {
    // Pools are told apart by name (node names, Proxmox VMID blocks).
    uses: ["workerPools"],
    check(c) {
      return c.workerPools.flatMap((pool, i) => {
        const first = c.workerPools.findIndex((other) => other.name === pool.name);
        return first === i ? [] : [error(`workerPools[${i}].name`, pool.name, `worker pool name ${pool.name} is also used by cluster.workerPools[${first}]`, "give every worker pool its own name")];
      });
    },
  },
  {
    // Node preparation writes /etc/containerd/certs.d/<registry>/hosts.toml per key.
    uses: ["registries"],
    check(c) {
      return Object.keys(c.registries.containerdMirrors)
        .filter((registry) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/.test(registry))
        .map((registry) =>
          error(`registries.containerdMirrors.${registry}`, registry, "a mirror is keyed by the registry's host as images name it, not a URL or path", `use the host (and port), e.g. ${registry.replace(/^[a-z]+:\/\//i, "").split("/")[0].toLowerCase() || "docker.io"}: <mirror URL>`),
        );
    },
  },
  {
    // Node preparation appends core:/stable:/v<minor>/{deb,rpm}/ for the pinned minor itself.
    uses: ["kubernetes.packageRepository"],
    check(c) {
      const mirror = c.kubernetes.packageRepository;
      if (!mirror || !/\/core:\/stable:/.test(mirror)) return [];
      return [error("kubernetes.packageRepository", mirror, "this is one minor's repository; packages of the pinned version are looked up below the mirror's root", `give the root that mirrors https://pkgs.k8s.io, e.g. ${mirror.split("/core:/stable:")[0]}`)];
    },
  },
  {
    uses: ["addons.backups"],
    check(c) {
      const velero = c.addons.backups.velero;
      if (!velero?.enabled || (velero.s3Url && velero.bucket)) return [];
      return [error("addons.backups.velero", velero, "Velero is enabled but has no S3 location", "set cluster.addons.backups.velero.s3Url and .bucket, or enabled: false")];
    },
  },
  {
    uses: ["platform", "addons.backups"],
    check(c, ctx) {
      if (ctx.planMode) return [];
      return requiredSecretKeys(c)
        .filter((key) => !ctx.secretsPresent.has(key))
        .map((key) => ({
          path: `onprem-k8s:${key}`,
          value: undefined,
          problem: `the secret ${key} is not set (${SECRET_KEYS[key]})`,
          fix: `pulumi config set --secret ${key} ...${key.endsWith("PrivateKey") ? ` (or: pulumi config set --secret ${key} < ~/.ssh/id_ed25519)` : ""}`,
          severity: "error" as const,
        }));
    },
  },
];

function networkAddressOf(cidr: string): string {
  const range = parseBlock(cidr);
  const [, prefix] = cidr.split("/");
  return `${[range.first >>> 24, (range.first >>> 16) & 255, (range.first >>> 8) & 255, range.first & 255].join(".")}/${prefix}`;
}

/**
 * Which required targets a no_proxy list does not cover. An entry covers a target when it is
 * equal to it, when it is a CIDR containing it, or when it is a domain suffix (`.svc`,
 * `.cluster.local`, `example.internal`) of it.
 */
export function noProxyGaps(entries: string[], targets: string[]): string[] {
  const covers = (entry: string, target: string): boolean => {
    if (entry === target) return true;
    const entryIsBlock = /^[\d.]+(\/\d+)?$/.test(entry);
    const targetIsBlock = /^[\d.]+(\/\d+)?$/.test(target);
    if (entryIsBlock && targetIsBlock) {
      try {
        return contains(parseBlock(entry), parseBlock(target));
      } catch {
        return false;
      }
    }
    if (!entryIsBlock && !targetIsBlock) {
      const suffix = entry.startsWith(".") ? entry : `.${entry}`;
      return target.endsWith(suffix) || `.${target}` === suffix;
    }
    return false;
  };
  return targets.filter((target) => !entries.some((entry) => covers(entry, target)));
}

/** The secrets a description needs, besides the SSH key every cluster needs. */
export function requiredSecretKeys(c: Pick<ClusterConfig, "platform" | "addons">): SecretKey[] {
  const needed: SecretKey[] = ["sshPrivateKey"];
  if (c.platform.type === "vsphere") needed.push("vspherePassword");
  if (c.platform.type === "proxmox") needed.push("proxmoxApiToken");
  const proxmoxSsh = c.platform.type === "proxmox" ? c.platform.proxmox?.ssh : undefined;
  if (proxmoxSsh && !proxmoxSsh.agent) needed.push("proxmoxSshPrivateKey");
  if (c.addons.backups.velero?.enabled) needed.push("veleroS3Credentials");
  return needed;
}

/** Paths (below `cluster.`) a schema issue taints; a rule using any of them is skipped. */
function isTainted(uses: string[], taintedPaths: string[]): boolean {
  return uses.some((use) => taintedPaths.some((tainted) => tainted === "" || use.startsWith(tainted) || tainted.startsWith(use)));
}

export function runRules(config: ClusterConfig, ctx: RuleContext, taintedPaths: string[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const rule of rules) {
    if (isTainted(rule.uses, taintedPaths)) continue;
    try {
      problems.push(...rule.check(config, ctx));
    } catch {
      // A rule that cannot read its sections is covered by a schema problem already.
    }
  }
  return problems;
}

