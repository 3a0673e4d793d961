// Node operations (cluster.nodeOperations): each operation has the fields its type needs and no
// other type's, its regular expressions compile as GNU sed -E reads them on the node, its names
// are unique, and its targets match at least one node. Every problem names the operation's index,
// its name and the field.
import { closest, distance } from "fastest-levenshtein";
import type { ClusterConfig } from "../schema";
import { nodePathProblem, type NodeOperationConfig, type NodeOperationType } from "../schema-node-operations";
import { sedPatternProblem, sedReplacementProblem } from "../sed-regex";
import { expandOperation, targetNodes } from "../node-operations";
import { kubeProxyEnabledOf, nodesOf, type EndpointSpec } from "../spec";
import { P, type Problem, type Rule, error, warning } from "./common";

type Field = Exclude<keyof NodeOperationConfig, "name" | "type" | "targets" | "strategy" | "batchSize" | "retries" | "continueOnError">;

/** The fields each type reads, besides the common ones (name, type, targets, strategy, batchSize, retries, continueOnError). */
const FIELDS: Record<NodeOperationType, Field[]> = {
  file: ["path", "content", "mode", "owner", "onChange"],
  patch: ["path", "match", "replace", "line", "createIfMissing", "mode", "owner", "onChange"],
  command: ["command", "timeoutSeconds"],
  labels: ["labels", "removeLabels"],
  taints: ["taints", "removeTaints"],
  wait: ["for", "command", "timeoutSeconds", "intervalSeconds"],
  "nodelocaldns-kubelets": ["address"],
  "kubeconfigs-to-endpoint": [],
};

/** Fields with a schema default: set only when written, so they are not "set" otherwise. */
const DEFAULTED: Partial<Record<Field, unknown>> = { createIfMissing: false };

const at = (i: number, field: string) => `nodeOperations[${i}].${field}`;
const label = (op: NodeOperationConfig, i: number) => `operation ${i} (${op.name}, ${op.type})`;

function typeProblems(op: NodeOperationConfig, i: number): Problem[] {
  const problems: Problem[] = [];
  const own = FIELDS[op.type];
  for (const field of Object.keys(FIELDS).flatMap((type) => FIELDS[type as NodeOperationType]) as Field[]) {
    const value = op[field];
    if (value === undefined || own.includes(field) || value === DEFAULTED[field]) continue;
    const readers = (Object.keys(FIELDS) as NodeOperationType[]).filter((type) => FIELDS[type].includes(field));
    problems.push(error(at(i, field), value, `${label(op, i)}: ${field} is not read by a ${op.type} operation (it belongs to ${readers.join(", ")})`, `remove ${field}, or make the operation one of type ${readers.join(" or ")}`, { path: ["nodeOperations", i, field], remove: true }));
  }
  const need = (field: Field, why: string) => {
    if (op[field] === undefined) problems.push(error(at(i, field), undefined, `${label(op, i)}: missing; ${why}`, `set ${P(at(i, field))}`));
  };
  switch (op.type) {
    case "file":
      need("path", "a file operation writes a file at a path");
      need("content", "a file operation writes the whole content (an empty file: content: \"\")");
      break;
    case "patch":
      need("path", "a patch operation changes a file at a path");
      if (op.replace === undefined && op.line === undefined) problems.push(error(at(i, "replace"), undefined, `${label(op, i)}: missing; a patch either replaces what match matches (match and replace) or puts a whole line in the file (line)`, `set ${P(at(i, "match"))} and ${P(at(i, "replace"))}, or ${P(at(i, "line"))}`));
      if (op.replace !== undefined && op.line !== undefined) problems.push(error(at(i, "line"), op.line, `${label(op, i)}: both replace and line; a patch does one of them`, `remove line (or replace), or split it into two operations`));
      if (op.replace !== undefined) need("match", "replace changes the text match matches");
      break;
    case "command":
      need("command", "a command operation runs a command");
      break;
    case "labels":
      if (!op.labels && !op.removeLabels) problems.push(error(at(i, "labels"), undefined, `${label(op, i)}: missing; a labels operation sets labels or removes them (removeLabels)`, `set ${P(at(i, "labels"))}, e.g. { example.com/zone: a }`));
      for (const key of op.removeLabels ?? []) {
        if (op.labels && key in op.labels) problems.push(error(at(i, "removeLabels"), key, `${label(op, i)}: the label ${key} is both set and removed`, `keep ${key} in labels or in removeLabels, not both`));
      }
      break;
    case "taints":
      if (!op.taints && !op.removeTaints) problems.push(error(at(i, "taints"), undefined, `${label(op, i)}: missing; a taints operation adds taints or removes them (removeTaints)`, `set ${P(at(i, "taints"))}, e.g. [{ key: dedicated, value: db, effect: NoSchedule }]`));
      for (const removed of op.removeTaints ?? []) {
        const added = (op.taints ?? []).find((taint) => taint.key === removed.key && (removed.effect === undefined || removed.effect === taint.effect));
        if (added) problems.push(error(at(i, "removeTaints"), removed, `${label(op, i)}: the taint ${added.key}:${added.effect} is both added and removed`, "keep it in taints or in removeTaints, not both"));
      }
      break;
    case "wait":
      need("for", "a wait names its condition: kubelet-healthy, node-ready or command");
      if (op.for === "command") need("command", "a wait for: command runs the command until it succeeds");
      if (op.for !== undefined && op.for !== "command" && op.command !== undefined) problems.push(error(at(i, "command"), op.command, `${label(op, i)}: a command is read only by a wait for: command, not for: ${op.for}`, "remove command, or set for: command", { path: ["nodeOperations", i, "command"], remove: true }));
      break;
    default:
      break;
  }
  return problems;
}

