// "Converged" after a fault (issue 24): the same healthy cluster an uninterrupted run leaves.
// Every check asks the real cluster on the lab; each failure is named, so a row of the fault
// table says why it did not converge.
import type { SshHosts } from "../../cluster/ssh-hosts";
import type { EngineStack } from "../stack";

export interface ClusterShape {
  controlPlanes: string[];
  nodes: string[];
  /** The API endpoint as the kubeconfig has it (the VIP, or its DNS name, and the port). */
  endpoint: { host: string; port: number };
}

const ETCDCTL =
  "crictl exec \"$(crictl ps --name '^etcd$' --state running --quiet | head -n 1)\" etcdctl --endpoints=https://127.0.0.1:2379 " +
  "--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key";

/** etcd members as `member list` prints them: "<id>, <status>, <name>, <peer urls>, <client urls>, <learner>". */
export function staleMembers(memberList: string, controlPlanes: string[]): string[] {
  const lines = memberList.split("\n").filter((l) => l.trim() !== "");
  const problems: string[] = [];
  const names = lines.map((l) => l.split(", ")[2] ?? "");
  for (const line of lines) {
    const [, status, name] = line.split(", ");
    if (status !== "started" || !name) problems.push(`unstarted member ${line}`);
    else if (!controlPlanes.includes(name)) problems.push(`member of no control plane: ${name}`);
  }
  for (const cp of controlPlanes) {
    const count = names.filter((n) => n === cp).length;
    if (count !== 1) problems.push(`${cp} has ${count} etcd members`);
  }
  return problems;
}

/** Bootstrap-token Secrets beyond the one live token the program keeps. */
export function extraTokens(secretNames: string[]): string[] {
  const tokens = secretNames.filter((n) => n.startsWith("bootstrap-token-"));
  return tokens.length <= 1 ? [] : tokens;
}

/** The ways the cluster differs from a converged one (empty: converged). */
export async function convergenceProblems(hosts: SshHosts, stack: EngineStack, shape: ClusterShape): Promise<string[]> {
  const problems: string[] = [];
  const first = hosts.node(shape.controlPlanes[0]!);
  try {
    await first.waitNodesReady(shape.nodes, 300);
  } catch (err) {
    problems.push(`not every node Ready: ${(err as Error).message.split("\n")[0]}`);
  }
  const members = await first.exec(`${ETCDCTL} member list --write-out=simple`);
  if (members.status !== 0) problems.push(`etcd member list failed: ${members.output.trim().slice(-300)}`);
  else problems.push(...staleMembers(members.stdout, shape.controlPlanes));
  const tokens = await first.kubectl("-n kube-system get secrets --field-selector type=bootstrap.kubernetes.io/token -o jsonpath={.items[*].metadata.name}");
  if (tokens.status !== 0) problems.push(`bootstrap tokens not listed: ${tokens.output.trim().slice(-300)}`);
  else {
    const extra = extraTokens(tokens.stdout.split(/\s+/).filter(Boolean));
    if (extra.length > 0) problems.push(`bootstrap tokens beyond the live one: ${extra.join(", ")}`);
  }
  // Through the endpoint from a worker (no admin credential needed for /readyz).
  const from = hosts.node(shape.nodes.find((n) => !shape.controlPlanes.includes(n)) ?? shape.controlPlanes[0]!);
  const readyz = await from.exec(`curl -sk --max-time 10 https://${shape.endpoint.host}:${shape.endpoint.port}/readyz`);
  if (readyz.stdout.trim() !== "ok") problems.push(`the API through the endpoint ${shape.endpoint.host}:${shape.endpoint.port} answered '${readyz.output.trim().slice(0, 200)}'`);
  const preview = await stack.run(["preview", "--expect-no-changes"]);
  if (preview.status !== 0) problems.push(`pulumi preview --expect-no-changes: ${preview.output.trim().split("\n").slice(-8).join(" / ")}`);
  return problems;
}
