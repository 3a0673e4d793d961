// The layers of components/, lowest first, and the one rule between them: a module imports only
// from its own layer or lower ones. The Cluster component (components/cluster.ts) is the top and
// wires them all. Read from the TypeScript import statements, so a new upward import fails
// test/layers.test.ts before it gets tangled in.
import * as fs from "node:fs";
import * as path from "node:path";

/** Lowest first. Paths are relative to the repository root; a folder covers everything below it. */
export const LAYERS: readonly (readonly string[])[] = [
  ["stacks"],
  // What every layer receives (the description, the secrets, the artifact sink).
  ["components/artifacts.ts", "components/context.ts"],
  // Running a script on a node as a Pulumi resource; knows no layer's scripts.
  ["components/remote"],
  ["components/machines"],
  ["components/node"],
  ["components/endpoint"],
  ["components/kubeadm"],
  ["components/addons"],
  // The description's node operations, after the cluster and its add-ons are up.
  ["components/node-operations"],
  ["components/checks"],
  // The Cluster and, beside it, what guards the whole stack.
  ["components/cluster.ts", "components/destroy-guard.ts"],
];

/** The layer index of a repository-relative path; undefined outside every layer (node_modules, test/). */
export function layerOf(file: string): number | undefined {
  const normalised = file.split(path.sep).join("/");
  const index = LAYERS.findIndex((layer) => layer.some((root) => normalised === root || normalised.startsWith(`${root}/`) || `${normalised}.ts` === root));
  return index >= 0 ? index : undefined;
}

/** Module specifiers of every import, re-export, dynamic import and require in a source text. */
export function importSpecifiers(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  const patterns = [
    /\b(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...withoutComments.matchAll(pattern)].map((match) => match[1]!));
}

export interface UpwardImport {
  file: string;
  imports: string;
  /** Layers (first root of each) of the importing and the imported module. */
  from: string;
  to: string;
}

/**
 * Every import in `files` (repository-relative path -> source) that reaches a higher layer.
 * Only relative specifiers are followed; packages are no layer.
 */
export function upwardImports(files: ReadonlyMap<string, string>): UpwardImport[] {
  const found: UpwardImport[] = [];
  for (const [file, source] of files) {
    const own = layerOf(file);
    if (own === undefined) continue;
    for (const specifier of importSpecifiers(source)) {
      if (!specifier.startsWith(".")) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const layer = layerOf(target);
      if (layer !== undefined && layer > own) found.push({ file, imports: specifier, from: LAYERS[own]![0]!, to: LAYERS[layer]![0]! });
    }
  }
  return found;
}

/** The non-test TypeScript sources below `dirs` of a repository, keyed by repository-relative path. */
export function readSources(root: string, dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts")) files.set(relative, fs.readFileSync(path.join(root, relative), "utf8"));
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}
