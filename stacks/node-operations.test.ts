// cluster.nodeOperations as validation reads it: every bad operation refused before anything runs,
// naming its index, name and field with a fix; the targets and batches the steps are made from.
import { describe, expect, it } from "vitest";
import { readStackFile } from "./stack-file";
import { formatProblems, validateCluster, type Problem } from "./validate";
import { INTERNAL_ERROR } from "./rules";
import { batchesOf, expandOperation, targetNodes } from "./node-operations";
import { stackSpec } from "../test/stack-spec";

const planMode = { secretsPresent: new Set<never>(), planMode: true, today: "2026-06-01" };

/** The PoC description (nodes nsx-poc-cp-1..3, pool worker with nsx-poc-worker-1..2) with operations. */
function withOperations(operations: unknown[]): Record<string, any> {
  const cluster = structuredClone(readStackFile("poc").cluster) as Record<string, any>;
  cluster.addons.ingress.type = "traefik";
  cluster.nodeOperations = operations;
  return cluster;
}

function errorsOf(operations: unknown[]): Problem[] {
  const result = validateCluster(withOperations(operations), planMode);
  const problems = result.ok ? result.warnings : result.problems;
  for (const p of problems) expect(p.problem, formatProblems([p])).not.toContain(INTERNAL_ERROR);
  return problems.filter((p) => p.severity === "error");
}

const file = { name: "resolv", type: "file", path: "/etc/kubelet-resolv.conf", content: "nameserver 169.254.20.10\n" };

interface Row {
  name: string;
  operations: unknown[];
  path: string;
  problem: RegExp;
  fix: RegExp;
}

