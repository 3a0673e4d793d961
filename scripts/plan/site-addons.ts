// Everything summary.md lists as installed on the site, with version and source: the Helm releases,
// the manifests the program applies (the vSphere CSI driver's release manifest, its own rendered
// ones), the API endpoint's pieces and what runs on a node outside Kubernetes (the NFS server).
// Pure: the description in, rows out; test/plan.test.ts checks every release and manifest
// resource of a plan is named by a row.
import { INGRESS_GATEWAY, addonManifests, addonReleases, chartSource, gatewayApiCrdsLocation } from "../../components/addons/plan";
import { vsphereCsiManifestLocation } from "../../components/addons/vsphere-csi/manifest";
import { ETCD_SNAPSHOT_IMAGES, GATEWAY_API_RELEASE, NODE_LOCAL_DNS_IMAGE, PINNED_CHARTS, VSPHERE_CSI_RELEASE, withRegistry } from "../../components/addons/charts";
import { KUBE_VIP_DEFAULT_REGISTRY, KUBE_VIP_IMAGE_REPOSITORY, KUBE_VIP_VERSION } from "../../components/endpoint/kube-vip";
import type { ClusterSpec } from "../../stacks/spec";

export interface SiteAddon {
  name: string;
  kind: "Helm chart" | "manifest" | "static pod" | "node packages";
  version: string;
  namespace: string;
  source: string;
  /** Names of the plan's resources this row stands for (Helm releases, yaml/v2 manifests). */
  resources: string[];
}

const RENDERED = "rendered by the program";

function image(spec: ClusterSpec, registry: string, repository: string, tag: string): string {
  return `${withRegistry(`${registry}/${repository}`, spec.registries.imageRegistry)}:${tag}`;
}

/** What each manifest file of components/addons/plan.ts is, beyond its name. */
function manifestRow(spec: ClusterSpec, file: string): SiteAddon | undefined {
  const artifact = `artifacts/addons/${file}.yaml`;
  switch (file) {
    case "nodelocaldns":
      return {
        name: "NodeLocal DNSCache",
        kind: "manifest",
        version: NODE_LOCAL_DNS_IMAGE.tag,
        namespace: "kube-system",
        source: `${RENDERED} (${artifact}); image ${image(spec, NODE_LOCAL_DNS_IMAGE.defaultRegistry, NODE_LOCAL_DNS_IMAGE.repository, NODE_LOCAL_DNS_IMAGE.tag)}`,
        resources: [file],
      };
    case "etcd-snapshots": {
      const shell = ETCD_SNAPSHOT_IMAGES.shell;
      return {
        name: "etcd snapshot CronJob (etcdctl and etcdutl of kubeadm's etcd image, in the host)",
        kind: "manifest",
        version: `busybox ${shell.tag}`,
        namespace: "kube-system",
        source: `${RENDERED} (${artifact}); image ${withRegistry(`${shell.defaultRegistry}/${shell.repository}`, spec.registries.imageRegistry)}:${shell.tag}`,
        resources: [file],
      };
    }
    case "metallb-config":
      return { name: "MetalLB address pools and advertisement", kind: "manifest", version: `metallb.io/v1beta1 (chart ${PINNED_CHARTS.metallb.version})`, namespace: "metallb-system", source: `${RENDERED} (${artifact})`, resources: [file] };
    case "calico-felixconfiguration":
      return { name: "Calico FelixConfiguration (VXLAN checksum offload off)", kind: "manifest", version: `crd.projectcalico.org/v1 (Calico ${PINNED_CHARTS["tigera-operator"].appVersion})`, namespace: "-", source: `${RENDERED} (${artifact})`, resources: [file] };
    case "ingress-gateway":
      return {
        name: `Gateway API: CRDs, GatewayClass ${INGRESS_GATEWAY.className}, Gateway ${INGRESS_GATEWAY.namespace}/${INGRESS_GATEWAY.name} (listeners http, https)`,
        kind: "manifest",
        version: `Gateway API ${GATEWAY_API_RELEASE.version}`,
        namespace: INGRESS_GATEWAY.namespace,
        source: `${gatewayApiCrdsLocation(spec)} (the release's CRDs), then ${RENDERED} (${artifact}); HTTPS certificate: Secret ${INGRESS_GATEWAY.tlsSecretName}, the site's`,
        resources: ["gateway-api-crds", file],
      };
    case "vsphere-csi-namespace":
    case "vsphere-csi-storageclass":
      return undefined; // part of the vSphere CSI driver's row
    default:
      return { name: file, kind: "manifest", version: "-", namespace: "-", source: `${RENDERED} (${artifact})`, resources: [file] };
  }
}

export function siteAddons(spec: ClusterSpec): SiteAddon[] {
  const rows: SiteAddon[] = [];
  const endpoint = spec.apiEndpoint;
  if (endpoint.mode === "kube-vip") {
    rows.push({ name: "kube-vip (API VIP)", kind: "static pod", version: KUBE_VIP_VERSION, namespace: "kube-system", source: image(spec, KUBE_VIP_DEFAULT_REGISTRY, KUBE_VIP_IMAGE_REPOSITORY, KUBE_VIP_VERSION), resources: [] });
  } else if (endpoint.mode === "keepalived-haproxy") {
    rows.push({ name: "keepalived and haproxy (API VIP)", kind: "node packages", version: `the distribution's (${spec.os.family} ${spec.os.version})`, namespace: "-", source: "the nodes' package repositories, on every control plane", resources: [] });
  }
  for (const release of addonReleases(spec)) {
    const source = chartSource(release.chart, spec.registries.chartRepository);
    rows.push({ name: release.name, kind: "Helm chart", version: source.version, namespace: release.namespace, source: source.repo ? `${source.repo} (chart ${source.chart})` : source.chart, resources: [release.name] });
  }
  if (spec.addons.storage.type === "vsphere-csi") {
    rows.push({
      name: "vSphere CSI driver",
      kind: "manifest",
      version: VSPHERE_CSI_RELEASE.version,
      namespace: VSPHERE_CSI_RELEASE.namespace,
      source: `${vsphereCsiManifestLocation(spec)} (the release's manifest; no Helm chart exists), with the program's namespace, config Secret and StorageClass`,
      resources: ["vsphere-csi-driver", "vsphere-csi-namespace", "vsphere-csi-storageclass"],
    });
  }
  for (const file of Object.keys(addonManifests(spec))) {
    const row = manifestRow(spec, file);
    if (row) rows.push(row);
  }
  const nfs = spec.addons.storage.type === "nfs" ? spec.addons.storage.nfs : undefined;
  if (nfs && !nfs.server && nfs.serverNode) {
    rows.push({ name: `NFS server on ${nfs.serverNode}`, kind: "node packages", version: `the distribution's (${spec.os.family} ${spec.os.version})`, namespace: "-", source: `export ${nfs.path}, set up over SSH (components/addons/nfs/server.sh)`, resources: [] });
  }
  return rows;
}
