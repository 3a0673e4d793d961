/**
 * NodeLocal DNSCache (seed 002, 9.1): a caching DNS agent on every node at a link-local address,
 * so pod lookups skip conntrack and cross-node hops to CoreDNS. Rendered by us: no maintained chart.
 */
import { NODE_LOCAL_DNS_LINK_LOCAL_IP } from "../../kubeadm/kubelet";
import { NODE_LOCAL_DNS_IMAGE } from "../charts";

const NAMESPACE = "kube-system";
const NAME = "node-local-dns";
const UPSTREAM_SERVICE = "kube-dns-upstream";

export interface NodeLocalDnsParams {
  clusterDomain: string;
  /** The kube-dns Service IP (clusterDnsServiceIp of the service CIDR). */
  clusterDnsIp: string;
  /**
   * true: also bind the kube-dns Service IP on each node, so pods keep kubelet's clusterDNS and
   * iptables kube-proxy sends their queries here. false: bind only 169.254.20.10 and point
   * kubelet's clusterDNS at it; required with Cilium's kube-proxy replacement, whose socket-level
   * load balancing rewrites the Service IP before any local listener sees it.
   */
  bindClusterDnsIp: boolean;
  imageRegistry?: string;
}

type Manifest = Record<string, unknown>;

/** Corefile for node-cache; __PILLAR__ placeholders are filled in by node-cache itself at start. */
export function nodeLocalDnsCorefile(p: NodeLocalDnsParams): string {
  const bind = p.bindClusterDnsIp ? `${NODE_LOCAL_DNS_LINK_LOCAL_IP} ${p.clusterDnsIp}` : NODE_LOCAL_DNS_LINK_LOCAL_IP;
  const zone = (name: string, cache: string[], forward: string[], extra: string[] = []): string[] => [
    `${name}:53 {`,
    "    errors",
    ...cache.map((l) => `    ${l}`),
    "    reload",
    "    loop",
    `    bind ${bind}`,
    ...forward.map((l) => `    ${l}`),
    "    prometheus :9253",
    ...extra.map((l) => `    ${l}`),
    "}",
  ];
  const toClusterDns = ["forward . __PILLAR__CLUSTER__DNS__ {", "        force_tcp", "    }"];
  return [
    ...zone(p.clusterDomain, ["cache {", "        success 9984 30", "        denial 9984 5", "    }"], toClusterDns, [
      `health ${NODE_LOCAL_DNS_LINK_LOCAL_IP}:8080`,
    ]),
    ...zone("in-addr.arpa", ["cache 30"], toClusterDns),
    ...zone("ip6.arpa", ["cache 30"], toClusterDns),
    ...zone(".", ["cache 30"], ["forward . __PILLAR__UPSTREAM__SERVERS__"]),
    "",
  ].join("\n");
}

export function nodeLocalDnsManifests(p: NodeLocalDnsParams): Manifest[] {
  const registry = (p.imageRegistry ?? NODE_LOCAL_DNS_IMAGE.defaultRegistry).replace(/\/+$/, "");
  const image = `${registry}/${NODE_LOCAL_DNS_IMAGE.repository}:${NODE_LOCAL_DNS_IMAGE.tag}`;
  const localIps = p.bindClusterDnsIp ? `${NODE_LOCAL_DNS_LINK_LOCAL_IP},${p.clusterDnsIp}` : NODE_LOCAL_DNS_LINK_LOCAL_IP;
  const labels = { "k8s-app": NAME };
  const dnsPorts = [
    { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
    { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
  ];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: NAMESPACE } },
    {
      // A second Service in front of CoreDNS: node-cache forwards to its IP, which is never
      // intercepted by node-cache itself (the kube-dns IP may be).
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: UPSTREAM_SERVICE, namespace: NAMESPACE, labels: { "k8s-app": "kube-dns" } },
      spec: { selector: { "k8s-app": "kube-dns" }, ports: dnsPorts },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: NAME, namespace: NAMESPACE },
      data: { Corefile: nodeLocalDnsCorefile(p) },
    },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
        template: {
          metadata: { labels, annotations: { "prometheus.io/port": "9253", "prometheus.io/scrape": "true" } },
          spec: {
            priorityClassName: "system-node-critical",
            serviceAccountName: NAME,
            hostNetwork: true,
            dnsPolicy: "Default", // node-cache must not resolve through itself
            tolerations: [{ operator: "Exists" }],
            nodeSelector: { "kubernetes.io/os": "linux" },
            containers: [
              {
                name: "node-cache",
                image,
                resources: { requests: { cpu: "25m", memory: "5Mi" } },
                args: ["-localip", localIps, "-conf", "/etc/Corefile", "-upstreamsvc", UPSTREAM_SERVICE],
                securityContext: { capabilities: { add: ["NET_ADMIN"] } },
                ports: [
                  { containerPort: 53, name: "dns", protocol: "UDP" },
                  { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                  { containerPort: 9253, name: "metrics", protocol: "TCP" },
                ],
                livenessProbe: {
                  httpGet: { host: NODE_LOCAL_DNS_LINK_LOCAL_IP, path: "/health", port: 8080 },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                },
                volumeMounts: [
                  { mountPath: "/run/xtables.lock", name: "xtables-lock", readOnly: false },
                  { mountPath: "/etc/coredns", name: "config-volume" },
                ],
              },
            ],
            volumes: [
              { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
              {
                name: "config-volume",
                configMap: { name: NAME, items: [{ key: "Corefile", path: "Corefile.base" }] },
              },
            ],
          },
        },
      },
    },
  ];
}
