// Assertions about the order `pulumi up` ran a journey's steps in (from its progress lines).
import { expect } from "vitest";
import { resourceName, type StepWindow } from "../event-log";

/** The longest the API may go unanswered through the endpoint while a control plane restarts (haproxy's checks move traffic in seconds). */
export const API_OUTAGE_LIMIT_MS = 15_000;

/** Each of `nodes` has exactly one step matching `step`, they ran in this order and never overlapped. */
export function expectOneAtATime(steps: StepWindow[], nodes: string[], step: (node: string) => RegExp): void {
  const windows = nodes.map((node) => {
    const mine = steps.filter((w) => step(node).test(resourceName(w.urn)));
    expect(mine, `${node}: one step ${step(node)}`).toHaveLength(1);
    expect(mine[0]!.finished, `${node}: ${resourceName(mine[0]!.urn)} finished`).toBeDefined();
    return mine[0]!;
  });
  for (let i = 1; i < windows.length; i++) {
    expect(windows[i]!.started, `${resourceName(windows[i]!.urn)} starts after ${resourceName(windows[i - 1]!.urn)} finished`).toBeGreaterThan(windows[i - 1]!.finished!);
  }
}