function fieldProblems(op: NodeOperationConfig, i: number): Problem[] {
  const problems: Problem[] = [];
  if (op.path !== undefined && FIELDS[op.type].includes("path")) {
    const problem = nodePathProblem(op.path);
    if (problem) problems.push(error(at(i, "path"), op.path, `${label(op, i)}: ${problem}`, "write the file's absolute path on the node, e.g. /etc/kubelet-resolv.conf"));
  }
  if (op.type === "patch" && op.match !== undefined) {
    const problem = sedPatternProblem(op.match);
    if (problem) problems.push(error(at(i, "match"), op.match, `${label(op, i)}: the pattern, as GNU sed -E on the node reads it: ${problem}`, "write a POSIX extended regular expression, e.g. ^( *server: )https://.*$ (docs/node-operations.md lists what is accepted)"));
    else if (op.replace !== undefined) {
      const replaceProblem = sedReplacementProblem(op.replace, op.match);
      if (replaceProblem) problems.push(error(at(i, "replace"), op.replace, `${label(op, i)}: the replacement, as sed reads it: ${replaceProblem}`, "use \\1..\\9 for the pattern's groups, & for the whole match, \\& and \\\\ for a literal & and backslash"));
    }
  }
  if (op.type === "patch" && op.line !== undefined && /[\x00-\x1f\x7f]/.test(op.line)) {
    problems.push(error(at(i, "line"), op.line, `${label(op, i)}: holds a line break or another control character, but line is one line of the file`, "give one line; write several with a file operation or one patch per line"));
  }
  for (const field of ["command", "onChange"] as const) {
    if (op[field] !== undefined && op[field]!.trim() === "") problems.push(error(at(i, field), op[field], `${label(op, i)}: empty`, `write the command bash runs on the node, or remove ${field}`));
  }
  if (op.strategy === "batches" && op.batchSize === undefined) problems.push(error(at(i, "batchSize"), undefined, `${label(op, i)}: missing; strategy batches runs batchSize targets at a time`, `set ${P(at(i, "batchSize"))}, e.g. 2`));
  if (op.batchSize !== undefined && op.strategy !== "batches") problems.push(error(at(i, "batchSize"), op.batchSize, `${label(op, i)}: batchSize is read only with strategy batches (here ${op.strategy ?? "the default"})`, "set strategy: batches, or remove batchSize", { path: ["nodeOperations", i, "batchSize"], remove: true }));
  return problems;
}

