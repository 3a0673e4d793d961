// The keepalived + haproxy endpoint under the journey's cluster: when the VIP's holder stops
// keepalived, another control plane takes the VIP and the API still answers through it; keepalived
// started again, the cluster is as before for the phases after this one.
import { expect } from "vitest";
import { longestOutage } from "../../cluster/availability";
import type { SshHosts } from "../../cluster/ssh-hosts";
import { sleep } from "../../tools/process";
import { vipHolders } from "../faults/node-faults";
import type { JourneyPhase } from "./context";

/** Waits up to `seconds` for exactly one holder other than `not`. */
async function movedHolder(hosts: SshHosts, controlPlanes: string[], not: string, seconds: number): Promise<string[]> {
  let holders = await vipHolders(hosts, controlPlanes);
  for (let i = 0; i < seconds && (holders.length !== 1 || holders[0] === not); i++) {
    await sleep(1000);
    holders = await vipHolders(hosts, controlPlanes);
  }
  return holders;
}

export const endpointPhases: JourneyPhase[] = [
  {
    name: "endpoint: the VIP's holder stops keepalived, another control plane takes the VIP, the API answers through it",
    minutes: 5,
    async run({ hosts, controlPlanes, first, probe, report }) {
      const holders = await vipHolders(hosts, controlPlanes);
      expect(holders, "one control plane holds the VIP").toHaveLength(1);
      const holder = holders[0]!;
      const stopped = Date.now();
      await hosts.node(holder).exec("systemctl stop keepalived", { check: true });
      try {
        const moved = await movedHolder(hosts, controlPlanes, holder, 30);
        expect(moved, `the VIP left ${holder} for one other control plane`).toHaveLength(1);
        expect(moved[0]).not.toBe(holder);
        // admin.conf names the endpoint: the VIP, now elsewhere.
        expect((await first().kubectl("get --raw /readyz")).stdout).toBe("ok");
        const api = longestOutage(probe().samples(), "api", stopped, Date.now());
        report(`endpoint failover: the VIP moved from ${holder} to ${moved[0]}; the API went unanswered through the endpoint for at most ${api.ms} ms`);
      } finally {
        await hosts.node(holder).exec("systemctl start keepalived", { check: true });
      }
    },
  },
];
