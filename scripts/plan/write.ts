// Writes a plan to out/<stack>/: summary, resources, graph (Mermaid, DOT, SVG where graphviz is
// installed), outputs and every artifact with its index. Secrets never reach the disk.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildGraph, criticalPath, isLeaf, summaryMarkdown, toDot, toMermaid } from "./graph";
import type { RecordedResource } from "./monitor";
import type { PlanResult } from "./run";
import { certificatesMarkdown } from "./certificates";
import { siteMarkdown } from "./site";
import { upgradeMarkdown } from "./upgrade";
import { maskSecrets } from "../../components/remote/env";

export const MASK = "[secret]";

/** Replaces the values at the given dotted paths (a.b[0].c) with the mask. */
export function maskPaths(value: unknown, paths: string[]): unknown {
  const masked = structuredClone(value);
  for (const dotted of paths) {
    if (dotted === ".") return MASK;
    const keys = dotted.match(/[^.[\]]+/g) ?? [];
    let node = masked as Record<string, unknown>;
    for (const [i, key] of keys.entries()) {
      if (node === null || typeof node !== "object") break;
      if (i === keys.length - 1) node[key] = MASK;
      else node = node[key] as Record<string, unknown>;
    }
  }
  return masked;
}

function publicResource(resource: RecordedResource) {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    parent: resource.parent,
    custom: resource.custom,
    protect: resource.protect,
    dependencies: resource.dependencies,
    inputs: maskPaths(resource.inputs, resource.secretPaths),
    secretInputs: resource.secretPaths,
    additionalSecretOutputs: resource.additionalSecretOutputs,
  };
}

/**
 * `JSON.stringify(items.map(render), null, 2)` and a newline, element by element, so that only one
 * element's text exists at a time (JSON text holds no raw newline but the layout's, so indenting
 * each line of an element places it as the whole array's stringify would).
 */
export function* jsonArrayLines<T>(items: readonly T[], render: (item: T) => unknown): Generator<string> {
  if (items.length === 0) {
    yield "[]\n";
    return;
  }
  yield "[\n";
  for (const [i, item] of items.entries()) {
    yield `  ${JSON.stringify(render(item), null, 2).replace(/\n/g, "\n  ")}${i < items.length - 1 ? "," : ""}\n`;
  }
  yield "]\n";
}

export interface WrittenPlan {
  directory: string;
  files: string[];
  svg: boolean;
  /** What became of graph.svg, for the command's last line. */
  svgNote: string;
}

/**
 * Graphviz's layout time grows much faster than the graph it lays out (CPU seconds on the loaded
 * 2-core machine: 1,471 steps 1.2 s, 2,171 steps 2.3 s, 2,871 steps 6.5 s; the 4,300 of 5 control
 * planes and 300 workers took minutes, longer than the whole plan before it). Past this many steps
 * the plan leaves graph.svg out and says so (a drawing that size is not read as a picture anyway);
 * graph.dot and graph.mmd hold the same graph.
 */
export const SVG_MAX_STEPS = 2000;

/** graph.svg from graph.dot, or why there is none. */
/** `command`: graphviz's dot, or in tests one that is not installed or fails. */
export function renderSvg(dot: string, steps: number, command = "dot"): { svg?: string; note: string } {
  if (steps > SVG_MAX_STEPS) return { note: `graph.svg skipped: ${steps} steps, more than graphviz lays out in reasonable time (${SVG_MAX_STEPS}); graph.dot has them` };
  // The SVG of 1,500 steps is 1.7 MB, past spawnSync's default 1 MiB of output.
  const rendered = spawnSync(command, ["-Tsvg"], { input: dot, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if ((rendered.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return { note: "graph.svg skipped: graphviz `dot` not installed" };
  if (rendered.status !== 0 || rendered.stdout.length === 0) {
    // dot's own message first: a dot that stops early also leaves its input unread (EPIPE).
    const why = (rendered.stderr ?? "").trim().split("\n")[0] || rendered.error?.message || `exit ${rendered.status}`;
    return { note: `graph.svg skipped: dot failed: ${why}` };
  }
  return { svg: rendered.stdout, note: "graph.svg written" };
}

export function writePlan(result: PlanResult, outRoot: string): WrittenPlan {
  const directory = path.join(outRoot, result.stack.name);
  const staging = `${directory}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const files: string[] = [];
  const write = (relative: string, content: string) => {
    const file = path.join(staging, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    files.push(relative);
  };
  const writeChunks = (relative: string, chunks: Iterable<string>) => {
    const file = path.join(staging, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, "w");
    try {
      for (const chunk of chunks) fs.writeSync(fd, chunk);
    } finally {
      fs.closeSync(fd);
    }
    files.push(relative);
  };

  const graph = buildGraph(result.resources);
  const critical = criticalPath(graph, { upgrading: result.fromVersion !== undefined && result.fromVersion !== result.spec.kubernetes.version });
  const certificates = certificatesMarkdown(result.spec, result.outputs.certificates);
  const site = [...siteMarkdown(result.spec, result.resources, result.artifacts), ...upgradeMarkdown(result.spec, result.resources, result.fromVersion), ...certificates];
  write("summary.md", summaryMarkdown(result.stack.name, graph, critical, site));
  // One resource at a time: the whole text of a large plan (every step's stdin) was 100 MiB more at once.
  writeChunks("resources.json", jsonArrayLines(result.resources, publicResource));
  write("outputs.json", `${JSON.stringify(maskPaths(result.outputs, result.outputSecretPaths), null, 2)}\n`);
  const dot = toDot(graph);
  write("graph.mmd", toMermaid(graph));
  write("graph.dot", dot);
  const rendered = renderSvg(dot, graph.resources.filter((r) => isLeaf(graph, r)).length);
  if (rendered.svg !== undefined) write("graph.svg", rendered.svg);

  const index = result.artifacts.map((artifact) => {
    const relative = path.posix.join("artifacts", artifact.path);
    write(relative, artifact.secret ? `# ${MASK}: this ${artifact.kind} artifact carries secrets and is not written by the plan\n` : artifact.content);
    return { kind: artifact.kind, path: relative, secret: artifact.secret };
  });
  write("artifacts.json", `${JSON.stringify(index, null, 2)}\n`);

  fs.rmSync(directory, { recursive: true, force: true });
  fs.renameSync(staging, directory);
  return { directory, files, svg: rendered.svg !== undefined, svgNote: rendered.note };
}

export const REFUSED_FILE = "REFUSED.md";

/**
 * A refused plan leaves nothing that looks current: out/<name>/ becomes one REFUSED.md with the
 * report (credentials in URLs masked). A marker rather than an empty or missing folder, so whoever
 * opens the folder (or a link to its summary) learns that the last plan was refused and why,
 * instead of guessing whether a plan ever ran.
 */
export function writeRefused(outRoot: string, name: string, file: string, report: string, now = new Date()): string {
  const directory = path.join(outRoot, name);
  const staging = `${directory}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const content = [
    `# Plan refused: ${name}`,
    "",
    `\`npm run plan\` refused ${file} at ${now.toISOString()}; no summary, graph or artifact of an earlier plan is kept here, since none would match this description. Fix the problems below and plan again.`,
    "",
    "```",
    maskSecrets(report),
    "```",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(staging, REFUSED_FILE), content);
  fs.rmSync(directory, { recursive: true, force: true });
  fs.renameSync(staging, directory);
  return path.join(directory, REFUSED_FILE);
}
