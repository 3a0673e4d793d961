// A real Kubernetes cluster from the poc stack (3 control planes behind the API endpoint, 2 workers,
// 1.34): real kubeadm, kubelet, containerd, runc, etcd and control-plane static pods on lab nodes
// (test/cluster/lab.ts: namespaces on a private bridge, nothing leaves the machine), brought up by
// the program's own planned steps, their command lines and stdin as the remote.Commands carry them
// (planned-steps.ts says the only overrides: real CA certificates for the plan's CA keys, kubelet's
// cgroup driver). The tests run in order and build on each other, as `pulumi up` would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, type PlanResult } from "../harness";
import { stackSpec } from "../stack-spec";
import { labGate } from "./gate";
import { PlannedCluster } from "./planned-cluster";

const gate = labGate();
if (gate.warning) console.warn(gate.warning);

describe("the real-node lab", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

const MINUTE = 60_000;

describe.runIf(gate.run)("a real cluster from the poc stack's own kubeadm configs and control-plane scripts", () => {
  const spec = stackSpec("poc");
  const cp1 = spec.controlPlanes[0]!.name;
  let plan: PlanResult;
  let cluster: PlannedCluster;

  beforeAll(async () => {
    plan = await planStack("poc");
    cluster = await PlannedCluster.start(plan, spec);
  }, 10 * MINUTE);

  afterAll(async () => {
    await cluster?.dispose();
  }, 2 * MINUTE);

  it("pki.sh then init.sh run real kubeadm init on the first control plane, which becomes Ready", async () => {
    const node = await cluster.startNode(cp1);
    expect(await cluster.mustStep(cp1, "pki")).toContain("changed: wrote /etc/kubernetes/pki/ca.key");
    const init = await cluster.mustStep(cp1, "init");
    expect(init).toContain(`changed: kubeadm init on ${cp1}`);
    expect(init).toContain(`ok: API endpoint ${spec.apiEndpoint.host}:${spec.apiEndpoint.port} is ready`);
    await cluster.waitReady([cp1]);
    // the cluster runs the rendered configuration: the stack's version and pod range, kube-proxy skipped
    const version = await cluster.kubectl(`get node ${cp1} -o jsonpath='{.status.nodeInfo.kubeletVersion}'`);
    expect(version.stdout).toBe(`v${spec.kubernetes.version}`);
    const kubeadmConfig = await cluster.kubectl("-n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'");
    expect(kubeadmConfig.stdout).toContain(`podSubnet: ${spec.kubernetes.podCidr}`);
    expect(kubeadmConfig.stdout).toContain(`controlPlaneEndpoint: ${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`);
    expect((await cluster.kubectl("-n kube-system get daemonset kube-proxy")).status).not.toBe(0);
    // a second init changes nothing: the running control plane is recognised
    expect(await cluster.mustStep(cp1, "init")).toContain(`ok: control plane already initialised on ${cp1}`);
    expect(node.name).toBe(cp1);
  }, 6 * MINUTE);
});
