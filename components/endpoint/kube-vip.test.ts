import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateManifests } from "../../test/tools/kube-validate";
import {
  ADMIN_KUBECONFIG,
  KUBE_VIP_VERSION,
  SUPER_ADMIN_KUBECONFIG,
  type KubeVipManifestParams,
  kubeVipImage,
  kubeVipKubeconfigHostPath,
  renderKubeVipManifest,
} from "./kube-vip";

function params(overrides: Partial<KubeVipManifestParams> = {}): KubeVipManifestParams {
  return {
    kubernetesVersion: "1.34.4",
    firstControlPlaneInit: false,
    vip: "10.10.0.100",
    interface: "ens192",
    ...overrides,
  };
}

type Pod = { spec: { containers: Array<Record<string, any>>; volumes: Array<Record<string, any>> } & Record<string, any> } & Record<string, any>;
const pod = (p: KubeVipManifestParams) => parse(renderKubeVipManifest(p)) as Pod;
function env(p: KubeVipManifestParams): Record<string, unknown> {
  return Object.fromEntries(pod(p).spec.containers[0]!.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
}

describe("kubeVipKubeconfigHostPath (kube-vip issue 684)", () => {
  it("uses super-admin.conf only on the first control plane during init on 1.29+", () => {
    expect(kubeVipKubeconfigHostPath({ kubernetesVersion: "1.34.4", firstControlPlaneInit: true })).toBe(SUPER_ADMIN_KUBECONFIG);
    expect(kubeVipKubeconfigHostPath({ kubernetesVersion: "v1.29.0", firstControlPlaneInit: true })).toBe(SUPER_ADMIN_KUBECONFIG);
    expect(kubeVipKubeconfigHostPath({ kubernetesVersion: "1.34.4", firstControlPlaneInit: false })).toBe(ADMIN_KUBECONFIG);
    expect(kubeVipKubeconfigHostPath({ kubernetesVersion: "1.28.9", firstControlPlaneInit: true })).toBe(ADMIN_KUBECONFIG);
    expect(() => kubeVipKubeconfigHostPath({ kubernetesVersion: "latest", firstControlPlaneInit: true })).toThrow();
  });

  it("mounts the chosen host file where kube-vip reads its kubeconfig", () => {
    const init = pod(params({ firstControlPlaneInit: true }));
    expect(init.spec.volumes[0]).toEqual({ name: "kubeconfig", hostPath: { path: SUPER_ADMIN_KUBECONFIG, type: "File" } });
    expect(init.spec.containers[0]!.volumeMounts).toEqual([{ name: "kubeconfig", mountPath: "/etc/kubernetes/admin.conf", readOnly: true }]);
    expect(pod(params()).spec.volumes[0]!.hostPath.path).toBe(ADMIN_KUBECONFIG);
  });
});

describe("renderKubeVipManifest", () => {
  it("configures ARP mode, the VIP, interface, port and Lease leader election with kube-vip's variable names", () => {
    expect(env(params())).toEqual({
      vip_arp: "true",
      port: "6443",
      vip_nodename: { fieldRef: { fieldPath: "spec.nodeName" } },
      vip_interface: "ens192",
      vip_subnet: "32",
      cp_enable: "true",
      cp_namespace: "kube-system",
      vip_leaderelection: "true",
      vip_leasename: "plndr-cp-lock",
      vip_leaseduration: "5",
      vip_renewdeadline: "3",
      vip_retryperiod: "1",
      address: "10.10.0.100",
    });
  });

  it("runs as a host-network static Pod in kube-system with only the network capabilities it needs", () => {
    const p = pod(params());
    expect(p).toMatchObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "kube-vip", namespace: "kube-system" } });
    expect(p.spec.hostNetwork).toBe(true);
    expect(p.spec.hostAliases).toEqual([{ ip: "127.0.0.1", hostnames: ["kubernetes"] }]);
    expect(p.spec.containers[0]!.args).toEqual(["manager"]);
    expect(p.spec.containers[0]!.securityContext).toEqual({ capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } });
  });

  it("pins the image tag and lets the registry be overridden", () => {
    expect(pod(params()).spec.containers[0]!.image).toBe(`ghcr.io/kube-vip/kube-vip:${KUBE_VIP_VERSION}`);
    expect(kubeVipImage({ registry: "registry.local:5000/mirror/" })).toBe(`registry.local:5000/mirror/kube-vip/kube-vip:${KUBE_VIP_VERSION}`);
    expect(() => kubeVipImage({ tag: "v1 2" })).toThrow(/tag/);
  });

  it("handles custom port, lease settings and IPv6", () => {
    const e = env(params({ port: 16443, vip: "fd00:0::100", leaderElection: { leaseName: "cp-vip", leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 } }));
    expect(e).toMatchObject({ port: "16443", address: "fd00::100", vip_subnet: "128", vip_leasename: "cp-vip", vip_leaseduration: "15" });
  });

  it("rejects inconsistent input", () => {
    expect(() => renderKubeVipManifest(params({ vip: "vip.example" }))).toThrow(/IP address/);
    expect(() => renderKubeVipManifest(params({ leaderElection: { leaseDurationSeconds: 3, renewDeadlineSeconds: 3 } }))).toThrow(/leaseDuration/);
    expect(() => renderKubeVipManifest(params({ interface: "eth0; rm" }))).toThrow(/interface/);
  });
});

describe("kube-vip manifest against the Kubernetes API schema (kubernetes-validate --strict)", () => {
  it.each([
    ["first control plane during init", params({ firstControlPlaneInit: true })],
    ["other control planes", params()],
    ["IPv6, mirror, custom lease", params({ vip: "fd00::100", image: { registry: "registry.local/ghcr" }, leaderElection: { leaseName: "cp-vip" } })],
  ])("is a valid Pod: %s", async (_name, p) => {
    const result = await validateManifests(renderKubeVipManifest(p), { kubernetesVersion: "1.34.0" });
    expect(result.ok, result.output).toBe(true);
  });

  // Negative cases: a misplaced field and a wrong type are caught by the same check.
  it("rejects an unknown field", async () => {
    const broken = renderKubeVipManifest(params()).replace("hostNetwork: true", "hostNetwork: true\n  hostNetworking: true");
    expect((await validateManifests(broken, { kubernetesVersion: "1.34.0" })).ok).toBe(false);
  });

  it("rejects an env value that is not a string", async () => {
    const broken = renderKubeVipManifest(params()).replace('value: "6443"', "value: 6443");
    expect(broken).toContain("value: 6443");
    expect((await validateManifests(broken, { kubernetesVersion: "1.34.0" })).ok).toBe(false);
  });
});
