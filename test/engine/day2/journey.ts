// The day-2 journey: ONE real cluster (the CI budget: one cluster per journey) taken through the
// life a production cluster has, phase after phase, by the real engine over SSH on the real-node
// lab, as a person would with `pulumi` and one line of the stack file:
//   bring-up   3 control planes + 1 worker at Kubernetes 1.34.3 behind keepalived + haproxy, the
//              deployment killed in init and in the joins and the VIP holder's keepalived stopped
//              in a join, each recovered as docs/recovery.md says, converged (the fault sample:
//              day2/faulted-bring-up.ts); a workload (two replicas of hello-http) serving; the
//              packages held, the API through the endpoint, the certificates' expiry and the admin
//              kubeconfig as stack outputs;
//   upgrade    1.34.4: `pulumi preview` lists the rolling upgrade steps in order; `pulumi up` (in
//              the full journey killed once the first control plane's upgrade step finished,
//              recovered as docs/testing-day2.md says and run again) while an availability probe
//              asks the API through the endpoint (/readyz) and the workload every 0.5 s;
//              afterwards every kubelet, package and control-plane static Pod at 1.34.4, etcd
//              healthy, the workload never stopped, `preview --expect-no-changes`; then a
//              downgrade and a skipped minor refused naming cluster.kubernetes.version, the state
//              unchanged (day2/upgrade.ts);
//   renewal    the default window changes nothing; in the full journey, a window wider than the
//              certificates' life renews on each control plane in turn (day2/renewal.ts);
//   endpoint   the VIP's holder stops keepalived, the VIP moves, the API answers (day2/endpoint.ts);
//   hardening  audit log, encryption at rest and Pod Security baseline rolled through the control
//              planes one at a time, then a key rotation (day2/hardening.ts);
//   growth     3 -> 5 control planes and 1 -> 2 workers on the lab's spare hosts, and back, the
//              workload's Pods untouched (day2/growth.ts);
//   node operations  files, patches, labels, taints, a failing operation, the NodeLocal DNSCache
//              kubelet wiring (day2/node-operations.ts);
//   acceptance the checks the lab reaches pass in pulumi up, and fail naming what was broken
//              (day2/acceptance.ts);
//   add-ons    MetalLB and Traefik installed for real with helm from the plan for this stack's
//              description, an echo server answering on a LoadBalancer address and through an
//              HTTPRoute and an Ingress, a pool change, a planted pool caught, all uninstalled
//              (day2/addons.ts; the stack itself keeps no load balancer);
//   backups    an etcd snapshot to versitygw by the shipped CronJob, a whole-cluster restore by the
//              rendered runbook (day2/backups.ts);
//   destroy    `pulumi destroy` drains, removes and resets every node: no cluster file left.
// The default suite runs the sample from test/lab-serial.test.ts (SAMPLE_GROUPS in day2/context.ts:
// bring-up to endpoint, the upgrade uninterrupted, then destroy) on the one cluster that stands for
// its engine bring-ups; `npm run test:day2` (test/engine/day2-journey.test.ts) runs all of it.
// Three control planes because that is the smallest shape with the rolling order to prove (the
// first one, then each other in turn) whose etcd keeps quorum and whose endpoint keeps an apiserver
// while one control plane restarts; one worker shows the worker batch (drain, upgrade, uncordon).
// A phase that fails names itself; the phases after it are skipped, saying which one failed.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { CLUSTER_KEY } from "../../../stacks/config-keys";
import { AvailabilityProbe } from "../../cluster/availability";
import { WORKLOAD_PORT, deployWorkload, kubeletVersions } from "../../cluster/day2-checks";
import { labGate } from "../../cluster/gate";
import { WORKLOAD_IMAGE } from "../../cluster/images";
import { MINOR_UPGRADE, MINOR_UPGRADE_FROM_VERSION, PACKAGED_KUBERNETES_VERSION, UPGRADE_FROM_VERSION } from "../../cluster/package-repo";
import { SshHosts } from "../../cluster/ssh-hosts";
import { labSpec, renderLabStack } from "../../lab/stack-config";
import { stepWindowsFromOutput, type StepWindow } from "../event-log";
import { SAMPLE_GROUPS, journeyGroups, type JourneyContext, type JourneyGroup, type JourneyPhase } from "./context";
import { acceptancePhases } from "./acceptance";
import { withAddonAcceptance } from "./addon-acceptance";
import { addonPhases } from "./addons";
import { backupPhases } from "./backups";
import { bringUpCheckPhases } from "./bring-up";
import { endpointPhases } from "./endpoint";
import { faultedBringUp } from "./faulted-bring-up";
import { faultTable } from "../faults/table";
import { SPARE_CONTROL_PLANES, SPARE_WORKERS, growthPhases, withoutSpareHosts } from "./growth";
import { hardeningPhases } from "./hardening";
import { nodeOperationPhases } from "./node-operations";
import { renewalPhases } from "./renewal";
import { ServingCertificateApprover } from "./serving-approver";
import { upgradePhases } from "./upgrade";
import { EngineStack } from "../stack";
import { EngineWorkspace } from "../workspace";

