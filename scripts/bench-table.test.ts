import { describe, expect, it } from "vitest";
import { benchTable, type BenchBaseline, type Measurement } from "./bench-table";

const row = (controlPlanes: number, workers: number, planSeconds: number, minutes: number): Measurement => ({
  controlPlanes,
  workers,
  resources: 100 + workers,
  planSeconds,
  peakRssMiB: 200 + workers,
  criticalPathSteps: 14,
  criticalPathMinutes: minutes,
  load: 0.5,
});

describe("the benchmark's table", () => {
  it("puts each figure beside the baseline's for the same size, and says where the baseline comes from", () => {
    const baseline: BenchBaseline = { recorded: "2026-12-06T22:36:00.000Z", machine: "2 cores, Node v20.20.2", commit: "dcaa36b", rows: [{ ...row(3, 100, 6.2, 22), criticalPathSteps: 19, load: 1.2 }] };
    const table = benchTable([{ ...row(3, 100, 2.5, 8.7), cpuSeconds: 2.25 }, row(5, 300, 9.1, 8.7)], baseline, "2026-12-07, 2 cores");
    expect(table).toContain("recorded 2026-12-06 22:36 UTC at dcaa36b (2 cores, Node v20.20.2)");
    // The baseline was recorded before CPU time was measured: that figure stands alone.
    expect(table).toContain("| 3 | 100 | 200 (200) | 2.5 (6.2) | 2.3 | 0.5 (1.2) | 300 (300) | 14 (19) | 8.7 (22.0) |");
    // A size the baseline lacks: this run's figures alone.
    expect(table).toContain("| 5 | 300 | 400 | 9.1 | – | 0.5 | 500 | 14 | 8.7 |");
  });

  it("without a baseline: this run's figures only", () => {
    const table = benchTable([row(1, 2, 2, 8)], undefined, "today");
    expect(table).not.toContain("previous design");
    expect(table).toContain("| 1 | 2 | 102 | 2.0 | – | 0.5 | 202 | 14 | 8.0 |");
  });

  it("puts CPU time beside the baseline's where both have it", () => {
    const baseline: BenchBaseline = { recorded: "2026-12-07T02:00:00.000Z", machine: "2 cores", commit: "abc1234", rows: [{ ...row(3, 100, 24.1, 8.9), cpuSeconds: 9.7 }] };
    expect(benchTable([{ ...row(3, 100, 20.7, 8.9), cpuSeconds: 9.1 }], baseline, "now")).toContain("| 20.7 (24.1) | 9.1 (9.7) |");
  });
});
