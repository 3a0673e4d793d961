// The journey's control-plane hardening (issue 20, components/kubeadm/settings.ts): turning audit
// logging, Secrets encryption and Pod Security baseline on for a running cluster rolls through the
// control planes one at a time while the API answers through the endpoint; then, on the real
// nodes, a Secret is stored encrypted in etcd, every control plane's audit log records a request,
// a privileged Pod is refused, a kubelet refuses anonymous requests, and every control plane's
// apiserver runs with the same flags. Then the key rotates: every Secret stored under the new key.
import { expect } from "vitest";
import { longestOutage } from "../../cluster/availability";
import type { LabNode } from "../../cluster/node";
import { RUNS_COMMAND as RUNS, resourceName } from "../event-log";
import type { JourneyPhase } from "./context";
import { API_OUTAGE_LIMIT_MS, expectOneAtATime } from "./step-order";

const settingsStep = (node: string) => new RegExp(`^${node}-settings$`);

const ETCDCTL =
  "crictl exec \"$(crictl ps --name '^etcd$' --state running --quiet | head -n 1)\" etcdctl --endpoints=https://127.0.0.1:2379 " +
  "--cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key";

/** kubectl with the node's admin.conf against this control plane's own apiserver. */
const ownKubectl = (node: LabNode, args: string) => node.exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s --server https://${node.address}:6443 ${args}`);

/** The kube-apiserver flags of a control plane's static Pod manifest, without the per-node ones. */
async function apiserverFlags(node: LabNode): Promise<string[]> {
  const manifest = await node.exec("cat /etc/kubernetes/manifests/kube-apiserver.yaml", { check: true });
  return manifest.stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("- --") && !/^- --(advertise-address|etcd-servers)=/.test(line))
    .sort();
}

