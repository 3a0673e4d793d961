// Adoption's node scripts (docs/adoption.md) run for real in Debian sandboxes, on a single master
// built by hand the way a site builds one (`kubeadm init` with its own config, the stateful
// stand-in kubeadm of test/sandbox/control-plane-standins), with the real openssl judging the
// apiserver certificate: the refusals before any change, the report the stack reads its PKI from,
// the endpoint put into the cluster, the kubeconfigs moved; every script a second time changes nothing.
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxGate, sandboxUnavailableReason, PACKAGE_LAYERS } from "../../test/sandbox/node-sandbox";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { TestCluster, type ControlPlaneHost } from "../../test/sandbox/control-plane";
import { readStackFile } from "../../stacks/stack-file";
import { formatProblems, validateCluster } from "../../stacks/validate";
import type { ClusterSpec } from "../../stacks/spec";
import { scriptStdin } from "../remote/bundle";
import { adoptionBundle, type AdoptionScript } from "./bundles";
import { ADOPTED_PKI_FILES, adoptionKubeadmConfig, endpointSans, parseAdoptionReport } from "./adoption";
import * as fs from "node:fs";

const CP = { name: "k8s-master", address: "10.0.20.100" };
const WORKER = { name: "k8s-node1", address: "10.0.20.101" };
const VIP = "10.0.20.99";
const PORT = 16443;
const DNS_NAME = "k8s-apiserver.lab.example.internal";
const BACKUP_DIR = "/var/lib/onprem-k8s/adoption";
const CONTROL_PLANE_KUBECONFIGS = ["admin.conf", "super-admin.conf", "controller-manager.conf", "scheduler.conf", "kubelet.conf"];

/** The kubeadm config a site wrote by hand: no controlPlaneEndpoint, so every kubeconfig names the node itself. */
const HAND_BUILT_CONFIG = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
bootstrapTokens:
- token: abcdef.0123456789abcdef
nodeRegistration:
  name: ${CP.name}
