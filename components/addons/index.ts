// Add-on layer: Helm releases and manifests on the cluster's own Kubernetes provider.
// Contract used by components/cluster.ts. What is installed (releases, values, manifests) comes
// from plan.ts; this file only wires it into resources in dependency order:
//
//   apiReady ─▶ CNI (cilium | tigera-operator ─▶ calico gate [─▶ FelixConfiguration])
//            └▶ vsphere-cpi (with its credentials Secret; nodes stay tainted until it runs; during an
//               upgrade after the control planes' upgrade steps: its release line follows the minor)
//   CNI + CPI + schedulable ─▶ metallb ─▶ webhook gate ─▶ pools/advertisements ─▶ ingress-nginx
//                         │                                                   | Gateway API CRDs ─▶ traefik ─▶ GatewayClass + Gateway
//                         ├▶ storage: vSphere CSI (Namespace ─▶ config Secret ─▶ driver (+ allJoined) ─▶ StorageClass)
//                         │           | NFS (server on its node ─▶ provisioner + StorageClass)
//                         ├▶ kubelet-csr-approver ─▶ metrics-server
//                         ├▶ NodeLocal DNSCache
//                         └▶ storage ─▶ Velero (credentials Secret first)
//   apiReady ─▶ [S3 credentials Secret ─▶] etcd snapshot ConfigMap + CronJob
// `schedulable`: init and every worker joined and labelled; the other control planes join beside
// the add-ons, whose DaemonSets reach them as they join (docs/performance.md says why that converges).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { remote } from "@pulumi/command";
import { stringify } from "yaml";
import type { NodeSpec } from "../../stacks/spec";
import type { ClusterContext } from "../context";
import type { ControlPlane } from "../kubeadm";
import { sshConnection } from "../remote/connection";
import { renderEnvPrefix } from "../remote/env";
import { remoteStep } from "../remote/step";
import { PINNED_CHARTS, VSPHERE_CSI_RELEASE } from "./charts";
import { METALLB_NAMESPACE } from "./metallb/values";
import {
  addonManifests,
  addonReleases,
  chartSource,
  gatewayApiCrdsLocation,
  kubeletClusterDns,
  kubeletClusterDnsFollowsCache,
  nfsServerEnvOf,
  VELERO_CREDENTIALS_SECRET,
  VELERO_NAMESPACE,
  VSPHERE_CPI_CREDENTIALS_SECRET,
  vsphereCsiConfigParamsOf,
  type Manifest,
  type ReleaseName,
  type ReleasePlan,
} from "./plan";
import { etcdSnapshotCredentials } from "./etcd-snapshots/credentials";
import { vsphereCpiCredentialsData } from "./vsphere-cpi/values";
import { vsphereCsiConfig, vsphereCsiConfigSecret } from "./vsphere-csi/config";
import { kubeletDnsSync } from "./nodelocaldns/kubelet-dns";
import { rewriteImages, vsphereCsiManifestLocation } from "./vsphere-csi/manifest";

export interface Addons {
  /** Completes when every add-on is installed (acceptance checks wait for it). */
  ready: pulumi.Resource[];
}

export const SCRIPTS = {
  nfsServer: path.join(__dirname, "nfs", "server.sh"),
  metallbWebhookGate: path.join(__dirname, "gates", "metallb-webhook.sh"),
  calicoReadyGate: path.join(__dirname, "gates", "calico-ready.sh"),
};

/** Admin kubeconfig kubeadm writes on every control plane; gates run kubectl there. */
const CONTROL_PLANE_KUBECONFIG = "/etc/kubernetes/admin.conf";
/** Helm waits this long for a release's workloads (seconds). */
const RELEASE_TIMEOUT_SECONDS = 900;

/** The remote command line: quoted environment, then the script on stdin as root. */
export function scriptCommandLine(env: Record<string, string>): string {
  return `${renderEnvPrefix(env)}sudo -n -E bash -s`;
}

export class AddonsComponent extends pulumi.ComponentResource {
  readonly ready: pulumi.Resource[];

