// The resource graph of a plan: summary, Mermaid and DOT renderings, and the critical path
// (the longest chain of work `pulumi up` must do in order, weighted by estimated durations).
import type { RecordedResource } from "./monitor";
import { planDurations, type Duration } from "./durations";

export interface ResourceGraph {
  resources: RecordedResource[];
  byUrn: Map<string, RecordedResource>;
  /** urn -> urns it waits for (dependencies, and for components: their children). */
  waitsFor: Map<string, Set<string>>;
  /** Components with children here. A childless component (kubernetes:yaml/v2 ConfigGroup, whose objects the provider creates) is a unit of work like a custom resource. */
  parents: Set<string>;
}

/** A node of the drawing and of dependency edges: a custom resource or a component without children. */
export function isLeaf(graph: ResourceGraph, resource: RecordedResource): boolean {
  return resource.custom || !graph.parents.has(resource.urn);
}

const STACK_TYPE = "pulumi:pulumi:Stack";

export function buildGraph(resources: RecordedResource[]): ResourceGraph {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const waitsFor = new Map<string, Set<string>>(resources.map((r) => [r.urn, new Set(r.dependencies.filter((d) => byUrn.has(d)))]));
  const parents = new Set<string>();
  // A component is done when its children are: anything depending on it waits for them.
  for (const resource of resources) {
    if (resource.parent && byUrn.has(resource.parent)) parents.add(resource.parent);
    if (resource.parent && byUrn.has(resource.parent) && byUrn.get(resource.parent)!.type !== STACK_TYPE) {
      waitsFor.get(resource.parent)!.add(resource.urn);
    }
  }
  return { resources, byUrn, waitsFor, parents };
}

export interface CriticalPath {
  seconds: number;
  /** Steps along the path (custom resources and childless components), first to last. */
  steps: RecordedResource[];
  /** Each step's duration, its kind and the figure's source (durations.ts). */
  durations: ReadonlyMap<string, Duration & { kind?: string }>;
}

/**
 * The longest chain of work, each custom resource weighted by its step's duration (durations.ts;
 * `upgrading`: the plan changes the version, so the upgrade steps do real work), or by `weight`.
 */
export function criticalPath(graph: ResourceGraph, how: ((r: RecordedResource) => number) | { upgrading?: boolean } = {}): CriticalPath {
  const durations: ReadonlyMap<string, Duration & { kind?: string }> =
    typeof how === "function"
      ? new Map(graph.resources.map((r) => [r.urn, { seconds: how(r), source: "given" }]))
      : planDurations(graph.resources, { upgrading: how.upgrading });
  const weight = (r: RecordedResource) => durations.get(r.urn)?.seconds ?? 0;
  const finish = new Map<string, { seconds: number; via?: string }>();
  const visiting = new Set<string>();
  const visit = (urn: string): number => {
    const known = finish.get(urn);
    if (known) return known.seconds;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let start = 0;
    let via: string | undefined;
    for (const dependency of graph.waitsFor.get(urn) ?? []) {
      const done = visit(dependency);
      if (via === undefined || done > start) {
        start = done;
        via = dependency;
      }
    }
    visiting.delete(urn);
    const resource = graph.byUrn.get(urn)!;
    // Components take no time of their own: they finish when their children do. A childless one
    // (a ConfigGroup, whose objects the provider creates) is a step like a custom resource.
    const seconds = start + (isLeaf(graph, resource) ? weight(resource) : 0);
    finish.set(urn, { seconds, via });
    return seconds;
  };
  let last: string | undefined;
  let longest = -1;
  for (const resource of graph.resources) {
    const seconds = visit(resource.urn);
    if (seconds > longest) {
      longest = seconds;
      last = resource.urn;
    }
  }
  const steps: RecordedResource[] = [];
  for (let urn = last; urn; urn = finish.get(urn)?.via) {
    const resource = graph.byUrn.get(urn)!;
    if (isLeaf(graph, resource) && resource.type !== STACK_TYPE) steps.unshift(resource);
  }
  return { seconds: Math.max(longest, 0), steps, durations };
}

function shortType(type: string): string {
  const [pkg, , kind] = type.split(":");
  return kind ? `${pkg}:${kind}` : type;
}

function childrenOf(graph: ResourceGraph): Map<string | undefined, RecordedResource[]> {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const resource of graph.resources) {
    const parent = resource.parent && graph.byUrn.has(resource.parent) ? resource.parent : undefined;
    const siblings = children.get(parent);
    if (siblings) siblings.push(resource);
    else children.set(parent, [resource]);
  }
  return children;
}

/** Direct dependency edges between leaves (dependency -> dependent), components with children expanded. */
export function dependencyEdges(graph: ResourceGraph): [string, string][] {
  const customLeaves = (urn: string, seen = new Set<string>()): string[] => {
    if (seen.has(urn)) return [];
    seen.add(urn);
    const resource = graph.byUrn.get(urn);
    if (!resource) return [];
    if (isLeaf(graph, resource)) return [urn];
    return [...(graph.waitsFor.get(urn) ?? [])].flatMap((child) => customLeaves(child, seen));
  };
  const edges = new Set<string>();
  for (const resource of graph.resources) {
    if (!isLeaf(graph, resource)) continue;
    for (const dependency of resource.dependencies) {
      for (const leaf of customLeaves(dependency)) {
        if (leaf !== resource.urn) edges.add(`${leaf}\n${resource.urn}`);
      }
    }
  }
  return [...edges].map((edge) => edge.split("\n") as [string, string]);
}

