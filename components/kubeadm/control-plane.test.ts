// The control-plane layer as the engine would receive it (the program under the plan's mocks):
// serial control-plane joins, parallel worker joins, secrets, removal scripts, the kube-vip
// super-admin switch, and the membership guard refusing unsafe removals.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { planStack, resourceNamed, resourcesOfType, type PlanResult, type RecordedResource } from "../../test/harness";
import { stackReferenceOutputs } from "../../scripts/plan/mocks";
import { buildGraph, criticalPath } from "../../scripts/plan/graph";

const COMMAND = "command:remote:Command";
const commands = (plan: PlanResult) => resourcesOfType(plan, COMMAND);
const named = (plan: PlanResult, name: string) => resourceNamed(plan, COMMAND, name);
const joins = (plan: PlanResult) => commands(plan).filter((r) => r.name.endsWith("-join") || r.name.endsWith("-init"));
const stdinOf = (r: RecordedResource) => String(r.inputs.stdin ?? "");
const hostOf = (r: RecordedResource) => (r.inputs.connection as { host?: string } | undefined)?.host;
/** Every URN a resource waits for, directly or through the resources it waits for. */
function waitsFor(plan: PlanResult, resource: RecordedResource): Set<string> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const pending = [...resource.dependencies];
  for (let urn = pending.pop(); urn !== undefined; urn = pending.pop()) {
    if (seen.has(urn)) continue;
    seen.add(urn);
    pending.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return seen;
}
/** The exported parameters only (stdin up to the bundle's first script). */
const paramsOf = (r: RecordedResource) => stdinOf(r).split("\n#!/usr/bin/env bash")[0]!;

