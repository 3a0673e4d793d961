import { describe, expect, it } from "vitest";
import { durationTable } from "./durations";
import { measuredDurations, measuredKinds, measuredTable, median, parseCliDuration, runDuration, stepsFromCliOutput, stepsFromEventLog } from "./measured";

// Lines as the Pulumi CLI v3.248.0 prints them with --non-interactive (test/engine/event-log.ts).
const OUTPUT = `Updating (lab):
 +  pulumi:pulumi:Stack onprem-k8s-lab creating (0s)
 +  command:remote:Command k8s-master-base creating (0s)
 +  command:remote:Command k8s-master-base created (4s)
 +  command:remote:Command k8s-master-init creating (0s)
 +  command:remote:Command k8s-master-init created (14s)
 +  command:remote:Command k8s-master-2-join creating (0s)
 +  command:remote:Command k8s-master-2-join created (36s)
 +  command:remote:Command k8s-master-3-join created (1m2s)
 +  command:remote:Command k8s-node1-join created (9s)
 +  command:remote:Command k8s-node2-join created (11s)
 +  command:remote:Command k8s-master-upgrade created (1.5s)
 +  kubernetes:helm.sh/v3:Release cilium created (0.01s)
 +  tls:index/privateKey:PrivateKey lab-ca-key created (0.2s)
 ++ command:remote:Command k8s-master-2-upgrade created replacement (41s) [diff: ~stdin,triggers]
 +  pulumi:pulumi:Stack onprem-k8s-lab created (2m9s)
Resources:
    + 80 created

Duration: 2m9s
`;

describe("measured step durations", () => {
  it("reads Go durations as the CLI prints them", () => {
    expect(parseCliDuration("41s")).toBe(41);
    expect(parseCliDuration("0.17s")).toBe(0.17);
    expect(parseCliDuration("1m2s")).toBe(62);
    expect(parseCliDuration("1h0m5s")).toBe(3605);
    expect(parseCliDuration("")).toBeUndefined();
    expect(parseCliDuration("soon")).toBeUndefined();
  });

  it("takes each finished step from the CLI output, and the whole run's duration", () => {
    const steps = stepsFromCliOutput(OUTPUT);
    expect(steps.find((s) => s.name === "k8s-master-3-join")).toEqual({ type: "command:remote:Command", name: "k8s-master-3-join", op: "create", seconds: 62 });
    expect(steps.find((s) => s.name === "k8s-master-2-upgrade")).toMatchObject({ op: "create-replacement", seconds: 41 });
    expect(steps.some((s) => s.name === "k8s-master-base" && s.seconds === 0)).toBe(false);
    expect(runDuration(OUTPUT)).toBe(129);
  });

  it("groups them by kind: control-plane joins by the names given, components, Pulumi-held resources and recorded Helm releases left out", () => {
    const kinds = measuredKinds(stepsFromCliOutput(OUTPUT), { controlPlanes: ["k8s-master", "k8s-master-2", "k8s-master-3"] });
    const of = (kind: string) => kinds.find((k) => k.kind === kind);
    expect(of("join:control-plane")).toEqual({ kind: "join:control-plane", samples: [36, 62], median: 49 });
    expect(of("join:worker")).toEqual({ kind: "join:worker", samples: [9, 11], median: 10 });
    expect(of("init")?.median).toBe(14);
    // A first deployment's upgrade steps find the version in place.
    expect(of("upgrade:none")?.samples).toEqual([1.5, 41]);
    // A recorded release's 0.01 s is no measurement of a chart's install.
    expect(kinds.map((k) => k.kind)).not.toContain("helm-release");
    // Modelling that very run (npm run durations -- --model) keeps it.
    const all = measuredKinds(stepsFromCliOutput(OUTPUT), { includeUnmeasured: true });
    expect(all.find((k) => k.kind === "helm-release")?.samples).toEqual([0.01]);
    expect(kinds.map((k) => k.kind)).not.toContain("held");
    const written = measuredDurations(kinds, "lab run up.log (2026-12-07)");
    expect(written["join:control-plane"]).toEqual({ seconds: 49, source: "lab run up.log (2026-12-07): median of 2 (36, 62 s)" });
  });

  it("prints each kind beside the figure the plan uses now, measured or stated", () => {
    const kinds = measuredKinds(stepsFromCliOutput(OUTPUT), { controlPlanes: ["k8s-master", "k8s-master-2", "k8s-master-3"] });
    const table = measuredTable(kinds, { ...durationTable({}), init: { seconds: 21, source: "lab run x.log (2026-12-07): median of 1 (21 s)" } });
    expect(table).toContain("| init | 1 | 14.0 | 14.0 | 14.0 | 21 (lab run x.log (2026-12-07)) |");
  });

  it("reads an engine event log by its timestamps", () => {
    const urn = "urn:pulumi:lab::onprem-k8s::onprem-k8s:index:Cluster$command:remote:Command::k8s-master-init";
    const meta = { op: "create", urn, type: "command:remote:Command" };
    const log = [
      JSON.stringify({ sequence: 1, timestamp: 100, resourcePreEvent: { metadata: meta, planning: true } }),
      JSON.stringify({ sequence: 2, timestamp: 110, resourcePreEvent: { metadata: meta } }),
      JSON.stringify({ sequence: 3, timestamp: 123, resOutputsEvent: { metadata: meta } }),
      '{"sequence": 4, "timest',
    ].join("\n");
    expect(stepsFromEventLog(log)).toEqual([{ type: "command:remote:Command", name: "k8s-master-init", op: "create", seconds: 13 }]);
  });

  it("medians", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
