// Writes a plan to out/<stack>/: summary, resources, graph (Mermaid, DOT, SVG where graphviz is
// installed), outputs and every artifact with its index. Secrets never reach the disk.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildGraph, criticalPath, summaryMarkdown, toDot, toMermaid } from "./graph";
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

export interface WrittenPlan {
  directory: string;
  files: string[];
  svg: boolean;
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

  const graph = buildGraph(result.resources);
  const critical = criticalPath(graph, { upgrading: result.fromVersion !== undefined && result.fromVersion !== result.spec.kubernetes.version });
  const certificates = certificatesMarkdown(result.spec, result.outputs.certificates);
  const site = [...siteMarkdown(result.spec, result.resources, result.artifacts), ...upgradeMarkdown(result.spec, result.resources, result.fromVersion), ...certificates];
  write("summary.md", summaryMarkdown(result.stack.name, graph, critical, site));
  write("resources.json", `${JSON.stringify(result.resources.map(publicResource), null, 2)}\n`);
  write("outputs.json", `${JSON.stringify(maskPaths(result.outputs, result.outputSecretPaths), null, 2)}\n`);
  const dot = toDot(graph);
  write("graph.mmd", toMermaid(graph));
  write("graph.dot", dot);
  const rendered = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
  const svg = rendered.status === 0 && rendered.stdout.length > 0;
  if (svg) write("graph.svg", rendered.stdout);

  const index = result.artifacts.map((artifact) => {
    const relative = path.posix.join("artifacts", artifact.path);
    write(relative, artifact.secret ? `# ${MASK}: this ${artifact.kind} artifact carries secrets and is not written by the plan\n` : artifact.content);
    return { kind: artifact.kind, path: relative, secret: artifact.secret };
  });
  write("artifacts.json", `${JSON.stringify(index, null, 2)}\n`);

  fs.rmSync(directory, { recursive: true, force: true });
  fs.renameSync(staging, directory);
  return { directory, files, svg };
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