describe("kube-vip stack (poc: 3 control planes, 2 workers, 1.34)", () => {
  let plan: PlanResult;
  beforeAll(async () => {
    plan = await planStack("poc");
  });

  it("chains control-plane joins one after another behind init", () => {
    const init = named(plan, "nsx-poc-cp-1-init");
    const cp2 = named(plan, "nsx-poc-cp-2-join");
    const cp3 = named(plan, "nsx-poc-cp-3-join");
    expect(cp2.dependencies).toContain(init.urn);
    expect(cp3.dependencies).toContain(cp2.urn);
    expect(cp3.dependencies).not.toContain(init.urn);
    // and the script waits for the previous one's apiserver and etcd member
    expect(stdinOf(cp3)).toContain("export PREVIOUS_CONTROL_PLANE=nsx-poc-cp-2;");
  });

  it("places the PKI and the endpoint on every control plane before its init/join", () => {
    for (const cp of ["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]) {
      const pki = named(plan, `${cp}-pki`);
      const endpoint = named(plan, `${cp}-endpoint`);
      const kubeadm = named(plan, cp === "nsx-poc-cp-1" ? `${cp}-init` : `${cp}-join`);
      expect(endpoint.dependencies).toContain(pki.urn);
      expect(kubeadm.dependencies).toEqual(expect.arrayContaining([pki.urn, endpoint.urn]));
    }
  });

  it("makes every worker join depend on init and the endpoint, and on no other join", () => {
    const init = named(plan, "nsx-poc-cp-1-init");
    const endpoints = ["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"].map((cp) => named(plan, `${cp}-endpoint`).urn);
    const otherJoins = joins(plan).filter((r) => r.name !== "nsx-poc-cp-1-init");
    for (const worker of ["nsx-poc-worker-1", "nsx-poc-worker-2"]) {
      const join = named(plan, `${worker}-join`);
      expect(join.dependencies).toContain(init.urn);
      expect(join.dependencies).toEqual(expect.arrayContaining(endpoints));
      for (const other of otherJoins) expect(join.dependencies).not.toContain(other.urn);
      // its own node preparation
      expect(join.dependencies.some((urn) => urn.includes(`${worker}-`) && !urn.endsWith("-join"))).toBe(true);
    }
  });

  it("keeps every token, key and kubeconfig secret (recorded secret inputs, stack outputs)", () => {
    for (const step of commands(plan).filter((r) => /-(pki|init|join|token)$/.test(r.name))) {
      expect(step.secretPaths, step.name).toContain("stdin");
    }
    // The token's secret part is a RandomPassword (secret result, id "none"); a RandomString's id
    // is its result, so only the public token id is one.
    expect(resourcesOfType(plan, "random:index/randomPassword:RandomPassword").map((r) => r.name)).toContain("nsx-poc-bootstrap-token-secret");
    for (const secret of resourcesOfType(plan, "random:index/randomPassword:RandomPassword")) expect(secret.additionalSecretOutputs, secret.name).toContain("result");
    expect(resourcesOfType(plan, "random:index/randomString:RandomString").map((r) => r.name).sort()).toEqual(["nsx-poc-bootstrap-token-id"]);
    for (const key of resourcesOfType(plan, "tls:index/privateKey:PrivateKey")) expect(key.additionalSecretOutputs, key.name).toContain("privateKeyPem");
    const adminCert = resourcesOfType(plan, "tls:index/locallySignedCert:LocallySignedCert")[0]!;
    expect(adminCert.secretPaths).toContain("caPrivateKeyPem");
    expect(plan.outputSecretPaths).toContain("kubeconfig");
    const kubeconfig = String(plan.outputs.kubeconfig);
    expect(kubeconfig).toContain("server: https://api.nsx-poc.corp.example.internal:6443");
    expect(kubeconfig).toContain("client-key-data:");
    // no secret reaches an artifact: configs carry the placeholder, parameter files the mask
    for (const artifact of plan.artifacts.filter((a) => a.kind === "kubeadm-config")) expect(artifact.content).toMatch(/[tT]oken: \$\{KUBEADM_TOKEN\}/);
    for (const artifact of plan.artifacts) {
      expect(artifact.content, artifact.path).not.toMatch(/PRIVATE KEY-----\n[A-Za-z0-9+/]/);
      expect(artifact.content, artifact.path).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
    }
  });

  it("gives every init/join a delete that only resets the node, after its membership step and before its machine goes", () => {
    for (const step of joins(plan)) {
      expect(String(step.inputs.delete), step.name).toMatch(/^(sudo -n )?env KUBEADM_ACTION=delete bash -s$/);
      expect(step.deleteBeforeReplace, step.name).toBe(true);
      // drain, Node deletion and etcd member removal are the membership step's, on the first control
      // plane (the bundle removes its own member only when recovering an interrupted join)
      const resetNode = /\nreset_node\(\) \{\n[\s\S]*?\n\}\n/.exec(stdinOf(step))?.[0];
      expect(resetNode, step.name).toBeDefined();
      expect(resetNode).not.toMatch(/kube drain|member remove|remove_running_own_etcd_member|reset_preserving_cluster_identity/);
      expect(stdinOf(step)).not.toContain("kube drain");
    }
    // the machine outlives its join: the join depends (through its preparation) on the machine
    const vm = resourceNamed(plan, "vsphere:index/virtualMachine:VirtualMachine", "nsx-poc-worker-1");
    const graph = buildGraph(plan.resources);
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      from === to || [...(graph.waitsFor.get(from) ?? [])].some((next) => !seen.has(next) && (seen.add(next), reaches(next, to, seen)));
    expect(reaches(named(plan, "nsx-poc-worker-1-join").urn, vm.urn)).toBe(true);
    // and the membership depends on the join: Pulumi deletes it (drain, delete Node) before the reset
    expect(named(plan, "nsx-poc-worker-1-membership").dependencies).toContain(named(plan, "nsx-poc-worker-1-join").urn);
    expect(named(plan, "nsx-poc-cp-3-membership").dependencies).toContain(named(plan, "nsx-poc-cp-3-join").urn);
  });

  it("runs every token step on the first control plane, before the node's join", () => {
    const firstAddress = "192.168.100.11";
    for (const node of ["nsx-poc-cp-2", "nsx-poc-cp-3", "nsx-poc-worker-1", "nsx-poc-worker-2"]) {
      const token = named(plan, `${node}-token`);
      expect(hostOf(token), token.name).toBe(firstAddress);
      expect(stdinOf(token)).toContain(`export NODE_NAME=${node};`);
      expect(stdinOf(token)).toContain("ensure_bootstrap_token");
      expect(token.inputs.delete, token.name).toBeUndefined();
      expect(named(plan, `${node}-join`).dependencies).toContain(token.urn);
    }
    // a worker's join waits for its own token step only
    expect(named(plan, "nsx-poc-worker-1-join").dependencies).not.toContain(named(plan, "nsx-poc-worker-2-token").urn);
    // the first control plane runs init (its token comes with InitConfiguration); it has no token or membership step
    expect(commands(plan).some((r) => r.name === "nsx-poc-cp-1-token" || r.name === "nsx-poc-cp-1-membership")).toBe(false);
  });

  it("removes a worker through a membership step on a control plane that names the worker", () => {
    const controlPlaneAddresses = ["192.168.100.11", "192.168.100.12", "192.168.100.13"];
    for (const worker of ["nsx-poc-worker-1", "nsx-poc-worker-2"]) {
      const membership = named(plan, `${worker}-membership`);
      expect(controlPlaneAddresses).toContain(hostOf(membership));
      expect(String(membership.inputs.delete)).toMatch(/^(sudo -n )?env KUBEADM_ACTION=delete DRAIN_POLICY=best-effort bash -s$/);
      expect(membership.deleteBeforeReplace).toBe(true);
      const params = paramsOf(membership);
      expect(params).toContain(`export NODE_NAME=${worker};`);
      expect(params).toContain("export JOIN_ROLE=worker;");
      expect(stdinOf(membership)).toContain('kube drain "$NODE_NAME"');
      expect(stdinOf(membership)).toContain('kube delete node "$NODE_NAME"');
    }
    // control planes: the etcd member is removed by name, from the first control plane
    const cp3 = named(plan, "nsx-poc-cp-3-membership");
    expect(hostOf(cp3)).toBe("192.168.100.11");
    expect(paramsOf(cp3)).toContain("export JOIN_ROLE=control-plane;");
    expect(stdinOf(cp3)).toContain('etcd_member_id "$NODE_NAME"');
  });

  it("never gives a worker the admin kubeconfig, the admin key or a CA key", () => {
    const workerAddresses = ["192.168.100.21", "192.168.100.22"];
    const kubeconfig = String(plan.outputs.kubeconfig);
    const adminCert = resourcesOfType(plan, "tls:index/locallySignedCert:LocallySignedCert")[0]!;
    const caKey = String(adminCert.inputs.caPrivateKeyPem);
    const adminKey = String(resourcesOfType(plan, "tls:index/certRequest:CertRequest")[0]!.inputs.privateKeyPem);
    // one line of each key's base64 body: present wherever the key is, however it is quoted
    const bodyLine = (pem: string) => pem.split("\n").find((line) => /^[A-Za-z0-9+/]{60,}$/.test(line))!;
    const secrets = { "admin kubeconfig client key": kubeconfig.match(/client-key-data: (\S{40})/)![1]!, "CA key": bodyLine(caKey), "admin key": bodyLine(adminKey) };
    for (const secret of Object.values(secrets)) expect(secret).toMatch(/^\S{40,}$/);
    const onWorkers = plan.resources.filter((r) => workerAddresses.includes(hostOf(r) ?? ""));
    expect(onWorkers.map((r) => r.name)).toEqual(expect.arrayContaining(["nsx-poc-worker-1-join", "nsx-poc-worker-2-join"]));
    for (const resource of onWorkers) {
      const inputs = JSON.stringify(resource.inputs);
      for (const [what, secret] of Object.entries(secrets)) expect(inputs.includes(secret), `${resource.name} carries the ${what}`).toBe(false);
      expect(paramsOf(resource), resource.name).not.toMatch(/export (ADMIN_KUBECONFIG|PKI_CA_KEY|PKI_ETCD_CA_KEY|PKI_SA_KEY)=/);
    }
    // nor does any other node: the admin kubeconfig stays in Pulumi (the add-ons' provider, the stack output)
    for (const resource of commands(plan)) expect(JSON.stringify(resource.inputs).includes(secrets["admin kubeconfig client key"]), resource.name).toBe(false);
  });

  it("uses super-admin.conf only on the first control plane during init, and switches back after", () => {
    const first = paramsOf(named(plan, "nsx-poc-cp-1-endpoint"));
    expect(first).toMatch(/export KUBE_VIP_INIT_MANIFEST='[^']*path: \/etc\/kubernetes\/super-admin.conf/);
    expect(first).toMatch(/export KUBE_VIP_MANIFEST='[^']*path: \/etc\/kubernetes\/admin.conf/);
    for (const cp of ["nsx-poc-cp-2", "nsx-poc-cp-3"]) {
      const other = paramsOf(named(plan, `${cp}-endpoint`));
      expect(other).not.toContain("super-admin.conf");
      expect(other).not.toContain("KUBE_VIP_INIT_MANIFEST");
    }
    expect(paramsOf(named(plan, "nsx-poc-cp-1-init"))).toMatch(/export KUBE_VIP_MANIFEST='[^']*path: \/etc\/kubernetes\/admin.conf/);
    expect(plan.artifacts.filter((a) => a.kind === "kube-vip").map((a) => a.path).sort()).toEqual([
      "kube-vip/nsx-poc-cp-1.during-init.yaml",
      "kube-vip/nsx-poc-cp-1.yaml",
      "kube-vip/nsx-poc-cp-2.yaml",
      "kube-vip/nsx-poc-cp-3.yaml",
    ]);
  });

  it("writes a kubeadm config per node and the scripts' parameters with secrets masked", () => {
    const configs = plan.artifacts.filter((a) => a.kind === "kubeadm-config").map((a) => a.path).sort();
    expect(configs).toEqual(
      [
        "nsx-poc-cp-1",
        "nsx-poc-cp-2",
        "nsx-poc-cp-2.fallback",
        "nsx-poc-cp-3",
        "nsx-poc-cp-3.fallback",
        "nsx-poc-worker-1",
        "nsx-poc-worker-1.fallback",
        "nsx-poc-worker-2",
        "nsx-poc-worker-2.fallback",
      ]
        .map((n) => `kubeadm/${n}.yaml`)
        .sort(),
    );
    const join = plan.artifacts.find((a) => a.path === "nodes/nsx-poc-worker-1/kubeadm-join.env")!;
    expect(join.kind).toBe("script");
    expect(join.content).toContain("export KUBEADM_TOKEN=[secret]");
    expect(join.content).not.toContain("ADMIN_KUBECONFIG");
    expect(join.content).toContain("export FALLBACK_API_HOST=192.168.100.11");
    expect(plan.artifacts.find((a) => a.path === "nodes/nsx-poc-worker-1/membership.env")?.content).toContain("# membership on nsx-poc-cp-1");
  });
});

