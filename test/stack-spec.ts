// The validated spec of a shipped stack, for unit tests of what is derived from it (no plan, no mocks).
import * as path from "node:path";
import { readStackFile } from "../stacks/stack-file";
import type { ClusterSpec } from "../stacks/spec";
import { formatProblems, validateCluster } from "../stacks/validate";

const root = path.resolve(__dirname, "..");

/** `stack`: poc, prod or a path from the repository root; `edit` changes a copy of the raw description first. */
export function stackSpec(stack: string, edit: (cluster: any) => void = () => {}): ClusterSpec {
  const cluster = structuredClone(readStackFile(stack, root).cluster);
  edit(cluster);
  const result = validateCluster(cluster, { secretsPresent: new Set(), planMode: true });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}
