import { describe, expect, it } from "vitest";
import { stepWindowsFromOutput } from "../event-log";
import { ProgressClock, doneKey, doneKeys, killPoints, pointWhere, pointsPart, samplePoints, stepKind, sweptSteps, timedSteps, uncovered } from "./kill-points";
import { faultTable } from "./table";

// The CLI's own progress lines (v3.248.0, --non-interactive), as a reference run prints them.
const PROGRESS = [
  " +  command:remote:Command k8s-master-base creating (0s)",
  " +  command:remote:Command k8s-master-base created (12s)",
  " +  command:remote:Command k8s-master-init creating (0s)",
  " +  command:remote:Command k8s-master-token creating (0s)",
  " +  command:remote:Command k8s-master-init created (48s)",
  " +  command:remote:Command k8s-master-2-join creating (0s)",
  " +  command:remote:Command k8s-node1-join creating (0s)",
  " +  command:remote:Command k8s-node1-join created (20s)",
  " +  command:remote:Command k8s-master-2-join created (40s)",
  " +  command:remote:Command k8s-master-token created (1s)",
];
const TIMES = [0, 12_000, 12_000, 12_100, 60_000, 60_000, 60_500, 80_500, 100_000, 100_100];

describe("fault harness: kill points from the engine's progress output", () => {
  const steps = timedSteps(stepWindowsFromOutput(PROGRESS.join("\n")), TIMES);

  it("times each step that ran a command from when its lines were read", () => {
    expect(steps).toEqual([
      { step: "k8s-master-base", startedAtMs: 0, durationMs: 12_000 },
      { step: "k8s-master-init", startedAtMs: 12_000, durationMs: 48_000 },
      { step: "k8s-master-token", startedAtMs: 12_100, durationMs: 88_000 },
      { step: "k8s-master-2-join", startedAtMs: 60_000, durationMs: 40_000 },
      { step: "k8s-node1-join", startedAtMs: 60_500, durationMs: 20_000 },
    ]);
  });

  it("gives every step a kill at its start and, when it lasts, half way through", () => {
    const points = killPoints([...steps, { step: "k8s-master-membership", startedAtMs: 1, durationMs: 300 }]);
    expect(points.filter((p) => p.step === "k8s-master-init")).toEqual([
      { step: "k8s-master-init", moment: "start", delayMs: 0 },
      { step: "k8s-master-init", moment: "mid-way", delayMs: 24_000 },
    ]);
    expect(points.filter((p) => p.step === "k8s-master-membership")).toEqual([{ step: "k8s-master-membership", moment: "start", delayMs: 0 }]);
    expect(points).toHaveLength(11);
  });

  it("samples init, a control-plane join and a worker join, half way; a missing step is named", () => {
    expect(samplePoints(steps, "k8s-master", ["k8s-master", "k8s-master-2"], ["k8s-node1"]).map((p) => `${p.step} ${p.delayMs}`)).toEqual([
      "k8s-master-init 24000",
      "k8s-master-2-join 20000",
      "k8s-node1-join 10000",
    ]);
    expect(() => samplePoints(steps, "k8s-master", ["k8s-master", "k8s-master-3"], ["k8s-node1"])).toThrow(/no step k8s-master-3-join/);
  });

  it("sweeps one node per kind of step unless every node is asked for, filtered by name", () => {
    const roles = { "k8s-master": "control-plane", "k8s-master-2": "control-plane", "k8s-node1": "worker", "k8s-node2": "worker" };
    expect(stepKind("k8s-master-2-join", roles)).toBe("control-plane join");
    expect(stepKind("k8s-node1-join", roles)).toBe("worker join");
    expect(stepKind("lab-addons", roles)).toBe("lab-addons");
    const more = [...steps, { step: "k8s-node2-join", startedAtMs: 61_000, durationMs: 19_000 }];
    expect(sweptSteps(more, roles, {}).map((s) => s.step)).toEqual(["k8s-master-base", "k8s-master-init", "k8s-master-token", "k8s-master-2-join", "k8s-node1-join"]);
    // The same node stands for its kind whichever started first.
    const reordered = [...more.filter((s) => s.step !== "k8s-node1-join"), more.find((s) => s.step === "k8s-node1-join")!];
    expect(sweptSteps(reordered, roles, {}).map((s) => s.step)).toContain("k8s-node1-join");
    expect(sweptSteps(more, roles, { ONPREM_K8S_FAULTS_EVERY_NODE: "1" })).toHaveLength(6);
    expect(sweptSteps(more, roles, { ONPREM_K8S_FAULTS_STEPS: "-join$", ONPREM_K8S_FAULTS_EVERY_NODE: "1" }).map((s) => s.step)).toEqual(["k8s-master-2-join", "k8s-node1-join", "k8s-node2-join"]);
  });

  it("deals the points into parts by name, each part in the run's order; a bad part is named", () => {
    const points = killPoints(steps);
    const parts = ["1/3", "2/3", "3/3"].map((p) => pointsPart(points, p));
    expect(parts.flat()).toHaveLength(points.length);
    expect(new Set(parts.flat().map((p) => `${p.step} ${p.moment}`)).size).toBe(points.length);
    expect(parts[0]!.map((p) => `${p.step} ${p.moment}`)).toEqual(["k8s-master-base start", "k8s-master-base mid-way", "k8s-master-2-join start", "k8s-master-2-join mid-way"]);
    expect(pointsPart(points, undefined)).toBe(points);
    expect(() => pointsPart(points, "4/3")).toThrow(/ONPREM_K8S_FAULTS_PART=4\/3: expected k\/n/);
  });

  it("skips what earlier tables show converged, by kind of step and moment", () => {
    const roles = { "k8s-master": "control-plane", "k8s-master-2": "control-plane", "k8s-master-3": "control-plane", "k8s-node1": "worker" };
    const table = [
      "| fault | where | recovered by | converged | minutes |",
      "| --- | --- | --- | --- | --- |",
      "| none | uninterrupted | - | yes | 2.0 |",
      "| SIGKILL | k8s-master-2-containerd mid-way (+1 s) | npm run recover, pulumi up | yes | 2.0 |",
      "| SIGKILL | k8s-node1-join start | npm run recover, pulumi up | no: k8s-node1 not Ready | 3.0 |",
    ].join("\n");
    const done = doneKeys([table], roles);
    expect(done.has(doneKey("SIGKILL", "k8s-master-containerd", "mid-way", roles))).toBe(true);
    expect(done.has(doneKey("SIGKILL", "k8s-master-3-containerd", "start", roles))).toBe(false);
    expect(done.has(doneKey("SIGINT", "k8s-master-containerd", "mid-way", roles))).toBe(false);
    expect(done.has(doneKey("SIGKILL", "k8s-node1-join", "start", roles))).toBe(false);
    expect(done.size).toBe(1);
    // The harness's own rows read back as done.
    const row = `| SIGINT | ${pointWhere({ step: "k8s-node1-join", moment: "mid-way", delayMs: 9_600 })} | npm run recover, pulumi up | yes | 2.0 |`;
    expect(row).toContain("k8s-node1-join mid-way (+10 s)");
    expect(doneKeys([row], roles).has(doneKey("SIGINT", "k8s-node1-join", "mid-way", roles))).toBe(true);
  });

  it("records when each progress line was read", () => {
    const clock = new ProgressClock(Date.now());
    clock.add("a\nb");
    clock.add("c\n");
    expect(clock.lineTimes).toHaveLength(3); // "a", "bc" and the line being written
    expect(clock.output).toBe("a\nbc\n");
  });

  it("prints the table with failures explained", () => {
    expect(
      faultTable([
        { fault: "SIGKILL", where: "k8s-master-init mid-way", recoveredBy: "npm run recover, pulumi up", converged: true, minutes: 6.04 },
        { fault: "SIGINT", where: "k8s-node1-join start", recoveredBy: "pulumi up", converged: false, minutes: 3, reason: "k8s-node1 not Ready" },
      ]),
    ).toBe(
      [
        "| fault | where | recovered by | converged | minutes |",
        "| --- | --- | --- | --- | --- |",
        "| SIGKILL | k8s-master-init mid-way | npm run recover, pulumi up | yes | 6.0 |",
        "| SIGINT | k8s-node1-join start | pulumi up | no: k8s-node1 not Ready | 3.0 |",
      ].join("\n"),
    );
  });

  it("names the points no table converged, per signal", () => {
    const roles = { "k8s-master": "control-plane", "k8s-master-2": "control-plane", "k8s-master-3": "control-plane", "k8s-node1": "worker" };
    const points = killPoints(steps);
    const table = ["| fault | where | recovered by | converged | minutes |", "| --- | --- | --- | --- | --- |", ...points.filter((p) => p.step !== "k8s-master-2-join").map((p) => `| SIGKILL | ${pointWhere(p)} | npm run recover, pulumi up | yes | 2.0 |`)].join("\n");
    // Another node of the same kind converged in an earlier sitting: covered.
    const earlier = "| SIGKILL | k8s-master-3-join start | npm run recover, pulumi up | yes | 1.9 |\n| SIGKILL | k8s-master-3-join mid-way (+9 s) | npm run recover, pulumi up | no | 4.0 |";
    expect(uncovered(points, ["SIGKILL"], doneKeys([table, earlier], roles), roles)).toEqual(["SIGKILL k8s-master-2-join mid-way (+20 s)"]);
    expect(uncovered(points, ["SIGINT"], doneKeys([table], roles), roles)).toHaveLength(points.length);
  });
});
