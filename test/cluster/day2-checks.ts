// What the day-2 journey (test/engine/day2/journey.ts) reads off a real cluster, through a
// control plane's admin.conf or on a node itself: the workload it keeps running, every kubelet's
// and every control-plane static Pod's version, etcd's health, and the apiserver certificate's
// notBefore (on disk and as the running apiserver serves it).
import type { LabNode } from "./node";
import { sleep } from "../tools/process";

/** The workload's port on every node it runs on (host network: the lab's pod network does not route between nodes). */
export const WORKLOAD_PORT = 18080;

/**
 * The workload: two replicas of hello-http on the host network, at most one per node (the host
 * port), allowed on control planes too so a drained node's replica has somewhere to go, and a
 * PodDisruptionBudget that keeps one of them up through every drain.
 */
export function workloadManifest(image: string): string {
  const labels = { app: "hello-http" };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "hello-http", namespace: "default" },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: "hello-http",
              image,
              imagePullPolicy: "Never",
              env: [{ name: "LISTEN", value: `:${WORKLOAD_PORT}` }],
              ports: [{ containerPort: WORKLOAD_PORT, hostPort: WORKLOAD_PORT }],
              readinessProbe: { httpGet: { path: "/", port: WORKLOAD_PORT }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  };
  const budget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "hello-http", namespace: "default" },
    spec: { minAvailable: 1, selector: { matchLabels: labels } },
  };
  return [deployment, budget].map((o) => JSON.stringify(o)).join("\n");
}

async function kubectlOk(node: LabNode, args: string, input?: string): Promise<string> {
  const r = await node.exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s ${args}`, { input, check: false });
  if (r.status !== 0) throw new Error(`on ${node.name}: kubectl ${args} exited ${r.status}\n${r.output}`);
  return r.stdout;
}

/** Applies the workload and waits until both replicas are available. */
export async function deployWorkload(controlPlane: LabNode, image: string): Promise<void> {
  await kubectlOk(controlPlane, "apply -f -", workloadManifest(image));
  await kubectlOk(controlPlane, "-n default rollout status deployment/hello-http --timeout=180s");
}

/** Node name -> kubelet version, as the API reports them. */
export async function kubeletVersions(controlPlane: LabNode): Promise<Record<string, string>> {
  const out = await kubectlOk(controlPlane, `get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.nodeInfo.kubeletVersion}{"\\n"}{end}'`);
  return Object.fromEntries(out.split("\n").filter(Boolean).map((line) => line.split("=") as [string, string]));
}

/** "<component>/<node>" -> image of each control-plane static Pod (kube-apiserver, kube-controller-manager, kube-scheduler). */
export async function staticPodImages(controlPlane: LabNode): Promise<Record<string, string>> {
  const out = await kubectlOk(controlPlane, `-n kube-system get pods -l tier=control-plane -o jsonpath='{range .items[*]}{.metadata.labels.component}/{.spec.nodeName}={.spec.containers[0].image}{"\\n"}{end}'`);
  return Object.fromEntries(
    out
      .split("\n")
      .filter((line) => line && !line.startsWith("etcd/"))
      .map((line) => line.split("=") as [string, string]),
  );
}

/** The version each control plane's own apiserver reports on its address (the running binary, not the manifest). */
export async function apiserverVersion(node: LabNode): Promise<string> {
  // Retried: seen once right after a minor upgrade's first control plane (an empty 403, "Forbidden:
  // unknown"), seconds after its apiserver had answered /readyz.
  const command = `kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s --server https://${node.address}:6443 version -o json`;
  let out = await node.exec(command);
  for (let attempt = 0; attempt < 30 && out.status !== 0; attempt++) {
    await sleep(2000);
    out = await node.exec(command);
  }
  if (out.status !== 0) {
    const raw = await node.exec(`curl -sk --max-time 10 -w ' (HTTP %{http_code})' https://${node.address}:6443/version`);
    throw new Error(`on ${node.name}: ${command} exited ${out.status} for a minute:\n${out.output}\nthe same path without credentials: ${raw.output}`);
  }
  return (JSON.parse(out.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion;
}

const ETCDCTL =
  "crictl exec \"$(crictl ps --name '^etcd$' --state running --quiet | head -n 1)\" etcdctl --endpoints=https://127.0.0.1:2379 " +
  "--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key";

/** etcd member endpoint -> healthy, every member asked (`endpoint health --cluster`). */
export async function etcdHealth(controlPlane: LabNode): Promise<Record<string, boolean>> {
  const r = await controlPlane.exec(`${ETCDCTL} endpoint health --cluster -w json`);
  if (!r.stdout.trim().startsWith("[")) throw new Error(`etcdctl endpoint health on ${controlPlane.name} exited ${r.status}\n${r.output}`);
  const health = JSON.parse(r.stdout) as { endpoint: string; health: boolean }[];
  return Object.fromEntries(health.map((h) => [h.endpoint, h.health]));
}

/** notBefore of the apiserver certificate on this control plane's disk, and of the one its apiserver serves. */
export async function apiserverCertNotBefore(node: LabNode): Promise<{ file: Date; served: Date }> {
  const date = (out: string) => new Date(out.trim().replace(/^notBefore=/, ""));
  const file = await node.exec("openssl x509 -noout -startdate -in /etc/kubernetes/pki/apiserver.crt", { check: true });
  const served = await node.exec(`openssl s_client -connect ${node.address}:6443 </dev/null 2>/dev/null | openssl x509 -noout -startdate`, { check: true });
  return { file: date(file.stdout), served: date(served.stdout) };
}
