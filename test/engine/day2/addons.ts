// The journey's add-ons, running for real (issue 22): MetalLB and Traefik installed with the real
// helm from exactly the releases and manifests the program plans for this lab's description (the
// same functions that write the plan's artifacts: addons/<name>.values.yaml and addons/*.yaml),
// through the program's own MetalLB webhook gate, on real pods; an echo server behind a
// LoadBalancer Service answering HTTP from the lab's switch; an HTTPRoute and an Ingress through
// the ingress's fixed address; a pool change moving the address; a pool outside the node subnet
// caught; then everything uninstalled. What the lab stands in for, and what never runs here:
// docs/addons-on-the-lab.md.
//
// The journey's stack itself keeps `loadBalancer: none` and `ingress: none`: its kubernetes
// provider is a stand-in that only records releases, so a `pulumi up` with MetalLB described would
// run the program's webhook gate on the real nodes against pods nobody started. The phases plan
// from the stack's description as it stands, with MetalLB and Traefik added in memory (as a person
// would write them), and install that plan themselves. What the running cluster needs for them is
// written into the stack: the journey's hardening enforces Pod Security baseline, and MetalLB's
// speaker (host network, NET_RAW) runs only in a namespace the apiservers exempt, so the first
// phase adds the namespaces the program exempts for the planned add-ons (privilegedNamespacesOf)
// and rolls them out with `pulumi up`.
import * as fs from "node:fs";
import { expect } from "vitest";
import { parse } from "yaml";
import { SCRIPTS, scriptCommandLine } from "../../../components/addons";
import { INGRESS_GATEWAY, addonManifests, addonReleases, metallbAdvertisementOf, type Manifest, type ReleasePlan } from "../../../components/addons/plan";
import { METALLB_NAMESPACE, metallbResources } from "../../../components/addons/metallb/values";
import { ADMISSION_CONFIG_PATH, podSecurityConfigured, privilegedNamespacesOf } from "../../../components/kubeadm/hardening";
import { CLUSTER_KEY } from "../../../stacks/config-keys";
import type { ClusterSpec } from "../../../stacks/spec";
import { longestOutage } from "../../cluster/availability";
import { ECHO_NAMESPACE, addressVerdict, echoHttpRoute, echoIngress, echoServer } from "../../cluster/addon-checks";
import { AddonLab, chartDeviation } from "../../cluster/addons";
import { ADDON_IMAGES, WORKLOAD_IMAGE } from "../../cluster/images";
import type { SshHosts } from "../../cluster/ssh-hosts";
import { labDescriptionSpec } from "../../lab/stack-config";
import { fetchCrds } from "../../tools/kube-validate";
import { RUNS_COMMAND as RUNS } from "../event-log";
import { OUTSIDE_POOL, admissionExemptions, changedPools, firstPools, ingressAddress, missingExemptions, withAddons, type Pool } from "./addons-plan";
import type { JourneyContext, JourneyPhase } from "./context";
import { API_OUTAGE_LIMIT_MS, expectOneAtATime } from "./step-order";

/** The journey's description as its stack file has it now (Pulumi.<stack>.yaml, every earlier phase's edits in it). */
function journeyDescription(ctx: JourneyContext): Record<string, any> {
  const document = parse(fs.readFileSync(ctx.stack.file(), "utf8")) as { config: Record<string, any> };
  return document.config[CLUSTER_KEY] as Record<string, any>;
}

/** The journey's description with MetalLB (L2) and Traefik added, as a person would write them; validated as the program does. */
const plannedSpec = (ctx: JourneyContext, pools: Pool[]): ClusterSpec => labDescriptionSpec(withAddons(journeyDescription(ctx), ctx.hosts.gateway, pools));

function plannedRelease(spec: ClusterSpec, name: "metallb" | "traefik"): ReleasePlan {
  const release = addonReleases(spec).find((r) => r.name === name);
  if (!release) throw new Error(`the plan has no ${name} release for the lab's description`);
  return release;
}

function plannedManifests(spec: ClusterSpec, file: "metallb-config" | "ingress-gateway"): Manifest[] {
  const manifests = addonManifests(spec)[file];
  if (!manifests) throw new Error(`the plan renders no ${file} for the lab's description`);
  return manifests;
}