describe("keepalived + haproxy and external endpoints", () => {
  it("installs keepalived + haproxy on every control plane with the VRRP password as a secret, and no kube-vip", async () => {
    const plan = await planStack("examples/proxmox-keepalived-calico-nfs.yaml");
    for (const cp of ["k8s-master", "k8s-master-2", "k8s-master-3"]) {
      const endpoint = named(plan, `${cp}-endpoint`);
      expect(endpoint.secretPaths).toContain("stdin");
      expect(stdinOf(endpoint)).toContain("export KEEPALIVED_AUTH_PASS=");
      expect(plan.artifacts.find((a) => a.path === `keepalived/${cp}.conf`)?.content).toContain("auth_pass ${KEEPALIVED_AUTH_PASS}");
      expect(plan.artifacts.find((a) => a.path === `haproxy/${cp}.cfg`)?.content).toContain("bind *:16443");
    }
    expect(plan.artifacts.some((a) => a.kind === "kube-vip")).toBe(false);
    expect(paramsOf(named(plan, "k8s-master-init"))).not.toContain("KUBE_VIP_MANIFEST");
  });

  it("leaves VRRP in firewalld to the node firewall part (one owner), which runs before the endpoint step", async () => {
    const plan = await planStack("examples/redos-proxy-calico-metallb-nfs.yaml");
    const endpoints = commands(plan).filter((r) => r.name.endsWith("-endpoint"));
    expect(endpoints.length).toBe(3);
    for (const endpoint of endpoints) {
      const node = endpoint.name.replace(/-endpoint$/, "");
      expect(stdinOf(endpoint), endpoint.name).not.toContain("firewall-cmd");
      const firewall = named(plan, `${node}-firewall`);
      expect(stdinOf(firewall)).toContain("export FIREWALL_PROTOCOLS=vrrp;");
      // Directly or through the preparation parts after it (images).
      expect(waitsFor(plan, endpoint), endpoint.name).toContain(firewall.urn);
    }
  });

  it("puts nothing on the nodes for an external load balancer; init checks it first", async () => {
    const plan = await planStack("examples/existing-hosts-external-lb.yaml");
    expect(commands(plan).some((r) => r.name.endsWith("-endpoint"))).toBe(false);
    expect(stdinOf(named(plan, "k8s-master-init"))).toContain("export ENDPOINT_MODE=external;");
    expect(stdinOf(named(plan, "k8s-master-init"))).toContain("check_external_endpoint");
  });
});

