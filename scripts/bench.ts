// npm run bench: how plan time, memory and the deployment's critical path grow with cluster size.
// Each size is planned in a fresh process (Pulumi's runtime is per process, and memory is only
// comparable that way); the table goes to stdout and out/bench/bench.md.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { readStackFile } from "../stacks/stack-file";
import { numberToAddress, parseBlock } from "../stacks/network";

export interface BenchSize {
  controlPlanes: number;
  workers: number;
}

/** A PoC-shaped description scaled to the given size on a /16 so every size fits. */
export function scaledDescription(size: BenchSize): Record<string, unknown> {
  const cluster = structuredClone(readStackFile("poc").cluster) as Record<string, any>;
  const base = parseBlock("10.20.0.0/16").first;
  const address = (offset: number) => numberToAddress(base + offset);
  cluster.name = `bench-${size.controlPlanes}cp-${size.workers}w`;
  cluster.network = { ...cluster.network, subnet: "10.20.0.0/16", gateway: address(1) };
  cluster.endpoint = { ...cluster.endpoint, vip: address(10), dnsName: undefined };
  cluster.controlPlane = { addresses: Array.from({ length: size.controlPlanes }, (_, i) => address(11 + i)) };
  cluster.workerPools = [{ name: "worker", addresses: Array.from({ length: size.workers }, (_, i) => address(256 + i)) }];
  cluster.addons.loadBalancer.pools = [{ name: "default", addresses: [`${address(200)}-${address(220)}`] }];
  cluster.addons.ingress.loadBalancerIP = address(200);
  return cluster;
}

interface Measurement extends BenchSize {
  resources: number;
  planSeconds: number;
  peakRssMiB: number;
  criticalPathSteps: number;
  criticalPathMinutes: number;
}

function measure(size: BenchSize, dir: string): Measurement {
  const file = path.join(dir, `Pulumi.bench-${size.controlPlanes}-${size.workers}.yaml`);
  fs.writeFileSync(file, stringify({ config: { "onprem-k8s:cluster": scaledDescription(size) } }));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [require.resolve("tsx/cli"), path.join(__dirname, "bench-one.ts"), file], { encoding: "utf8" });
  const planSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`planning ${file} failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split("\n").pop()!) as Omit<Measurement, keyof BenchSize | "planSeconds">;
  return { ...size, planSeconds, ...result };
}

function main(): void {
  const sizes: BenchSize[] = [
    { controlPlanes: 1, workers: 2 },
    { controlPlanes: 3, workers: 3 },
    { controlPlanes: 3, workers: 10 },
    { controlPlanes: 3, workers: 30 },
    { controlPlanes: 3, workers: 100 },
    { controlPlanes: 5, workers: 30 },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const rows = sizes.map((size) => {
    const m = measure(size, dir);
    console.error(`measured ${size.controlPlanes} control planes + ${size.workers} workers`);
    return m;
  });
  const table = [
    `# Plan benchmark (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version})`,
    "",
    "Plan time is wall clock for a whole `plan` process (start-up included); memory is the planning process's peak RSS;",
    "the critical path is the longest chain of dependent resources, weighted by per-type estimates (scripts/plan/graph.ts).",
    "",
    "| control planes | workers | resources | plan s | peak RSS MiB | critical-path steps | critical path min |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.controlPlanes} | ${r.workers} | ${r.resources} | ${r.planSeconds.toFixed(1)} | ${r.peakRssMiB} | ${r.criticalPathSteps} | ${r.criticalPathMinutes.toFixed(1)} |`),
    "",
  ].join("\n");
  fs.mkdirSync(path.join("out", "bench"), { recursive: true });
  fs.writeFileSync(path.join("out", "bench", "bench.md"), table);
  console.log(table);
}

if (require.main === module) main();
