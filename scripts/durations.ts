// npm run durations -- <pulumi up output | event log>... [--control-planes a,b,c] [--upgrading] [--write]
// Derives each kind of step's duration from a real `pulumi up` (the lab's: the CLI's progress
// output, or an engine event log), prints them beside the plan's current figures, and with --write
// records them in scripts/plan/measured-durations.json, which the plan's critical path then uses
// (platform-only kinds, VM clone and boot, stay stated estimates).
import * as fs from "node:fs";
import * as path from "node:path";
import { MEASURED_FILE } from "./plan/durations";
import { measuredDurations, measuredKinds, measuredTable, runDuration, stepsFromCliOutput, stepsFromEventLog } from "./plan/measured";

function main(argv: string[]): number {
  const files = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--control-planes");
  if (files.length === 0) {
    console.error("usage: npm run durations -- <pulumi up output | event log>... [--control-planes <name,name>] [--upgrading] [--write]");
    return 2;
  }
  const at = argv.indexOf("--control-planes");
  const controlPlanes = at >= 0 ? (argv[at + 1] ?? "").split(",").filter(Boolean) : [];
  const steps = files.flatMap((file) => {
    const text = fs.readFileSync(file, "utf8");
    const total = runDuration(text);
    if (total !== undefined) console.log(`${file}: the whole run took ${total} s`);
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
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