describe("the graph's critical path", () => {
  it("does not grow with the number of workers", async () => {
    const seconds = async (workers: number) => {
      const plan = await planStack("poc", (c) => {
        c.workerPools[0].addresses = Array.from({ length: workers }, (_, i) => `192.168.100.${21 + i}`);
      });
      return criticalPath(buildGraph(plan.resources)).seconds;
    };
    expect(await seconds(8)).toBe(await seconds(1));
  });
});

describe("control-plane removal", () => {
  const previousNodes = (names: string[]) => names.map((name) => ({ name, role: "control-plane", address: "192.168.100.1" }));
  // A refusal is the program's error, thrown before the Cluster is built (the plan rejects,
  // asserted below); Pulumi's stack resource leaves copies of the same rejection unobserved.
  // Those copies, and only those, are kept from vitest's reporter here.
  let vitestListeners: NodeJS.UnhandledRejectionListener[] = [];
  const refusalsOnly: NodeJS.UnhandledRejectionListener = (reason, promise) => {
    if (reason instanceof Error && reason.message.startsWith("control-plane change refused")) return;
    for (const listener of vitestListeners) listener(reason, promise);
  };
  beforeEach(() => {
    vitestListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", refusalsOnly);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.removeListener("unhandledRejection", refusalsOnly);
    for (const listener of vitestListeners) process.on("unhandledRejection", listener);
    stackReferenceOutputs.clear();
  });

  it("refuses replacing two of three control planes in one update", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { nodes: previousNodes(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]) });
    await expect(planStack("poc", (c) => (c.controlPlane.names = ["nsx-poc-cp-1", "new-2", "new-3"]))).rejects.toThrow(/removing nsx-poc-cp-2, nsx-poc-cp-3 at once leaves 1 of 3 etcd members, below quorum/);
  });

  it("lets a shrink from three control planes to one through (its removals run one at a time)", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { nodes: previousNodes(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]) });
    const plan = await planStack("poc", (c) => (c.controlPlane.addresses = ["192.168.100.11"]));
    expect(named(plan, "nsx-poc-cp-1-init")).toBeDefined();
  });

  it("refuses replacing every control plane at once", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { nodes: previousNodes(["old-1", "old-2", "old-3"]) });
    await expect(planStack("poc")).rejects.toThrow(/every current control plane \(old-1, old-2, old-3\) would be removed/);
  });

  it("lets the same membership (or a first deployment) through", async () => {
    stackReferenceOutputs.set("organization/onprem-k8s/poc", { nodes: previousNodes(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3"]) });
    const plan = await planStack("poc");
    expect(named(plan, "nsx-poc-cp-3-join")).toBeDefined();
  });
});
