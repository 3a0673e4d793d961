// Node preparation as the engine would receive it: the whole program runs under the plan's mocks
// (test/harness.ts) and the recorder shows every command's inputs, secret paths and
// dependencies. Plans run one after another: Pulumi's runtime is per-process state.
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { describe, expect, it } from "vitest";
import { stackSpec } from "../../test/stack-spec";
import { ArtifactSink } from "../artifacts";
import type { Machine } from "../machines";
import { installRecordingMocks, type RecordedResource } from "../../scripts/plan/monitor";
import { planMocks } from "../../scripts/plan/mocks";
import { planStack, type PlanResult } from "../../test/harness";
import { prepareNodes } from "./index";

const COMMAND = "command:remote:Command";
const PREPARATION = "onprem-k8s:node:NodePreparation";
const REDOS = "examples/redos-proxy-calico-metallb-nfs.yaml";
const PROXY_PASSWORD = "Pr0xy-S3cret";

/** Plans a stack file with the description changed by `mutate`, through the shared harness. */
const plan = (file: string, mutate?: (cluster: Record<string, any>) => void): Promise<PlanResult> => planStack(file, mutate);

const byUrn = (result: PlanResult) => new Map(result.resources.map((r) => [r.urn, r]));
/** The preparation commands of a node, in chain order. */
function chainOf(result: PlanResult, node: string): RecordedResource[] {
  const preparation = result.resources.find((r) => r.type === PREPARATION && r.name === `${node}-prep`);
  if (!preparation) throw new Error(`no preparation for ${node}`);
  return result.resources.filter((r) => r.type === COMMAND && r.parent === preparation.urn);
}
const partOf = (command: RecordedResource, node: string) => command.name.slice(node.length + 1);
/** part -> triggers, for every node's chain. */
function triggersOf(result: PlanResult): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const node of result.stack.cluster ? nodeNames(result) : []) {
    for (const command of chainOf(result, node)) out.set(command.name, command.inputs.triggers);
  }
  return out;
}
const nodeNames = (result: PlanResult) => result.resources.filter((r) => r.type === PREPARATION).map((r) => r.name.replace(/-prep$/, ""));
const changedTriggers = (a: PlanResult, b: PlanResult) => {
  const before = triggersOf(a);
  const after = triggersOf(b);
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  return [...before.keys()].filter((name) => JSON.stringify(before.get(name)) !== JSON.stringify(after.get(name))).sort();
};