const ECHO = "echo";
const ROUTE_HOST = "echo.lab.example.internal";
const INGRESS_HOST = "ingress.lab.example.internal";
const answeredBy = (name: string) => (a: { ok: boolean; body?: string }) => a.ok && (a.body ?? "").startsWith(`hello from ${name}-`);

/** What the phases share: the lab's add-on tooling and the state of the cluster they leave. */
const state: { lab?: AddonLab; spec?: ClusterSpec; echoAddress?: string } = {};
const lab = () => {
  if (!state.lab) throw new Error("the add-on lab was not set up (its first phase did not run)");
  return state.lab;
};
/** For the phases that run the program's acceptance checks on the add-ons (addon-acceptance.ts). */
export const addonLab = lab;
export const plannedAddonSpec = (): ClusterSpec => {
  if (!state.spec) throw new Error("the add-ons were not planned (the first add-on phase did not run)");
  return state.spec;
};

/** The LoadBalancer Service `name`'s address as the switch sees it, judged (addressVerdict). */
async function observe(hosts: SshHosts, name: string, address: string | undefined, accept: (a: { ok: boolean; body?: string }) => boolean, seconds: number) {
  const http = address ? await lab().httpUntil(`http://${address}/`, accept, seconds) : { ok: false as const, error: "no address" };
  return addressVerdict({ service: `${ECHO_NAMESPACE}/${name}`, address, subnet: hosts.subnet, http });
}

