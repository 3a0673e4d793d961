// Plans one stack file in this process and prints its measurements as one JSON line (bench.ts).
import "./plan/deferred-modules";
import { readStackFile } from "../stacks/stack-file";
import { buildGraph, criticalPath } from "./plan/graph";
import { runPlan } from "./plan/run";

async function main(): Promise<void> {
  const result = await runPlan(readStackFile(process.argv[2]));
  const path = criticalPath(buildGraph(result.resources));
  console.log(
    JSON.stringify({
      resources: result.resources.length,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      criticalPathSteps: path.steps.length,
      criticalPathMinutes: path.seconds / 60,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
