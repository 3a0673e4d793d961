// Control-plane layer: PKI, API endpoint, kubeadm init, serial control-plane joins, parallel
// worker joins, and removal. Contract used by components/cluster.ts.
//
//   <cp>-pki ─▶ <cp>-endpoint ─▶ <cp1>-init ─▶ <cp2>-join ─▶ <cp3>-join ...   (one at a time)
//                                     └────────▶ <worker>-join (each: init + endpoint steps + own prep)
//
// Each init/join command's `delete` removes the node (drain, delete Node, etcd member, reset)
// before its machine goes. Control-plane removals are checked against the stack's previous
// membership (membership.ts) before anything changes.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { remote } from "@pulumi/command";
import type { ClusterContext } from "../context";
import type { PreparedNode } from "../node";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import { kubeletClusterDns, kubeletServerTlsBootstrap } from "../addons/plan";
import { buildEndpointSteps } from "../endpoint";
import { renderKubeadmInitConfig, renderKubeadmJoinConfig, type KubeadmNodeParams } from "./config";
import { createClusterPki, pkiSecretEnv } from "./cluster-pki";
import { renderAdminKubeconfig } from "./kubeconfig";
import { assertControlPlaneRemovalSafe, previousControlPlanes } from "./membership";
import { BOOTSTRAP_TOKEN_ID_LENGTH, BOOTSTRAP_TOKEN_SECRET_LENGTH, formatBootstrapToken } from "./pki";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import { remoteCommandLine } from "../node/bundle";
import { STEP_BUNDLES, scriptStep, stepBundle, type StepScript } from "./steps";

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in kubeadm:cluster-admins), a secret. */
  kubeconfig: pulumi.Output<string>;
  /** Completes when the API answers through its endpoint (after init). */
  apiReady: pulumi.Resource[];
  /** Completes when every node has joined. */
  allJoined: pulumi.Resource[];
}

/** Lifetime a join gives the bootstrap token when it (re)creates it. */
export const BOOTSTRAP_TOKEN_TTL_SECONDS = 2 * 60 * 60;

