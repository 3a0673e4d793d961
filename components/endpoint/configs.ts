// What each control plane's API endpoint step installs, rendered from the cluster spec with the
// endpoint renderers: kube-vip manifests, or haproxy.cfg + keepalived.conf. Pure.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClusterSpec } from "../../stacks/spec";
import { renderHaproxyConfig } from "./haproxy";
import { renderKeepalivedConfig } from "./keepalived";
import { renderKubeVipManifest } from "./kube-vip";
import { prefixLength } from "../../stacks/network";

export const CHECK_APISERVER_SCRIPT = path.join(__dirname, "scripts", "check-apiserver.sh");
/** haproxy verifies the apiservers' certificates in its checks with the CA placed by pki.sh. */
export const CLUSTER_CA_FILE = "/etc/kubernetes/pki/ca.crt";

export interface ControlPlaneEndpointConfig {
  node: string;
  /** kube-vip: the manifest using admin.conf (every control plane, and the first after init). */
  kubeVip?: string;
  /** kube-vip, first control plane on 1.29+: the manifest using super-admin.conf during init. */
  kubeVipInit?: string;
  haproxy?: string;
  /** With the VRRP password as the ${KEEPALIVED_AUTH_PASS} placeholder. */
  keepalived?: string;
}

function requireVip(spec: ClusterSpec): string {
  if (!spec.apiEndpoint.vip) throw new Error(`endpoint.vip is required for endpoint mode ${spec.apiEndpoint.mode}`);
  return spec.apiEndpoint.vip;
}

/** One entry per control plane; empty for an external load balancer (nothing runs on the nodes). */
export function controlPlaneEndpointConfigs(spec: ClusterSpec): ControlPlaneEndpointConfig[] {
  const { mode, port } = spec.apiEndpoint;
  switch (mode) {
    case "external":
      return [];
    case "kube-vip": {
      const vip = requireVip(spec);
      const common = { vip, interface: spec.network.interface, port, kubernetesVersion: spec.kubernetes.version, image: { registry: spec.registries.imageRegistry } };
      const steady = renderKubeVipManifest({ ...common, firstControlPlaneInit: false });
      const init = renderKubeVipManifest({ ...common, firstControlPlaneInit: true });
      return spec.controlPlanes.map((node) => ({
        node: node.name,
        kubeVip: steady,
        // Identical on releases before 1.29: then there is nothing to switch.
        ...(node.index === 0 && init !== steady ? { kubeVipInit: init } : {}),
      }));
    }
    case "keepalived-haproxy": {
      const vip = requireVip(spec);
      const haproxy = renderHaproxyConfig({
        frontendPort: port,
        backends: spec.controlPlanes.map((node) => ({ name: node.name, address: node.address })),
        healthCheckCaFile: CLUSTER_CA_FILE,
      });
      const peers = spec.controlPlanes.map((node) => ({ name: node.name, address: node.address }));
      return spec.controlPlanes.map((node) => ({
        node: node.name,
        haproxy,
        keepalived: renderKeepalivedConfig({
          controlPlanes: peers,
          self: node.name,
          interface: spec.network.interface,
          virtualRouterId: spec.endpoint.virtualRouterId,
          vip,
          vipPrefixLength: prefixLength(spec.network.subnet),
          haproxyPort: port,
        }),
      }));
    }
  }
}

export function checkApiserverScript(): string {
  return fs.readFileSync(CHECK_APISERVER_SCRIPT, "utf8");
}
