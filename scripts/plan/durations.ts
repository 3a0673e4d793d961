// How long each step of a deployment takes, by kind, each figure with where it comes from: the
// plan's critical path (graph.ts) is weighted by these. Steps on nodes are measured on the
// real-node lab (docs/testing.md, docs/testing-day2.md; `npm run durations` refreshes them from a
// lab run's `pulumi up` output into measured-durations.json, which overrides the table below);
// what only a platform or a real site shows (VM clone and boot, Helm releases with their image
// pulls) stays a stated estimate, named as one.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedResource } from "./monitor";

export interface Duration {
  seconds: number;
  /** Where the figure comes from: a lab measurement, or "estimate: ..." with its reason. */
  source: string;
}

const LAB = "lab (docs/testing.md, test/cluster/poc.suite.ts on the 2-core machine, packages from a local repository, images present)";
const LAB_SPLIT = `${LAB}: its phase times (first control plane prepared twice and Ready 33 s; each further control plane prepared and joined 48–58 s; workers prepared and joined 26 s), split between the phase's steps`;
const DAY2 = "lab (docs/testing-day2.md: the journey's uninterrupted upgrade run)";

/** The kinds of step a plan has, each with its duration. */
export const STEP_DURATIONS = {
  "vm:vsphere": { seconds: 240, source: "estimate: a full clone of a 20 GiB thin template on shared storage (no vSphere to measure here)" },
  "vm:proxmox": { seconds: 180, source: "estimate: a full clone on the node's storage (no Proxmox to measure here)" },
  boot: { seconds: 60, source: "estimate: a cloned VM's boot and cloud-init until SSH answers (no platform to measure here)" },
  reachable: { seconds: 1, source: `${LAB}: SSH to an existing host` },
  "prepare:base": { seconds: 5, source: LAB_SPLIT },
  "prepare:proxy": { seconds: 1, source: LAB_SPLIT },
  "prepare:containerd": { seconds: 4, source: LAB_SPLIT },
  "prepare:kubernetes-packages": { seconds: 5, source: LAB_SPLIT },
  "prepare:images": { seconds: 2, source: `${LAB_SPLIT}; the images are present there, so it checks and skips` },
  "prepare:firewall": { seconds: 2, source: "estimate: firewalld rules (dnf family; the lab runs apt)" },
  pki: { seconds: 1, source: LAB_SPLIT },
  endpoint: { seconds: 2, source: LAB_SPLIT },
  init: { seconds: 13, source: LAB_SPLIT },
  token: { seconds: 1, source: LAB_SPLIT },
  "join:control-plane": { seconds: 34, source: LAB_SPLIT },
  "join:worker": { seconds: 9, source: LAB_SPLIT },
  membership: { seconds: 1, source: LAB_SPLIT },
  certificates: { seconds: 1, source: "estimate: reads the certificates' expiry over SSH" },
  "kubelet-dns": { seconds: 1, source: "estimate: one file compared over SSH" },
  "upgrade:none": { seconds: 2, source: "estimate: reads the node's version and finds it at the target (a first deployment)" },
  "upgrade:control-plane": { seconds: 190, source: `${DAY2}: 153, 213 and 190 s` },
  "upgrade:worker": { seconds: 7, source: `${DAY2}: drain, upgrade and uncordon 19 s together` },
  "helm-release": { seconds: 60, source: "estimate: chart, image pulls and workloads Ready (the lab records releases with a stand-in provider)" },
  manifests: { seconds: 10, source: "estimate: applied and awaited (the lab records manifests with a stand-in provider)" },
  gate: { seconds: 10, source: "estimate: waits for a webhook or operator already starting" },
  "nfs-server": { seconds: 30, source: "estimate: packages and an export on its node" },
  "kubernetes-object": { seconds: 1, source: "estimate: one object through the API" },
  held: { seconds: 0, source: "held by Pulumi: keys, certificates, tokens and providers take no measurable time" },
  command: { seconds: 10, source: "estimate: a remote step of no known kind" },
  "local-check": { seconds: 2, source: "estimate: HTTP from the machine running Pulumi to addresses the checks before it found answering" },
} satisfies Record<string, Duration>;

export type StepKind = keyof typeof STEP_DURATIONS;

/** measured-durations.json: what `npm run durations -- --write` derived from a lab run. */
export const MEASURED_FILE = path.join(__dirname, "measured-durations.json");

export function durationTable(measured: Partial<Record<StepKind, Duration>> = readMeasured()): Record<StepKind, Duration> {
  return { ...STEP_DURATIONS, ...measured };
}

function readMeasured(): Partial<Record<StepKind, Duration>> {
  return fs.existsSync(MEASURED_FILE) ? (JSON.parse(fs.readFileSync(MEASURED_FILE, "utf8")) as Partial<Record<StepKind, Duration>>) : {};
}