export const addonPhases: JourneyPhase[] = [
  {
    name: "add-ons: Pod Security exempts the namespaces the program exempts for MetalLB, rolled through the control planes one at a time",
    minutes: 30,
    async run(ctx) {
      const { hosts, controlPlanes, editDescription, upWithEvents, probe, report } = ctx;
      const journey = labDescriptionSpec(journeyDescription(ctx));
      state.spec = plannedSpec(ctx, firstPools(hosts.gateway));
      expect(privilegedNamespacesOf(state.spec), "the program exempts MetalLB's namespace (its speaker runs on the host network)").toContain(METALLB_NAMESPACE);
      const missing = missingExemptions(journey, state.spec);
      if (!podSecurityConfigured(journey.kubernetes.podSecurity) || missing.length === 0) {
        report(`add-ons: nothing to exempt from Pod Security (levels ${JSON.stringify(journey.kubernetes.podSecurity)})`);
        return;
      }
      editDescription((cluster) => (cluster.kubernetes.podSecurity = { ...cluster.kubernetes.podSecurity, exemptNamespaces: [...(cluster.kubernetes.podSecurity.exemptNamespaces ?? []), ...missing] }));
      const started = Date.now();
      const up = await upWithEvents();
      const ended = Date.now();
      expectOneAtATime(up.steps.filter((w) => RUNS.has(w.op)), controlPlanes, (node) => new RegExp(`^${node}-settings$`));
      const api = longestOutage(probe().samples(), "api", started, ended);
      report(`add-ons: Pod Security exemptions ${missing.join(", ")} rolled in ${Math.round((ended - started) / 1000)} s; longest time the API went unanswered through the endpoint ${api.ms} ms${api.detail ? ` (${api.detail})` : ""}`);
      expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
      for (const node of controlPlanes) {
        const admission = await hosts.node(node).exec(`cat ${ADMISSION_CONFIG_PATH}`, { check: true });
        expect(admissionExemptions(admission.stdout), `${node}: ${ADMISSION_CONFIG_PATH}`).toEqual(expect.arrayContaining(missing));
      }
    },
  },
  {
    name: "add-ons: images built on first use and imported on every node; the lab's kube-proxy and pod routes stand in for the CNI's",
    // A cold machine builds Traefik, MetalLB and helm here (docs/addons-on-the-lab.md has the times).
    minutes: 90,
    async run({ hosts, controlPlanes, workers, first, report }) {
      // The cluster's nodes only: the lab also runs the growth phases' spare hosts, reset and outside the cluster.
      const members = [...controlPlanes, ...workers];
      const spec = state.spec!;
      state.lab = await AddonLab.create(hosts, first(), members);
      for (const chart of ["metallb", "traefik"] as const) {
        const deviation = chartDeviation(chart);
        if (deviation) report(`add-ons: ${deviation}`);
      }
      const started = Date.now();
      const images = new Set<string>([WORKLOAD_IMAGE]);
      for (const name of ["metallb", "traefik"] as const) for (const ref of await lab().releaseImages(plannedRelease(spec, name))) images.add(ref);
      // Exactly the images the lab builds: a chart that renders another one fails here, by name.
      expect([...images].sort()).toEqual([...Object.values(ADDON_IMAGES), WORKLOAD_IMAGE].sort());
      await lab().importImages([...images]);
      report(`add-ons: images ${[...images].join(", ")} ready on every node in ${Math.round((Date.now() - started) / 1000)} s`);
      await lab().podRoutes("add");
      await lab().startKubeProxy(spec.kubernetes.podCidr);
      // The kubernetes Service answers through its ClusterIP on every node: Services work.
      const clusterIp = (await lab().kubectl("get service kubernetes -o jsonpath='{.spec.clusterIP}'")).trim();
      for (const name of members) {
        const r = await hosts.node(name).exec(`curl -sk --max-time 5 https://${clusterIp}/readyz`);
        expect(r.stdout.trim(), `${name}: the kubernetes Service through ${clusterIp}\n${r.output}`).toBe("ok");
      }
    },
  },
  {
    name: "add-ons: MetalLB from the plan's chart and values; the webhook gate passes on real pods; the plan's pool and L2Advertisement apply",
    minutes: 20,
    async run({ first, report }) {
      const spec = state.spec!;
      const started = Date.now();
      await lab().install(plannedRelease(spec, "metallb"));
      report(`add-ons: metallb installed in ${Math.round((Date.now() - started) / 1000)} s`);
      // The program's own gate, as its remote step runs it on the first control plane.
      const env = { KUBECONFIG: "/etc/kubernetes/admin.conf", METALLB_NAMESPACE, GATE_ATTEMPTS: "60", GATE_DELAY_SECONDS: "5" };
      const gate = await first().exec(scriptCommandLine(env), { input: fs.readFileSync(SCRIPTS.metallbWebhookGate, "utf8") });
      expect(gate.status, gate.output).toBe(0);
      expect(gate.stdout).toMatch(/metallb-webhook: ready after \d+ attempt\(s\): [1-9]\d* endpoint\(s\), dry-run accepted/);
      await lab().apply(plannedManifests(spec, "metallb-config"));
      const pools = await lab().kubectl(`-n ${METALLB_NAMESPACE} get ipaddresspools,l2advertisements -o name`);
      expect(pools.split("\n").filter(Boolean).sort()).toEqual(["ipaddresspool.metallb.io/default", "l2advertisement.metallb.io/l2"]);
    },
  },
  {
    name: "add-ons: Traefik from the plan's chart and values after the Gateway API CRDs; the plan's GatewayClass and Gateway are accepted",
    minutes: 20,
    async run({ hosts, report }) {
      const spec = state.spec!;
      // The CRDs the plan applies from the pinned release's standard-install.yaml, from the same release's module.
      await lab().kubectl("apply --server-side -f -", await fetchCrds("gateway-api-v1.6.1"));
      await lab().kubectl("wait --for=condition=Established --timeout=60s crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io crd/gatewayclasses.gateway.networking.k8s.io");
      const started = Date.now();
      await lab().install(plannedRelease(spec, "traefik"));
      report(`add-ons: traefik installed in ${Math.round((Date.now() - started) / 1000)} s`);
      await lab().apply(plannedManifests(spec, "ingress-gateway"));
      await lab().kubectl(`wait --for=condition=Accepted --timeout=120s gatewayclass/${INGRESS_GATEWAY.className}`);
      await lab().kubectl(`-n ${INGRESS_GATEWAY.namespace} wait --for=condition=Accepted --timeout=120s gateway/${INGRESS_GATEWAY.name}`);
      // The ingress's Service holds the description's fixed address.
      expect(await lab().loadBalancerAddress("traefik", "traefik", 120)).toBe(ingressAddress(hosts.gateway));
    },
  },
  {
    name: "add-ons: an echo server behind a LoadBalancer Service gets a pool address that answers HTTP from the switch",
    minutes: 10,
    async run({ hosts, report }) {
      await lab().apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: ECHO_NAMESPACE } }]);
      await lab().apply(echoServer({ name: ECHO, image: WORKLOAD_IMAGE, service: "LoadBalancer" }));
      await lab().kubectl(`-n ${ECHO_NAMESPACE} rollout status deployment/${ECHO} --timeout=180s`);
      state.echoAddress = await lab().loadBalancerAddress(ECHO_NAMESPACE, ECHO, 60);
      const verdict = await observe(hosts, ECHO, state.echoAddress, answeredBy(ECHO), 60);
      report(`add-ons: ${verdict.message}`);
      expect(verdict.reachable, verdict.message).toBe(true);
      expect(state.echoAddress).toMatch(new RegExp(`^${hosts.gateway.replace(/\.\d+$/, "").replaceAll(".", "\\.")}\\.(20[1-9]|21\\d|220)$`));
    },
  },
  {
    name: "add-ons: an HTTPRoute by host and path, and an Ingress by host, answer through the ingress's fixed address",
    minutes: 10,
    async run({ hosts }) {
      for (const name of ["echo-a", "echo-b"]) {
        await lab().apply(echoServer({ name, image: WORKLOAD_IMAGE, service: "ClusterIP" }));
        await lab().kubectl(`-n ${ECHO_NAMESPACE} rollout status deployment/${name} --timeout=180s`);
      }
      const gateway = { name: INGRESS_GATEWAY.name, namespace: INGRESS_GATEWAY.namespace };
      await lab().apply([echoHttpRoute({ name: "echo", gateway, host: ROUTE_HOST, paths: { "/a": "echo-a", "/b": "echo-b" } }), echoIngress({ name: "echo", host: INGRESS_HOST, service: "echo-b" })]);
      const address = ingressAddress(hosts.gateway);
      for (const [path, backend] of [["/a", "echo-a"], ["/b", "echo-b"]] as const) {
        const answer = await lab().httpUntil(`http://${address}${path}`, answeredBy(backend), 60, ROUTE_HOST);
        expect(answeredBy(backend)(answer), `HTTPRoute ${ROUTE_HOST}${path} -> ${backend}: ${JSON.stringify(answer)}`).toBe(true);
      }
      // Another host on the same address is not the route's: Traefik answers 404 itself.
      const other = await lab().httpFromSwitch(`http://${address}/a`, "other.lab.example.internal");
      expect(other.ok && other.body.startsWith("hello from"), JSON.stringify(other)).toBe(false);
      const ingress = await lab().httpUntil(`http://${address}/`, answeredBy("echo-b"), 60, INGRESS_HOST);
      expect(answeredBy("echo-b")(ingress), `Ingress ${INGRESS_HOST} -> echo-b: ${JSON.stringify(ingress)}`).toBe(true);
    },
  },
  {
    name: "add-ons: a pool change (the program's manifests re-applied) moves the address",
    minutes: 10,
    async run(ctx) {
      const { hosts, report } = ctx;
      const before = state.echoAddress!;
      state.spec = plannedSpec(ctx, changedPools(hosts.gateway));
      await lab().apply(plannedManifests(state.spec, "metallb-config"));
      const after = await lab().loadBalancerAddress(ECHO_NAMESPACE, ECHO, 120, before);
      report(`add-ons: pool change moved ${ECHO_NAMESPACE}/${ECHO} from ${before} to ${after ?? "(no new address)"}`);
      expect(after, `the echo Service's address after the pool change (was ${before})`).toMatch(new RegExp(`\\.(23\\d|240)$`));
      const verdict = await observe(hosts, ECHO, after, answeredBy(ECHO), 60);
      expect(verdict.reachable, verdict.message).toBe(true);
      // Nothing answers on the old address any more; the ingress kept its own.
      const old = await lab().httpFromSwitch(`http://${before}/`);
      expect(old.ok, `the old address ${before} still answers: ${JSON.stringify(old)}`).toBe(false);
      expect(await lab().loadBalancerAddress("traefik", "traefik", 10)).toBe(ingressAddress(hosts.gateway));
      state.echoAddress = after;
    },
  },
  {
    name: "add-ons: a pool outside the node subnet is refused by the description's check; planted anyway, its address does not answer and the check says so",
    minutes: 10,
    async run(ctx) {
      const { hosts, report } = ctx;
      expect(() => plannedSpec(ctx, [...changedPools(hosts.gateway), OUTSIDE_POOL])).toThrow(/an L2 pool must lie inside the node subnet/);
      // Planted past the description's check: the program's manifest builder with the outside pool added.
      const spec = state.spec!;
      const planted = metallbResources({ pools: [...spec.addons.loadBalancer.pools, OUTSIDE_POOL], advertisement: metallbAdvertisementOf(spec) });
      await lab().apply(planted);
      const name = "echo-outside";
      await lab().apply(echoServer({ name, image: WORKLOAD_IMAGE, service: "LoadBalancer", addressPool: OUTSIDE_POOL.name }));
      await lab().kubectl(`-n ${ECHO_NAMESPACE} rollout status deployment/${name} --timeout=180s`);
      const address = await lab().loadBalancerAddress(ECHO_NAMESPACE, name, 60);
      expect(address, "MetalLB hands out the planted pool's address").toMatch(/^10\.252\.0\./);
      const verdict = await observe(hosts, name, address, answeredBy(name), 10);
      report(`add-ons: planted fault: ${verdict.message}`);
      expect(verdict.reachable).toBe(false);
      expect(verdict.message).toContain(`outside the node subnet ${hosts.subnet}`);
      // The fault removed: the Service goes, the program's manifests again (the advertisement no
      // longer names the planted pool), then the planted pool.
      await lab().delete(echoServer({ name, image: WORKLOAD_IMAGE, service: "LoadBalancer", addressPool: OUTSIDE_POOL.name }));
      await lab().apply(plannedManifests(spec, "metallb-config"));
      await lab().kubectl(`-n ${METALLB_NAMESPACE} delete ipaddresspool ${OUTSIDE_POOL.name}`);
    },
  },
  {
    name: "add-ons: everything uninstalls cleanly",
    minutes: 20,
    async run({ hosts, first }) {
      const spec = state.spec!;
      await lab().kubectl(`delete namespace ${ECHO_NAMESPACE} --wait=true --timeout=180s`);
      await lab().delete(plannedManifests(spec, "ingress-gateway"));
      await lab().uninstall(plannedRelease(spec, "traefik"));
      await lab().delete(plannedManifests(spec, "metallb-config"));
      await lab().uninstall(plannedRelease(spec, "metallb"));
      for (const namespace of ["traefik", METALLB_NAMESPACE]) {
        // helm deletes the workloads; their pods go after them (background deletion).
        await first().waitFor(`no pods left in ${namespace}`, `[ -z "$(kubectl --kubeconfig /etc/kubernetes/admin.conf -n ${namespace} get pods -o name)" ]`, 120);
        await lab().kubectl(`delete namespace ${namespace} --wait=true --timeout=180s`);
      }
      expect(await lab().kubectl("get validatingwebhookconfigurations -o name")).not.toMatch(/metallb/);
      expect(await lab().kubectl("get crd -o name")).not.toMatch(/metallb\.io/);
      // The Gateway API CRDs are the program's own resource (it deletes them on destroy); Traefik's
      // own CRDs stay, as Helm leaves a chart's crds/ directory installed.
      await lab().kubectl("delete --ignore-not-found --wait=true -f -", await fetchCrds("gateway-api-v1.6.1"));
      // Nothing answers on the add-ons' addresses any more.
      for (const address of [ingressAddress(hosts.gateway), state.echoAddress!]) {
        const answer = await lab().httpFromSwitch(`http://${address}/`);
        expect(answer.ok, `${address} still answers after the uninstall: ${JSON.stringify(answer)}`).toBe(false);
      }
      await lab().stopKubeProxy();
      await lab().podRoutes("remove");
      lab().dispose();
      state.lab = undefined;
    },
  },
];
