// Control-plane layer: PKI, API endpoint, kubeadm init, serial control-plane joins, parallel
// worker joins, and removal. Contract used by components/cluster.ts.
//
//   <cp>-pki ─▶ <cp>-endpoint ─▶ <cp1>-init ─▶ <cp2>-token ─▶ <cp2>-join ─▶ <cp3>-token ─▶ <cp3>-join ...
//                                     │                           └▶ <cp2>-membership     └▶ <cp3>-membership
//                                     └▶ <worker>-token ─▶ <worker>-join ─▶ <worker>-membership
//                                        (each worker: init + endpoint steps + own token + own prep)
//
// Only control planes act with admin rights: <node>-token (bootstrap token valid) and
// <node>-membership (labels/taints; on delete: drain, delete the Node, remove the etcd member by
// name) run on the FIRST control plane with its admin.conf; <node>-join runs on the node with
// the bootstrap token only, and its delete is `kubeadm reset`. Pulumi deletes dependents first:
// membership (on the first control plane), then the node's reset, then its machine. The first
// control plane has neither step: its token is InitConfiguration's, and its removal is the
// cluster's (init's delete resets it; the membership guard refuses removing it otherwise).
// Control-plane removals are checked against the stack's previous membership (membership.ts)
// before anything changes.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { remote } from "@pulumi/command";
import type { ClusterContext } from "../context";
import type { PreparedNode } from "../node";
import type { ClusterSpec, NodeSpec } from "../../stacks/spec";
import { kubeletClusterDns, kubeletServerTlsBootstrap, kubeletUsesExternalCloudProvider } from "./kubelet";
import { buildEndpointSteps } from "../endpoint";
import { DEFAULT_API_SERVER_BIND_PORT, renderKubeadmInitConfig, renderKubeadmJoinConfig, type KubeadmNodeParams } from "./config";
import { createClusterPki, pkiSecretEnv } from "./cluster-pki";
import { renderAdminKubeconfig, renderDiscoveryKubeconfig } from "./kubeconfig";
import { assertControlPlaneRemovalSafe, previousControlPlanes } from "./membership";
import { BOOTSTRAP_TOKEN_ID_LENGTH, BOOTSTRAP_TOKEN_SECRET_LENGTH, formatBootstrapToken } from "./pki";
import { KUBEADM_TOKEN_ENV } from "./placeholders";
import { addEndpointBundleArtifacts } from "../endpoint/bundles";
import { nodeStep } from "../node/steps";
import { remoteCommandLine } from "../remote/command-line";
import { addKubeadmBundleArtifacts, kubeadmBundle } from "./bundles";

export interface ControlPlane {
  /** Admin kubeconfig (client certificate in kubeadm:cluster-admins), a secret. */
  kubeconfig: pulumi.Output<string>;
  /** Completes when the API answers through its endpoint (after init). */
  apiReady: pulumi.Resource[];
  /** Completes when every node has joined. */
  allJoined: pulumi.Resource[];
  /** Per node name: completes when that node is in the cluster (joined, labelled and tainted). */
  nodeJoined: ReadonlyMap<string, pulumi.Resource>;
}

/** Lifetime a token step gives the bootstrap token when it (re)creates it. */
export const BOOTSTRAP_TOKEN_TTL_SECONDS = 2 * 60 * 60;

/**
 * Refuses unsafe control-plane removals (membership.ts) before anything is created: reads the
 * previous `nodes` output of this very stack and throws when the description would remove every
 * control plane, fall below quorum in one update, or change the first control plane. The program
 * awaits it before building the Cluster, so a refusal leaves everything as it was.
 */
export async function refuseUnsafeControlPlaneRemoval(spec: ClusterSpec): Promise<void> {
  const previous = new pulumi.StackReference(`${spec.name}-previous-state`, { name: selfStackName() });
  const nodes: unknown = await previous.getOutputValue("nodes");
  try {
    assertControlPlaneRemovalSafe(previousControlPlanes(nodes), spec.controlPlanes.map((node) => node.name));
  } catch (error) {
    throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
  }
}

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

/** Where a join that falls back writes its discovery file (removed again when the join ends). */
export const DISCOVERY_FALLBACK_KUBECONFIG_PATH = "/run/onprem-k8s-discovery-fallback.conf";

/** Kubelet flags every node gets: `cloud-provider: external` when an out-of-tree CPI runs. */
export function kubeletExtraArgsOf(spec: ClusterSpec): Record<string, string> | undefined {
  return kubeletUsesExternalCloudProvider(spec) ? { "cloud-provider": "external" } : undefined;
}