/** The program's own stack, whose previous outputs tell which control planes exist now. */
export function selfStackName(): string {
  let organization = "organization"; // the DIY backends' organization name; mocks set none
  try {
    organization = pulumi.getOrganization();
  } catch {
    /* keep the default */
  }
  return `${organization}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

export function kubeadmNodeParams(node: NodeSpec): KubeadmNodeParams {
  return {
    name: node.name,
    address: node.address,
    // Workers carry their pool's taints; control planes keep kubeadm's default taint.
    ...(node.role === "worker" ? { taints: node.taints } : {}),
  };
}

export function initConfigOf(spec: ClusterSpec): string {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  return renderKubeadmInitConfig({
    kubernetesVersion: spec.kubernetes.version,
    clusterName: spec.name,
    controlPlaneEndpoint: { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port },
    vip: spec.apiEndpoint.vip,
    vipDnsName: spec.apiEndpoint.dnsName,
    controlPlaneAddresses: spec.controlPlanes.map((node) => node.address),
    node: kubeadmNodeParams(first),
    networking: { podSubnet: spec.kubernetes.podCidr, serviceSubnet: spec.kubernetes.serviceCidr, dnsDomain: spec.kubernetes.clusterDomain },
    imageRepository: spec.kubernetes.imageRepository,
    kubeProxy: spec.kubeProxyEnabled ? { enabled: true } : { enabled: false },
    kubelet: { serverTLSBootstrap: kubeletServerTlsBootstrap(spec), clusterDNS: [kubeletClusterDns(spec)] },
  });
}

export function joinConfigOf(spec: ClusterSpec, node: NodeSpec, discoveryHash: string): string {
  return renderKubeadmJoinConfig({
    kubernetesVersion: spec.kubernetes.version,
    apiServerEndpoint: { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port },
    caCertHashes: [discoveryHash],
    node: kubeadmNodeParams(node),
    ...(node.role === "control-plane" ? { controlPlane: {} } : {}),
  });
}

/** Labels the API must set after a join (kubelets may not set node-role.kubernetes.io/* themselves). */
export function nodeLabelsParam(node: NodeSpec): string {
  return Object.entries(node.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

export class KubeadmControlPlane extends pulumi.ComponentResource {
  readonly kubeconfig: pulumi.Output<string>;
  readonly init: remote.Command;
  readonly controlPlaneJoins: remote.Command[];
  readonly workerJoins: remote.Command[];

  constructor(name: string, ctx: ClusterContext, nodes: PreparedNode[], opts?: pulumi.ComponentResourceOptions) {
    super("onprem-k8s:kubeadm:ControlPlane", name, {}, opts);
    const { spec, artifacts } = ctx;
    const parent = this;
    const byName = new Map(nodes.map((node) => [node.machine.node.name, node]));
    const prepared = (node: NodeSpec): PreparedNode => {
      const found = byName.get(node.name);
      if (!found) throw new Error(`node ${node.name} has no prepared machine`);
      return found;
    };
    const controlPlanes = spec.controlPlanes.map(prepared);
    const workers = spec.workers.map(prepared);
    const [first, ...otherControlPlanes] = controlPlanes;
    if (!first) throw new Error("a cluster needs at least one control plane");

    // Refuse unsafe control-plane removals before any step runs: every remote step waits for this.
    const previous = new pulumi.StackReference(`${spec.name}-previous-state`, { name: selfStackName() }, { parent });
    const membershipChecked = previous.getOutput("nodes").apply((nodesOutput) => {
      assertControlPlaneRemovalSafe(previousControlPlanes(nodesOutput), spec.controlPlanes.map((node) => node.name));
      return true;
    });
    const gated = (resources: pulumi.Input<pulumi.Resource>[]) => membershipChecked.apply(() => resources);

    // The bundles once (scripts/control-plane/<script>.sh); parameters per node in nodes/<node>/.
    for (const script of Object.keys(STEP_BUNDLES) as StepScript[]) artifacts.add("script", `scripts/control-plane/${script}.sh`, stepBundle(script));

    const pki = createClusterPki(spec.name, parent, spec.protect);
    const endpointUrl = { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port };
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([pki.ca.certPem, pki.adminCertPem, pki.adminKeyPem])
        .apply(([caCertPem, clientCertPem, clientKeyPem]) => renderAdminKubeconfig({ clusterName: spec.name, server: endpointUrl, caCertPem, clientCertPem, clientKeyPem })),
    );

    const tokenPart = (suffix: string, length: number) =>
      new random.RandomString(`${spec.name}-bootstrap-token-${suffix}`, { length, special: false, upper: false, lower: true, numeric: true }, { parent, additionalSecretOutputs: ["result"] });
    const tokenId = tokenPart("id", BOOTSTRAP_TOKEN_ID_LENGTH);
    const tokenSecret = tokenPart("secret", BOOTSTRAP_TOKEN_SECRET_LENGTH);
    const bootstrapToken = pulumi.secret(pulumi.all([tokenId.result, tokenSecret.result]).apply(([id, secret]) => formatBootstrapToken({ id, secret })));

    const common = {
      API_ENDPOINT_HOST: spec.apiEndpoint.host,
      API_ENDPOINT_PORT: String(spec.apiEndpoint.port),
      CONTROL_PLANE_ADDRESSES: spec.controlPlanes.map((node) => node.address).join(","),
      RESET_STALE_STATE: String(spec.kubeadm.resetStaleState),
    };
    const commandLine = remoteCommandLine(spec.ssh.user);
    const removal = { KUBEADM_ACTION: "delete", DRAIN_POLICY: spec.profile === "prod" ? "strict" : "best-effort" };

    // PKI on every control plane (also the stale-state guard), then the endpoint step.
    const pkiSteps = new Map(
      controlPlanes.map((node) => {
        const nodeName = node.machine.node.name;
        const step = scriptStep(
          `${nodeName}-pki`,
          {
            node,
            script: "pki",
            commandLine,
            env: { NODE_NAME: nodeName, RESET_STALE_STATE: common.RESET_STALE_STATE },
            secretEnv: pkiSecretEnv(pki),
            dependsOn: gated(node.ready),
            artifacts,
            artifactPath: `nodes/${nodeName}/pki.env`,
          },
          { parent },
        );
        return [nodeName, step] as const;
      }),
    );
    const endpoint = buildEndpointSteps({
      ctx,
      controlPlanes,
      dependsOn: (node) => gated([...node.ready, pkiSteps.get(node.machine.node.name)!]),
      parent,
    });
    const endpointSteps = [...endpoint.steps.values()];
    const stepsBefore = (node: PreparedNode): pulumi.Resource[] => {
      const nodeName = node.machine.node.name;
      return [...node.ready, ...[pkiSteps.get(nodeName), endpoint.steps.get(nodeName)].filter((r): r is remote.Command => r !== undefined)];
    };

    // kubeadm init on the first control plane.
    const firstName = first.machine.node.name;
    const initConfig = initConfigOf(spec);
    artifacts.add("kubeadm-config", `kubeadm/${firstName}.yaml`, initConfig);
    const firstEndpoint = endpoint.configs.find((c) => c.node === firstName);
    this.init = scriptStep(
      `${firstName}-init`,
      {
        node: first,
        script: "init",
        commandLine,
        env: {
          NODE_NAME: firstName,
          NODE_ADDRESS: first.machine.node.address,
          ENDPOINT_MODE: spec.apiEndpoint.mode,
          ...common,
          KUBEADM_CONFIG: initConfig,
          // kube-vip back on admin.conf once init has finished (only where init used super-admin.conf).
          ...(firstEndpoint?.kubeVipInit && firstEndpoint.kubeVip ? { KUBE_VIP_MANIFEST: firstEndpoint.kubeVip } : {}),
        },
        secretEnv: { [KUBEADM_TOKEN_ENV]: bootstrapToken, ADMIN_KUBECONFIG: this.kubeconfig },
        deleteEnv: { ...removal, REMOVE_MODE: "last" },
        dependsOn: gated(stepsBefore(first)),
        artifacts,
        artifactPath: `nodes/${firstName}/kubeadm-init.env`,
      },
      { parent },
    );

    const join = (node: PreparedNode, extraEnv: Record<string, string>, dependsOn: pulumi.Resource[]) => {
      const spec_ = node.machine.node;
      const config = pki.discoveryHash.apply((hash) => joinConfigOf(spec, spec_, hash));
      artifacts.add("kubeadm-config", `kubeadm/${spec_.name}.yaml`, config);
      return scriptStep(
        `${spec_.name}-join`,
        {
          node,
          script: "join",
          commandLine,
          env: {
            NODE_NAME: spec_.name,
            NODE_ADDRESS: spec_.address,
            JOIN_ROLE: spec_.role,
            ...common,
            ...extraEnv,
            KUBEADM_CONFIG: config,
            BOOTSTRAP_TOKEN_TTL_SECONDS: String(BOOTSTRAP_TOKEN_TTL_SECONDS),
            ...(Object.keys(spec_.labels).length > 0 ? { NODE_LABELS: nodeLabelsParam(spec_) } : {}),
          },
          secretEnv: { [KUBEADM_TOKEN_ENV]: bootstrapToken, ADMIN_KUBECONFIG: this.kubeconfig },
          deleteEnv: removal,
          dependsOn: gated(dependsOn),
          artifacts,
          artifactPath: `nodes/${spec_.name}/kubeadm-join.env`,
        },
        { parent },
      );
    };

    // Control planes one at a time: each waits for the previous one (its join resource, and in
    // the script its apiserver and etcd member being healthy).
    this.controlPlaneJoins = [];
    let previousStep: remote.Command = this.init;
    let previousNode = first.machine.node;
    for (const node of otherControlPlanes) {
      const step = join(node, { PREVIOUS_CONTROL_PLANE: previousNode.name, PREVIOUS_CONTROL_PLANE_ADDRESS: previousNode.address }, [previousStep, ...stepsBefore(node)]);
      this.controlPlaneJoins.push(step);
      previousStep = step;
      previousNode = node.machine.node;
    }

    // Workers in parallel: init, the endpoint and their own preparation only.
    this.workerJoins = workers.map((node) => join(node, {}, [this.init, ...endpointSteps, ...node.ready]));

    this.registerOutputs({ kubeconfig: this.kubeconfig, controlPlanes: spec.controlPlanes.map((node) => node.name) });
  }
}

export function buildControlPlane(ctx: ClusterContext, nodes: PreparedNode[], opts: pulumi.ComponentResourceOptions): ControlPlane {
  const controlPlane = new KubeadmControlPlane(`${ctx.spec.name}-control-plane`, ctx, nodes, opts);
  return {
    kubeconfig: controlPlane.kubeconfig,
    apiReady: [controlPlane.init],
    allJoined: [controlPlane.init, ...controlPlane.controlPlaneJoins, ...controlPlane.workerJoins],
  };
}
