// Which acceptance checks a description gets and what each is told (pure): every check the
// description's components make meaningful, minus cluster.checks.skip. scripts/acceptance.sh runs them.
import { CHECK_NAMES, type CheckName } from "../../stacks/schema-checks";
import type { ClusterSpec } from "../../stacks/spec";
import { ETCD_SNAPSHOT_IMAGES, withRegistry } from "../addons/charts";
import { CONTAINERD_CRI_SOCKET } from "../kubeadm/config";

/** Where the checks' test objects live; deleted after each check unless kept. */
export const CHECK_NAMESPACE = "onprem-k8s-acceptance";
/** kubeadm's admin kubeconfig on every control plane (its server is the endpoint). */
const ADMIN_KUBECONFIG = "/etc/kubernetes/admin.conf";

/** The DaemonSet that runs the CNI on every node. */
export function cniDaemonSet(spec: ClusterSpec): string {
  return spec.addons.cni.type === "cilium" ? "kube-system/cilium" : "calico-system/calico-node";
}

/** The checks for what the description deploys, in report order. */
export function enabledChecks(spec: ClusterSpec): CheckName[] {
  if (!spec.checks.enabled) return [];
  const { addons } = spec;
  const deployed: Record<CheckName, boolean> = {
    "endpoint-readyz": true,
    "apiserver-readyz": true,
    nodes: true,
    etcd: true,
    cni: true,
    dns: true,
    metrics: addons.metrics.enabled,
    storage: addons.storage.type !== "none" && addons.storage.defaultClass,
    "load-balancer": addons.loadBalancer.type === "metallb" && addons.loadBalancer.pools.length > 0,
    mtu: spec.nodes.length > 1,
  };
  return CHECK_NAMES.filter((check) => deployed[check] && !spec.checks.skip.includes(check));
}

/** The busybox the checks' Pods run (nslookup, httpd, sh), from the site's registry where it has one. */
export function probeImage(spec: ClusterSpec): string {
  const ref = ETCD_SNAPSHOT_IMAGES.shell;
  return `${withRegistry(`${ref.defaultRegistry}/${ref.repository}`, spec.registries.imageRegistry)}:${ref.tag}`;
}

/**
 * The parameters of one check; KUBERNETES_VERSION is the version the upgrade steps finished at.
 */
export function checkEnv(spec: ClusterSpec, check: CheckName): Record<string, string> {
  // Every check gets the probe image, so the script's Pods are pinned in whichever step sends it.
  const common = { CHECK: check, KUBECONFIG: ADMIN_KUBECONFIG, TIMEOUT_SECONDS: String(spec.checks.timeoutSeconds), PROBE_IMAGE: probeImage(spec) };
  const objects = { CHECK_NAMESPACE, KEEP_OBJECTS: String(spec.checks.keepTestObjects) };
  const nodes = spec.nodes.map((n) => n.name).join(",");
  switch (check) {
    case "endpoint-readyz":
      return { ...common, ENDPOINT_URL: `https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}` };
    case "apiserver-readyz":
      return { ...common, APISERVERS: spec.controlPlanes.map((cp) => `${cp.name}=https://${cp.address}:6443`).join(",") };
    case "nodes":
      return { ...common, NODES: nodes };
    case "etcd":
      return { ...common, CONTROL_PLANES: spec.controlPlanes.map((cp) => cp.name).join(","), CRI_SOCKET: CONTAINERD_CRI_SOCKET };
    case "cni":
      return { ...common, CNI_DAEMONSET: cniDaemonSet(spec), NODES: nodes };
    case "dns":
      return { ...common, ...objects, CLUSTER_DOMAIN: spec.kubernetes.clusterDomain };
    case "metrics":
      return { ...common, NODES: nodes };
    case "storage":
      return { ...common, ...objects };
    case "load-balancer": {
      const lb = spec.addons.loadBalancer;
      return { ...common, ...objects, POOLS: lb.type === "metallb" ? lb.pools.flatMap((p) => p.addresses).join(",") : "" };
    }
    case "mtu":
      return { ...common, MTU: String(spec.network.mtu), NODE_ADDRESSES: spec.nodes.filter((n) => n.name !== spec.controlPlanes[0]!.name).map((n) => `${n.name}=${n.address}`).join(",") };
  }
}
