// The command behind `npm run plan -- <stack | path> [--out <dir>]`: every mistake a user can make
// (a wrong argument, a file that is not a stack, YAML syntax, a bad description) ends as one
// report without a stack trace and exit code 1 (2 for usage), never as an uncaught exception.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StackFileError, readStackFile } from "../../stacks/stack-file";
import { ClusterConfigError, formatProblems } from "../../stacks/validate";
import { runPlan } from "./run";
import { writePlan, writeRefused } from "./write";

export interface PlanIo {
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = "usage: npm run plan -- <stack name (poc, prod) | path to a stack file> [--out <dir>] [--from-version <version the cluster runs now>]";

/** The first line of an error's message: its trace and any excerpt stay out of the report. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}

export async function planCommand(argv: string[], io: PlanIo, cwd = process.cwd()): Promise<number> {
  const args = [...argv];
  const outIndex = args.indexOf("--out");
  const outArgument = outIndex >= 0 ? args.splice(outIndex, 2)[1] : "out";
  // --from-version x.y.z plans an update of a cluster that runs that version; summary.md lists the upgrade.
  const fromIndex = args.indexOf("--from-version");
  const fromVersion = fromIndex >= 0 ? args.splice(fromIndex, 2)[1] ?? "" : undefined;
  if (fromVersion !== undefined && !/^\d+\.\d+\.\d+$/.test(fromVersion)) {
    io.err(`--from-version: "${fromVersion}" is not the exact version the cluster runs now, e.g. 1.34.3`);
    return 2;
  }
  const argument = args[0];
  if (!argument || !outArgument || argument === "--help" || argument === "-h" || args.length > 1 || argument.startsWith("-")) {
    io.err(args.length > 1 ? `${USAGE}\n(one stack at a time; got ${args.join(" ")})` : USAGE);
    return 2;
  }
  const outRoot = path.resolve(cwd, outArgument);
  let stack;
  try {
    stack = readStackFile(argument, cwd);
  } catch (error) {
    if (error instanceof StackFileError) {
      io.err(error.message);
      return 1;
    }
    io.err(`${argument}: cannot be read as a stack file: ${firstLine(error)}`);
    return 1;
  }
  const shown = path.relative(cwd, stack.path) || stack.path;
  try {
    const result = await runPlan(stack, { fromVersion });
    const written = writePlan(result, outRoot);
    if (result.warnings.length > 0) io.err(formatProblems(result.warnings));
    if (result.placeholderSecrets.length > 0) {
      io.out(`secrets not in the stack file, planned with placeholders: ${result.placeholderSecrets.join(", ")}`);
    }
    const custom = result.resources.filter((r) => r.custom).length;
    io.out(
      `planned ${stack.name}: ${result.resources.length} resources (${custom} custom), ${result.artifacts.length} artifacts -> ${path.relative(cwd, written.directory)}/` +
        ` (${written.svgNote})`,
    );
    return 0;
  } catch (error) {
    // ClusterConfigError: the description; RunError: the program's refusals against the previous state.
    if (error instanceof ClusterConfigError || pulumi.RunError.isInstance(error)) {
      io.err(`${shown}:\n${error.message}`);
      io.err(`(${path.relative(cwd, writeRefused(outRoot, stack.name, stack.path, error.message))} replaces the previous plan)`);
      return 1;
    }
    // A check that only a resource's own code makes (inside the program) still reads as one line.
    io.err(`${shown}: the plan stopped: ${firstLine(error)}`);
    if (process.env.ONPREM_K8S_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}