localAPIEndpoint:
  advertiseAddress: ${CP.address}
  bindPort: 6443
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.34.4
controlPlaneEndpoint: ${CP.address}:6443
`;

/** The existing-hosts example adopting k8s-master behind keepalived + haproxy (seed 003's site). */
function adoptingSpec(): ClusterSpec {
  const cluster = structuredClone(readStackFile("examples/existing-hosts-external-lb.yaml").cluster) as any;
  cluster.adoption = { controlPlane: CP.name };
  cluster.endpoint = { mode: "keepalived-haproxy", vip: VIP, dnsName: DNS_NAME, port: PORT, virtualRouterId: 51 };
  const result = validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey", "veleroS3Credentials"] as const), planMode: true });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}

const run = (host: ControlPlaneHost, script: AdoptionScript, env: Record<string, string>) => host.run("bash -s", scriptStdin(adoptionBundle(script).text, env));

function expectRefused(r: { status: number; output: string }, message: string | RegExp): void {
  expect(r.status, r.output).not.toBe(0);
  if (typeof message === "string") expect(r.output).toContain(message);
  else expect(r.output).toMatch(message);
}

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("adoption scripts on a hand-built single master (Debian sandboxes)", () => {
  let cluster: TestCluster;
  let cp: ControlPlaneHost;
  let worker: ControlPlaneHost;
  let spec: ClusterSpec;
  const inspectEnv = { NODE_NAME: CP.name, NODE_ADDRESS: CP.address, KUBERNETES_VERSION: "1.34.4", API_ENDPOINT_HOST: DNS_NAME, API_ENDPOINT_PORT: String(PORT) };
  let clusterConfigurationFile: string;

  beforeAll(async () => {
    spec = adoptingSpec();
    cluster = new TestCluster("adopt");
    cp = await cluster.host(CP.name, CP.address, { packages: PACKAGE_LAYERS.clusterNode });
    worker = await cluster.host(WORKER.name, WORKER.address, { packages: PACKAGE_LAYERS.clusterNode });
    // The site's own `kubeadm init`, as root on the master.
    cp.sandbox.writeFile("/root/kubeadm.yaml", HAND_BUILT_CONFIG);
    expectOk(await cp.sandbox.exec("kubeadm init --config /root/kubeadm.yaml"));
    // What kubeadm init leaves in the cluster beside kubeadm-config: cluster-info and kube-proxy's ConfigMaps.
    const kubeconfig = `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: Q0EK\n    server: https://${CP.address}:6443\n  name: ""\nkind: Config\n`;
    for (const [dir, key] of [["kube-public/cluster-info", "kubeconfig"], ["kube-system/kube-proxy", "kubeconfig.conf"]] as const) {
      fs.mkdirSync(path.join(cluster.dir, "configmaps", dir), { recursive: true });
      fs.writeFileSync(path.join(cluster.dir, "configmaps", dir, key), kubeconfig);
    }
    fs.writeFileSync(path.join(cluster.dir, "configmaps/kube-public/cluster-info/jws-kubeconfig-abcdef"), "signature\n");
    fs.writeFileSync(path.join(cluster.dir, "configmaps/kube-system/kube-proxy/config.conf"), "mode: iptables\n");
    // The worker the site joined by hand: its kubelet.conf names the master too.
    worker.sandbox.writeFile("/etc/kubernetes/kubelet.conf", `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://${CP.address}:6443\n  name: kubernetes\n`);
    worker.sandbox.writeFile("/var/lib/sandbox/units/kubelet.active", "");
    fs.mkdirSync(path.join(cluster.dir, "nodes", WORKER.name), { recursive: true });
    clusterConfigurationFile = path.join(cluster.dir, "configmaps/kube-system/kubeadm-config/ClusterConfiguration");
  }, 20 * 60_000);

  afterAll(async () => {
    await cluster?.dispose();
  });

  describe("adopt-inspect.sh: refusals before any change", () => {
    it("refuses a version other than the description's, naming the one the cluster runs", async () => {
      expectRefused(await run(cp, "adopt-inspect", { ...inspectEnv, KUBERNETES_VERSION: "1.34.3" }), "the cluster on k8s-master runs Kubernetes v1.34.4 (its apiserver image v1.34.4), the description says 1.34.3: set cluster.kubernetes.version to 1.34.4");
    });

    it("refuses an external etcd, naming its endpoints", async () => {
      const original = fs.readFileSync(clusterConfigurationFile, "utf8");
      fs.writeFileSync(clusterConfigurationFile, `${original}etcd:\n  external:\n    endpoints:\n    - https://10.0.20.5:2379\n    - https://10.0.20.6:2379\n`);
      try {
        expectRefused(await run(cp, "adopt-inspect", inspectEnv), "uses an external etcd (https://10.0.20.5:2379 https://10.0.20.6:2379 ): adoption takes over a stacked etcd only");
      } finally {
        fs.writeFileSync(clusterConfigurationFile, original);
      }
    });

    it("refuses a node that is not a kubeadm control plane, naming what it found", async () => {
      expectRefused(await run(worker, "adopt-inspect", { ...inspectEnv, NODE_NAME: WORKER.name, NODE_ADDRESS: WORKER.address }), /k8s-node1 is not a kubeadm control plane, so it cannot be adopted: missing: \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml; .*missing: \/etc\/kubernetes\/admin\.conf/);
    });

    it("refuses a cluster with more than one etcd member (only a single master is adopted)", async () => {
      fs.writeFileSync(path.join(cluster.dir, "etcd", "k8s-master-2"), "1234567890abcdef 10.0.20.110\n");
      try {
        expectRefused(await run(cp, "adopt-inspect", inspectEnv), /etcd on k8s-master has 2 members \((k8s-master|k8s-master-2) (k8s-master|k8s-master-2) \)/);
      } finally {
        fs.rmSync(path.join(cluster.dir, "etcd", "k8s-master-2"));
      }
    });
  });

  it("adopt-inspect.sh reports the cluster's CAs, service-account keys and ClusterConfiguration, changing nothing", async () => {
    cp.clearCalls();
    const r = expectOk(await run(cp, "adopt-inspect", inspectEnv));
    expect(r.output).toMatch(/^no changes: adopt-inspect/m);
    const report = parseAdoptionReport(r.output);
    for (const file of ADOPTED_PKI_FILES) expect(report.pki[file], file).toBe(cp.readFile(`/etc/kubernetes/pki/${file}`));
    expect(report.clusterConfiguration).toContain("kubernetesVersion: v1.34.4");
    // read-only: kubeadm and kubectl only asked
    expect(cp.calls("kubeadm")).toEqual([]);
    expect(cp.calls("kubectl").filter((c) => / (apply|create|replace|patch|delete) /.test(c))).toEqual([]);
  });

  describe("adopt-endpoint.sh, then adopt-kubeconfigs.sh", () => {
    let endpointEnv: Record<string, string>;
    let originalCert: string;
    beforeAll(async () => {
      const report = parseAdoptionReport(expectOk(await run(cp, "adopt-inspect", inspectEnv)).output);
      endpointEnv = {
        NODE_NAME: CP.name,
        NODE_ADDRESS: CP.address,
        API_ENDPOINT_HOST: spec.apiEndpoint.host,
        API_ENDPOINT_PORT: String(spec.apiEndpoint.port),
        ENDPOINT_SANS: endpointSans(spec).join(","),
        ADOPTION_KUBEADM_CONFIG: adoptionKubeadmConfig(spec, report.clusterConfiguration),
        BACKUP_DIR,
      };
      originalCert = cp.readFile("/etc/kubernetes/pki/apiserver.crt");
      // keepalived + haproxy now answer on the VIP (the endpoint step ran before this one).
      cluster.setApiserver(VIP, PORT, 200);
      cluster.setApiserver(DNS_NAME, PORT, 200);
    });

    it("re-issues the apiserver certificate with the endpoint's names (the original kept), restarts the apiserver, and points kubeadm-config, cluster-info and kube-proxy at the endpoint", async () => {
      cp.clearCalls();
      const r = expectOk(await run(cp, "adopt-endpoint", endpointEnv));
      expect(changedLines(r)).toEqual([
        `changed: kept the original apiserver certificate and key in ${BACKUP_DIR}/pki`,
        `changed: re-issued the apiserver certificate with ${DNS_NAME} ${VIP}`,
        "changed: restarted kube-apiserver on k8s-master",
        `changed: kubeadm-config: controlPlaneEndpoint ${DNS_NAME}:${PORT}`,
        `changed: kube-public/cluster-info (kubeconfig) points at https://${DNS_NAME}:${PORT}`,
        `changed: kube-system/kube-proxy (kubeconfig.conf) points at https://${DNS_NAME}:${PORT}`,
        "changed: restarted kube-proxy's Pods",
      ]);
      expect(cp.readFile(`${BACKUP_DIR}/pki/apiserver.crt`)).toBe(originalCert);
      const sans = (await cp.sandbox.exec("openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -ext subjectAltName")).output;
      for (const san of [`DNS:${DNS_NAME}`, `IP Address:${VIP}`, `IP Address:${CP.address}`]) expect(sans).toContain(san);
      expect(cp.calls("kubeadm")).toEqual([expect.stringMatching(/^kubeadm init phase certs apiserver --config /), expect.stringMatching(/^kubeadm init phase upload-config kubeadm --config /)]);
      const config = fs.readFileSync(clusterConfigurationFile, "utf8");
      expect(config).toContain(`controlPlaneEndpoint: ${DNS_NAME}:${PORT}`);
      expect(config).toMatch(new RegExp(`certSANs:\\n\\s+- ${DNS_NAME.replaceAll(".", "\\.")}\\n\\s+- ${VIP.replaceAll(".", "\\.")}`));
      const configmap = (p: string) => fs.readFileSync(path.join(cluster.dir, "configmaps", p), "utf8");
      expect(configmap("kube-public/cluster-info/kubeconfig")).toContain(`server: https://${DNS_NAME}:${PORT}`);
      expect(configmap("kube-public/cluster-info/jws-kubeconfig-abcdef")).toBe("signature\n");
      expect(configmap("kube-system/kube-proxy/kubeconfig.conf")).toContain(`server: https://${DNS_NAME}:${PORT}`);
      expect(configmap("kube-system/kube-proxy/config.conf")).toBe("mode: iptables\n");
      expect(cp.readFile(`${BACKUP_DIR}/configmaps/kube-public-cluster-info-kubeconfig`)).toContain(`server: https://${CP.address}:6443`);
    });

    it("changes nothing the second time (the original certificate stays the backup)", async () => {
      expectNoChange(await run(cp, "adopt-endpoint", endpointEnv));
      expect(cp.readFile(`${BACKUP_DIR}/pki/apiserver.crt`)).toBe(originalCert);
    });

    it("once adopted, adopt-inspect only reports: the version is the upgrades' and etcd has the members that joined since", async () => {
      fs.writeFileSync(path.join(cluster.dir, "etcd", "k8s-master-2"), "1234567890abcdef 10.0.20.110\n");
      try {
        const r = expectOk(await run(cp, "adopt-inspect", { ...inspectEnv, KUBERNETES_VERSION: "1.33.7" }));
        expect(r.output).toContain(`ok: the cluster is adopted already (kubeadm-config names ${DNS_NAME}:${PORT}): reporting only`);
        expect(parseAdoptionReport(r.output).pki["ca.key"]).toBe(cp.readFile("/etc/kubernetes/pki/ca.key"));
      } finally {
        fs.rmSync(path.join(cluster.dir, "etcd", "k8s-master-2"));
      }
    });

    it("moves the control plane's five kubeconfigs to the endpoint, keeps the originals, restarts what reads them and waits for health", async () => {
      const env = { NODE_NAME: CP.name, NODE_ADDRESS: CP.address, NODE_ROLE: "control-plane", API_ENDPOINT_HOST: DNS_NAME, API_ENDPOINT_PORT: String(PORT), BACKUP_DIR };
      const originals = Object.fromEntries(CONTROL_PLANE_KUBECONFIGS.map((f) => [f, cp.readFile(`/etc/kubernetes/${f}`)]));
      cp.clearCalls();
      const r = expectOk(await run(cp, "adopt-kubeconfigs", env));
      expect(changedLines(r).filter((l) => l.includes(" -> "))).toHaveLength(CONTROL_PLANE_KUBECONFIGS.length);
      expect(changedLines(r).filter((l) => !l.includes(" -> "))).toEqual(["changed: restarted kube-controller-manager on k8s-master", "changed: restarted kube-scheduler on k8s-master", "changed: restarted kubelet on k8s-master"]);
      for (const file of CONTROL_PLANE_KUBECONFIGS) {
        expect(cp.readFile(`/etc/kubernetes/${file}`), file).toContain(`server: https://${DNS_NAME}:${PORT}`);
        expect(cp.readFile(`${BACKUP_DIR}/kubeconfigs/${file}`), file).toBe(originals[file]);
      }
      expect(cp.calls("systemctl")).toContain("systemctl restart kubelet");
      expectNoChange(await run(cp, "adopt-kubeconfigs", env));
      expect(cp.readFile(`${BACKUP_DIR}/kubeconfigs/kubelet.conf`)).toBe(originals["kubelet.conf"]);
    });

    it("moves a worker's kubelet.conf, and fails naming the backup when the Node does not come back Ready", async () => {
      const env = { NODE_NAME: WORKER.name, NODE_ADDRESS: WORKER.address, NODE_ROLE: "worker", API_ENDPOINT_HOST: DNS_NAME, API_ENDPOINT_PORT: String(PORT), BACKUP_DIR, HEALTH_ATTEMPTS: "2" };
      fs.writeFileSync(path.join(cluster.dir, "nodes", WORKER.name, "not-ready"), "");
      expectRefused(await run(worker, "adopt-kubeconfigs", env), `Node ${WORKER.name} is not Ready through https://${DNS_NAME}:${PORT} after its kubeconfigs moved (journalctl -u kubelet); the originals are in ${BACKUP_DIR}/kubeconfigs`);
      fs.rmSync(path.join(cluster.dir, "nodes", WORKER.name, "not-ready"));
      // the re-run finds the file moved and only waits for health
      const r = expectOk(await run(worker, "adopt-kubeconfigs", env));
      expect(changedLines(r)).toEqual([]);
      expect(worker.readFile("/etc/kubernetes/kubelet.conf")).toContain(`server: https://${DNS_NAME}:${PORT}`);
      expect(worker.readFile(`${BACKUP_DIR}/kubeconfigs/kubelet.conf`)).toContain(`server: https://${CP.address}:6443`);
    });
  });
});
