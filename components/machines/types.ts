// The one shape every platform's machines take, so node preparation and kubeadm never ask which
// platform they run on.
import type * as pulumi from "@pulumi/pulumi";
import type { types as commandTypes } from "@pulumi/command";
import type { NodeSpec } from "../../stacks/spec";

export type SshConnection = commandTypes.input.remote.ConnectionArgs;

export interface Machine {
  /** The node this machine carries (name, role, address, sizing). */
  node: NodeSpec;
  /** How remote commands reach it; the private key inside is a secret. */
  connection: SshConnection;
  /** vSphere VM UUID, Proxmox VMID or, for existing hosts, the address. */
  platformId: pulumi.Output<string>;
  /**
   * The machine's "reachable" step (it answers over SSH and cloud-init has finished): every SSH
   * step on the machine depends on it. Every platform sets it, existing hosts included.
   */
  ready: pulumi.Resource;
}

/** Bounded dial retries: an unreachable machine fails in minutes, not after the provider's default hour. */
export const SSH_DIAL_ERROR_LIMIT = 20;
export const SSH_PER_DIAL_TIMEOUT_SECONDS = 15;

export function sshConnection(node: NodeSpec, user: string, port: number, privateKey: pulumi.Input<string>): SshConnection {
  return {
    host: node.address,
    port,
    user,
    privateKey,
    dialErrorLimit: SSH_DIAL_ERROR_LIMIT,
    perDialTimeout: SSH_PER_DIAL_TIMEOUT_SECONDS,
  };
}
