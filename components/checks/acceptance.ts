// Which acceptance checks a description gets and what each is told (pure): every check the
// description's components make meaningful, minus cluster.checks.skip. scripts/acceptance.sh runs them.
import { CHECK_NAMES, type CheckName } from "../../stacks/schema-checks";
import type { ClusterSpec } from "../../stacks/spec";
import { ETCD_SNAPSHOT_IMAGES, withRegistry } from "../addons/charts";
import { INGRESS_NGINX_CLASS } from "../addons/ingress-nginx/values";
import { INGRESS_GATEWAY } from "../addons/plan";
import { TRAEFIK_NAMESPACE } from "../addons/traefik/values";
import { KUBE_VIP_MANIFEST_PATH } from "../endpoint/kube-vip";
import { CONTAINERD_CRI_SOCKET } from "../kubeadm/config";

/** Where the checks' test objects live; deleted after each check unless kept. */
export const CHECK_NAMESPACE = "onprem-k8s-acceptance";
/** The host name the ingress check routes by (a name of the check's own: no DNS needs it). */
export const ROUTE_HOST = "acceptance.onprem-k8s.invalid";
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
  const loadBalancerDeployed = addons.loadBalancer.type === "metallb" && addons.loadBalancer.pools.length > 0;
  // Without MetalLB the ingress's Service has no address to route through.
  const ingressDeployed = addons.ingress.type !== "none" && loadBalancerDeployed;
  const deployed: Record<CheckName, boolean> = {
    "endpoint-readyz": true,
    "apiserver-readyz": true,
    nodes: true,
    etcd: true,
    cni: true,
    "pod-network": spec.nodes.length > 1,
    dns: true,
    metrics: addons.metrics.enabled,
    storage: addons.storage.type !== "none" && addons.storage.defaultClass,
    "load-balancer": loadBalancerDeployed,
    ingress: ingressDeployed,
    "from-here": loadBalancerDeployed || ingressDeployed,
    mtu: spec.nodes.length > 1,
    "vip-failover": spec.checks.vipFailover && spec.apiEndpoint.mode !== "external",
  };
  return CHECK_NAMES.filter((check) => deployed[check] && !spec.checks.skip.includes(check));
}

/** The busybox the checks' Pods run (nslookup, httpd, sh), from the site's registry where it has one. */
export function probeImage(spec: ClusterSpec): string {
  const ref = ETCD_SNAPSHOT_IMAGES.shell;
  return `${withRegistry(`${ref.defaultRegistry}/${ref.repository}`, spec.registries.imageRegistry)}:${ref.tag}`;
}

/** The ingress's Service (namespace/name) as its release names it. */
export function ingressService(spec: ClusterSpec): string {
  // The releases are named after their charts (addons/plan.ts), and ingress-nginx's chart names its Service <release>-controller.
  return spec.addons.ingress.type === "traefik" ? `${TRAEFIK_NAMESPACE}/traefik` : "ingress-nginx/ingress-nginx-controller";
}

/** The checks that run on each control plane in turn rather than once on the first. */
export const PER_CONTROL_PLANE_CHECKS: readonly CheckName[] = ["vip-failover"];
/** The checks that run on the machine running Pulumi (scripts/from-here.cjs), after those whose addresses they probe. */
export const LOCAL_CHECKS: readonly CheckName[] = ["from-here"];

/** The checks that leave objects in CHECK_NAMESPACE for the cleanup step. */
export const CHECKS_WITH_OBJECTS: readonly CheckName[] = ["pod-network", "dns", "storage", "load-balancer", "ingress"];

/** What the cleanup step is told: the namespace of every check's objects, and whether to keep them. */
export function cleanupEnv(spec: ClusterSpec): Record<string, string> {
  // The probe image too: the bundle it runs names it (policy: pinned-versions checks every image line).
  return { CHECK: "cleanup", KUBECONFIG: ADMIN_KUBECONFIG, TIMEOUT_SECONDS: String(spec.checks.timeoutSeconds), PROBE_IMAGE: probeImage(spec), CHECK_NAMESPACE, KEEP_OBJECTS: String(spec.checks.keepTestObjects) };
}

/**
 * The parameters of one check; KUBERNETES_VERSION is the version the upgrade steps finished at.
 */
export function checkEnv(spec: ClusterSpec, check: CheckName): Record<string, string> {
  // Every check gets the probe image, so the script's Pods are pinned in whichever step sends it.
  const common = { CHECK: check, KUBECONFIG: ADMIN_KUBECONFIG, TIMEOUT_SECONDS: String(spec.checks.timeoutSeconds), PROBE_IMAGE: probeImage(spec) };
  const objects = { CHECK_NAMESPACE };
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
    case "pod-network":
      return { ...common, ...objects, NODES: nodes };
    case "ingress": {
      const gateway = spec.addons.ingress.type === "traefik";
      return {
        ...common,
        ...objects,
        INGRESS_KIND: gateway ? "gateway" : "ingress",
        ROUTE_HOST,
        INGRESS_SERVICE: ingressService(spec),
        INGRESS_ADDRESS: spec.addons.ingress.loadBalancerIP ?? "",
        ...(gateway ? { GATEWAY: `${INGRESS_GATEWAY.namespace}/${INGRESS_GATEWAY.name}` } : { INGRESS_CLASS: INGRESS_NGINX_CLASS }),
      };
    }
    case "from-here":
      // The addresses come from the load-balancer and ingress steps' output (steps.ts).
      return { CHECK: check, TIMEOUT_SECONDS: String(spec.checks.timeoutSeconds) };
    case "vip-failover":
      return {
        ...common,
        VIP: spec.apiEndpoint.vip ?? "",
        ENDPOINT_URL: `https://${spec.apiEndpoint.vip}:${spec.apiEndpoint.port}`,
        ...(spec.apiEndpoint.mode === "kube-vip" ? { VIP_SERVICE: "kube-vip", KUBE_VIP_MANIFEST: KUBE_VIP_MANIFEST_PATH } : { VIP_SERVICE: "keepalived" }),
      };
    case "mtu":
      return { ...common, MTU: String(spec.network.mtu), NODE_ADDRESSES: spec.nodes.filter((n) => n.name !== spec.controlPlanes[0]!.name).map((n) => `${n.name}=${n.address}`).join(",") };
  }
}
