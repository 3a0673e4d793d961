// The parts of ClusterConfiguration that carry the control-plane components' own settings: extra
// args (v1beta4 an ordered list of {name, value}, v1beta3 a map) and host mounts. Pure.
import type { KubeadmApiVersion } from "./version";

export type Arg = { name: string; value: string };

/** A host directory or file mounted into a control-plane static Pod (ClusterConfiguration extraVolumes). */
export interface HostPathMount {
  name: string;
  hostPath: string;
  mountPath: string;
  readOnly: boolean;
  pathType: "DirectoryOrCreate" | "Directory" | "File";
}

/** Flags (without "--") and mounts of the control-plane static Pods, beyond kubeadm's own. */
export interface ControlPlaneComponentsParams {
  apiServer?: { extraArgs?: Record<string, string>; extraVolumes?: HostPathMount[] };
  controllerManager?: { extraArgs?: Record<string, string> };
  scheduler?: { extraArgs?: Record<string, string> };
  etcd?: { extraArgs?: Record<string, string> };
}

/** Extra args in the config API's form: v1beta4 an ordered list of {name, value}, v1beta3 a map. */
export function extraArgsOf(apiVersion: KubeadmApiVersion, args: Record<string, string>): Arg[] | Record<string, string> {
  const sorted = Object.keys(args)
    .sort()
    .map((name) => ({ name, value: args[name]! }));
  if (apiVersion === "kubeadm.k8s.io/v1beta4") return sorted;
  return Object.fromEntries(sorted.map((arg) => [arg.name, arg.value]));
}

/** A component section of ClusterConfiguration with its extra args and mounts, or nothing when it has none. */
export function componentSection(apiVersion: KubeadmApiVersion, args: Record<string, string> | undefined, volumes?: HostPathMount[]): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  if (args && Object.keys(args).length > 0) section.extraArgs = extraArgsOf(apiVersion, args);
  if (volumes && volumes.length > 0) section.extraVolumes = volumes.map((v) => ({ ...v }));
  return section;
}

