// npm run bench: how plan time, memory and the deployment's critical path grow with cluster size.
// Each size is planned in a fresh process (Pulumi's runtime is per process, and memory is only
// comparable that way); the table goes to stdout and out/bench/bench.md, each figure beside the
// previous design's from scripts/bench-baseline.json (`npm run bench -- --record-baseline` writes
// that file from this tree instead). The machine may be shared: each row carries the 1-minute
// load average at its start, so a slow figure can be told from a busy machine.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { readStackFile } from "../stacks/stack-file";
import { numberToAddress, parseBlock } from "../stacks/network";
import { benchTable, type BenchBaseline, type Measurement } from "./bench-table";
import { compile } from "./run-compiled";

export interface BenchSize {
  controlPlanes: number;
  workers: number;
}

export const BENCH_SIZES: BenchSize[] = [
  { controlPlanes: 1, workers: 2 },
  { controlPlanes: 3, workers: 2 },
  { controlPlanes: 3, workers: 10 },
  { controlPlanes: 3, workers: 30 },
  { controlPlanes: 3, workers: 100 },
  { controlPlanes: 5, workers: 30 },
  { controlPlanes: 5, workers: 300 },
];

export const BASELINE_FILE = path.join(__dirname, "bench-baseline.json");

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
  // One /24 of pods per node (Cilium's cluster pool): a /14 holds 1024 nodes.
  cluster.kubernetes = { ...cluster.kubernetes, podCidr: "10.240.0.0/14" };
  return cluster;
}

/** One size planned by `planner` (bench-one.ts compiled, as `npm run plan` runs) in a fresh process. */
function measure(size: BenchSize, dir: string, planner: string): Measurement {
  const file = path.join(dir, `Pulumi.bench-${size.controlPlanes}-${size.workers}.yaml`);
  fs.writeFileSync(file, stringify({ config: { "onprem-k8s:cluster": scaledDescription(size) } }));
  const load = os.loadavg()[0];
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [planner, file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const planSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`planning ${file} failed:\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split("\n").pop()!) as Omit<Measurement, keyof BenchSize | "planSeconds" | "load">;
  return { ...size, planSeconds, load, ...result };
}

async function main(argv: string[]): Promise<void> {
  const record = argv.includes("--record-baseline");
  const only = argv.find((a) => /^\d+\+\d+$/.test(a));
  const sizes = only ? BENCH_SIZES.filter((s) => `${s.controlPlanes}+${s.workers}` === only) : BENCH_SIZES;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const planner = await compile(path.join(__dirname, "bench-one.ts"));
  const rows = sizes.map((size) => {
    const m = measure(size, dir, planner);
    console.error(`measured ${size.controlPlanes}+${size.workers}: ${m.planSeconds.toFixed(1)} s at load ${m.load.toFixed(2)}`);
    return m;
  });
  const machine = `${os.cpus().length} cores, Node ${process.version}`;
  if (record) {
    const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
    const baseline: BenchBaseline = { recorded: new Date().toISOString(), machine, commit, rows };
    fs.writeFileSync(BASELINE_FILE, `${JSON.stringify(baseline, null, 2)}\n`);
    console.error(`recorded ${BASELINE_FILE}`);
  }
  const baseline = !record && fs.existsSync(BASELINE_FILE) ? (JSON.parse(fs.readFileSync(BASELINE_FILE, "utf8")) as BenchBaseline) : undefined;
  const table = benchTable(rows, baseline, `${new Date().toISOString().slice(0, 10)}, ${machine}`);
  fs.mkdirSync(path.join("out", "bench"), { recursive: true });
  fs.writeFileSync(path.join("out", "bench", "bench.md"), table);
  console.log(table);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