const rows: Row[] = [
  { name: "an unknown type", operations: [{ name: "x", type: "configFile", path: "/etc/x" }], path: "cluster.nodeOperations[0].type", problem: /expected one of file, patch, command, labels, taints, wait/, fix: /use one of: file, patch/ },
  { name: "a misspelt field", operations: [{ ...file, contents: "x" }], path: "cluster.nodeOperations[0].contents", problem: /unknown key "contents"; did you mean content\? It is set as well/, fix: /remove contents/ },
  { name: "a missing name", operations: [{ type: "command", command: "true" }], path: "cluster.nodeOperations[0].name", problem: /missing/, fix: /set cluster.nodeOperations\[0\].name/ },
  { name: "a file without content", operations: [{ name: "f", type: "file", path: "/etc/x" }], path: "cluster.nodeOperations[0].content", problem: /operation 0 \(f, file\): missing; a file operation writes the whole content/, fix: /set cluster.nodeOperations\[0\].content/ },
  { name: "a relative path", operations: [{ ...file, path: "etc/x" }], path: "cluster.nodeOperations[0].path", problem: /not an absolute path/, fix: /absolute path on the node/ },
  { name: "an unquoted mode", operations: [{ ...file, mode: 644 }], path: "cluster.nodeOperations[0].mode", problem: /YAML read an unquoted mode as the number 644/, fix: /mode: "0644"/ },
  { name: "a mode chmod does not read", operations: [{ ...file, mode: "0855" }], path: "cluster.nodeOperations[0].mode", problem: /"0855" is not an octal mode/, fix: /octal digits/ },
  { name: "a symbolic mode", operations: [{ ...file, mode: "u+rw" }], path: "cluster.nodeOperations[0].mode", problem: /is not an octal mode/, fix: /"0640"/ },
  { name: "an owner chown does not read", operations: [{ ...file, owner: "root:root:x" }], path: "cluster.nodeOperations[0].owner", problem: /more than one ':'/, fix: /user:group/ },
  { name: "an owner with an upper-case name", operations: [{ ...file, owner: "Admin" }], path: "cluster.nodeOperations[0].owner", problem: /Admin is not a user name chown reads/, fix: /root:root/ },
  { name: "a field of another type", operations: [{ ...file, match: "a" }], path: "cluster.nodeOperations[0].match", problem: /match is not read by a file operation \(it belongs to patch\)/, fix: /remove match/ },
  { name: "a patch with neither replace nor line", operations: [{ name: "p", type: "patch", path: "/etc/x", match: "a" }], path: "cluster.nodeOperations[0].replace", problem: /a patch either replaces what match matches/, fix: /or cluster.nodeOperations\[0\].line/ },
  { name: "a Perl class sed -E reads as a letter", operations: [{ name: "p", type: "patch", path: "/etc/x", match: "port: \\d+", replace: "port: 1" }], path: "cluster.nodeOperations[0].match", problem: /as GNU sed -E on the node reads it: \\d is Perl\/JavaScript syntax, which sed -E reads as a plain letter; write \[0-9\]/, fix: /POSIX extended regular expression/ },
  { name: "a pattern that does not compile", operations: [{ name: "p", type: "patch", path: "/etc/x", match: "server: (https", replace: "x" }], path: "cluster.nodeOperations[0].match", problem: /does not compile: Unterminated group/, fix: /POSIX extended/ },
  { name: "a lazy quantifier", operations: [{ name: "p", type: "patch", path: "/etc/x", match: "a.*?b", replace: "x" }], path: "cluster.nodeOperations[0].match", problem: /a lazy quantifier is JavaScript\/Perl syntax/, fix: /POSIX extended/ },
  { name: "a backslash in a bracket expression", operations: [{ name: "p", type: "patch", path: "/etc/x", match: "1[\\.]2", replace: "x" }], path: "cluster.nodeOperations[0].match", problem: /reads a backslash in a bracket expression as a literal backslash/, fix: /POSIX extended/ },
  { name: "a reference to a missing group", operations: [{ name: "p", type: "patch", path: "/etc/x", match: "(a)b", replace: "\\2" }], path: "cluster.nodeOperations[0].replace", problem: /\\2 refers to group 2, but the pattern has 1 group/, fix: /\\1..\\9/ },
  { name: "a line with a line break", operations: [{ name: "p", type: "patch", path: "/etc/x", line: "a\nb" }], path: "cluster.nodeOperations[0].line", problem: /line break/, fix: /give one line/ },
  { name: "a command operation without a command", operations: [{ name: "c", type: "command" }], path: "cluster.nodeOperations[0].command", problem: /missing; a command operation runs a command/, fix: /set cluster.nodeOperations\[0\].command/ },
  { name: "a wait without a condition", operations: [{ name: "w", type: "wait" }], path: "cluster.nodeOperations[0].for", problem: /a wait names its condition/, fix: /set cluster.nodeOperations\[0\].for/ },
  { name: "a label key the API refuses", operations: [{ name: "l", type: "labels", labels: { "example.com/a/b": "x" } }], path: "cluster.nodeOperations[0].labels.example.com/a/b", problem: /at most one '\/'/, fix: /as the API accepts them/ },
  { name: "a label value the API refuses", operations: [{ name: "l", type: "labels", labels: { zone: "a b" } }], path: "cluster.nodeOperations[0].labels.zone", problem: /a label value is at most 63 letters/, fix: /as the API accepts them/ },
  { name: "a taint with an unknown effect", operations: [{ name: "t", type: "taints", taints: [{ key: "dedicated", effect: "NoSchedul" }] }], path: "cluster.nodeOperations[0].taints[0].effect", problem: /expected one of NoSchedule, PreferNoSchedule, NoExecute/, fix: /use one of/ },
  { name: "a taint key the API refuses", operations: [{ name: "t", type: "taints", taints: [{ key: "-bad", effect: "NoSchedule" }] }], path: "cluster.nodeOperations[0].taints[0].key", problem: /the name part must be 1-63/, fix: /label-style key/ },
  { name: "a target name that is no node", operations: [{ ...file, targets: { names: ["nsx-poc-cp-9"] } }], path: "cluster.nodeOperations[0].targets.names[0]", problem: /no node is named nsx-poc-cp-9; did you mean nsx-poc-cp-1\?/, fix: /use one of: nsx-poc-cp-1/ },
  { name: "targets that match no node", operations: [{ ...file, targets: { roles: ["control-plane"], labels: { "node-role.kubernetes.io/metallb": "true" } } }], path: "cluster.nodeOperations[0].targets", problem: /the targets match no node of the description/, fix: /widen them/ },
  { name: "batches without a size", operations: [{ ...file, strategy: "batches" }], path: "cluster.nodeOperations[0].batchSize", problem: /strategy batches runs batchSize targets at a time/, fix: /e.g. 2/ },
  { name: "an operation named as a flow's step", operations: [{ name: "dns", type: "nodelocaldns-kubelets" }, { name: "dns-kubelet", type: "command", command: "true" }], path: "cluster.nodeOperations[1].name", problem: /operation 0 has the same name/, fix: /rename one of them/ },
  { name: "two operations of one name", operations: [file, { ...file, path: "/etc/y" }], path: "cluster.nodeOperations[1].name", problem: /operation 1 \(resolv, file\): operation 0 has the same name/, fix: /rename one of them/ },
];

