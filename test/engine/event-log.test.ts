import { describe, expect, it } from "vitest";
import { RUNS_COMMAND, resourceName, stepWindowsFromOutput } from "./event-log";

// Progress lines as the pinned CLI (v3.248.0, --non-interactive) printed them in the day-2 journey.
const REPLACEMENT = [
  "@ updating....",
  " -- command:remote:Command k8s-master-upgrade deleting original (0s) ",
  " -- command:remote:Command k8s-master-upgrade deleted original (0.17s) ",
  " +- command:remote:Command k8s-master-upgrade replacing (0s) [diff: ~stdin,triggers]",
  " +- command:remote:Command k8s-master-upgrade replaced (0.01s) [diff: ~stdin,triggers]",
  " ++ command:remote:Command k8s-master-upgrade creating replacement (0s) [diff: ~stdin,triggers]",
];

describe("stepWindowsFromOutput", () => {
  it("does not take a delete-before-replace's `replaced` marker for the end of its run", () => {
    const running = stepWindowsFromOutput(REPLACEMENT.join("\n")).filter((w) => RUNS_COMMAND.has(w.op));
    expect(running.map((w) => [resourceName(w.urn), w.op, w.finished])).toEqual([["k8s-master-upgrade", "create-replacement", undefined]]);
  });

  it("ends the run at `created replacement`; the next step's starts after it", () => {
    const lines = [
      ...REPLACEMENT,
      " ++ command:remote:Command k8s-master-upgrade creating replacement (20s) [diff: ~stdin,triggers]; I1206 prober_manager.go:312] \"Failed to trigger a manual run\"",
      " ++ command:remote:Command k8s-master-upgrade creating replacement (22s) [diff: ~stdin,triggers]; error: kubeadm upgrade plan v1.34.4 failed on k8s-master (retried)",
      " ++ command:remote:Command k8s-master-upgrade created replacement (41s) [diff: ~stdin,triggers]",
      " ++ command:remote:Command k8s-master-2-upgrade creating replacement (0s) [diff: ~stdin,triggers]",
    ];
    const running = stepWindowsFromOutput(lines.join("\n")).filter((w) => RUNS_COMMAND.has(w.op));
    // The step's own output saying "failed" does not make the step a failed one.
    expect(running.map((w) => [resourceName(w.urn), w.finished !== undefined, w.failed ?? false])).toEqual([
      ["k8s-master-upgrade", true, false],
      ["k8s-master-2-upgrade", false, false],
    ]);
    expect(running[0]!.started).toBeLessThan(running[0]!.finished!);
    expect(running[1]!.started).toBeGreaterThan(running[0]!.finished!);
  });

  it("reads creates and updates", () => {
    const lines = [" +  command:remote:Command a creating (0s) ", " ~  command:remote:Command b updating (0s) [diff: ~triggers]", " +  command:remote:Command a created (2s) ", " ~  command:remote:Command b updated (1s) [diff: ~triggers]"];
    expect(stepWindowsFromOutput(lines.join("\n")).map((w) => [resourceName(w.urn), w.op, w.started, w.finished])).toEqual([
      ["a", "create", 0, 2],
      ["b", "update", 1, 3],
    ]);
  });

  it("marks a failed replacement from the CLI's status text (`creating failed`, progress.go of v3.248.0)", () => {
    const lines = [...REPLACEMENT, " ++ command:remote:Command k8s-master-upgrade creating failed (20s) [diff: ~stdin,triggers]; error: exit status 1"];
    const running = stepWindowsFromOutput(lines.join("\n")).filter((w) => RUNS_COMMAND.has(w.op));
    expect(running.map((w) => [resourceName(w.urn), w.op, w.finished !== undefined, w.failed])).toEqual([["k8s-master-upgrade", "create-replacement", true, true]]);
  });
});
