// The parameters of one node operation's step (scripts/operation.sh reads them), and where it runs.
// Pure: the plan tests and the sandbox tests read the same values the steps get.
import type { BasicOperation } from "../../stacks/node-operations";
import type { NodeSpec } from "../../stacks/spec";

/** The step's name: the node, then the operation's (unique) name. */
export const operationStepName = (node: string, operation: string) => `${node}-op-${operation}`;

/** Labels, taints and node-ready are about the Node object: they run through the API on the first control plane. */
export function runsOnControlPlane(part: BasicOperation): boolean {
  return part.throughApi || (part.type === "wait" && part.for === "node-ready");
}

/** Every parameter of one operation on one target; fields the operation does not set are left out. */
export function operationEnv(part: BasicOperation, node: NodeSpec): Record<string, string> {
  const env: Record<string, string | undefined> = {
    OP_NAME: part.name,
    OP_TYPE: part.type,
    NODE_NAME: node.name,
    ATTEMPTS: String(part.retries?.attempts ?? 1),
    BACKOFF_SECONDS: String(part.retries?.backoffSeconds ?? 5),
    CONTINUE_ON_ERROR: String(part.continueOnError),
  };
  switch (part.type) {
    case "file":
      Object.assign(env, { FILE_PATH: part.path, CONTENT: part.content, FILE_MODE: part.mode, FILE_OWNER: part.owner, ON_CHANGE: part.onChange });
      break;
    case "patch":
      Object.assign(env, { FILE_PATH: part.path, PATTERN: part.match, REPLACEMENT: part.replace, LINE: part.line, CREATE_IF_MISSING: String(part.createIfMissing), FILE_MODE: part.mode, FILE_OWNER: part.owner, ON_CHANGE: part.onChange });
      break;
    case "command":
      Object.assign(env, { COMMAND: part.command, TIMEOUT_SECONDS: part.timeoutSeconds?.toString() });
      break;
    case "labels":
      Object.assign(env, {
        SET_LABELS: part.labels ? Object.entries(part.labels).map(([key, value]) => `${key}=${value}`).join("\n") : undefined,
        REMOVE_LABELS: part.removeLabels?.join("\n"),
      });
      break;
    case "taints":
      Object.assign(env, {
        ADD_TAINTS: part.taints?.map((taint) => `${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`).join("\n"),
        REMOVE_TAINTS: part.removeTaints?.map((taint) => `${taint.key}${taint.effect ? `:${taint.effect}` : ""}`).join("\n"),
      });
      break;
    case "wait":
      Object.assign(env, { WAIT_FOR: part.for, COMMAND: part.command, TIMEOUT_SECONDS: part.timeoutSeconds?.toString(), INTERVAL_SECONDS: part.intervalSeconds?.toString() });
      break;
  }
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