const gate = labGate();
const MINUTE = 60_000;
const DEPLOY_LIMIT_MS = 25 * MINUTE;
const CONTROL_PLANES = ["k8s-master", "k8s-master-2", "k8s-master-3"];
const WORKERS = ["k8s-node1"];
const NODES = [...CONTROL_PLANES, ...WORKERS];
/** The previous patch; the previous minor under `npm run test:minor-upgrade` (opt-in, heavier: its own builds). */
const FROM = MINOR_UPGRADE ? MINOR_UPGRADE_FROM_VERSION : UPGRADE_FROM_VERSION;
const TO = PACKAGED_KUBERNETES_VERSION;
/** What `pulumi destroy` must leave on every host as it found it. */
const CLUSTER_FILES = "find /etc/kubernetes /var/lib/etcd /var/lib/kubelet -type f 2>/dev/null | sort; true";

/**
 * The lab's edits to the example: keepalived + haproxy; no MetalLB, so no ingress (the add-on
 * phases install both themselves, from the plan for this description with them added:
 * day2/addons.ts says why the stack keeps none); the spare hosts the growth phases add are running
 * but not in the description yet.
 */
function journeyStack(cluster: any): void {
  cluster.endpoint = { mode: "keepalived-haproxy", vip: cluster.endpoint.vip, dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  cluster.addons.loadBalancer = { type: "none" };
  cluster.addons.ingress = { type: "none" };
  withoutSpareHosts(cluster);
}

/** The whole journey (`npm run test:day2`; the minor upgrade implies it); the default suite runs its sample. */
export const FULL_JOURNEY = process.env.ONPREM_K8S_DAY2_JOURNEY === "1" || MINOR_UPGRADE;
const GROUPS = FULL_JOURNEY ? journeyGroups(process.env.ONPREM_K8S_DAY2_UNTIL, process.env.ONPREM_K8S_DAY2_FROM) : [...SAMPLE_GROUPS];
/** The version the bring-up installs: the newer one when the run starts after the upgrade. */
const BRING_UP = GROUPS.includes("upgrade") ? FROM : TO;
const WITH_SPARE_HOSTS = GROUPS.includes("growth");

/**
 * Registers the journey: the whole of it under `npm run test:day2` (FULL_JOURNEY), else its sample
 * (test/lab-serial.test.ts, the default suite's lab file).
 */
export function day2Journey(): void {
  describe("the day-2 journey on the real-node lab", () => {
    it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
      throw new Error(gate.failure);
    });
  });

  describe.runIf(gate.run)(`day-2 journey on one real cluster${FULL_JOURNEY ? "" : " (the default suite's sample; all of it: npm run test:day2)"}: bring-up at ${BRING_UP}, ${GROUPS.join(", ")}, destroy`, () => {
    let hosts: SshHosts;
    let workspace: EngineWorkspace;
    let stack: EngineStack;
    let probe: AvailabilityProbe;
    let approver: ServingCertificateApprover | undefined;
    let failedPhase: string | undefined;
    const times: string[] = [];
    const filesBefore = new Map<string, string>();
    const first = () => hosts.node(CONTROL_PLANES[0]!);

    /** One phase: skipped when an earlier one failed, its own failure named, its time kept for the summary. */
    function phase(name: string, minutes: number, body: () => Promise<void>): void {
      it(`[${name}]`, async (context) => {
        if (failedPhase) context.skip(`skipped: phase "${failedPhase}" failed, so the cluster is not where "${name}" starts`);
        const started = Date.now();
        try {
          await body();
        } catch (err) {
          failedPhase = name;
          if (err instanceof Error) err.message = `phase "${name}" failed: ${err.message}`;
          throw err;
        } finally {
          times.push(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
        }
      }, minutes * MINUTE);
    }

    /** Rewrites one part of the stack's description in Pulumi.<stack>.yaml, as a person would edit it. */
    function editDescription(edit: (cluster: any) => void): void {
      const document = parse(fs.readFileSync(stack.file(), "utf8"));
      edit(document.config[CLUSTER_KEY]);
      fs.writeFileSync(stack.file(), stringify(document, { lineWidth: 0 }));
    }

    /** `pulumi up`, with the order its steps ran in (from its progress lines). */
    async function upWithEvents(): Promise<{ output: string; steps: StepWindow[] }> {
      const output = await stack.ok(["up", "--yes"], { timeoutMs: DEPLOY_LIMIT_MS });
      return { output, steps: stepWindowsFromOutput(output) };
    }

    function report(line: string): void {
      console.log(`[day-2 journey] ${line}`);
      times.push(line);
    }

    /** What the phase modules (test/engine/day2/) work with. */
    const ctx: JourneyContext = {
      get hosts() {
        return hosts;
      },
      get workspace() {
        return workspace;
      },
      get stack() {
        return stack;
      },
      controlPlanes: CONTROL_PLANES,
      workers: WORKERS,
      first,
      editDescription,
      upWithEvents,
      probe: () => probe,
      report,
    };
    /** Registers the phases of one journey module, in its order. */
    function phases(list: JourneyPhase[]): void {
      for (const p of list) phase(p.name, p.minutes, () => p.run(ctx));
    }

    beforeAll(async () => {
      // The spare hosts run from the start, outside the description until the growth phases list them.
      const spareControlPlanes = WITH_SPARE_HOSTS ? SPARE_CONTROL_PLANES : [];
      const spareWorkers = WITH_SPARE_HOSTS ? SPARE_WORKERS : [];
      hosts = await SshHosts.start([...CONTROL_PLANES, ...spareControlPlanes], [...WORKERS, ...spareWorkers], { kubernetesVersions: [...new Set([BRING_UP, TO])], extraImages: [WORKLOAD_IMAGE] });
      workspace = await EngineWorkspace.create("day2-journey", { wrap: (argv) => hosts.command(argv) });
      stack = await EngineStack.initFromText(workspace, "lab", renderLabStack(hosts, journeyStack), { sshPrivateKey: hosts.privateKey });
      for (const node of NODES) filesBefore.set(node, (await hosts.node(node).exec(CLUSTER_FILES)).stdout);
    }, 45 * MINUTE);

    afterAll(async () => {
      probe?.stop();
      await approver?.stop();
      console.log(`[day-2 journey] phase times:\n  ${times.join("\n  ")}`);
      workspace?.dispose();
      await hosts?.dispose();
    }, 2 * MINUTE);

    phase(`bring-up at ${BRING_UP}, killed in init and in the joins, keepalived stopped in a join: recovered, converged`, 40, async () => {
      const spec = labSpec(hosts, journeyStack);
      const faults = await faultedBringUp(ctx, { controlPlanes: CONTROL_PLANES, nodes: NODES, endpoint: { host: hosts.vip, port: spec.apiEndpoint.port } });
      console.log(`[day-2 journey] the bring-up's fault sample:\n${faultTable(faults)}`);
      await first().waitNodesReady(NODES, 180);
      // From here on, kubelet-serving certificate requests are approved as a site's approver would.
      approver = ServingCertificateApprover.start(first);
      expect(Object.values(await kubeletVersions(first()))).toEqual(NODES.map(() => `v${BRING_UP}`));
      await deployWorkload(first(), WORKLOAD_IMAGE);
      probe = await AvailabilityProbe.start(
        hosts.lab,
        {
          api: [`https://${hosts.vip}:${spec.apiEndpoint.port}/readyz`],
          workload: hosts.hosts.map((h) => `http://${h.address}:${WORKLOAD_PORT}/`),
        },
        path.join(workspace.dir, "availability.jsonl"),
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const samples = probe.samples();
      expect(samples.filter((s) => s.target === "api" && s.ok).length, "the API answers through the endpoint").toBeGreaterThan(0);
      expect(samples.filter((s) => s.target === "workload" && s.ok).length, "the workload answers").toBeGreaterThan(0);
    });

    phases(bringUpCheckPhases(BRING_UP, () => labSpec(hosts, journeyStack).apiEndpoint));
    if (GROUPS.includes("upgrade")) phases(upgradePhases({ from: FROM, to: TO, interrupted: FULL_JOURNEY }));

    const later: Record<Exclude<JourneyGroup, "upgrade">, JourneyPhase[]> = {
      renewal: renewalPhases({ wideWindow: FULL_JOURNEY }),
      endpoint: endpointPhases,
      hardening: hardeningPhases,
      growth: growthPhases,
      "node-operations": nodeOperationPhases,
      acceptance: acceptancePhases,
      addons: withAddonAcceptance(addonPhases),
      backups: backupPhases,
    };
    for (const group of GROUPS) if (group !== "upgrade") phases(later[group]);

    phase("destroy", 30, async () => {
      probe.stop();
      await stack.ok(["destroy", "--yes"], { timeoutMs: DEPLOY_LIMIT_MS });
      expect(await stack.resources()).toEqual([]);
      for (const node of NODES) {
        expect((await hosts.node(node).exec("systemctl is-active kubelet")).stdout.trim(), node).toBe("inactive");
        expect((await hosts.node(node).exec("crictl ps -q")).stdout.trim(), node).toBe("");
        expect((await hosts.node(node).exec(CLUSTER_FILES)).stdout, `${node}: no cluster file left`).toBe(filesBefore.get(node));
      }
    });

  });
}