const VM_TYPES: Record<string, StepKind> = {
  "vsphere:index/virtualMachine:VirtualMachine": "vm:vsphere",
  "proxmoxve:index/vmLegacy:VmLegacy": "vm:proxmox",
  "proxmoxve:index/vm:Vm": "vm:proxmox",
};

/** Remote steps by the end of their name (`<node>-<suffix>`), longest suffix first. */
const SUFFIXES: [string, StepKind][] = (
  [
    ["-upgrade-uncordon", "upgrade:worker"],
    ["-upgrade-drain", "upgrade:worker"],
    ["-kubernetes-packages", "prepare:kubernetes-packages"],
    ["-kubelet-config-dns", "kubelet-dns"],
    ["-wait-cloud-init", "boot"],
    ["-kubelet-dns", "kubelet-dns"],
    ["-certificates", "certificates"],
    ["-containerd", "prepare:containerd"],
    ["-membership", "membership"],
    ["-reachable", "reachable"],
    ["-firewall", "prepare:firewall"],
    ["-endpoint", "endpoint"],
    ["-upgrade", "upgrade:control-plane"],
    ["-images", "prepare:images"],
    ["-proxy", "prepare:proxy"],
    ["-token", "token"],
    ["-base", "prepare:base"],
    ["-init", "init"],
    ["-join", "join:worker"],
    ["-pki", "pki"],
  ] as [string, StepKind][]
).sort(([a], [b]) => b.length - a.length);

const GATES = new Set(["metallb-webhook-ready", "calico-ready"]);

export interface StepFacts {
  type: string;
  name: string;
  /** A join step's role (its JOIN_ROLE); unknown joins count as a worker's. */
  controlPlaneJoin?: boolean;
  /** A worker's `-upgrade` (not a control plane's). */
  workerUpgrade?: boolean;
  /** The machine a `-reachable` step waits for is a VM that boots (not an existing host). */
  afterVm?: boolean;
  /** The plan changes the Kubernetes version: upgrade steps do their work instead of finding it done. */
  upgrading?: boolean;
}

export function stepKind(step: StepFacts): StepKind {
  const vm = VM_TYPES[step.type];
  if (vm) return vm;
  if (step.type === "kubernetes:helm.sh/v3:Release" || step.type === "kubernetes:helm.sh/v4:Chart") return "helm-release";
  if (step.type.startsWith("kubernetes:yaml/")) return "manifests";
  if (step.type.startsWith("kubernetes:") && !step.type.startsWith("kubernetes:index:")) return "kubernetes-object";
  if (step.type === "command:local:Command") return "local-check";
  if (step.type !== "command:remote:Command") return "held";
  if (GATES.has(step.name)) return "gate";
  if (step.name === "nfs-server") return "nfs-server";
  const suffix = SUFFIXES.find(([end]) => step.name.endsWith(end));
  if (!suffix) return "command";
  const kind = suffix[1];
  if (kind === "reachable" && step.afterVm) return "boot";
  if (kind === "join:worker" && step.controlPlaneJoin) return "join:control-plane";
  if (kind.startsWith("upgrade:") && !step.upgrading) return "upgrade:none";
  if (kind === "upgrade:control-plane" && step.workerUpgrade) return "upgrade:worker";
  return kind;
}

const stdinOf = (r: RecordedResource): string => (typeof r.inputs.stdin === "string" ? r.inputs.stdin : "");

/** Every step's kind and duration (custom resources and kubernetes:yaml components), from what the plan recorded. */
export function planDurations(
  resources: RecordedResource[],
  options: { upgrading?: boolean; table?: Record<StepKind, Duration> } = {},
): Map<string, Duration & { kind: StepKind }> {
  const table = options.table ?? durationTable();
  const vms = new Set(resources.filter((r) => VM_TYPES[r.type]).map((r) => r.urn));
  const durations = new Map<string, Duration & { kind: StepKind }>();
  for (const r of resources) {
    // Of the components, only the provider's (kubernetes:yaml ConfigGroup/ConfigFile) do work.
    if (!r.custom && !r.type.startsWith("kubernetes:yaml/")) continue;
    const stdin = r.type === "command:remote:Command" && /-(join|upgrade)$/.test(r.name) ? stdinOf(r) : "";
    const kind = stepKind({
      type: r.type,
      name: r.name,
      controlPlaneJoin: /\bJOIN_ROLE='?control-plane/.test(stdin),
      workerUpgrade: /\bUPGRADE_ACTION='?worker\b/.test(stdin),
      afterVm: r.dependencies.some((d) => vms.has(d)),
      upgrading: options.upgrading ?? false,
    });
    durations.set(r.urn, { kind, ...table[kind] });
  }
  return durations;
}
