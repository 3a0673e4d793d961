// vSphere CSI at an offline site: the driver manifest comes from the described location (default:
// the pinned release on GitHub), and its workloads' images move to registries.imageRegistry.
import { describe, expect, it } from "vitest";
import { planStack, resourceNamed } from "../../test/harness";
import { vsphereCsiManifestUrl } from "./plan";
import { rewriteImages, vsphereCsiManifestLocation } from "./vsphere-csi/manifest";

const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
const MIRROR_COPY = "https://artifacts.corp.example.internal/vsphere-csi-driver/v3.7.3/vsphere-csi-driver.yaml";

describe("vSphere CSI manifest location", () => {
  it("is the site's copy when addons.storage.vsphereCsi.manifestUrl is set, else the pinned release", () => {
    const storage = (vsphereCsi: Record<string, string>) => ({ addons: { storage: { type: "vsphere-csi", defaultClass: true, vsphereCsi } } }) as never;
    expect(vsphereCsiManifestLocation(storage({ storagePolicy: "gold" }))).toBe(vsphereCsiManifestUrl());
    expect(vsphereCsiManifestUrl()).toBe("https://raw.githubusercontent.com/kubernetes-sigs/vsphere-csi-driver/v3.7.3/manifests/vanilla/vsphere-csi-driver.yaml");
    expect(vsphereCsiManifestLocation(storage({ storagePolicy: "gold", manifestUrl: MIRROR_COPY }))).toBe(MIRROR_COPY);
  });

  it("the driver ConfigFile of an offline prod stack reads the site's copy", async () => {
    const plan = await planStack("prod", (c) => {
      c.addons.storage.vsphereCsi.manifestUrl = MIRROR_COPY;
      c.registries = { ...c.registries, imageRegistry: "registry.corp.example.internal:5000" };
    });
    expect(resourceNamed(plan, CONFIG_FILE, "vsphere-csi-driver").inputs).toMatchObject({ file: MIRROR_COPY, skipAwait: false });
  });
});

describe("rewriteImages (the driver ConfigFile's transform)", () => {
  const transform = rewriteImages("registry.corp.example.internal:5000/");
  const args = (props: Record<string, unknown>) => ({ type: "kubernetes:apps/v1:DaemonSet", name: "vsphere-csi-node", props, opts: {}, custom: true }) as never;

  it("moves every container and init container image of a workload to the mirror, keeping the path", () => {
    const daemonSet = {
      kind: "DaemonSet",
      spec: {
        template: {
          spec: {
            initContainers: [{ name: "init", image: "registry.k8s.io/csi-vsphere/driver:v3.7.3" }],
            containers: [
              { name: "node-driver-registrar", image: "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0" },
              { name: "vsphere-csi-node", image: "registry.k8s.io/csi-vsphere/driver:v3.7.3" },
              { name: "liveness-probe", image: "registry.k8s.io/sig-storage/livenessprobe:v2.15.0" },
            ],
          },
        },
      },
    };
    const result = transform(args(daemonSet)) as unknown as { props: typeof daemonSet };
    expect(result.props.spec.template.spec.initContainers.map((c) => c.image)).toEqual(["registry.corp.example.internal:5000/csi-vsphere/driver:v3.7.3"]);
    expect(result.props.spec.template.spec.containers.map((c) => c.image)).toEqual([
      "registry.corp.example.internal:5000/sig-storage/csi-node-driver-registrar:v2.13.0",
      "registry.corp.example.internal:5000/csi-vsphere/driver:v3.7.3",
      "registry.corp.example.internal:5000/sig-storage/livenessprobe:v2.15.0",
    ]);
    // The input is left as it was (the engine owns it).
    expect(daemonSet.spec.template.spec.containers[0].image).toBe("registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0");
  });

  it("leaves objects without a pod template alone", () => {
    expect(transform(args({ kind: "Service", spec: { ports: [{ port: 443 }] } }))).toBeUndefined();
    expect(transform(args({ kind: "ConfigMap", data: { "csi-feature-states": "true" } }))).toBeUndefined();
  });
});