function targetProblems(op: NodeOperationConfig, i: number, c: ClusterConfig): Problem[] {
  const nodes = nodesOf(c);
  const problems: Problem[] = [];
  const known = (kind: "names" | "pools", values: string[], all: string[]) => {
    values.forEach((value, j) => {
      if (all.includes(value)) return;
      const meant = closest(value, all);
      const near = meant !== undefined && distance(value, meant) <= Math.max(1, Math.floor(meant.length / 3));
      problems.push(error(at(i, `targets.${kind}[${j}]`), value, `${label(op, i)}: no ${kind === "names" ? "node" : "pool"} is named ${value}${near ? `; did you mean ${meant}?` : ""}`, `use one of: ${all.join(", ")}`, near ? { path: ["nodeOperations", i, "targets", kind, j], value: meant } : undefined));
    });
  };
  if (op.targets?.names) known("names", op.targets.names, nodes.map((node) => node.name));
  if (op.targets?.pools) known("pools", op.targets.pools, ["control-plane", ...c.workerPools.map((pool) => pool.name)]);
  if (problems.length === 0 && targetNodes(op.targets, nodes).length === 0) {
    problems.push(error(at(i, "targets"), op.targets, `${label(op, i)}: the targets match no node of the description`, "widen them (targets given together must all hold), or remove targets to run on every node; labels are the ones the description gives (pool labels, node-role.kubernetes.io/control-plane)"));
  }
  return problems;
}

export const nodeOperationsRules: Rule[] = [
  {
    uses: ["nodeOperations", "controlPlane", "workerPools"],
    check(c) {
      const problems: Problem[] = [];
      const seen = new Map<string, number>();
      // Only the parts' names are read here, and those do not depend on the endpoint (which this rule does not read).
      const endpoint: EndpointSpec = { mode: "external", host: "endpoint", port: 6443 };
      c.nodeOperations.forEach((op, i) => {
        // A flow's parts are named <name>-<part>: those names are taken as well.
        const names = [...new Set([op.name, ...expandOperation(op, endpoint).parts.map((part) => part.name)])];
        const taken = names.find((name) => seen.has(name));
        if (taken !== undefined) {
          const first = seen.get(taken)!;
          problems.push(error(at(i, "name"), op.name, `${label(op, i)}: ${taken === op.name ? "" : `its step ${taken} clashes: `}operation ${first} has the same name${taken === op.name ? "" : " among its steps"}, and the name keeps each operation's steps apart`, `rename one of them, e.g. ${op.name}-${i}`));
        }
        for (const name of names) if (!seen.has(name)) seen.set(name, i);
        problems.push(...typeProblems(op, i), ...fieldProblems(op, i), ...targetProblems(op, i, c));
      });
      return problems;
    },
  },
  {
    uses: ["nodeOperations", "addons.nodeLocalDns", "addons.cni", "kubernetes.kubeProxy"],
    check(c) {
      return c.nodeOperations.flatMap((op, i) => {
        if (op.type !== "nodelocaldns-kubelets") return [];
        if (c.addons.nodeLocalDns.enabled) {
          return [error(at(i, "type"), op.type, `${label(op, i)}: addons.nodeLocalDns.enabled installs the cache and already points the kubelets at it where needed; two steps would rewrite clusterDNS against each other`, "remove this operation (it is for a cache the site runs itself), or turn addons.nodeLocalDns off")];
        }
        // Without kube-proxy the add-ons' <node>-kubelet-dns steps keep clusterDNS in step with addons.nodeLocalDns.
        if (!kubeProxyEnabledOf(c)) {
          return [warning(at(i, "type"), op.type, `${label(op, i)}: without kube-proxy each node also has a <node>-kubelet-dns step that sets clusterDNS to the kube-dns address; this operation runs after it and wins, but when that step runs again (addons.nodeLocalDns switched, or its script changed) it puts the kube-dns address back until this operation changes`, "where the cache can be the program's, set addons.nodeLocalDns.enabled instead of this operation; otherwise re-run this operation (change it, e.g. its retries) after such a change")];
        }
        return [];
      });
    },
  },
];