export const hardeningPhases: JourneyPhase[] = [
  {
    name: "hardening: audit log, encryption at rest and Pod Security baseline turned on restart the apiservers one at a time",
    minutes: 30,
    async run({ controlPlanes, editDescription, upWithEvents, probe, report }) {
      editDescription((cluster) => {
        cluster.kubernetes.apiServer = { ...(cluster.kubernetes.apiServer ?? {}), audit: { enabled: true } };
        cluster.kubernetes.encryption = { enabled: true };
        cluster.kubernetes.podSecurity = { enforce: "baseline", warn: "restricted" };
      });
      const started = Date.now();
      const up = await upWithEvents();
      const ended = Date.now();
      expectOneAtATime(up.steps.filter((w) => RUNS.has(w.op)), controlPlanes, settingsStep);
      const api = longestOutage(probe().samples(), "api", started, ended);
      report(`hardening: settings rolled in ${Math.round((ended - started) / 1000)} s; longest time the API went unanswered through the endpoint ${api.ms} ms${api.detail ? ` (${api.detail})` : ""}`);
      expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
    },
  },
  {
    name: "hardening: every control plane's apiserver runs with the same flags, the settings among them",
    minutes: 5,
    async run({ hosts, controlPlanes }) {
      const flags = await Promise.all(controlPlanes.map((node) => apiserverFlags(hosts.node(node))));
      for (const [index, node] of controlPlanes.entries()) {
        expect(flags[index], `${node}: the settings' flags`).toEqual(expect.arrayContaining([
          "- --audit-policy-file=/etc/kubernetes/apiserver/audit-policy.yaml",
          "- --encryption-provider-config=/etc/kubernetes/apiserver/encryption.yaml",
          "- --admission-control-config-file=/etc/kubernetes/apiserver/admission.yaml",
        ]));
        expect(flags[index], `${node}'s flags are the first control plane's`).toEqual(flags[0]);
      }
    },
  },
  {
    name: "hardening: a Secret written now is stored encrypted in etcd (k8s:enc:)",
    minutes: 5,
    async run({ first }) {
      const cp = first();
      const created = await cp.kubectl("-n default create secret generic journey-encrypted --from-literal=password=journey-plain-marker");
      expect(created.status, created.output).toBe(0);
      const raw = await cp.exec(`${ETCDCTL} get /registry/secrets/default/journey-encrypted --print-value-only`);
      expect(raw.status, raw.output).toBe(0);
      expect(raw.stdout.startsWith("k8s:enc:secretbox:v1:onprem-k8s-1:"), raw.stdout.slice(0, 40)).toBe(true);
      expect(raw.stdout).not.toContain("journey-plain-marker");
      const read = await cp.kubectl("-n default get secret journey-encrypted -o jsonpath={.data.password}");
      expect(Buffer.from(read.stdout, "base64").toString()).toBe("journey-plain-marker");
    },
  },
  {
    name: "hardening: the audit log on every control plane records a request made to it",
    minutes: 5,
    async run({ hosts, controlPlanes }) {
      for (const name of controlPlanes) {
        const node = hosts.node(name);
        const marker = `journey-audit-${name}`;
        const created = await ownKubectl(node, `-n default create configmap ${marker} --from-literal=k=v`);
        expect(created.status, created.output).toBe(0);
        await node.waitFor(`${name}'s audit log records ${marker}`, `grep -q '"name":"${marker}"' /var/log/kubernetes/audit/audit.log`, 60);
        const line = await node.exec(`grep '"name":"${marker}"' /var/log/kubernetes/audit/audit.log | head -n 1`, { check: true });
        expect(JSON.parse(line.stdout)).toMatchObject({ level: "Metadata", verb: "create" });
      }
    },
  },
  {
    name: "hardening: a privileged Pod is refused at the enforced level",
    minutes: 5,
    async run({ first }) {
      const pod = JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "journey-privileged", namespace: "default" },
        spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.10", securityContext: { privileged: true } }] },
      });
      const refused = await first().exec("kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=20s create -f -", { input: pod });
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/violates PodSecurity "baseline:latest": privileged/);
    },
  },
  {
    name: "hardening: a key rotation reads with both keys, writes with the new one, rewrites every Secret and drops the old key, one control plane at a time",
    minutes: 30,
    async run({ hosts, controlPlanes, first, editDescription, upWithEvents, probe, report, stack }) {
      editDescription((cluster) => (cluster.kubernetes.encryption = { ...cluster.kubernetes.encryption, keyGeneration: 2 }));
      const started = Date.now();
      const up = await upWithEvents();
      const ended = Date.now();
      const ran = up.steps.filter((w) => RUNS.has(w.op));
      for (const phase of ["read", "write"]) expectOneAtATime(ran, controlPlanes, (node) => new RegExp(`^${node}-encryption-${phase}-2$`));
      expectOneAtATime(ran, controlPlanes, settingsStep);
      const cp = first();
      const raw = await cp.exec(`${ETCDCTL} get /registry/secrets/default/journey-encrypted --print-value-only`);
      expect(raw.stdout.startsWith("k8s:enc:secretbox:v1:onprem-k8s-2:"), raw.stdout.slice(0, 40)).toBe(true);
      const all = await cp.kubectl("get secrets --all-namespaces -o name");
      expect(all.status, all.output).toBe(0);
      for (const name of controlPlanes) {
        const config = await hosts.node(name).exec("cat /etc/kubernetes/apiserver/encryption.yaml", { check: true });
        expect(config.stdout, `${name}: the old key is dropped`).not.toContain("onprem-k8s-1");
      }
      const api = longestOutage(probe().samples(), "api", started, ended);
      report(`hardening: key rotation in ${Math.round((ended - started) / 1000)} s; longest time the API went unanswered through the endpoint ${api.ms} ms`);
      expect(api.ms, `the API through the endpoint: ${api.detail}`).toBeLessThan(API_OUTAGE_LIMIT_MS);
      // The rotation is over: nothing of it runs again (the pki steps' files among it). Its steps
      // are declared only in the update that rotates, so the next one drops their records from the
      // state, and only that (they have no delete command: nothing runs on a node).
      const after = await stack.preview();
      // (a read is the program's StackReference to its own previous outputs, on every run)
      const changes = after.steps.filter((s) => s.op !== "same" && s.op !== "read").map((s) => `${s.op} ${resourceName(s.urn)}`);
      const rotationSteps = [...controlPlanes.flatMap((node) => [`${node}-encryption-read-2`, `${node}-encryption-write-2`]), `${controlPlanes[0]}-encryption-rewrite-2`];
      expect(changes.sort()).toEqual(rotationSteps.map((name) => `delete ${name}`).sort());
    },
  },
  {
    name: "hardening: an anonymous request to a kubelet's port 10250 is refused",
    minutes: 5,
    async run({ hosts, workers, controlPlanes, first }) {
      const name = workers[0] ?? controlPlanes[0]!;
      const target = hosts.node(name);
      // The kubelets ask for CA-signed serving certificates (serverTLSBootstrap) and serve no TLS
      // until one is approved. A cluster has kubelet-csr-approver for that; the lab runs no add-on,
      // so the test approves the node's kubelet-serving requests as the approver would.
      const requests = await first().kubectl(`get csr --field-selector spec.signerName=kubernetes.io/kubelet-serving -o jsonpath='{range .items[*]}{.metadata.name} {.spec.username}{"\\n"}{end}'`);
      const ours = requests.stdout.split("\n").filter((line) => line.endsWith(` system:node:${name}`)).map((line) => line.split(" ")[0]!);
      expect(ours, `kubelet-serving certificate requests of ${name}:\n${requests.output}`).not.toEqual([]);
      await first().kubectl(`certificate approve ${ours.join(" ")}`);
      const probe = `curl --silent --insecure --noproxy '*' --max-time 10 --output /dev/null --write-out '%{http_code}' https://${target.address}:10250/pods`;
      let code = "";
      for (let attempt = 0; attempt < 30 && code !== "401"; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 2000));
        code = (await first().exec(probe)).stdout.trim();
      }
      expect(code, `kubelet on ${name}: an anonymous request`).toBe("401");
    },
  },
];
