// The program's own acceptance checks on the add-ons running for real (issues 21 and 22): with
// MetalLB and Traefik installed from the plan (addons.ts), the checks the journey's stack cannot
// run in `pulumi up` (its kubernetes provider is a stand-in, so its description keeps no MetalLB)
// run here as their steps would: the acceptance bundle on the first control plane with the
// parameters the program gives them for the planned description (checkEnv), then from-here.cjs on
// the machine running Pulumi, which for the journey is the lab's switch (the engine runs there),
// then the cleanup step. Storage gets a default StorageClass of the lab's own: a local volume on
// one worker (the CSI drivers never run here; docs/addons-on-the-lab.md).
import * as fs from "node:fs";
import { expect } from "vitest";
import { CHECK_NAMESPACE, ROUTE_HOST, checkEnv, cleanupEnv, probeImage } from "../../../components/checks/acceptance";
import { ACCEPTANCE_BUNDLE, FROM_HERE_SCRIPT, printedAddress } from "../../../components/checks/steps";
import { readBundle, scriptStdin } from "../../../components/remote/bundle";
import type { CheckName } from "../../../stacks/schema-checks";
import { runProcess } from "../../tools/process";
import { addonLab, plannedAddonSpec } from "./addons";
import { OUTSIDE_POOL, ingressAddress } from "./addons-plan";
import type { JourneyContext, JourneyPhase } from "./context";

const LOCAL_CLASS = "lab-local";
const LOCAL_DIR = "/var/lib/onprem-k8s-lab/local-volume";

/** The bundle as the check's step runs it on the first control plane. */
async function runCheck(ctx: JourneyContext, check: CheckName | "cleanup"): Promise<{ status: number; output: string }> {
  const spec = plannedAddonSpec();
  const env = { ...(check === "cleanup" ? cleanupEnv(spec) : checkEnv(spec, check)), KUBERNETES_VERSION: "", TIMEOUT_SECONDS: "120" };
  const r = await ctx.first().exec("bash -s", { input: scriptStdin(readBundle(ACCEPTANCE_BUNDLE), env), timeoutMs: 5 * 60_000 });
  return { status: r.status ?? -1, output: r.output };
}

/** from-here.cjs as the local step runs it (`node -`), in the switch namespace. */
async function fromHere(ctx: JourneyContext, targets: { check: string; address: string; host: string }[], timeoutSeconds: number) {
  const argv = ctx.hosts.command(["env", `TARGETS=${JSON.stringify(targets)}`, `TIMEOUT_SECONDS=${timeoutSeconds}`, "RETRY_SECONDS=2", "node", "-"]);
  return runProcess(argv[0]!, argv.slice(1), { input: fs.readFileSync(FROM_HERE_SCRIPT, "utf8"), allowFail: true, timeoutMs: (timeoutSeconds + 60) * 1000 });
}

const passes = (check: string, r: { status: number; output: string }) => {
  expect(r.status, `${check}:\n${r.output.slice(-4000)}`).toBe(0);
  expect(r.output).toMatch(new RegExp(`^PASS ${check}: `, "m"));
};

export const addonAcceptancePhases: JourneyPhase[] = [
  {
    name: "add-ons: the program's pod-network, storage, load-balancer and ingress checks pass on the running add-ons, from-here answers from the switch, cleanup leaves nothing",
    minutes: 15,
    async run(ctx) {
      const worker = ctx.workers[0]!;
      // The checks' Pods run the probe image on every node (the lab's workers hold only the pause image).
      await addonLab().importImages([probeImage(plannedAddonSpec())]);
      await ctx.hosts.node(worker).exec(`mkdir -p ${LOCAL_DIR}`, { check: true });
      await addonLab().apply([
        { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: LOCAL_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer" },
        {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: { name: "lab-local-1" },
          spec: {
            capacity: { storage: "1Gi" },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: LOCAL_CLASS,
            local: { path: LOCAL_DIR },
            nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [worker] }] }] } },
          },
        },
      ]);
      try {
        const lines: string[] = [];
        const outputs = new Map<string, string>();
        for (const check of ["pod-network", "storage", "load-balancer", "ingress"] as const) {
          const r = await runCheck(ctx, check);
          passes(check, r);
          outputs.set(check, r.output);
          lines.push(r.output.split("\n").find((l) => l.startsWith("PASS "))!);
        }
        expect(printedAddress(outputs.get("ingress")!)).toBe(ingressAddress(ctx.hosts.gateway));
        const targets = (["load-balancer", "ingress"] as const).map((check) => ({ check, address: printedAddress(outputs.get(check)!), host: check === "ingress" ? ROUTE_HOST : "" }));
        const here = await fromHere(ctx, targets, 60);
        expect(here.status, here.stdout + here.stderr).toBe(0);
        lines.push(here.stdout.trim());
        // The planted fault's kind of address: outside the node subnet nothing carries it to the switch.
        const outside = await fromHere(ctx, [{ check: "load-balancer", address: OUTSIDE_POOL.addresses[0]!.split("-")[0]!, host: "" }], 6);
        expect(outside.status).toBe(1);
        expect(outside.stdout).toMatch(/FAIL from-here: not answering HTTP from the machine running Pulumi: load-balancer/);
        const cleanup = await runCheck(ctx, "cleanup");
        passes("cleanup", cleanup);
        // The cleanup does not wait; the namespace controller empties and removes it.
        await addonLab().kubectl(`wait --for=delete namespace/${CHECK_NAMESPACE} --timeout=120s`);
        for (const line of lines) ctx.report(`add-ons: ${line}`);
      } finally {
        await addonLab().kubectl(`delete namespace ${CHECK_NAMESPACE} --ignore-not-found --wait=true --timeout=120s`);
        await addonLab().kubectl(`delete pv lab-local-1 --ignore-not-found`);
        await addonLab().kubectl(`delete storageclass ${LOCAL_CLASS} --ignore-not-found`);
        await ctx.hosts.node(worker).exec(`rm -rf ${LOCAL_DIR}`);
      }
    },
  },
];

/** The add-on phases with the program's checks after the routes are shown and before the pool change. */
export function withAddonAcceptance(phases: JourneyPhase[]): JourneyPhase[] {
  const at = phases.findIndex((p) => p.name.startsWith("add-ons: a pool change"));
  if (at < 0) throw new Error("no pool-change phase among the add-on phases");
  return [...phases.slice(0, at), ...addonAcceptancePhases, ...phases.slice(at)];
}
