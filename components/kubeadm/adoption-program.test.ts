// Adoption as the engine would receive it (the program under the plan's mocks): a description that
// adopts the running k8s-master of seed 003's site behind keepalived + haproxy, with two new
// control planes and its existing workers. Nothing is touched before the running control plane
// was inspected; the stack's PKI is the cluster's own; the endpoint goes into the cluster before
// anything joins; the kubeconfigs move one node at a time; the rollback commands are an artifact.
import { beforeAll, describe, expect, it } from "vitest";
import { artifactAt, planStack, resourceNamed, resourcesOfType, type PlanResult, type RecordedResource } from "../../test/harness";

const EXAMPLE = "examples/existing-hosts-external-lb.yaml";
const COMMAND = "command:remote:Command";
const CPS = ["k8s-master", "k8s-master-2", "k8s-master-3"];
const WORKERS = ["k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"];
const adopting = (c: any) => {
  c.profile = "poc";
  c.protect = false;
  c.adoption = { controlPlane: "k8s-master" };
  c.endpoint = { mode: "keepalived-haproxy", vip: "10.0.20.99", dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  delete c.addons.backups;
};
const named = (p: PlanResult, name: string) => resourceNamed(p, COMMAND, name);
const paramsOf = (r: RecordedResource) => String(r.inputs.stdin ?? "").split("\n#!/usr/bin/env bash")[0]!;

describe("adopting a hand-built single master (plan)", () => {
  let plan: PlanResult;
  let fresh: PlanResult;
  beforeAll(async () => {
    plan = await planStack(EXAMPLE, adopting);
    fresh = await planStack(EXAMPLE, (c) => {
      adopting(c);
      delete c.adoption;
    });
  }, 300_000);

  it("inspects the running control plane first, after every machine answers, before any node is prepared", () => {
    const inspect = named(plan, "k8s-master-adopt-inspect");
    expect(inspect.inputs.connection).toMatchObject({ host: "10.0.20.100" });
    expect(paramsOf(inspect)).toContain("export KUBERNETES_VERSION=1.34.4;");
    expect(paramsOf(inspect)).toContain("export API_ENDPOINT_HOST=k8s-apiserver.lab.example.internal; export API_ENDPOINT_PORT=16443;");
    for (const node of [...CPS, ...WORKERS]) expect(inspect.dependencies, node).toContain(named(plan, `${node}-reachable`).urn);
    // every node's first preparation step waits for it
    for (const node of [...CPS, ...WORKERS]) expect(named(plan, `${node}-base`).dependencies, node).toEqual([inspect.urn]);
    // its output is the cluster's keys: a secret, never logged
    expect(inspect.inputs.logging).toBe("none");
  });

  it("takes the cluster's own CAs and service-account key: no CA or service-account key is generated", () => {
    const keys = resourcesOfType(plan, "tls:index/privateKey:PrivateKey").map((r) => r.name);
    expect(keys).toEqual(["lab-admin-key"]);
    expect(resourcesOfType(plan, "tls:index/selfSignedCert:SelfSignedCert")).toEqual([]);
    expect(resourcesOfType(fresh, "tls:index/selfSignedCert:SelfSignedCert").map((r) => r.name).sort()).toEqual(["lab-ca", "lab-etcd-ca", "lab-front-proxy-ca"]);
    // the admin certificate is signed by the adopted CA
    expect(String(resourceNamed(plan, "tls:index/locallySignedCert:LocallySignedCert", "lab-admin-cert").inputs.caCertPem)).toContain("-----BEGIN CERTIFICATE-----");
  });

  it("puts the endpoint into the cluster after init (which finds it running) and every endpoint step, before anything joins", () => {
    const endpoint = named(plan, "k8s-master-adopt-endpoint");
    expect(endpoint.dependencies).toEqual(expect.arrayContaining([named(plan, "k8s-master-init").urn, ...CPS.map((n) => named(plan, `${n}-endpoint`).urn)]));
    expect(paramsOf(endpoint)).toContain("export ENDPOINT_SANS=k8s-apiserver.lab.example.internal\\,10.0.20.99;");
    expect(paramsOf(endpoint)).toContain("export BACKUP_DIR=/var/lib/onprem-k8s/adoption;");
    for (const node of [...CPS.slice(1), ...WORKERS]) expect(named(plan, `${node}-token`).dependencies, node).toContain(endpoint.urn);
    expect(named(plan, "k8s-master-2-join").dependencies).toContain(endpoint.urn);
  });

  it("moves each node's kubeconfigs to the endpoint one node at a time, each after its own join", () => {
    const order = [...CPS, ...WORKERS];
    for (const [i, node] of order.entries()) {
      const step = named(plan, `${node}-adopt-kubeconfigs`);
      expect(paramsOf(step)).toContain(`export NODE_ROLE=${node.startsWith("k8s-master") ? "control-plane" : "worker"};`);
      expect(step.dependencies, node).toContain(i === 0 ? named(plan, "k8s-master-adopt-endpoint").urn : named(plan, `${order[i - 1]}-adopt-kubeconfigs`).urn);
      if (i > 0) expect(step.dependencies, node).toContain(named(plan, `${node}-membership`).urn);
    }
  });

  it("runs no upgrade or renewal step on a control plane, and no worker upgrade, while kubeconfigs move (each restarts the node's static Pods or kubelet)", () => {
    const lastControlPlane = named(plan, `${CPS.at(-1)}-adopt-kubeconfigs`).urn;
    const lastWorker = named(plan, `${WORKERS.at(-1)}-adopt-kubeconfigs`).urn;
    expect(named(plan, "k8s-master-upgrade").dependencies).toContain(lastControlPlane);
    expect(named(plan, "k8s-master-certificates").dependencies).toContain(lastControlPlane);
    for (const worker of WORKERS) expect(named(plan, `${worker}-upgrade-drain`).dependencies, worker).toContain(lastWorker);
  });

  it("renders the rollback commands of each phase", () => {
    const rollback = artifactAt(plan, "adoption/rollback.md");
    expect(rollback).toMatch(/## 3\. The endpoint in the cluster \(on k8s-master\)/);
    expect(rollback).toContain("systemctl disable --now keepalived haproxy");
  });

  it("builds a description without adoption exactly as before: no adoption step", () => {
    expect(resourcesOfType(fresh, COMMAND).filter((r) => r.name.includes("-adopt-"))).toEqual([]);
  });
});