/**
 * Drops every edge implied by a longer path (a -> c when a -> b -> c exists), so the drawing shows
 * the order of work without the clutter of each key feeding every command.
 */
export function transitiveReduction(edges: [string, string][]): [string, string][] {
  const next = new Map<string, string[]>();
  for (const [from, to] of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const reachable = new Map<string, Set<string>>();
  const reach = (node: string): Set<string> => {
    const known = reachable.get(node);
    if (known) return known;
    const set = new Set<string>();
    reachable.set(node, set);
    for (const to of next.get(node) ?? []) {
      set.add(to);
      for (const further of reach(to)) set.add(further);
    }
    return set;
  };
  return edges.filter(([from, to]) => !(next.get(from) ?? []).some((middle) => middle !== to && reach(middle).has(to)));
}

/** `site`: the lines saying what the site gets (scripts/plan/site.ts), placed right under the counts. */
export function summaryMarkdown(stack: string, graph: ResourceGraph, path: CriticalPath, site: string[] = []): string {
  const custom = graph.resources.filter((r) => r.custom);
  const byType = new Map<string, number>();
  for (const resource of graph.resources) byType.set(resource.type, (byType.get(resource.type) ?? 0) + 1);
  const lines = [
    `# Plan: ${stack}`,
    "",
    `${graph.resources.length} resources: ${custom.length} custom, ${graph.resources.length - custom.length} components; ${graph.resources.filter((r) => r.protect).length} protected.`,
    "",
    ...site,
    "## By type",
    "",
    "| type | count |",
    "|---|---|",
    ...[...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => `| ${type} | ${count} |`),
    "",
    "## By parent",
    "",
  ];
  const children = childrenOf(graph);
  const tree = (parent: string | undefined, depth: number) => {
    for (const resource of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}- ${resource.name} (${resource.type})${resource.protect ? " [protected]" : ""}`);
      tree(resource.urn, depth + 1);
    }
  };
  tree(undefined, 0);
  lines.push(
    "",
    "## Critical path",
    "",
    `About ${Math.round(path.seconds / 60)} min (${Math.round(path.seconds)} s) of work in sequence, ${path.steps.length} steps; each step's duration is measured on the lab or a stated estimate (scripts/plan/durations.ts, docs/performance.md):`,
    "",
    ...path.steps.map((step, i) => {
      const d = path.durations.get(step.urn);
      return `${i + 1}. ${step.name} (${shortType(step.type)}): ${d?.seconds ?? 0} s${d?.kind ? `, ${d.kind}` : ""}${d?.source.startsWith("estimate") ? " (estimate)" : ""}`;
    }),
    "",
  );
  return lines.join("\n");
}

function ids(graph: ResourceGraph): Map<string, string> {
  return new Map(graph.resources.map((r, i) => [r.urn, `r${i}`]));
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, "'");
}

export function toMermaid(graph: ResourceGraph): string {
  const id = ids(graph);
  const children = childrenOf(graph);
  const lines = ["flowchart LR"];
  const emit = (parent: string | undefined, depth: number) => {
    for (const resource of children.get(parent) ?? []) {
      const pad = "  ".repeat(depth + 1);
      const label = escapeLabel(`${resource.name}<br/><small>${shortType(resource.type)}</small>`);
      if (isLeaf(graph, resource)) {
        lines.push(`${pad}${id.get(resource.urn)}["${label}"]`);
      } else {
        lines.push(`${pad}subgraph ${id.get(resource.urn)}["${label}"]`);
        emit(resource.urn, depth + 1);
        lines.push(`${pad}end`);
      }
    }
  };
  emit(undefined, 0);
  for (const [from, to] of transitiveReduction(dependencyEdges(graph))) lines.push(`  ${id.get(from)} --> ${id.get(to)}`);
  return `${lines.join("\n")}\n`;
}

export function toDot(graph: ResourceGraph): string {
  const id = ids(graph);
  const children = childrenOf(graph);
  const lines = ["digraph plan {", "  rankdir=LR;", '  node [shape=box, fontsize=10, fontname="Helvetica"];', '  graph [fontsize=11, fontname="Helvetica"];'];
  const emit = (parent: string | undefined, depth: number) => {
    for (const resource of children.get(parent) ?? []) {
      const pad = "  ".repeat(depth + 1);
      const label = escapeLabel(`${resource.name}\\n${shortType(resource.type)}`);
      if (isLeaf(graph, resource)) {
        lines.push(`${pad}${id.get(resource.urn)} [label="${label}"${resource.protect ? ", color=red" : ""}];`);
      } else {
        lines.push(`${pad}subgraph cluster_${id.get(resource.urn)} {`, `${pad}  label="${label}";`);
        emit(resource.urn, depth + 1);
        lines.push(`${pad}}`);
      }
    }
  };
  emit(undefined, 0);
  for (const [from, to] of transitiveReduction(dependencyEdges(graph))) lines.push(`  ${id.get(from)} -> ${id.get(to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
