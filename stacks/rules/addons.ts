// Add-ons: LoadBalancer pools, ingress, storage and backups.
import { contains, isIPv4, parseBlock, reservedAddresses } from "../network";
import { GATEWAY_API_CRDS } from "../schema-addons";
import { nodesOf } from "../spec";
import { type Problem, type Rule, error, warning, poolBlocks, poolRanges, unusableHostAddress } from "./common";

/** Whether a Kubernetes version can take the Gateway API CRDs (an unreadable version is another rule's). */
function gatewayApiFitsVersion(version: string): boolean {
  const minor = /^v?1\.(\d+)\./.exec(version)?.[1];
  return minor === undefined || Number(minor) >= GATEWAY_API_CRDS.minimumKubernetesMinor;
}

export const addonsRules: Rule[] = [
  {
    // Pool blocks that cannot be read are reported on their own; every other check skips them.
    uses: ["addons.loadBalancer"],
    check(c) {
      return poolBlocks(c).flatMap((entry) =>
        entry.problem
          ? [error(entry.path, entry.text, entry.problem, "write a CIDR (192.168.100.192/28, one address as 192.168.100.200/32) or a range low-high (192.168.100.200-192.168.100.220) of valid IPv4 addresses", /^[\d.]+$/.test(entry.text) && isIPv4(entry.text) ? { path: ["addons", "loadBalancer", "pools", entry.poolIndex, "addresses", entry.index], value: `${entry.text}/32` } : undefined)]
          : [],
      );
    },
  },
  {
    uses: ["addons.loadBalancer", "network", "controlPlane", "workerPools", "kubernetes.podCidr", "kubernetes.serviceCidr"],
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
      const { network, broadcast } = reservedAddresses(c.network.subnet);
      // Pools against nodes, the gateway, the cluster networks and each other: addresses.ts.
      for (const entry of ranges) {
        if (lb.mode === "l2" && !contains(subnet, entry.range)) {
          problems.push(error(entry.path, entry.range.text, `an L2 pool must lie inside the node subnet ${c.network.subnet}: ARP answers only on the nodes' segment`, `use addresses inside ${c.network.subnet}, or BGP mode`));
        }
        for (const [name, address] of [["network", network], ["broadcast", broadcast]]) {
          if (lb.mode === "l2" && contains(entry.range, parseBlock(address))) {
            problems.push(error(entry.path, entry.range.text, `pool ${entry.pool} contains the ${name} address ${address} of ${c.network.subnet}, which MetalLB would hand to a Service that no one can reach`, `exclude ${address} from the pool: list host addresses only, e.g. a range that starts above ${network} and ends below ${broadcast}`));
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
    uses: ["addons.ingress", "addons.loadBalancer", "network"],
    check(c) {
      const ingress = c.addons.ingress;
      if (ingress.type === "none") return [];
      const problems: Problem[] = [];
      if (c.addons.loadBalancer.type === "none") {
        problems.push(error("addons.ingress.type", ingress.type, `${ingress.type} publishes a LoadBalancer Service but no LoadBalancer provider is configured`, "enable cluster.addons.loadBalancer (type metallb) or set ingress type none"));
      }
      const address = ingress.loadBalancerIP;
      const unusable = address && c.addons.loadBalancer.mode === "l2" ? unusableHostAddress(c, address, "the ingress address") : undefined;
      if (address && unusable) {
        problems.push(error("addons.ingress.loadBalancerIP", address, unusable.problem, unusable.fix));
      } else if (address && poolBlocks(c).every((entry) => entry.range) && !poolRanges(c).some((entry) => contains(entry.range, parseBlock(address)))) {
        problems.push(error("addons.ingress.loadBalancerIP", address, "the ingress address is in no LoadBalancer pool, so MetalLB cannot assign it", "pick an address from one of cluster.addons.loadBalancer.pools"));
      }
      return problems;
    },
  },
  {
    // Which controller: ingress-nginx is retired upstream; the Gateway API CRDs the traefik ingress
    // installs carry CEL rules older apiservers refuse.
    uses: ["addons.ingress", "kubernetes.version"],
    check(c) {
      const needed = `1.${GATEWAY_API_CRDS.minimumKubernetesMinor}`;
      const fits = gatewayApiFitsVersion(c.kubernetes.version);
      if (c.addons.ingress.type === "ingress-nginx") {
        // The fix must not lead into the Gateway API's Kubernetes minimum.
        const first = fits ? "" : `upgrade to Kubernetes ${needed} or newer, then `;
        return [warning("addons.ingress.type", "ingress-nginx", "ingress-nginx is retired upstream (Kubernetes SIG Network and the Security Response Committee): best-effort maintenance ended in March 2026, with no releases or security fixes since", `${first}set cluster.addons.ingress.type: traefik (maintained, Gateway API; Ingress objects keep working with class traefik); a running site moves as docs/ingress.md describes`)];
      }
      if (c.addons.ingress.type !== "traefik" || fits) return [];
      return [error("addons.ingress.type", "traefik", `the Gateway API ${GATEWAY_API_CRDS.version} CRDs Traefik needs require Kubernetes ${needed} or newer (TLSRoute's CEL validation), but kubernetes.version is ${c.kubernetes.version}`, `use Kubernetes ${needed} or newer (cluster.kubernetes.version), or keep ingress-nginx on this cluster until it is upgraded`)];
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
    // Settings of a component that is not chosen would be ignored without a word.
    uses: ["addons.loadBalancer", "addons.ingress", "addons.storage", "addons.metrics"],
    check(c) {
      const { loadBalancer, ingress, storage, metrics } = c.addons;
      const problems: Problem[] = [];
      const ignored = (path: string, value: unknown, what: string, fix: string) => problems.push(warning(path, value, `${what}, so this setting is ignored`, fix));
      if (loadBalancer.type === "none" && loadBalancer.pools.length > 0) ignored("addons.loadBalancer.pools", loadBalancer.pools, "no LoadBalancer provider is installed (type none)", "remove the pools, or set cluster.addons.loadBalancer.type: metallb");
      if (loadBalancer.type !== "none" && loadBalancer.mode === "l2" && loadBalancer.bgp) ignored("addons.loadBalancer.bgp", loadBalancer.bgp, "MetalLB announces in L2 mode", "remove bgp, or set cluster.addons.loadBalancer.mode: bgp");
      if (ingress.type === "none" && ingress.loadBalancerIP) ignored("addons.ingress.loadBalancerIP", ingress.loadBalancerIP, "no ingress controller is installed (type none)", "remove loadBalancerIP, or set cluster.addons.ingress.type: traefik");
      if (ingress.type !== "traefik" && ingress.gatewayApiCrdsUrl) ignored("addons.ingress.gatewayApiCrdsUrl", ingress.gatewayApiCrdsUrl, `ingress type is ${ingress.type}, which installs no Gateway API`, "remove gatewayApiCrdsUrl, or set cluster.addons.ingress.type: traefik");
      if (storage.type !== "nfs" && storage.nfs) ignored("addons.storage.nfs", storage.nfs, `storage type is ${storage.type}`, "remove nfs, or set cluster.addons.storage.type: nfs");
      if (storage.type !== "vsphere-csi" && storage.vsphereCsi) ignored("addons.storage.vsphereCsi", storage.vsphereCsi, `storage type is ${storage.type}`, "remove vsphereCsi, or set cluster.addons.storage.type: vsphere-csi");
      if (!metrics.enabled && metrics.insecureKubeletTls) ignored("addons.metrics.insecureKubeletTls", true, "metrics-server is disabled", "remove insecureKubeletTls, or set cluster.addons.metrics.enabled: true");
      return problems;
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
];
