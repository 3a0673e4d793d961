// Faults of a node while `pulumi up` runs (issue 24): what the lab can do to a node of its own
// (test/cluster/node.ts: every node runs its units under a supervisor that restarts them as
// systemd would, and the lab's systemctl; LabNode.restart cuts its power and boots it again). Each
// returns how to undo it once the run is over.
import type { SshHosts } from "../../cluster/ssh-hosts";

export type NodeFaultKind = "kubelet killed" | "containerd killed" | "keepalived stopped on the VIP holder" | "node restarted";

export interface NodeFault {
  kind: NodeFaultKind;
  /** The node it hits (for the VIP holder: found when the fault fires). */
  node?: string;
  /** The step whose start triggers it (e.g. k8s-master-3-join). */
  during: string;
  /** How long after that start it strikes (default at once). */
  afterMs?: number;
}

/** ONPREM_K8S_FAULTS_NODE_FAULTS: unset for all, 0 for none, else kinds by name; an unknown kind is named. */
export function nodeFaultsAsked(asked: string | undefined, all: NodeFault[]): NodeFault[] {
  if (asked === undefined || asked === "") return all;
  if (asked === "0") return [];
  const kinds = asked.split(",").map((k) => k.trim());
  const unknown = kinds.filter((k) => !all.some((f) => f.kind === k));
  if (unknown.length > 0) throw new Error(`ONPREM_K8S_FAULTS_NODE_FAULTS: no node fault ${unknown.map((k) => `"${k}"`).join(", ")}; the kinds are ${all.map((f) => `"${f.kind}"`).join(", ")}, or 0 for none`);
  return all.filter((f) => kinds.includes(f.kind));
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
  if (fault.kind === "keepalived stopped on the VIP holder") {
    const holder = await vipHolder(hosts, controlPlanes);
    if (!holder) throw new Error(`no control plane holds the VIP ${hosts.vip}`);
    await hosts.node(holder).exec("systemctl stop keepalived", { check: true });
    return { node: holder, undo: async () => void (await hosts.node(holder).exec("systemctl start keepalived", { check: true })) };
  }
  const node = fault.node ?? controlPlanes[0]!;
  if (fault.kind === "node restarted") {
    // A power cut mid-step: the step's SSH session ends with the node's processes (LabNode.restart).
    await hosts.node(node).restart();
    return { node, undo: async () => {} };
  }
  const unit = fault.kind === "kubelet killed" ? "kubelet" : "containerd";
  // SIGKILL of the unit's process; its supervisor starts it again 2 s later, as systemd's Restart= does.
  await hosts.node(node).exec(`kill -9 "$(cat /run/onprem-lab/${unit}/pid)"`, { check: true });
  return { node, undo: async () => {} };
}
