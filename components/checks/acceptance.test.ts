// The acceptance checks: which a description gets, what each is told, and scripts/acceptance.sh run
// for real in the Debian sandbox as the step runs it on the first control plane (its parameters
// from checkEnv): a real kube-apiserver with the objects a cluster would have (Nodes, the CoreDNS
// Deployment, the CNI DaemonSet, their status as kubelet and the controllers would write it), the
// real kubectl and curl, and a real etcd member behind the crictl stand-in. Each check passes on a
// healthy cluster and fails with its diagnostics when broken on purpose: a kubelet stopped, CoreDNS
// scaled to zero, an apiserver stopped behind the endpoint (the endpoint still answers).
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckName } from "../../stacks/schema-checks";
import { stackSpec } from "../../test/stack-spec";
import { ETCD_IMAGE_STANDINS, startEtcdMember, type EtcdMember } from "../../test/sandbox/etcd-member";
import { NodeSandbox, PACKAGE_LAYERS, sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { startApiServer, type ApiServer } from "../../test/tools/apiserver";
import { freePort } from "../../test/tools/free-port";
import { kubernetesBinary } from "../../test/tools/go-binaries";
import { expectShellcheckClean } from "../../test/tools/shell-checks";
import { readBundle } from "../remote/bundle";
import { renderEnvPrefix } from "../remote/env";
import { CHECK_NAMESPACE, ROUTE_HOST, checkEnv, cleanupEnv, enabledChecks } from "./acceptance";
import { ACCEPTANCE_BUNDLE } from "./steps";

describe("which checks a description gets", () => {
  it("every stack gets the API, node, etcd, CNI, pod network, DNS and MTU checks; the others follow what it deploys", () => {
    expect(enabledChecks(stackSpec("poc"))).toEqual(["endpoint-readyz", "apiserver-readyz", "nodes", "etcd", "cni", "pod-network", "dns", "metrics", "storage", "load-balancer", "ingress", "from-here", "mtu"]);
    const bare = stackSpec("poc", (c) => {
      c.addons.metrics = { enabled: false };
      c.addons.storage = { type: "none" };
      c.addons.loadBalancer = { type: "none" };
      c.addons.ingress = { type: "none" };
    });
    expect(enabledChecks(bare)).toEqual(["endpoint-readyz", "apiserver-readyz", "nodes", "etcd", "cni", "pod-network", "dns", "mtu"]);
    // The failover only on demand.
    expect(enabledChecks(stackSpec("poc", (c) => (c.checks = { vipFailover: true })))).toContain("vip-failover");
    expect(enabledChecks(stackSpec("poc", (c) => (c.checks = { skip: ["dns", "mtu"] })))).not.toContain("dns");
    expect(enabledChecks(stackSpec("poc", (c) => (c.checks = { enabled: false })))).toEqual([]);
  });

  it("names the real endpoint, apiservers, nodes, members and the CNI of the description", () => {
    const spec = stackSpec("prod");
    expect(checkEnv(spec, "endpoint-readyz").ENDPOINT_URL).toBe(`https://${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    expect(checkEnv(spec, "apiserver-readyz").APISERVERS).toBe(spec.controlPlanes.map((cp) => `${cp.name}=https://${cp.address}:6443`).join(","));
    expect(checkEnv(spec, "nodes").NODES).toBe(spec.nodes.map((n) => n.name).join(","));
    expect(checkEnv(spec, "etcd").CONTROL_PLANES).toBe(spec.controlPlanes.map((n) => n.name).join(","));
    expect(checkEnv(spec, "cni").CNI_DAEMONSET).toBe("kube-system/cilium");
    expect(checkEnv(stackSpec("examples/proxmox-keepalived-calico-nfs.yaml"), "cni").CNI_DAEMONSET).toBe("calico-system/calico-node");
    expect(checkEnv(spec, "mtu")).toMatchObject({ MTU: String(spec.network.mtu) });
    expect(checkEnv(spec, "mtu").NODE_ADDRESSES).not.toContain(`${spec.controlPlanes[0]!.name}=`);
    expect(checkEnv(spec, "dns")).toMatchObject({ CHECK_NAMESPACE, TIMEOUT_SECONDS: "300", CLUSTER_DOMAIN: spec.kubernetes.clusterDomain });
    expect(cleanupEnv(spec)).toMatchObject({ CHECK: "cleanup", CHECK_NAMESPACE, KEEP_OBJECTS: "false" });
  });

  it("routes the ingress check through the ingress the description installs, at its fixed address", () => {
    const nginx = stackSpec("poc", (c) => (c.addons.ingress = { type: "ingress-nginx", loadBalancerIP: c.addons.ingress.loadBalancerIP }));
    expect(checkEnv(nginx, "ingress")).toMatchObject({ INGRESS_KIND: "ingress", INGRESS_CLASS: "nginx", INGRESS_SERVICE: "ingress-nginx/ingress-nginx-controller", ROUTE_HOST, INGRESS_ADDRESS: nginx.addons.ingress.loadBalancerIP });
    const traefik = stackSpec("poc", (c) => (c.addons.ingress = { type: "traefik", loadBalancerIP: c.addons.ingress.loadBalancerIP }));
    expect(checkEnv(traefik, "ingress")).toMatchObject({ INGRESS_KIND: "gateway", GATEWAY: "traefik/traefik-gateway", INGRESS_SERVICE: "traefik/traefik" });
  });

  it("fails the VIP over through the VIP itself, stopping the service that holds it", () => {
    const keepalived = stackSpec("examples/proxmox-keepalived-calico-nfs.yaml", (c) => (c.checks = { vipFailover: true }));
    expect(checkEnv(keepalived, "vip-failover")).toMatchObject({ VIP: keepalived.apiEndpoint.vip, VIP_SERVICE: "keepalived", ENDPOINT_URL: `https://${keepalived.apiEndpoint.vip}:${keepalived.apiEndpoint.port}` });
    const kubeVip = stackSpec("poc", (c) => (c.checks = { vipFailover: true }));
    expect(kubeVip.apiEndpoint.mode).toBe("kube-vip");
    expect(checkEnv(kubeVip, "vip-failover")).toMatchObject({ VIP_SERVICE: "kube-vip", KUBE_VIP_MANIFEST: "/etc/kubernetes/manifests/kube-vip.yaml" });
  });
});

it("the acceptance bundle's scripts pass shellcheck", async () => {
  for (const script of ACCEPTANCE_BUNDLE) await expectShellcheckClean(script);
});

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);
describe("acceptance check sandbox availability", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

const VERSION = "v1.34.4";
const CONTROL_PLANES = ["cp-1", "cp-2", "cp-3"];
const NODES = [...CONTROL_PLANES, "worker-1"];

describe.runIf(gate.run)("scripts/acceptance.sh in the sandbox against a real apiserver and etcd", () => {
  let sb: NodeSandbox;
  let api: ApiServer;
  let etcd: EtcdMember;
  let apiUrl = "";
  let deadUrl = "";

  const kubectl = async (args: string[], input?: string) => {
    const r = await api.kubectl(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.output}`);
    return r.stdout;
  };

  /** As the step runs it: its parameters exported, the script on stdin of bash, as root on the control plane. */
  function runCheck(check: CheckName | "cleanup", env: Record<string, string>): Promise<RunResult> {
    const spec = stackSpec("poc");
    const parameters = { ...(check === "cleanup" ? cleanupEnv(spec) : checkEnv(spec, check)), KUBERNETES_VERSION: VERSION, TIMEOUT_SECONDS: "6", RETRY_SECONDS: "1", ...env };
    return sb.exec(`${renderEnvPrefix(parameters)}bash -s`, readBundle(ACCEPTANCE_BUNDLE));
  }

  async function nodeStatus(name: string, ready: "True" | "False" | "Unknown", reason: string, message: string, version = VERSION): Promise<void> {
    const status = { status: { nodeInfo: { kubeletVersion: version }, conditions: [{ type: "Ready", status: ready, reason, message, lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] } };
    await kubectl(["patch", "node", name, "--subresource=status", "--type=merge", "-p", JSON.stringify(status)]);
  }

  async function coreDns(available: number, replicas: number): Promise<void> {
    await kubectl(["-n", "kube-system", "patch", "deployment", "coredns", "--type=merge", "-p", JSON.stringify({ spec: { replicas } })]);
    await kubectl(["-n", "kube-system", "patch", "deployment", "coredns", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { replicas: available, availableReplicas: available, readyReplicas: available } })]);
  }

  beforeAll(async () => {
    sb = await NodeSandbox.create("acceptance", { packages: PACKAGE_LAYERS.labHost, standins: [ETCD_IMAGE_STANDINS] });
    [api, etcd] = await Promise.all([startApiServer(), startEtcdMember(sb, "cp-1")]);
    fs.copyFileSync(await kubernetesBinary("kubectl"), sb.path("/usr/local/bin/kubectl"));
    fs.chmodSync(sb.path("/usr/local/bin/kubectl"), 0o755);
    sb.writeFile("/etc/kubernetes/admin.conf", fs.readFileSync(api.kubeconfig, "utf8"));
    apiUrl = JSON.parse(fs.readFileSync(api.kubeconfig, "utf8")).clusters[0].cluster.server;
    deadUrl = `https://127.0.0.1:${await freePort()}`;
    for (const name of NODES) {
      await kubectl(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name } }));
      await nodeStatus(name, "True", "KubeletReady", "kubelet is posting ready status");
    }
    await kubectl(["create", "-f", "-"], JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: "kube-system" },
      spec: { replicas: 2, selector: { matchLabels: { "k8s-app": "kube-dns" } }, template: { metadata: { labels: { "k8s-app": "kube-dns" } }, spec: { containers: [{ name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.12.1" }] } } },
    }));
    await kubectl(["create", "-f", "-"], JSON.stringify({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "cilium", namespace: "kube-system" },
      spec: { selector: { matchLabels: { "k8s-app": "cilium" } }, template: { metadata: { labels: { "k8s-app": "cilium" } }, spec: { containers: [{ name: "cilium-agent", image: "quay.io/cilium/cilium:v1.18.0" }] } } },
    }));
  }, 20 * 60_000);

  afterAll(async () => {
    await etcd?.stop();
    await api?.stop();
    await sb?.dispose();
  });

  it("an apiserver stopped behind the endpoint: the endpoint still answers, the direct check names the stopped one", async () => {
    const endpoint = await runCheck("endpoint-readyz", { ENDPOINT_URL: apiUrl });
    expect(endpoint.status, endpoint.output).toBe(0);
    expect(endpoint.output).toContain(`PASS endpoint-readyz: the API answers ok through the endpoint ${apiUrl}`);
    const healthy = await runCheck("apiserver-readyz", { APISERVERS: `cp-1=${apiUrl},cp-2=${apiUrl}` });
    expect(healthy.output).toContain("PASS apiserver-readyz: every apiserver answers ok directly: cp-1 cp-2");
    const stopped = await runCheck("apiserver-readyz", { APISERVERS: `cp-1=${apiUrl},cp-2=${deadUrl}` });
    expect(stopped.status).toBe(1);
    expect(stopped.output).toContain("FAIL apiserver-readyz: the apiserver on cp-2 does not answer (answering: cp-1)");
    expect(stopped.output).toContain(`  cp-2 (${deadUrl}/readyz): curl: (7)`);
    const endpointDown = await runCheck("endpoint-readyz", { ENDPOINT_URL: deadUrl });
    expect(endpointDown.output).toMatch(/FAIL endpoint-readyz: the API does not answer through the endpoint https:\/\/127\.0\.0\.1:\d+\/readyz \(still after 6s/);
  });

  it("a kubelet stopped: the node check names the node and the reason its status says", async () => {
    const healthy = await runCheck("nodes", { NODES: NODES.join(",") });
    expect(healthy.status, healthy.output).toBe(0);
    expect(healthy.output).toContain(`PASS nodes: all 4 nodes Ready at ${VERSION}`);
    await nodeStatus("worker-1", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.");
    try {
      const r = await runCheck("nodes", { NODES: NODES.join(",") });
      expect(r.status).toBe(1);
      expect(r.output).toContain(`FAIL nodes: not every node is Ready at ${VERSION}: worker-1`);
      expect(r.output).toContain("  worker-1: Ready=Unknown (NodeStatusUnknown: Kubelet stopped posting node status.)");
    } finally {
      await nodeStatus("worker-1", "True", "KubeletReady", "kubelet is posting ready status");
    }
    const behind = await runCheck("nodes", { NODES: [...NODES, "worker-2"].join(","), KUBERNETES_VERSION: "v1.35.0" });
    expect(behind.output).toContain("  worker-2: not registered");
    expect(behind.output).toContain(`  cp-1: kubelet ${VERSION}, expected v1.35.0`);
  });

  it("CoreDNS scaled to zero: the DNS check says no replica is available and shows the Deployment", async () => {
    await coreDns(0, 0);
    const r = await runCheck("dns", { KEEP_OBJECTS: "false" });
    expect(r.status).toBe(1);
    expect(r.output).toContain("FAIL dns: CoreDNS has no available replica (0/0), so no Service name resolves");
    expect(r.output).toMatch(/ {2}NAME +READY +UP-TO-DATE +AVAILABLE/);
    expect(r.output).toMatch(/ {2}coredns +0\/0/);
  });

  it("the objects stay for the probe from here and a look after a failure; the cleanup step deletes them unless kept", async () => {
    await kubectl(["create", "namespace", CHECK_NAMESPACE]);
    const kept = await runCheck("cleanup", { KEEP_OBJECTS: "true" });
    expect(kept.output).toContain(`PASS cleanup: the test objects stay in ${CHECK_NAMESPACE}`);
    expect((await api.kubectl(["get", "namespace", CHECK_NAMESPACE])).status).toBe(0);
    const cleaned = await runCheck("cleanup", { KEEP_OBJECTS: "false" });
    expect(cleaned.output).toContain(`PASS cleanup: the test objects are deleted with the namespace ${CHECK_NAMESPACE}`);
    // (the sandbox runs no namespace controller: the namespace stays Terminating)
    expect(await kubectl(["get", "namespace", CHECK_NAMESPACE, "-o", "jsonpath={.status.phase}"])).toBe("Terminating");
  });

  it("an ingress Service without its fixed address, and a LoadBalancer Service with none: each says which", async () => {
    await kubectl(["create", "namespace", "ingress-nginx"]);
    await kubectl(["-n", "ingress-nginx", "create", "service", "loadbalancer", "ingress-nginx-controller", "--tcp=80:80"]);
    const ingress = await runCheck("ingress", { CHECK_NAMESPACE: "probe-ingress", INGRESS_ADDRESS: "192.168.100.200" });
    expect(ingress.status).toBe(1);
    expect(ingress.output).toContain("FAIL ingress: the ingress Service ingress-nginx/ingress-nginx-controller has no address, not its fixed address 192.168.100.200");
  });

  it("the VIP failover on a control plane that does not hold the VIP fails nothing over and says so", async () => {
    const r = await runCheck("vip-failover", { VIP: "192.0.2.10", ENDPOINT_URL: "https://192.0.2.10:6443", VIP_SERVICE: "keepalived" });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/PASS vip-failover: \S+ does not hold the VIP 192\.0\.2\.10: nothing to fail over from here/);
  });

  it("etcd: one started, healthy member per control plane, or the members it lacks", async () => {
    const one = await runCheck("etcd", { CONTROL_PLANES: "cp-1", ETCD_ENDPOINT: etcd.endpoint });
    expect(one.status, one.output).toBe(0);
    expect(one.output).toContain("PASS etcd: etcd has one healthy member per control plane: cp-1");
    const three = await runCheck("etcd", { CONTROL_PLANES: CONTROL_PLANES.join(","), ETCD_ENDPOINT: etcd.endpoint });
    expect(three.status).toBe(1);
    expect(three.output).toContain("FAIL etcd: etcd is not one healthy member per control plane (no started member: cp-2 cp-3 )");
    expect(three.output).toMatch(/member list:\n {2}[0-9a-f]+, started, cp-1, /);
    // A control plane this update removes keeps its member until Pulumi's deletes at the end of the
    // update, and its Node until the member is gone: a member of no described control plane is
    // leaving while its Node is registered (the lab's etcd has one member, cp-1, so the
    // description here lists none) and stale without one.
    const leaving = await runCheck("etcd", { CONTROL_PLANES: "", ETCD_ENDPOINT: etcd.endpoint });
    expect(leaving.status, leaving.output).toBe(0);
    expect(leaving.output).toContain("(and the members of cp-1, control planes this update removes)");
    await kubectl(["delete", "node", "cp-1"]);
    try {
      const stale = await runCheck("etcd", { CONTROL_PLANES: "", ETCD_ENDPOINT: etcd.endpoint });
      expect(stale.status).toBe(1);
      expect(stale.output).toContain("FAIL etcd: etcd is not one healthy member per control plane (members of no described control plane and no Node: cp-1)");
    } finally {
      await kubectl(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Node", metadata: { name: "cp-1" } }));
      await nodeStatus("cp-1", "True", "KubeletReady", "kubelet is posting ready status");
    }
    etcd.setContainerRunning(false);
    try {
      const stopped = await runCheck("etcd", { CONTROL_PLANES: "cp-1", ETCD_ENDPOINT: etcd.endpoint });
      expect(stopped.output).toMatch(/FAIL etcd: no running etcd container on /);
    } finally {
      etcd.setContainerRunning(true);
    }
  });

  it("the CNI DaemonSet Ready on every node, or how many it is Ready on; the metrics API missing", async () => {
    const status = (ready: number) => kubectl(["-n", "kube-system", "patch", "daemonset", "cilium", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { desiredNumberScheduled: 4, currentNumberScheduled: 4, numberMisscheduled: 0, numberReady: ready } })]);
    await status(4);
    const healthy = await runCheck("cni", { NODES: NODES.join(",") });
    expect(healthy.output).toContain("PASS cni: CNI kube-system/cilium Running and Ready on all 4 nodes");
    await status(3);
    const r = await runCheck("cni", { NODES: NODES.join(",") });
    expect(r.output).toContain("FAIL cni: CNI kube-system/cilium is Ready on 3 of 4 nodes (scheduled: 4)");
    const metrics = await runCheck("metrics", { NODES: NODES.join(",") });
    expect(metrics.status).toBe(1);
    expect(metrics.output).toContain("FAIL metrics: the metrics API does not answer");
  });
});
