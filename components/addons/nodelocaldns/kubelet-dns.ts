// Keeps kubelet's clusterDNS in step with the NodeLocal DNSCache switch on running nodes:
// kubeadm renders it only at init/join (components/kubeadm), so turning the cache on or off later
// would otherwise leave pods pointed at a cache that is gone, or never use the new one.
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { remote } from "@pulumi/command";
import type { NodeSpec } from "../../../stacks/spec";
import type { ArtifactSink } from "../../artifacts";
import { contentTrigger, scriptStdin } from "../../remote/bundle";
import { remoteCommandLine } from "../../remote/command-line";
import type { SshConnection } from "../../remote/connection";
import { renderEnvPrefix } from "../../remote/env";
import { remoteStep } from "../../remote/step";

export const KUBELET_DNS_SCRIPT = path.join(__dirname, "kubelet-dns.sh");

export type KubeletDnsMode = "node" | "configmap";

export function kubeletDnsEnv(clusterDns: string, mode: KubeletDnsMode): Record<string, string> {
  return { MODE: mode, CLUSTER_DNS: clusterDns };
}

export interface KubeletDnsSyncArgs {
  clusterDns: string;
  sshUser: string;
  nodes: NodeSpec[];
  /** The first control plane, where kubeadm's kubelet-config ConfigMap is rewritten. */
  controlPlane: NodeSpec;
  connectionTo(node: NodeSpec): SshConnection;
  /** What every step waits for: the API, and the running cache when it is on. */
  dependsOn: pulumi.Resource[];
  /** Per node: its own join (a node's step waits for that node only, so the graph stays linear). */
  nodeJoined: ReadonlyMap<string, pulumi.Resource>;
  artifacts: ArtifactSink;
}

/** One step for kubeadm's ConfigMap and one per node; each re-runs only when the address changes. */
export function kubeletDnsSync(args: KubeletDnsSyncArgs, parent: pulumi.Resource): remote.Command[] {
  const script = fs.readFileSync(KUBELET_DNS_SCRIPT, "utf8");
  args.artifacts.add("script", "scripts/kubelet-dns.sh", script);
  const step = (name: string, node: NodeSpec, mode: KubeletDnsMode, joined: pulumi.Resource[]) => {
    const env = kubeletDnsEnv(args.clusterDns, mode);
    args.artifacts.add("script", `nodes/${node.name}/${name.replace(`${node.name}-`, "")}.env`, renderEnvPrefix(env).replace(/; /g, "\n"));
    return remoteStep(
      name,
      {
        connection: args.connectionTo(node),
        create: remoteCommandLine(args.sshUser),
        stdin: scriptStdin(script, env),
        triggers: [contentTrigger(script, env)],
      },
      { parent, dependsOn: [...args.dependsOn, ...joined] },
    );
  };
  return [
    step(`${args.controlPlane.name}-kubelet-config-dns`, args.controlPlane, "configmap", []),
    ...args.nodes.map((node) => {
      const joined = args.nodeJoined.get(node.name);
      if (!joined) throw new Error(`node ${node.name} has no join step`);
      return step(`${node.name}-kubelet-dns`, node, "node", [joined]);
    }),
  ];
}
