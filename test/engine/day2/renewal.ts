// The journey's certificate renewal (components/kubeadm/renewal-steps.ts): the default window
// changes nothing; a window wider than the certificates' life renews each control plane in turn
// while the API keeps answering through the endpoint.
import { expect } from "vitest";
import { longestOutage } from "../../cluster/availability";
import { apiserverCertNotBefore } from "../../cluster/day2-checks";
import { RUNS_COMMAND as RUNS } from "../event-log";
import type { JourneyPhase } from "./context";
import { API_OUTAGE_LIMIT_MS, expectOneAtATime } from "./step-order";

/** The certificate renewal step of one control plane. */
const renewalStep = (node: string) => new RegExp(`^${node}-certificates$`);

const defaultWindow: JourneyPhase = {
  name: "renewal: the default window changes nothing",
  minutes: 10,
  async run({ stack, report }) {
    const outputs = JSON.parse(await stack.ok(["stack", "output", "certificates", "--json"])) as { renewBeforeDays: number; earliestExpiry: string | null };
    report(`certificates: earliest expiry ${outputs.earliestExpiry}, window ${outputs.renewBeforeDays} days`);
    expect(outputs.renewBeforeDays).toBe(30);
    await stack.ok(["preview", "--expect-no-changes"]);
  },
};

const widerWindow: JourneyPhase = {
  name: "renewal: a window wider than the certificates' life renews on each control plane in turn",
  minutes: 30,
  async run({ hosts, controlPlanes, editDescription, upWithEvents, probe, report }) {
    const before = new Map<string, { file: Date; served: Date }>();
    for (const node of controlPlanes) before.set(node, await apiserverCertNotBefore(hosts.node(node)));
    editDescription((cluster) => (cluster.kubernetes.certificates = { renewBeforeDays: 400 }));
    const renewalStarted = Date.now();
    const renewed = await upWithEvents();
    const renewalEnded = Date.now();
    expectOneAtATime(renewed.steps.filter((w) => RUNS.has(w.op)), controlPlanes, renewalStep);
    for (const node of controlPlanes) {
      const after = await apiserverCertNotBefore(hosts.node(node));
      expect(after.file.getTime(), `${node}: the apiserver certificate on disk is new`).toBeGreaterThan(before.get(node)!.file.getTime());
      expect(after.served.getTime(), `${node}: the running apiserver serves the new certificate`).toBe(after.file.getTime());
    }
    const api = longestOutage(probe().samples(), "api", renewalStarted, renewalEnded);
    report(`renewal: longest time the API went unanswered through the endpoint ${api.ms} ms${api.detail ? ` (${api.detail})` : ""}`);
    expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
  },
};

/** The default window; with `wideWindow`, a window wider than the certificates' life too (the full journey). */
export function renewalPhases({ wideWindow }: { wideWindow: boolean }): JourneyPhase[] {
  return wideWindow ? [defaultWindow, widerWindow] : [defaultWindow];
}
