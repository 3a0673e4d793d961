// The part of summary.md a platform engineer reads first: what the site gets (nodes and their
// sizes, the API endpoint and what must resolve, versions) and which resources are protected.
import type { ClusterSpec } from "../../stacks/spec";
import type { RecordedResource } from "./monitor";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

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

export function siteMarkdown(spec: ClusterSpec, resources: RecordedResource[]): string[] {
  const releases = resources.filter((r) => r.type === HELM_RELEASE);
  const protectedResources = resources.filter((r) => r.protect);
  return [
    "## What the site gets",
    "",
    `- Kubernetes ${spec.kubernetes.version} on ${spec.nodes.length} nodes (${spec.controlPlanes.length} control planes, ${spec.workers.length} workers), ${spec.platform.type} machines`,
    ...endpointLines(spec),
    `- CNI: ${spec.addons.cni.type} (${spec.addons.cni.mode}, pod MTU ${spec.cniMtu}); pods ${spec.kubernetes.podCidr}, services ${spec.kubernetes.serviceCidr}`,
    "",
    "| node | role | pool | address | vCPU | memory | disk |",
    "|---|---|---|---|---|---|---|",
    ...spec.nodes.map(
      (n) => `| ${n.name} | ${n.role} | ${n.pool} | ${n.address} | ${n.cpus} | ${gib(n.memoryMiB)} | ${n.diskGiB} GiB${n.dataDiskGiB ? ` + ${n.dataDiskGiB} GiB data` : ""} |`,
    ),
    "",
    "| add-on release | chart | version | namespace | repository |",
    "|---|---|---|---|---|",
    ...releases.map((r) => {
      const inputs = r.inputs as { chart?: string; version?: string; namespace?: string; repositoryOpts?: { repo?: string } };
      return `| ${r.name} | ${inputs.chart ?? ""} | ${inputs.version ?? ""} | ${inputs.namespace ?? ""} | ${inputs.repositoryOpts?.repo ?? ""} |`;
    }),
    "",
    `## Protected (${protectedResources.length})`,
    "",
    ...(protectedResources.length
      ? ["`pulumi destroy` refuses while these are protected; lift it on purpose with `pulumi state unprotect <urn>`.", "", ...protectedResources.map((r) => `- ${r.name} (${r.type})`)]
      : ["Nothing is protected: `pulumi destroy` removes everything."]),
    "",
  ];
}