describe("node operations: a bad operation is refused before anything runs", () => {
  it.each(rows)("$name", (row) => {
    const errors = errorsOf(row.operations);
    expect(errors.map((p) => p.path), formatProblems(errors)).toEqual([row.path]);
    expect(errors[0]!.problem).toMatch(row.problem);
    expect(errors[0]!.fix).toMatch(row.fix);
  });

  it("refuses the ready-made NodeLocal DNSCache wiring beside the add-on that does it", () => {
    const cluster = withOperations([{ name: "dns", type: "nodelocaldns-kubelets" }]);
    cluster.addons.nodeLocalDns = { enabled: true };
    const result = validateCluster(cluster, planMode);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.problems.filter((p) => p.severity === "error");
    expect(errors.map((p) => p.path)).toEqual(["cluster.nodeOperations[0].type"]);
    expect(errors[0]!.fix).toMatch(/remove this operation/);
  });

  it("warns that the add-on's kubelet-dns steps (kube-proxy off) can put the kube-dns address back", () => {
    const result = validateCluster(withOperations([{ name: "dns", type: "nodelocaldns-kubelets" }]), planMode);
    expect(result.ok).toBe(true);
    const warnings = (result.ok ? result.warnings : []).filter((p) => p.path.startsWith("cluster.nodeOperations"));
    expect(warnings.map((p) => p.path)).toEqual(["cluster.nodeOperations[0].type"]);
    expect(warnings[0]!.problem).toMatch(/<node>-kubelet-dns step/);
    const withKubeProxy = withOperations([{ name: "dns", type: "nodelocaldns-kubelets" }]);
    withKubeProxy.kubernetes.kubeProxy = true;
    withKubeProxy.addons.cni.kubeProxyReplacement = false;
    const quiet = validateCluster(withKubeProxy, planMode);
    expect((quiet.ok ? quiet.warnings : quiet.problems).filter((p) => p.path.startsWith("cluster.nodeOperations"))).toEqual([]);
  });

  it("accepts seed 002's flows and every basic type, and keeps their order", () => {
    const operations = [
      { name: "resolv", type: "file", path: "/etc/kubelet-resolv.conf", content: "nameserver 169.254.20.10\n", mode: "0644", owner: "root:root", targets: { roles: ["worker"] } },
      { name: "resolv-flag", type: "patch", path: "/var/lib/kubelet/kubeadm-flags.env", match: '--resolv-conf=[^" ]*', replace: "--resolv-conf=/etc/kubelet-resolv.conf", onChange: "systemctl restart kubelet", strategy: "batches", batchSize: 2 },
      { name: "sysctl", type: "patch", path: "/etc/sysctl.d/90-site.conf", match: "^vm[.]max_map_count *=", line: "vm.max_map_count = 262144", createIfMissing: true },
      { name: "hello", type: "command", command: "echo hello", retries: { attempts: 3, backoffSeconds: 1 }, continueOnError: true },
      { name: "zone", type: "labels", labels: { "topology.kubernetes.io/zone": "a" }, removeLabels: ["old"], targets: { pools: ["worker"] } },
      { name: "dedicated", type: "taints", taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }], removeTaints: [{ key: "old" }], targets: { names: ["nsx-poc-worker-1"] } },
      { name: "ready", type: "wait", for: "node-ready" },
      { name: "dns", type: "nodelocaldns-kubelets", address: "100.64.0.10" },
      { name: "vip", type: "kubeconfigs-to-endpoint" },
    ];
    const result = validateCluster(withOperations(operations), planMode);
    expect(result.ok, result.ok ? "" : formatProblems(result.problems)).toBe(true);
    if (result.ok) expect(result.spec.nodeOperations.map((op) => op.name)).toEqual(operations.map((op) => op.name));
  });
});

describe("node operations: targets, batches and the ready-made flows", () => {
  const spec = stackSpec("poc");

  it("selects by role, pool, name and the description's labels; all given criteria hold", () => {
    const names = (targets: any) => targetNodes(targets, spec.nodes).map((node) => node.name);
    expect(names(undefined)).toEqual(spec.nodes.map((node) => node.name));
    expect(names({ roles: ["control-plane"] })).toEqual(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]);
    expect(names({ labels: { "node-role.kubernetes.io/control-plane": "" } })).toEqual(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]);
    expect(names({ pools: ["worker"], names: ["nsx-poc-worker-2", "nsx-poc-cp-1"] })).toEqual(["nsx-poc-worker-2"]);
    expect(names({ labels: { "kubernetes.io/hostname": "nsx-poc-cp-2" } })).toEqual(["nsx-poc-cp-2"]);
  });

  it("runs all at once, one at a time, or in batches", () => {
    expect(batchesOf([1, 2, 3, 4, 5], "parallel")).toEqual([[1, 2, 3, 4, 5]]);
    expect(batchesOf([1, 2, 3], "serial")).toEqual([[1], [2], [3]]);
    expect(batchesOf([1, 2, 3, 4, 5], "batches", 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batchesOf([], "parallel")).toEqual([]);
  });

  it("writes seed 002's flows out as patches and waits, one node at a time", () => {
    const dns = expandOperation({ name: "dns", type: "nodelocaldns-kubelets", continueOnError: false, createIfMissing: false }, spec.apiEndpoint);
    expect(dns.strategy).toBe("serial");
    expect(dns.parts.map((part) => [part.name, part.type, part.path])).toEqual([
      ["dns-cluster-dns", "patch", "/var/lib/kubelet/config.yaml"],
      ["dns-kubelet", "wait", undefined],
    ]);
    expect(dns.parts[0]!.replace).toBe("- 169.254.20.10");
    const vip = expandOperation({ name: "vip", type: "kubeconfigs-to-endpoint", strategy: "parallel", continueOnError: false, createIfMissing: false }, spec.apiEndpoint);
    expect(vip.strategy).toBe("parallel");
    expect(vip.parts.map((part) => part.path ?? part.for)).toEqual(["/etc/kubernetes/kubelet.conf", "/etc/kubernetes/controller-manager.conf", "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/admin.conf", "kubelet-healthy"]);
    expect(vip.parts[0]!.replace).toBe(`\\1https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    expect(vip.parts[1]!.targets).toEqual({ roles: ["control-plane"] });
  });
});