export function kubeadmNodeParams(spec: ClusterSpec, node: NodeSpec): KubeadmNodeParams {
  const kubeletExtraArgs = kubeletExtraArgsOf(spec);
  return {
    name: node.name,
    address: node.address,
    // Workers carry their pool's taints; control planes keep kubeadm's default taint.
    ...(node.role === "worker" ? { taints: node.taints } : {}),
    ...(kubeletExtraArgs ? { kubeletExtraArgs } : {}),
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
    node: kubeadmNodeParams(spec, first),
    networking: { podSubnet: spec.kubernetes.podCidr, serviceSubnet: spec.kubernetes.serviceCidr, dnsDomain: spec.kubernetes.clusterDomain },
    imageRepository: spec.kubernetes.imageRepository,
    kubeProxy: spec.kubeProxyEnabled ? { enabled: true } : { enabled: false },
    kubelet: { serverTLSBootstrap: kubeletServerTlsBootstrap(spec), clusterDNS: [kubeletClusterDns(spec)] },
  });
}

/** The JoinConfiguration through the API endpoint, or with `discoveryFile` the fallback's. */
export function joinConfigOf(spec: ClusterSpec, node: NodeSpec, discoveryHash: string, discoveryFile?: string): string {
  return renderKubeadmJoinConfig({
    kubernetesVersion: spec.kubernetes.version,
    apiServerEndpoint: { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port },
    caCertHashes: [discoveryHash],
    node: kubeadmNodeParams(spec, node),
    ...(discoveryFile !== undefined ? { discoveryFile } : {}),
    ...(node.role === "control-plane" ? { controlPlane: {} } : {}),
  });
}

/**
 * Both ways a node can join (seed 000, T-039), as join.sh's parameters: through the API endpoint
 * (KUBEADM_CONFIG), or, when the endpoint does not answer from the node but the first control
 * plane's apiserver does, through that apiserver (KUBEADM_CONFIG_FALLBACK with file discovery of
 * DISCOVERY_KUBECONFIG). controlPlaneEndpoint stays the endpoint in the cluster's configuration;
 * only the server this join talks to changes. Public (the token stays a placeholder).
 */
export function joinParametersOf(spec: ClusterSpec, node: NodeSpec, discoveryHash: string, caCertPem: string): Record<string, string> {
  const first = spec.controlPlanes[0];
  if (!first) throw new Error("a cluster needs at least one control plane");
  if (node.name === first.name) throw new Error(`${node.name} is the first control plane: it runs kubeadm init, not join`);
  return {
    KUBEADM_CONFIG: joinConfigOf(spec, node, discoveryHash),
    FALLBACK_API_HOST: first.address,
    KUBEADM_CONFIG_FALLBACK: joinConfigOf(spec, node, discoveryHash, DISCOVERY_FALLBACK_KUBECONFIG_PATH),
    DISCOVERY_KUBECONFIG: renderDiscoveryKubeconfig({ clusterName: spec.name, server: { host: first.address, port: DEFAULT_API_SERVER_BIND_PORT }, caCertPem }),
    DISCOVERY_KUBECONFIG_PATH: DISCOVERY_FALLBACK_KUBECONFIG_PATH,
  };
}

