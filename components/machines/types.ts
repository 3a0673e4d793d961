// The one shape every platform's machines take, so node preparation and kubeadm never ask which
// platform they run on.
import type * as pulumi from "@pulumi/pulumi";
import type { NodeSpec } from "../../stacks/spec";
import type { SshConnection } from "../remote/connection";

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
