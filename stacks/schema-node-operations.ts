// The node operations section of the description (`nodeOperations`, docs/node-operations.md): an
// ordered list of operations on the nodes (write a file, patch a file, run a command, set labels
// and taints through the API, wait for a condition) and two ready-made flows built from them.
// One object shape for every type keeps did-you-mean working on every key; which fields each type
// needs or refuses is stacks/rules/node-operations.ts's check, which names the index and the field.
import { z } from "zod";
import * as formats from "./formats";
import { checked, dnsLabel, ipv4, labelMap } from "./schema-primitives";

export const NODE_OPERATION_TYPES = ["file", "patch", "command", "labels", "taints", "wait", "nodelocaldns-kubelets", "kubeconfigs-to-endpoint"] as const;
export type NodeOperationType = (typeof NODE_OPERATION_TYPES)[number];
export const NODE_OPERATION_STRATEGIES = ["parallel", "serial", "batches"] as const;
export const WAIT_CONDITIONS = ["kubelet-healthy", "node-ready", "command"] as const;
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** The mode chmod and install read: three or four octal digits, as text. */
export function fileModeProblem(mode: string): string | undefined {
  if (!/^[0-7]{3,4}$/.test(mode)) return `"${mode}" is not an octal mode; chmod reads three or four digits 0-7, e.g. "0644"`;
  return undefined;
}

/** `user` or `user:group` as chown reads it: login names (useradd's rule) or numeric ids. */
export function fileOwnerProblem(owner: string): string | undefined {
  const parts = owner.split(":");
  if (parts.length > 2) return "more than one ':'; chown reads user or user:group";
  for (const [i, part] of parts.entries()) {
    const what = i === 0 ? "user" : "group";
    if (part === "") return `an empty ${what}; write user or user:group, e.g. root:root`;
    if (!/^\d+$/.test(part) && formats.userNameProblem(part)) return `${part} is not a ${what} name chown reads (lower-case letters, digits, '_' or '-', starting with a letter or '_') nor a numeric id`;
  }
  return undefined;
}

/** An absolute path on the node, without `..` (a file or patch operation's target). */
export function nodePathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "not an absolute path";
  if (/[\x00-\x1f\x7f]/.test(path)) return "holds a line break or another control character";
  if (path.split("/").includes("..")) return "'..' in the path";
  if (path.endsWith("/")) return "ends in '/': name the file, not its directory";
  return undefined;
}

/** A mode as YAML gives it: an unquoted 0644 arrives as the number 644 (YAML 1.2) and is refused with the quoting fix. */
const fileMode = z.unknown().superRefine((value, ctx) => {
  if (typeof value === "number" && Number.isFinite(value)) {
    ctx.addIssue({ code: "custom", message: `YAML read an unquoted mode as the number ${value}`, params: { fix: 'quote the mode so it stays octal text, e.g. mode: "0644"' } });
    return;
  }
  if (typeof value !== "string") {
    ctx.addIssue({ code: "custom", message: "expected an octal mode as text", params: { fix: 'write the mode in quotes, e.g. mode: "0644"' } });
    return;
  }
  const problem = fileModeProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, params: { fix: 'write three or four octal digits in quotes, e.g. mode: "0640"' } });
}) as z.ZodType<string | undefined>;

const labelKey = checked(formats.labelKeyProblem, "write a label-style key, e.g. dedicated or example.com/dedicated");

const taintSchema = z.strictObject({
  key: labelKey,
  value: checked(formats.labelValueProblem, "use at most 63 letters, digits, '-', '_' or '.'").optional(),
  effect: z.enum(TAINT_EFFECTS),
});

const targetsSchema = z
  .strictObject({
    roles: z.array(z.enum(["control-plane", "worker"])).min(1).optional().describe("node roles"),
    pools: z.array(z.string().min(1)).min(1).optional().describe("worker pool names (`control-plane` for the control planes)"),
    names: z.array(z.string().min(1)).min(1).optional().describe("node names"),
    labels: labelMap.optional().describe("labels the description gives the node (its pool's labels; `node-role.kubernetes.io/control-plane` on control planes)"),
  })
  .describe("which nodes: each criterion given must hold (entries of one list are alternatives); none given: every node");

export const nodeOperationSchema = z.strictObject({
  name: dnsLabel.describe("unique name of the operation; its steps are `<node>-op-<name>`, so renaming it runs it again"),
  type: z.enum(NODE_OPERATION_TYPES).describe("what it does (docs/node-operations.md)"),
  targets: targetsSchema.optional(),
  strategy: z.enum(NODE_OPERATION_STRATEGIES).optional().describe("on its targets all at once (parallel), one at a time (serial), or batchSize at a time (batches); default parallel, serial for the ready-made flows"),
  batchSize: z.number().int().min(1).optional().describe("targets per batch (strategy batches)"),
  retries: z
    .strictObject({
      attempts: z.number().int().min(1).max(20).default(1).describe("tries in all"),
      backoffSeconds: z.number().int().min(0).max(600).default(5).describe("pause before the second try, doubled before each later one"),
    })
    .optional(),
  continueOnError: z.boolean().default(false).describe("a target that still fails after its retries is reported and the run goes on, instead of stopping"),
  path: z.string().optional().describe("file or patch: the file on the node"),
  content: z.string().optional().describe("file: the whole content"),
  mode: fileMode.optional().describe('file, and a file patch creates: octal mode in quotes, e.g. "0644" (default "0644")'),
  owner: checked(fileOwnerProblem, "write user or user:group, e.g. root:root").optional().describe("file, and a file patch creates: user or user:group (default root:root)"),
  match: z.string().optional().describe("patch: a regular expression as GNU sed -E reads it"),
  replace: z.string().optional().describe("patch: what replaces the first match on each matching line (sed's replacement: \\1 a group, & the match)"),
  line: z.string().optional().describe("patch: a whole line that must be in the file: it replaces the lines `match` matches, or is appended"),
  createIfMissing: z.boolean().default(false).describe("patch: create the file (empty, with mode and owner) when it does not exist"),
  onChange: z.string().optional().describe("file or patch: a command run on the node after the file changed, e.g. systemctl restart kubelet"),
  command: z.string().optional().describe("command: the script bash runs on the node; wait (for: command): the check"),
  timeoutSeconds: z.number().int().min(1).max(86400).optional().describe("command, wait: time limit of one try (default 600 for a command, 300 for a wait)"),
  labels: labelMap.optional().describe("labels: labels to set on the Node"),
  removeLabels: z.array(labelKey).optional().describe("labels: label keys to remove"),
  taints: z.array(taintSchema).optional().describe("taints: taints to add (or update)"),
  removeTaints: z.array(z.strictObject({ key: labelKey, effect: z.enum(TAINT_EFFECTS).optional() })).optional().describe("taints: taints to remove (every effect when effect is not given)"),
  for: z.enum(WAIT_CONDITIONS).optional().describe("wait: kubelet-healthy, node-ready (through the API), or command (until it succeeds)"),
  intervalSeconds: z.number().int().min(1).max(600).optional().describe("wait: pause between checks (default 5)"),
  address: ipv4.optional().describe("nodelocaldns-kubelets: the cache's address the kubelets' clusterDNS points at (default 169.254.20.10)"),
});

export type NodeOperationInput = z.input<typeof nodeOperationSchema>;
export type NodeOperationConfig = z.output<typeof nodeOperationSchema>;

export const nodeOperationsSchema = z
  .array(nodeOperationSchema)
  .default([])
  .describe("node operations run in order after the cluster is up, each on its targets (docs/node-operations.md)");
