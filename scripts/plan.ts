// npm run plan -- <stack | path to a stack file>
// Runs the program under Pulumi's mocks with that stack's config and writes out/<name>/
// (or <dir>/<name>/ with --out <dir>). With --from-version x.y.z it plans an update of a cluster
// that runs that version, and summary.md lists the upgrade.
// A bad description (or a version change the cluster cannot take) prints every problem, exits 1
// and leaves out/<name>/REFUSED.md alone in the folder.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StackFileError, readStackFile } from "../stacks/stack-file";
import { ClusterConfigError, formatProblems } from "../stacks/validate";
import { runPlan } from "./plan/run";
import { writePlan, writeRefused } from "./plan/write";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf("--out");
  const outRoot = path.resolve(outIndex >= 0 ? args.splice(outIndex, 2)[1] ?? "" : "out");
  const fromIndex = args.indexOf("--from-version");
  const fromVersion = fromIndex >= 0 ? args.splice(fromIndex, 2)[1] ?? "" : undefined;
  if (fromVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(fromVersion)) {
    console.error(`--from-version: "${fromVersion}" is not the exact version the cluster runs now, e.g. 1.34.3`);
    return 2;
  }
  const argument = args[0];
  if (!argument || argument === "--help" || argument === "-h" || args.length > 1) {
    console.error("usage: npm run plan -- <stack name (poc, prod) | path to a stack file> [--out <dir>] [--from-version <version the cluster runs now>]");
    return 2;
  }
  let stack;
  try {
    stack = readStackFile(argument);
  } catch (error) {
    if (!(error instanceof StackFileError)) throw error;
    console.error(error.message);
    return 1;
  }
  try {
    const result = await runPlan(stack, { fromVersion });
    const written = writePlan(result, outRoot);
    if (result.warnings.length > 0) console.warn(formatProblems(result.warnings));
    if (result.placeholderSecrets.length > 0) {
      console.log(`secrets not in the stack file, planned with placeholders: ${result.placeholderSecrets.join(", ")}`);
    }
    const custom = result.resources.filter((r) => r.custom).length;
    console.log(
      `planned ${stack.name}: ${result.resources.length} resources (${custom} custom), ${result.artifacts.length} artifacts -> ${path.relative(process.cwd(), written.directory)}/` +
        (written.svg ? " (graph.svg written)" : " (graph.svg skipped: graphviz `dot` not installed)"),
    );
    return 0;
  } catch (error) {
    // ClusterConfigError: the description; RunError: the program's refusals against the previous state.
    if (error instanceof ClusterConfigError || pulumi.RunError.isInstance(error)) {
      console.error(`${stack.path}:\n${error.message}`);
      console.error(`(${path.relative(process.cwd(), writeRefused(outRoot, stack.name, stack.path, error.message))} replaces the previous plan)`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