describe("node preparation in the plan", () => {
  it("one chain per node, parts in order, the first on its machine's ready step, none touching another node", async () => {
    const result = await plan("poc");
    const resources = byUrn(result);
    const nodes = nodeNames(result);
    expect(nodes).toEqual(["nsx-poc-cp-1", "nsx-poc-cp-2", "nsx-poc-cp-3", "nsx-poc-worker-1", "nsx-poc-worker-2"]);
    for (const node of nodes) {
      const chain = chainOf(result, node);
      expect(chain.map((c) => partOf(c, node))).toEqual(["base", "proxy", "containerd", "kubernetes-packages", "images"]);
      const [first, ...rest] = chain;
      // The machine's ready step (components/machines: the reachable command), on this node.
      expect(first.dependencies).toHaveLength(1);
      const ready = resources.get(first.dependencies[0])!;
      expect(ready.name.startsWith(`${node}-`) && ready.parent !== chain[0].parent).toBe(true);
      rest.forEach((command, i) => expect(command.dependencies).toEqual([chain[i].urn]));
      for (const command of chain) {
        for (const dependency of command.dependencies) {
          const other = nodes.filter((n) => n !== node && resources.get(dependency)!.name.startsWith(`${n}-`));
          expect(other, `${command.name} depends on ${dependency}`).toEqual([]);
        }
        expect(command.inputs).toMatchObject({ create: "sudo -n bash -s", addPreviousOutputInEnv: false, logging: "stdoutAndStderr" });
        expect(command.secretPaths).toContain("connection");
        expect(command.protect).toBe(false);
      }
    }
  });

  it("dnf family gets the firewall part after the packages (then the images), apt family none", async () => {
    const redos = await plan(REDOS);
    for (const node of nodeNames(redos)) expect(chainOf(redos, node).map((c) => partOf(c, node)).slice(-3)).toEqual(["kubernetes-packages", "firewall", "images"]);
    const poc = await plan("poc");
    expect(poc.resources.filter((r) => r.type === COMMAND && r.name.endsWith("-firewall"))).toEqual([]);
  });

  it("switching the proxy on re-triggers only the proxy parts", async () => {
    const off = await plan("poc");
    const on = await plan("poc", (c) => (c.proxy = { http: "http://proxy.corp.example:3128" }));
    expect(changedTriggers(off, on)).toEqual(nodeNames(off).map((n) => `${n}-proxy`).sort());
  });

  it("changing the proxy's no_proxy re-triggers only the proxy parts", async () => {
    const a = await plan(REDOS);
    const b = await plan(REDOS, (c) => c.proxy.noProxy.push(".example.org"));
    expect(changedTriggers(a, b)).toEqual(nodeNames(a).map((n) => `${n}-proxy`).sort());
  });

  it("a new Kubernetes patch re-triggers only the kubernetes-packages and images parts (kubeadm lists each version's images)", async () => {
    const a = await plan("poc");
    const b = await plan("poc", (c) => (c.kubernetes.version = "1.34.5"));
    expect(changedTriggers(a, b)).toEqual(nodeNames(a).flatMap((n) => [`${n}-images`, `${n}-kubernetes-packages`]).sort());
  });

  it("proxy credentials and the SSH key travel as secrets, never in the command line, and the plan's artifacts mask them", async () => {
    const result = await plan(REDOS, (c) => (c.proxy.http = `http://svc-k8s:${PROXY_PASSWORD}@proxy.corp.example:3128`));
    for (const command of result.resources.filter((r) => r.type === COMMAND && r.parent?.includes(PREPARATION))) {
      expect(command.inputs.create).not.toContain(PROXY_PASSWORD);
      expect(command.secretPaths).toContain("connection");
      if (command.name.endsWith("-proxy")) {
        expect(command.secretPaths).toEqual(expect.arrayContaining(["stdin", "triggers[0]"]));
        expect(command.additionalSecretOutputs).toEqual(expect.arrayContaining(["stdout", "stderr"]));
        expect(command.inputs.logging).toBe("none");
        expect(command.inputs.stdin).toContain(PROXY_PASSWORD);
      } else {
        // Parts without credentials stay readable in diffs.
        expect(command.secretPaths).not.toContain("stdin");
        expect(JSON.stringify(command.inputs)).not.toContain(PROXY_PASSWORD);
      }
    }
    const proxyEnv = result.artifacts.find((a) => a.path === "nodes/pcp-cp-1/proxy.env")!;
    expect(proxyEnv.kind).toBe("script");
    // Shell-quoted as exported: http://***@proxy.corp.example:3128
    expect(proxyEnv.content).toContain("export PROXY_HTTP=http\\://\\*\\*\\*\\@proxy.corp.example\\:3128;");
    for (const artifact of result.artifacts) expect(artifact.content, artifact.path).not.toContain(PROXY_PASSWORD);
  });

  it("writes every part's parameters per node and each bundled script once", async () => {
    const result = await plan(REDOS);
    // Top-level scripts/ is node preparation's (other layers write into subfolders).
    const scripts = result.artifacts.filter((a) => /^scripts\/[^/]+$/.test(a.path)).map((a) => a.path);
    expect(scripts.sort()).toEqual(["base", "containerd", "firewall", "images", "kubernetes-packages", "proxy"].map((p) => `scripts/${p}.sh`));
    expect(result.artifacts.find((a) => a.path === "scripts/base.sh")!.content).toContain("nodeprep_begin base");
    const firewall = result.artifacts.find((a) => a.path === "nodes/pcp-worker-1/firewall.env")!.content;
    expect(firewall).toMatch(/^export FIREWALL_MODE=firewalld;$/m);
    expect(firewall).toMatch(/^export HAPROXY_ON_NODE=false;$/m);
  });
});

/** Stands in for a machine layer's ready step. */
class FakeReady extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Ready", name, {});
  }
}

describe("prepareNodes with given machines", () => {
  it("waits for cloud-init itself only for a machine without a ready step, and returns the chain's last command", async () => {
    const spec = stackSpec("poc");
    const recorder = await installRecordingMocks(planMocks, "onprem-k8s", "unit");
    let readyNames: string[][] = [];
    await runInPulumiStack(async () => {
      const [withReady, withoutReady] = spec.nodes.slice(0, 2).map((node, i) => {
        const machine = { node, connection: { host: node.address, user: "k8sadmin", privateKey: pulumi.secret("KEY") }, platformId: pulumi.output(node.address) };
        const ready = i === 0 ? new FakeReady(`${node.name}-ready`) : undefined;
        return { ...machine, ready } as unknown as Machine;
      });
      const prepared = prepareNodes({ spec, secrets: { sshPrivateKey: pulumi.secret("KEY") }, artifacts: new ArtifactSink() }, [withReady, withoutReady], {});
      readyNames = await Promise.all(prepared.map((p) => Promise.all(p.ready.map((r) => new Promise<string>((done) => (r as pulumi.CustomResource).urn.apply((urn) => done(urn.split("::").pop()!)))))));
      return {};
    });
    await recorder.settle();
    const names = recorder.resources.filter((r) => r.type === COMMAND).map((r) => r.name);
    expect(names.filter((n) => n.startsWith("nsx-poc-cp-1-"))).toEqual(["nsx-poc-cp-1-base", "nsx-poc-cp-1-proxy", "nsx-poc-cp-1-containerd", "nsx-poc-cp-1-kubernetes-packages", "nsx-poc-cp-1-images"]);
    expect(names.filter((n) => n.startsWith("nsx-poc-cp-2-"))[0]).toBe("nsx-poc-cp-2-wait-cloud-init");
    const base = recorder.resources.find((r) => r.name === "nsx-poc-cp-1-base")!;
    expect(base.dependencies).toEqual([recorder.resources.find((r) => r.name === "nsx-poc-cp-1-ready")!.urn]);
    expect(recorder.resources.find((r) => r.name === "nsx-poc-cp-2-wait-cloud-init")!.dependencies).toEqual([]);
    expect(readyNames).toEqual([["nsx-poc-cp-1-images"], ["nsx-poc-cp-2-images"]]);
  });
});
