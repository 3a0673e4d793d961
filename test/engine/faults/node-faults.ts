// Faults of a node while `pulumi up` runs (issue 24): what the lab can do to a node of its own
// (test/cluster/node.ts: every node runs its units under a supervisor that restarts them as
// systemd would, and the lab's systemctl). Each returns how to undo it once the run is over.
import type { SshHosts } from "../../cluster/ssh-hosts";

export type NodeFaultKind = "kubelet killed" | "containerd killed" | "keepalived stopped on the VIP holder" | "node restarted";

export interface NodeFault {
  kind: NodeFaultKind;
  /** The node it hits (for the VIP holder: found when the fault fires). */
  node?: string;
  /** The step whose start triggers it (e.g. k8s-master-3-join). */
  during: string;
}

/** Why a fault cannot be injected on this lab (undefined: it can). */
export function unsupported(fault: NodeFault): string | undefined {
  // A lab node's PID 1 ends every process of the node; starting it again needs a LabNode.restart
  // that keeps the node's files (LabNode.start writes them anew), which the lab does not have yet.
  if (fault.kind === "node restarted") return "the lab cannot restart a node yet (LabNode has no restart that keeps the node's files)";
  return undefined;
}

/** The control planes (by name) that hold the VIP now: one, or none while it moves. */
export async function vipHolders(hosts: SshHosts, controlPlanes: string[]): Promise<string[]> {
  const holders: string[] = [];
  for (const name of controlPlanes) {
    const r = await hosts.node(name).exec(`ip -o addr show | grep -qw ${hosts.vip.replaceAll(".", "\\.")}`);
    if (r.status === 0) holders.push(name);
  }
  return holders;
}

/** The control plane that holds the VIP now. */
export async function vipHolder(hosts: SshHosts, controlPlanes: string[]): Promise<string | undefined> {
  return (await vipHolders(hosts, controlPlanes))[0];
}

/** Injects the fault now; resolves to its undo and the node it hit. */
export async function inject(hosts: SshHosts, fault: NodeFault, controlPlanes: string[]): Promise<{ node: string; undo: () => Promise<void> }> {
  const reason = unsupported(fault);
  if (reason) throw new Error(reason);
  if (fault.kind === "keepalived stopped on the VIP holder") {
    const holder = await vipHolder(hosts, controlPlanes);
    if (!holder) throw new Error(`no control plane holds the VIP ${hosts.vip}`);
    await hosts.node(holder).exec("systemctl stop keepalived", { check: true });
    return { node: holder, undo: async () => void (await hosts.node(holder).exec("systemctl start keepalived", { check: true })) };
  }
  const node = fault.node ?? controlPlanes[0]!;
  const unit = fault.kind === "kubelet killed" ? "kubelet" : "containerd";
  // SIGKILL of the unit's process; its supervisor starts it again 2 s later, as systemd's Restart= does.
  await hosts.node(node).exec(`kill -9 "$(cat /run/onprem-lab/${unit}/pid)"`, { check: true });
  return { node, undo: async () => {} };
}