/** Labels the API must set after a join (kubelets may not set node-role.kubernetes.io/* themselves). */
export function nodeLabelsParam(node: NodeSpec): string {
  return Object.entries(node.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

/** Taints as `kubectl taint` takes them, one `key[=value]:effect` a line. */
export function nodeTaintsParam(node: NodeSpec): string {
  return node.taints.map((taint) => `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ""}:${taint.effect}`).join("\n");
}

export class KubeadmControlPlane extends pulumi.ComponentResource {
  readonly kubeconfig: pulumi.Output<string>;
  readonly init: remote.Command;
  readonly controlPlaneJoins: remote.Command[];
  readonly workerJoins: remote.Command[];
  /** Per joining node (not the first control plane), on the first control plane. */
  readonly tokenSteps: remote.Command[] = [];
  readonly membershipSteps: remote.Command[] = [];
  /** Node name -> the step after which the node is in the cluster (init for the first). */
  readonly nodeJoined = new Map<string, pulumi.Resource>();
  /** The workers' membership steps: their labels and taints are in place once these are done. */
  readonly workerMemberships: remote.Command[] = [];

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

    // The bundles once (scripts/control-plane/<script>.sh); parameters per node in nodes/<node>/.
    addKubeadmBundleArtifacts(artifacts);
    addEndpointBundleArtifacts(artifacts);

    const pki = createClusterPki(spec.name, parent, spec.protect);
    const endpointUrl = { host: spec.apiEndpoint.host, port: spec.apiEndpoint.port };
    // The operator's (and the add-ons' provider's) credential: it stays in Pulumi, no node gets it.
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
    const reset = { KUBEADM_ACTION: "delete" };
    const removal = { KUBEADM_ACTION: "delete", DRAIN_POLICY: spec.profile === "prod" ? "strict" : "best-effort" };

    // PKI on every control plane (also the stale-state guard), then the endpoint step.
    const pkiSteps = new Map(
      controlPlanes.map((node) => {
        const nodeName = node.machine.node.name;
        const step = nodeStep(
          `${nodeName}-pki`,
          {
            node,
            bundle: kubeadmBundle("pki"),
            commandLine,
            env: { NODE_NAME: nodeName, RESET_STALE_STATE: common.RESET_STALE_STATE },
            secretEnv: pkiSecretEnv(pki),
            dependsOn: node.ready,
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
      dependsOn: (node) => [...node.ready, pkiSteps.get(node.machine.node.name)!],
      parent,
    });
    const endpointSteps = [...endpoint.steps.values()];
    const stepsBefore = (node: PreparedNode): pulumi.Resource[] => {
      const nodeName = node.machine.node.name;
      return [...node.ready, ...[pkiSteps.get(nodeName), endpoint.steps.get(nodeName)].filter((r): r is remote.Command => r !== undefined)];
    };

    // kubeadm init on the first control plane.
    const firstName = first.machine.node.name;
    const firstAddress = first.machine.node.address;
    const initConfig = initConfigOf(spec);
    artifacts.add("kubeadm-config", `kubeadm/${firstName}.yaml`, initConfig);
    const firstEndpoint = endpoint.configs.find((c) => c.node === firstName);
    this.init = nodeStep(
      `${firstName}-init`,
      {
        node: first,
        bundle: kubeadmBundle("init"),
        commandLine,
        env: {
          NODE_NAME: firstName,
          NODE_ADDRESS: firstAddress,
          ENDPOINT_MODE: spec.apiEndpoint.mode,
          ...common,
          KUBEADM_CONFIG: initConfig,
          // kube-vip back on admin.conf once init has finished (only where init used super-admin.conf).
          ...(firstEndpoint?.kubeVipInit && firstEndpoint.kubeVip ? { KUBE_VIP_MANIFEST: firstEndpoint.kubeVip } : {}),
        },
        secretEnv: { [KUBEADM_TOKEN_ENV]: bootstrapToken },
        // The first control plane goes only with the cluster: its delete resets it, nothing more.
        deleteEnv: reset,
        dependsOn: stepsBefore(first),
        artifacts,
        artifactPath: `nodes/${firstName}/kubeadm-init.env`,
      },
      { parent },
    );
    this.nodeJoined.set(firstName, this.init);
    const onFirst = { HOST_NAME: firstName, HOST_ADDRESS: firstAddress };

    // On the first control plane, before the node joins: the bootstrap token is valid.
    const tokenStep = (node: PreparedNode, dependsOn: pulumi.Resource[]) => {
      const nodeName = node.machine.node.name;
      const step = nodeStep(
        `${nodeName}-token`,
        {
          node,
          runOn: first,
          bundle: kubeadmBundle("token"),
          commandLine,
          env: { NODE_NAME: nodeName, ...onFirst, BOOTSTRAP_TOKEN_TTL_SECONDS: String(BOOTSTRAP_TOKEN_TTL_SECONDS) },
          secretEnv: { [KUBEADM_TOKEN_ENV]: bootstrapToken },
          dependsOn: dependsOn,
          artifacts,
          artifactPath: `nodes/${nodeName}/kubeadm-token.env`,
        },
        { parent },
      );
      this.tokenSteps.push(step);
      return step;
    };

    // On the node itself: kubeadm join with the bootstrap token only; its delete is kubeadm reset.
    const join = (node: PreparedNode, extraEnv: Record<string, string>, dependsOn: pulumi.Resource[]) => {
      const nodeSpec = node.machine.node;
      const parameters = pulumi.all([pki.discoveryHash, pki.ca.certPem]).apply(([hash, caCertPem]) => joinParametersOf(spec, nodeSpec, hash, caCertPem));
      artifacts.add("kubeadm-config", `kubeadm/${nodeSpec.name}.yaml`, parameters.apply((p) => p.KUBEADM_CONFIG!));
      artifacts.add("kubeadm-config", `kubeadm/${nodeSpec.name}-fallback.yaml`, parameters.apply((p) => p.KUBEADM_CONFIG_FALLBACK!));
      const parameter = (name: string) => parameters.apply((p) => p[name]!);
      return nodeStep(
        `${nodeSpec.name}-join`,
        {
          node,
          bundle: kubeadmBundle("join"),
          commandLine,
          env: {
            NODE_NAME: nodeSpec.name,
            NODE_ADDRESS: nodeSpec.address,
            JOIN_ROLE: nodeSpec.role,
            ...common,
            ...extraEnv,
            KUBEADM_CONFIG: parameter("KUBEADM_CONFIG"),
            FALLBACK_API_HOST: parameter("FALLBACK_API_HOST"),
            KUBEADM_CONFIG_FALLBACK: parameter("KUBEADM_CONFIG_FALLBACK"),
            DISCOVERY_KUBECONFIG: parameter("DISCOVERY_KUBECONFIG"),
            DISCOVERY_KUBECONFIG_PATH: parameter("DISCOVERY_KUBECONFIG_PATH"),
          },
          secretEnv: { [KUBEADM_TOKEN_ENV]: bootstrapToken },
          deleteEnv: reset,
          dependsOn: dependsOn,
          artifacts,
          artifactPath: `nodes/${nodeSpec.name}/kubeadm-join.env`,
        },
        { parent },
      );
    };

    // On the first control plane, after the join: labels and taints; its delete drains the node,
    // deletes it and removes its etcd member (by name) before the node's own reset.
    const membership = (node: PreparedNode, joined: remote.Command) => {
      const nodeSpec = node.machine.node;
      const step = nodeStep(
        `${nodeSpec.name}-membership`,
        {
          node,
          runOn: first,
          bundle: kubeadmBundle("membership"),
          commandLine,
          env: {
            NODE_NAME: nodeSpec.name,
            JOIN_ROLE: nodeSpec.role,
            ...onFirst,
            ...(Object.keys(nodeSpec.labels).length > 0 ? { NODE_LABELS: nodeLabelsParam(nodeSpec) } : {}),
            ...(nodeSpec.role === "worker" && nodeSpec.taints.length > 0 ? { NODE_TAINTS: nodeTaintsParam(nodeSpec) } : {}),
          },
          deleteEnv: removal,
          dependsOn: [this.init, joined],
          artifacts,
          artifactPath: `nodes/${nodeSpec.name}/membership.env`,
        },
        { parent },
      );
      this.membershipSteps.push(step);
      this.nodeJoined.set(nodeSpec.name, step);
      return step;
    };

    // Control planes one at a time: each join waits for the previous one (which ends only once its
    // apiserver and etcd member are healthy). Token steps need init only, so they stay off the chain.
    this.controlPlaneJoins = [];
    let previousStep: remote.Command = this.init;
    let previousNode = first.machine.node;
    for (const node of otherControlPlanes) {
      const token = tokenStep(node, [this.init]);
      const step = join(node, { PREVIOUS_CONTROL_PLANE: previousNode.name, PREVIOUS_CONTROL_PLANE_ADDRESS: previousNode.address }, [previousStep, token, ...stepsBefore(node)]);
      membership(node, step);
      this.controlPlaneJoins.push(step);
      previousStep = step;
      previousNode = node.machine.node;
    }

    // Workers in parallel: init, the endpoint, their own token step and preparation only.
    this.workerJoins = workers.map((node) => {
      const token = tokenStep(node, [this.init]);
      const step = join(node, {}, [this.init, ...endpointSteps, token, ...node.ready]);
      this.workerMemberships.push(membership(node, step));
      return step;
    });

    this.registerOutputs({ kubeconfig: this.kubeconfig, controlPlanes: spec.controlPlanes.map((node) => node.name) });
  }
}

export function buildControlPlane(ctx: ClusterContext, nodes: PreparedNode[], opts: pulumi.ComponentResourceOptions): ControlPlane {
  const controlPlane = new KubeadmControlPlane(`${ctx.spec.name}-control-plane`, ctx, nodes, opts);
  return {
    kubeconfig: controlPlane.kubeconfig,
    apiReady: [controlPlane.init],
    // Joined, and workers labelled/tainted: add-ons select nodes by those labels (MetalLB
    // speakers, ...). Control planes get no labels or taints from the program.
    allJoined: [controlPlane.init, ...controlPlane.controlPlaneJoins, ...controlPlane.workerJoins, ...controlPlane.workerMemberships],
    nodeJoined: controlPlane.nodeJoined,
  };
}
