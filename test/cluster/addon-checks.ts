// Pure pieces of the lab's add-on phases (test/engine/day2/addons.ts, test/cluster/addons.ts): the
// name containerd's CRI looks an image up by, the images a `helm template` renders, the routes that
// join the nodes' pod ranges, the lab's kube-proxy configuration, the echo server's objects, and
// the verdict on a LoadBalancer address as seen from the lab's switch.
import { parseAllDocuments } from "yaml";
import { addressInBlock } from "../../stacks/network";

/**
 * The reference containerd's CRI plugin stores and looks up for `ref`: Docker Hub's implicit
 * registry and `library/` made explicit ("docker.io/traefik:v3" -> "docker.io/library/traefik:v3",
 * "busybox:1" -> "docker.io/library/busybox:1"). An image imported under another spelling is not
 * found by the kubelet, which then tries to pull it (and the lab has no registry).
 */
export function criImageName(ref: string): string {
  const slash = ref.indexOf("/");
  const first = slash < 0 ? "" : ref.slice(0, slash);
  const hasRegistry = first.includes(".") || first.includes(":") || first === "localhost";
  if (hasRegistry && first !== "docker.io") return ref;
  const path = hasRegistry ? ref.slice(slash + 1) : ref;
  return `docker.io/${path.includes("/") ? path : `library/${path}`}`;
}

/** Every container and init container image of the objects in `rendered` (helm template's output), sorted, once each. */
export function renderedImages(rendered: string): string[] {
  const images = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    for (const key of ["containers", "initContainers"]) {
      const list = record[key];
      if (Array.isArray(list)) for (const c of list) if (c && typeof (c as { image?: unknown }).image === "string") images.add((c as { image: string }).image);
    }
    Object.values(record).forEach(visit);
  };
  for (const doc of parseAllDocuments(rendered)) visit(doc.toJSON());
  return [...images].sort();
}

export interface PodRange {
  name: string;
  /** The node's address on the lab bridge. */
  address: string;
  /** Its pod range (the lab's bridge plugin, host-local IPAM). */
  podSubnet: string;
}

/**
 * For each node, the routes to every other node's pod range through that node's address (what a
 * host-gateway CNI programs): the lab's bridge plugin keeps pods on one node, and the apiserver
 * calls MetalLB's webhook, and Traefik its backends, on pods elsewhere.
 */
export function podNetworkRoutes(nodes: PodRange[]): Record<string, { subnet: string; via: string }[]> {
  const names = new Set(nodes.map((n) => n.name));
  if (names.size !== nodes.length) throw new Error(`pod ranges: node names repeat (${nodes.map((n) => n.name).join(", ")})`);
  return Object.fromEntries(nodes.map((node) => [node.name, nodes.filter((other) => other.name !== node.name).map((other) => ({ subnet: other.podSubnet, via: other.address }))]));
}

/**
 * The lab's kube-proxy (standing in for Cilium's kube-proxy replacement, which never runs here):
 * iptables mode, and none of the conntrack sysctls a network namespace may not set.
 */
export function labKubeProxyConfig(p: { nodeName: string; kubeconfig: string; clusterCidr: string }): string {
  const config = {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig: p.kubeconfig },
    hostnameOverride: p.nodeName,
    clusterCIDR: p.clusterCidr,
    mode: "iptables",
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    metricsBindAddress: "127.0.0.1:10249",
    healthzBindAddress: "127.0.0.1:10256",
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export const ECHO_NAMESPACE = "addons-lab";
/** The port the echo server (tools/hello-http) listens on in its pod. */
export const ECHO_PORT = 8080;

type Manifest = Record<string, unknown>;

/** One echo server: a Deployment of tools/hello-http (it answers "hello from <pod name>") and its Service. */
export function echoServer(p: { name: string; image: string; service: "LoadBalancer" | "ClusterIP"; addressPool?: string }): Manifest[] {
  const labels = { app: p.name };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: p.name, namespace: ECHO_NAMESPACE },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: "echo",
              image: p.image,
              imagePullPolicy: "Never",
              env: [{ name: "LISTEN", value: `:${ECHO_PORT}` }],
              ports: [{ name: "http", containerPort: ECHO_PORT }],
              readinessProbe: { httpGet: { path: "/", port: ECHO_PORT }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: p.name, namespace: ECHO_NAMESPACE, ...(p.addressPool ? { annotations: { "metallb.io/address-pool": p.addressPool } } : {}) },
    spec: { type: p.service, selector: labels, ports: [{ name: "http", port: 80, targetPort: ECHO_PORT }] },
  };
  return [deployment, service];
}

/** An HTTPRoute on the program's Gateway: `host` and each path prefix to its Service (port 80). */
export function echoHttpRoute(p: { name: string; gateway: { name: string; namespace: string }; host: string; paths: Record<string, string> }): Manifest {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: p.name, namespace: ECHO_NAMESPACE },
    spec: {
      parentRefs: [{ name: p.gateway.name, namespace: p.gateway.namespace, sectionName: "http" }],
      hostnames: [p.host],
      rules: Object.entries(p.paths).map(([prefix, service]) => ({
        matches: [{ path: { type: "PathPrefix", value: prefix } }],
        backendRefs: [{ name: service, port: 80 }],
      })),
    },
  };
}

/** An Ingress (the default class) sending `host` to `service`: Traefik keeps Ingress objects working beside the Gateway API. */
export function echoIngress(p: { name: string; host: string; service: string }): Manifest {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: p.name, namespace: ECHO_NAMESPACE },
    spec: { rules: [{ host: p.host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: p.service, port: { number: 80 } } } }] } }] },
  };
}

export interface AddressObservation {
  /** "<namespace>/<name>" of the Service. */
  service: string;
  /** Its .status.loadBalancer.ingress[0].ip, if MetalLB gave it one. */
  address?: string;
  /** The nodes' subnet (the lab bridge): L2 answers only there. */
  subnet: string;
  /** What an HTTP request from the switch got: the body, or the error. */
  http: { ok: true; body: string } | { ok: false; error: string };
}

/** Whether a LoadBalancer address serves, and if not, why, in words a person acts on. */
export function addressVerdict(o: AddressObservation): { reachable: boolean; message: string } {
  if (!o.address) return { reachable: false, message: `${o.service}: no LoadBalancer address assigned (no pool MetalLB may take it from)` };
  const inside = addressInBlock(o.address, o.subnet);
  if (o.http.ok) return { reachable: true, message: `${o.service}: ${o.address} answered HTTP: ${o.http.body.trim()}` };
  const why = inside
    ? "inside the node subnet, but nothing answered (no speaker announcing it, or no ready endpoint behind it)"
    : `outside the node subnet ${o.subnet}: no node answers ARP for it on the lab's segment, so nothing reaches it`;
  return { reachable: false, message: `${o.service}: ${o.address} does not answer HTTP from the switch (${o.http.error.trim()}): ${why}` };
}
