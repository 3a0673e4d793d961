// The journey's add-ons, running for real (issue 22): MetalLB and Traefik installed with the real
// helm from exactly the releases and manifests the program plans for this lab's description (the
// same functions that write the plan's artifacts: addons/<name>.values.yaml and addons/*.yaml),
// through the program's own MetalLB webhook gate, on real pods; an echo server behind a
// LoadBalancer Service answering HTTP from the lab's switch; an HTTPRoute and an Ingress through
// the ingress's fixed address; a pool change moving the address; a pool outside the node subnet
// caught; then everything uninstalled. What the lab stands in for, and what never runs here:
// docs/addons-on-the-lab.md.
import * as fs from "node:fs";
import { expect } from "vitest";
import { SCRIPTS, scriptCommandLine } from "../../../components/addons";
import { INGRESS_GATEWAY, addonManifests, addonReleases, metallbAdvertisementOf, type Manifest, type ReleasePlan } from "../../../components/addons/plan";
import { METALLB_NAMESPACE, metallbResources } from "../../../components/addons/metallb/values";
import type { ClusterSpec } from "../../../stacks/spec";
import { ECHO_NAMESPACE, addressVerdict, echoHttpRoute, echoIngress, echoServer } from "../../cluster/addon-checks";
import { AddonLab, chartDeviation } from "../../cluster/addons";
import { ADDON_IMAGES, WORKLOAD_IMAGE } from "../../cluster/images";
import type { SshHosts } from "../../cluster/ssh-hosts";
import { labSpec } from "../../lab/stack-config";
import { fetchCrds } from "../../tools/kube-validate";
import type { JourneyPhase } from "./context";

/** An address of the lab's node subnet by its last octet. */
const octet = (hosts: SshHosts, last: number) => hosts.gateway.replace(/\.\d+$/, `.${last}`);
/** The ingress's fixed address (the description's addons.ingress.loadBalancerIP). */
const ingressAddress = (hosts: SshHosts) => octet(hosts, 200);
const firstPools = (hosts: SshHosts) => [{ name: "default", addresses: [`${octet(hosts, 200)}-${octet(hosts, 220)}`] }];
/** After the pool change: the ingress's address stays, every other address moves to .230-.240. */
const changedPools = (hosts: SshHosts) => [{ name: "default", addresses: [`${octet(hosts, 200)}/32`, `${octet(hosts, 230)}-${octet(hosts, 240)}`] }];
/** Outside the lab's node subnet (the planted fault). */
const OUTSIDE_POOL = { name: "outside", addresses: ["10.252.0.10-10.252.0.20"], autoAssign: false };

/** The lab's description with MetalLB (L2) and Traefik, as a person would write it; validated as the program does. */
function plannedSpec(hosts: SshHosts, pools: { name: string; addresses: string[] }[]): ClusterSpec {
  return labSpec(hosts, (cluster) => {
    cluster.addons.loadBalancer = { type: "metallb", mode: "l2", pools };
    cluster.addons.ingress = { type: "traefik", loadBalancerIP: ingressAddress(hosts) };
  });
}

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

/** The LoadBalancer Service `name`'s address as the switch sees it, judged (addressVerdict). */
async function observe(hosts: SshHosts, name: string, address: string | undefined, accept: (a: { ok: boolean; body?: string }) => boolean, seconds: number) {
  const http = address ? await lab().httpUntil(`http://${address}/`, accept, seconds) : { ok: false as const, error: "no address" };
  return addressVerdict({ service: `${ECHO_NAMESPACE}/${name}`, address, subnet: hosts.subnet, http });
}

export const addonPhases: JourneyPhase[] = [
  {
    name: "add-ons: images built on first use and imported on every node; the lab's kube-proxy and pod routes stand in for the CNI's",
    // A cold machine builds Traefik, MetalLB and helm here (docs/addons-on-the-lab.md has the times).
    minutes: 90,
    async run({ hosts, first, report }) {
      state.spec = plannedSpec(hosts, firstPools(hosts));
      state.lab = await AddonLab.create(hosts, first());
      for (const chart of ["metallb", "traefik"] as const) {
        const deviation = chartDeviation(chart);
        if (deviation) report(`add-ons: ${deviation}`);
      }
      const started = Date.now();
      const images = new Set<string>([WORKLOAD_IMAGE]);
      for (const name of ["metallb", "traefik"] as const) for (const ref of await lab().releaseImages(plannedRelease(state.spec, name))) images.add(ref);
      // Exactly the images the lab builds: a chart that renders another one fails here, by name.
      expect([...images].sort()).toEqual([...Object.values(ADDON_IMAGES), WORKLOAD_IMAGE].sort());
      await lab().importImages([...images]);
      report(`add-ons: images ${[...images].join(", ")} ready on every node in ${Math.round((Date.now() - started) / 1000)} s`);
      await lab().podRoutes("add");
      await lab().startKubeProxy(state.spec.kubernetes.podCidr);
      // The kubernetes Service answers through its ClusterIP on every node: Services work.
      const clusterIp = (await lab().kubectl("get service kubernetes -o jsonpath='{.spec.clusterIP}'")).trim();
      for (const host of hosts.hosts) {
        const r = await hosts.node(host.name).exec(`curl -sk --max-time 5 https://${clusterIp}/readyz`);
        expect(r.stdout.trim(), `${host.name}: the kubernetes Service through ${clusterIp}\n${r.output}`).toBe("ok");
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
      expect(await lab().loadBalancerAddress("traefik", "traefik", 120)).toBe(ingressAddress(hosts));
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
      const address = ingressAddress(hosts);
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
    async run({ hosts, report }) {
      const before = state.echoAddress!;
      state.spec = plannedSpec(hosts, changedPools(hosts));
      await lab().apply(plannedManifests(state.spec, "metallb-config"));
      const after = await lab().loadBalancerAddress(ECHO_NAMESPACE, ECHO, 120, before);
      report(`add-ons: pool change moved ${ECHO_NAMESPACE}/${ECHO} from ${before} to ${after ?? "(no new address)"}`);
      expect(after, `the echo Service's address after the pool change (was ${before})`).toMatch(new RegExp(`\\.(23\\d|240)$`));
      const verdict = await observe(hosts, ECHO, after, answeredBy(ECHO), 60);
      expect(verdict.reachable, verdict.message).toBe(true);
      // Nothing answers on the old address any more; the ingress kept its own.
      const old = await lab().httpFromSwitch(`http://${before}/`);
      expect(old.ok, `the old address ${before} still answers: ${JSON.stringify(old)}`).toBe(false);
      expect(await lab().loadBalancerAddress("traefik", "traefik", 10)).toBe(ingressAddress(hosts));
      state.echoAddress = after;
    },
  },
  {
    name: "add-ons: a pool outside the node subnet is refused by the description's check; planted anyway, its address does not answer and the check says so",
    minutes: 10,
    async run({ hosts, report }) {
      expect(() => plannedSpec(hosts, [...changedPools(hosts), OUTSIDE_POOL])).toThrow(/an L2 pool must lie inside the node subnet/);
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
      for (const address of [ingressAddress(hosts), state.echoAddress!]) {
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