  constructor(name: string, ctx: ClusterContext, controlPlane: ControlPlane, opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:addons:Addons", name, {}, opts);
    const { spec } = ctx;
    const provider = new k8s.Provider(`${name}-cluster`, { kubeconfig: controlPlane.kubeconfig }, { parent: this });
    const on = (dependsOn: pulumi.Resource[]): pulumi.CustomResourceOptions => ({ parent: this, provider, dependsOn });

    const releasePlans = new Map<ReleaseName, ReleasePlan>(addonReleases(spec).map((r) => [r.name, r]));
    const manifests = addonManifests(spec);
    const releases: pulumi.Resource[] = [];

    const release = (planName: ReleaseName, dependsOn: pulumi.Resource[]): k8s.helm.v3.Release | undefined => {
      const plan = releasePlans.get(planName);
      if (!plan) return undefined;
      const source = chartSource(plan.chart, spec.registries.chartRepository);
      ctx.artifacts.add("helm-values", `addons/${plan.name}.values.yaml`, stringify(plan.values));
      const r = new k8s.helm.v3.Release(
        plan.name,
        {
          name: plan.name,
          chart: source.chart,
          version: source.version,
          repositoryOpts: source.repo ? { repo: source.repo } : undefined,
          namespace: plan.namespace,
          createNamespace: true,
          values: plan.values,
          // Wait for the workloads (and hooks' Jobs), roll back a failed install.
          skipAwait: false,
          waitForJobs: true,
          atomic: true,
          timeout: RELEASE_TIMEOUT_SECONDS,
        },
        on(dependsOn),
      );
      releases.push(r);
      return r;
    };

    const manifestGroup = (file: string, dependsOn: pulumi.Resource[]): k8s.yaml.v2.ConfigGroup | undefined => {
      const objs = manifests[file];
      if (!objs) return undefined;
      ctx.artifacts.add("manifest", `addons/${file}.yaml`, toYaml(objs));
      return new k8s.yaml.v2.ConfigGroup(file, { objs, skipAwait: false }, on(dependsOn));
    };

    // Same bounded dial retries as every other SSH step (remote/connection.ts).
    const connectionTo = (node: NodeSpec) => sshConnection(node, spec.ssh.user, spec.ssh.port, ctx.secrets.sshPrivateKey);
    const connection = connectionTo(spec.controlPlanes[0]);
    const gate = (gateName: string, script: string, env: Record<string, string>, dependsOn: pulumi.Resource[]): remote.Command =>
      remoteStep(
        gateName,
        { connection, create: scriptCommandLine(env), stdin: fs.readFileSync(script, "utf8"), triggers: dependsOn.map((d) => pulumi.output(d.urn)) },
        { parent: this, dependsOn },
      );

    const apiReady = controlPlane.apiReady;

    // CNI: the only thing that runs before pod networking exists.
    const cni: pulumi.Resource[] = [];
    const cilium = release("cilium", apiReady);
    if (cilium) cni.push(cilium);
    const tigera = release("tigera-operator", apiReady);
    if (tigera) {
      const calicoReady = gate("calico-ready", SCRIPTS.calicoReadyGate, { KUBECONFIG: CONTROL_PLANE_KUBECONFIG, GATE_TIMEOUT_SECONDS: "900" }, [tigera]);
      cni.push(calicoReady);
      const felix = manifests["calico-felixconfiguration"]?.[0];
      if (felix) {
        ctx.artifacts.add("manifest", "addons/calico-felixconfiguration.yaml", toYaml([felix]));
        // A patch of the object the operator owns (server-side apply, forced for our one field).
        const meta = felix.metadata as Record<string, unknown>;
        cni.push(
          new k8s.apiextensions.CustomResourcePatch(
            "calico-felixconfiguration",
            {
              apiVersion: felix.apiVersion as string,
              kind: felix.kind as string,
              metadata: { ...meta, annotations: { "pulumi.com/patchForce": "true" } },
              spec: felix.spec,
            } as k8s.apiextensions.CustomResourcePatchArgs,
            on([calicoReady]),
          ),
        );
      }
    }

    // vSphere CPI sets providerIDs; kubelets with --cloud-provider=external stay tainted until it runs.
    const base: pulumi.Resource[] = [...cni];
    if (releasePlans.has("vsphere-cpi")) {
      const password = requireSecret(ctx.secrets.vspherePassword, "vspherePassword", "vSphere CPI and CSI");
      const vsphere = spec.platform.vsphere!;
      const cpiSecret = new k8s.core.v1.Secret(
        "vsphere-cpi-credentials",
        {
          metadata: { name: VSPHERE_CPI_CREDENTIALS_SECRET, namespace: "kube-system" },
          stringData: pulumi.secret(password.apply((p) => vsphereCpiCredentialsData(vsphere.server, vsphere.user, p))),
        },
        on(apiReady),
      );
      // Its release line follows the Kubernetes minor: during an upgrade, after the control planes'.
      const afterUpgrade = PINNED_CHARTS["vsphere-cpi"].followsKubernetesMinor ? controlPlane.controlPlaneUpgraded : [];
      base.push(release("vsphere-cpi", [cpiSecret, ...afterUpgrade])!);
    }
    const afterBase = [...base, ...controlPlane.schedulable];

    // MetalLB: release, then a gate proving the webhook serves, then the custom resources.
    let lbPools: pulumi.Resource[] = [];
    const metallb = release("metallb", afterBase);
    if (metallb) {
      const webhookReady = gate(
        "metallb-webhook-ready",
        SCRIPTS.metallbWebhookGate,
        { KUBECONFIG: CONTROL_PLANE_KUBECONFIG, METALLB_NAMESPACE, GATE_ATTEMPTS: "60", GATE_DELAY_SECONDS: "5" },
        [metallb],
      );
      lbPools = [manifestGroup("metallb-config", [webhookReady])!];
    }
    release("ingress-nginx", [...afterBase, ...lbPools]);
    // Traefik watches the Gateway API from its start, so the CRDs come first; the class and the
    // Gateway follow the controller that accepts them.
    let ingressGateway: pulumi.Resource | undefined;
    if (releasePlans.has("traefik")) {
      const gatewayApiCrds = new k8s.yaml.v2.ConfigFile("gateway-api-crds", { file: gatewayApiCrdsLocation(spec), skipAwait: false }, on(afterBase));
      ingressGateway = manifestGroup("ingress-gateway", [release("traefik", [...afterBase, ...lbPools, gatewayApiCrds])!]);
    }

    // Storage: the default StorageClass exists before anything that claims volumes.
    const storage: pulumi.Resource[] = [];
    if (spec.addons.storage.type === "vsphere-csi") {
      const password = requireSecret(ctx.secrets.vspherePassword, "vspherePassword", "vSphere CSI");
      const namespace = manifestGroup("vsphere-csi-namespace", afterBase)!;
      const configSecret = password.apply((p) => vsphereCsiConfigSecret(vsphereCsiConfig({ ...vsphereCsiConfigParamsOf(spec), password: p })));
      const csiSecret = new k8s.core.v1.Secret(
        "vsphere-csi-config",
        {
          metadata: { name: VSPHERE_CSI_RELEASE.configSecretName, namespace: VSPHERE_CSI_RELEASE.namespace },
          stringData: pulumi.secret(configSecret.apply((s) => s.stringData as Record<string, string>)),
        },
        on([namespace]),
      );
      const registry = spec.registries.imageRegistry;
      const driver = new k8s.yaml.v2.ConfigFile(
        "vsphere-csi-driver",
        { file: vsphereCsiManifestLocation(spec), skipAwait: false },
        {
          // Its controller is pinned to control planes and spread one per host: it waits for all of them.
          ...on([csiSecret, ...controlPlane.allJoined]),
          // An offline site pulls the driver's images from its mirror.
          transforms: registry ? [rewriteImages(registry)] : undefined,
        },
      );
      storage.push(manifestGroup("vsphere-csi-storageclass", [driver])!);
    } else if (spec.addons.storage.type === "nfs") {
      const serverEnv = nfsServerEnvOf(spec);
      const deps = [...afterBase];
      if (serverEnv) {
        const node = spec.nodes.find((n) => n.name === spec.addons.storage.nfs?.serverNode)!;
        ctx.artifacts.add("script", "addons/nfs-server.env", renderEnvPrefix(serverEnv).replace(/; /g, "\n"));
        deps.push(
          remoteStep(
            "nfs-server",
            {
              connection: connectionTo(node),
              create: scriptCommandLine(serverEnv),
              stdin: fs.readFileSync(SCRIPTS.nfsServer, "utf8"),
              triggers: [scriptCommandLine(serverEnv), fs.readFileSync(SCRIPTS.nfsServer, "utf8")],
            },
            // Its own node in the cluster is all it needs (the server is the host's).
            { parent: this, dependsOn: [controlPlane.nodeJoined.get(node.name) ?? controlPlane.apiReady[0]] },
          ),
        );
      }
      // The chart creates the StorageClass with the provisioner.
      storage.push(release("nfs-subdir-external-provisioner", deps)!);
    }

    // metrics-server verifies kubelets whose serving certificates the approver signs off.
    const approver = release("kubelet-csr-approver", afterBase);
    release("metrics-server", approver ? [...afterBase, approver] : afterBase);

    const dnsCache = manifestGroup("nodelocaldns", afterBase);
    // Where kubelet's DNS address follows the cache switch, running nodes follow it too; on the
    // way back the rewrite happens before Pulumi deletes the cache (deletes come last).
    const kubeletDns = kubeletClusterDnsFollowsCache(spec)
      ? kubeletDnsSync(
          {
            clusterDns: kubeletClusterDns(spec),
            sshUser: spec.ssh.user,
            nodes: spec.nodes,
            controlPlane: spec.controlPlanes[0],
            connectionTo,
            dependsOn: [...controlPlane.apiReady, ...(dnsCache ? [dnsCache] : [])],
            nodeJoined: controlPlane.nodeJoined,
            artifacts: ctx.artifacts,
          },
          this,
        )
      : [];

    if (releasePlans.has("velero")) {
      const credentials = requireSecret(ctx.secrets.veleroS3Credentials, "veleroS3Credentials", "Velero");
      const ns = new k8s.core.v1.Namespace("velero", { metadata: { name: VELERO_NAMESPACE } }, on(afterBase));
      const secret = new k8s.core.v1.Secret(
        "velero-s3-credentials",
        { metadata: { name: VELERO_CREDENTIALS_SECRET, namespace: VELERO_NAMESPACE }, stringData: { cloud: pulumi.secret(credentials) } },
        on([ns]),
      );
      release("velero", [...afterBase, ...storage, secret]);
    }

    // The S3 credentials Secret comes before the CronJob whose Pods read it.
    const snapshotCredentials = manifests["etcd-snapshots"] ? etcdSnapshotCredentials(spec, ctx.secrets, on(apiReady)) : [];
    const snapshots = manifestGroup("etcd-snapshots", [...apiReady, ...snapshotCredentials]);

    this.ready = [...releases, ...lbPools, ...(ingressGateway ? [ingressGateway] : []), ...storage, ...(dnsCache ? [dnsCache] : []), ...kubeletDns, ...(snapshots ? [snapshots] : [])];
    this.registerOutputs({});
  }
}

function requireSecret(value: pulumi.Output<string> | undefined, key: string, forWhat: string): pulumi.Output<string> {
  if (!value) throw new Error(`${forWhat} needs the secret \`${key}\` (pulumi config set --secret ${key} ...)`);
  return value;
}

function toYaml(docs: Manifest[]): string {
  return docs.map((d) => `---\n${stringify(d)}`).join("");
}

export function installAddons(ctx: ClusterContext, controlPlane: ControlPlane, opts: pulumi.ComponentResourceOptions): Addons {
  const component = new AddonsComponent(`${ctx.spec.name}-addons`, ctx, controlPlane, opts);
  return { ready: component.ready };
}
