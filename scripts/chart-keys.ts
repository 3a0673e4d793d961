/**
 * Regenerates a chart's values key list from its values.yaml.
 *
 *   npx tsx scripts/chart-keys.ts <values.yaml> <out.json> [--chart NAME --version VERSION --source TEXT]
 *                                 [--free PATH[,PATH...]]
 *
 * --free marks paths the chart passes through whole (e.g. tigera-operator's `installation`, which
 * becomes the Installation resource's spec); those are checked against the CRD, not here.
 *
 * Without --chart/--version they are taken from an output name of the form <chart>-<version>.json.
 * The output holds derived facts (paths and their kinds), never the values.yaml itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { extractValuesKeys, type ValuesKeyList } from "../components/addons/chart-keys";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function chartAndVersionFromFileName(file: string): { chart: string; version: string } {
  const base = path.basename(file, ".json");
  const match = /^(.+?)-(v?\d+\.\d+\.\d+.*)$/.exec(base);
  if (!match) throw new Error(`cannot read <chart>-<version> from ${base}; pass --chart and --version`);
  return { chart: match[1], version: match[2] };
}

function main(argv: string[]): void {
  const positional = argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && argv[i - 1].startsWith("--")));
  if (positional.length !== 2) {
    console.error("usage: scripts/chart-keys.ts <values.yaml> <out.json> [--chart N --version V --source TEXT]");
    process.exit(2);
  }
  const [valuesFile, outFile] = positional;
  const fromName = option(argv, "--chart") ? undefined : chartAndVersionFromFileName(outFile);
  const list: ValuesKeyList = {
    chart: option(argv, "--chart") ?? fromName!.chart,
    version: option(argv, "--version") ?? fromName!.version,
    source: option(argv, "--source") ?? path.basename(valuesFile),
    paths: extractValuesKeys(fs.readFileSync(valuesFile, "utf8")),
  };
  for (const free of (option(argv, "--free") ?? "").split(",").filter(Boolean)) {
    for (const p of Object.keys(list.paths)) if (p.startsWith(`${free}.`)) delete list.paths[p];
    list.paths[free] = "free";
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(list, null, 1)}\n`);
  console.log(`${outFile}: ${Object.keys(list.paths).length} paths`);
}

if (require.main === module) main(process.argv.slice(2));
