// npm run durations -- <pulumi up output | event log>... [--control-planes a,b,c] [--upgrading] [--write] [--model <stack file>]
// Derives each kind of step's duration from a real `pulumi up` (the lab's: the CLI's progress
// output, or an engine event log), prints them beside the plan's current figures, and with --write
// records them in scripts/plan/measured-durations.json, which the plan's critical path then uses
// (platform-only kinds, VM clone and boot, stay stated estimates). --model plans the run's stack file
// and sets the plan's critical path, weighted by this run, beside the run's wall clock.
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile } from "../stacks/stack-file";
import { MEASURED_FILE } from "./plan/durations";
import { measuredDurations, measuredKinds, measuredTable, runDuration, stepsFromCliOutput, stepsFromEventLog } from "./plan/measured";
import { modelCheck, modelCheckReport } from "./plan/model-check";
import { runPlan } from "./plan/run";

async function main(argv: string[]): Promise<number> {
  const valueOf = (flag: string) => (argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : undefined);
  const files = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--control-planes" && argv[i - 1] !== "--model");
  if (files.length === 0) {
    console.error("usage: npm run durations -- <pulumi up output | event log>... [--control-planes <name,name>] [--upgrading] [--write] [--model <stack file>]");
    return 2;
  }
  const controlPlanes = (valueOf("--control-planes") ?? "").split(",").filter(Boolean);
  const totals: number[] = [];
  const steps = files.flatMap((file) => {
    const text = fs.readFileSync(file, "utf8");
    const total = runDuration(text);
    if (total !== undefined) {
      console.log(`${file}: the whole run took ${total} s`);
      totals.push(total);
    }
    return text.trimStart().startsWith("{") ? stepsFromEventLog(text) : stepsFromCliOutput(text);
  });
  if (steps.length === 0) {
    console.error(`no finished steps in ${files.join(", ")}: is it \`pulumi up --non-interactive\` output or an event log?`);
    return 1;
  }
  const kinds = measuredKinds(steps, { controlPlanes, upgrading: argv.includes("--upgrading") });
  console.log(measuredTable(kinds));
  if (controlPlanes.length === 0) console.log("(no --control-planes: every -join counted as a worker's)");
  if (argv.includes("--write")) {
    const source = `lab run ${files.map((f) => path.basename(f)).join(", ")} (${new Date().toISOString().slice(0, 10)})`;
    const previous = fs.existsSync(MEASURED_FILE) ? JSON.parse(fs.readFileSync(MEASURED_FILE, "utf8")) : {};
    fs.writeFileSync(MEASURED_FILE, `${JSON.stringify({ ...previous, ...measuredDurations(kinds, source) }, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), MEASURED_FILE)}`);
  }
  const model = valueOf("--model");
  if (model) {
    if (files.length !== 1 || totals.length !== 1) {
      console.error("--model compares one run with its stack file: give one pulumi up output, the one that says how long it took");
      return 2;
    }
    const planned = await runPlan(readStackFile(model));
    const all = measuredKinds(steps, { controlPlanes, upgrading: argv.includes("--upgrading"), includeUnmeasured: true });
    console.log(modelCheckReport(modelCheck(planned.resources, steps, all, totals[0]!)));
  }
  return 0;
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
