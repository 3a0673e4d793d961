// What the journey's bring-up leaves, beyond every node Ready: the packages held at the version
// brought up, the API answering through the endpoint's name and port, the stack outputs a person
// reads first (the certificates' expiry as the real kubeadm reports it, the admin kubeconfig).
import { expect } from "vitest";
import type { JourneyPhase } from "./context";
import { expectPackagesHeld } from "./node-packages";

const DAY_MS = 24 * 60 * 60_000;

export function bringUpCheckPhases(version: string, endpoint: () => { host: string; port: number }): JourneyPhase[] {
  return [
    {
      name: `bring-up: packages held at ${version}, the API through the endpoint`,
      minutes: 5,
      async run({ hosts, controlPlanes, workers, first }) {
        for (const node of [...controlPlanes, ...workers]) await expectPackagesHeld(hosts.node(node), node, version);
        const { host, port } = endpoint();
        const served = await first().exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --server https://${host}:${port} version -o json`, { check: true });
        expect(JSON.parse(served.stdout).serverVersion.gitVersion).toBe(`v${version}`);
      },
    },
    {
      name: "bring-up: pulumi stack output certificates (a year, from the real kubeadm) and the admin kubeconfig",
      minutes: 5,
      async run({ stack, controlPlanes, workers, first }) {
        const certificates = JSON.parse(await stack.ok(["stack", "output", "certificates", "--json"]));
        expect(Object.keys(certificates.controlPlanes).sort()).toEqual([...controlPlanes].sort());
        for (const name of controlPlanes) {
          const days = (new Date(certificates.controlPlanes[name].expires).getTime() - Date.now()) / DAY_MS;
          expect(days, name).toBeGreaterThan(364);
          expect(days, name).toBeLessThan(366);
          expect(certificates.controlPlanes[name].renewal, name).toBe(0);
        }
        expect(certificates.earliestExpiry).toBe(controlPlanes.map((name) => certificates.controlPlanes[name].expires).sort()[0]);
        // The kubeconfig a person takes from the stack reaches the API through the endpoint.
        const kubeconfig = await stack.ok(["stack", "output", "kubeconfig", "--show-secrets"]);
        const nodes = await first().exec("cat >/tmp/stack-kubeconfig && kubectl --kubeconfig /tmp/stack-kubeconfig get nodes -o name", { input: kubeconfig, check: true });
        expect(nodes.stdout.split("\n").filter(Boolean).sort()).toEqual([...controlPlanes, ...workers].map((n) => `node/${n}`).sort());
      },
    },
  ];
}
