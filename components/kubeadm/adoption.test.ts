// Adoption's pure part (adoption.ts): the report adopt-inspect.sh prints, the kubeadm configuration
// that gives the running cluster its endpoint (parsed back with the yaml library, checked for what
// kubeadm reads), and the rollback commands of each phase.
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { readStackFile } from "../../stacks/stack-file";
import { formatProblems, validateCluster } from "../../stacks/validate";
import type { ClusterSpec } from "../../stacks/spec";
import { ADOPTED_PKI_FILES, ADOPTION_BEGIN, ADOPTION_END, adoptedClusterConfiguration, adoptionKubeadmConfig, adoptionRollback, endpointSans, parseAdoptionReport } from "./adoption";

function spec(edit: (c: any) => void = () => {}): ClusterSpec {
  const cluster = structuredClone(readStackFile("examples/existing-hosts-external-lb.yaml").cluster) as any;
  cluster.adoption = { controlPlane: "k8s-master" };
  cluster.endpoint = { mode: "keepalived-haproxy", vip: "10.0.20.99", dnsName: "k8s-apiserver.lab.example.internal", port: 16443, virtualRouterId: 51 };
  edit(cluster);
  const result = validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey", "veleroS3Credentials"] as const), planMode: true });
  if (!result.ok) throw new Error(formatProblems(result.problems));
  return result.spec;
}

/** What kubeadm 1.34 keeps in kubeadm-config after a plain `kubeadm init` (no endpoint, no SANs). */
const RUNNING = `apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: v1.34.4
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12
proxy: {}
scheduler: {}
`;

describe("the adoption report", () => {
  const item = (name: string, body: string) => `${ADOPTION_BEGIN} ${name}\n${body}\n${ADOPTION_END}`;
  const report = ["step: what the stack takes over", ...ADOPTED_PKI_FILES.map((f) => item(f, `-----BEGIN X-----\n${f}\n-----END X-----`)), item("ClusterConfiguration", RUNNING.trimEnd()), "no changes: adopt-inspect"].join("\n");

  it("gives every CA, key and the ClusterConfiguration, as the node has them", () => {
    const parsed = parseAdoptionReport(report);
    expect(parsed.pki["etcd/ca.key"]).toBe("-----BEGIN X-----\netcd/ca.key\n-----END X-----\n");
    expect(parsed.clusterConfiguration).toBe(RUNNING);
  });

  it("names what is missing", () => {
    expect(() => parseAdoptionReport(report.replace(`${ADOPTION_BEGIN} sa.pub`, "something else"))).toThrow(/lacks sa\.pub/);
    expect(() => parseAdoptionReport(`${ADOPTION_BEGIN} ca.crt\nunfinished`)).toThrow(/item ca\.crt has no end line/);
  });
});

describe("the adopted ClusterConfiguration", () => {
  it("keeps everything the cluster had and adds the endpoint and its SANs", () => {
    const adopted = parse(adoptedClusterConfiguration(spec(), RUNNING));
    const running = parse(RUNNING);
    expect(adopted).toEqual({ ...running, controlPlaneEndpoint: "k8s-apiserver.lab.example.internal:16443", apiServer: { certSANs: ["k8s-apiserver.lab.example.internal", "10.0.20.99"] } });
  });

  it("keeps SANs the site had, once", () => {
    const withSans = RUNNING.replace("apiServer: {}", "apiServer:\n  certSANs:\n  - 10.0.20.99\n  - master.example.internal");
    expect(parse(adoptedClusterConfiguration(spec(), withSans)).apiServer.certSANs).toEqual(["10.0.20.99", "master.example.internal", "k8s-apiserver.lab.example.internal"]);
  });

  it("uses the VIP where the endpoint has no DNS name", () => {
    const s = spec((c) => delete c.endpoint.dnsName);
    expect(endpointSans(s)).toEqual(["10.0.20.99"]);
    expect(parse(adoptedClusterConfiguration(s, RUNNING)).controlPlaneEndpoint).toBe("10.0.20.99:16443");
  });

  it("refuses an external etcd and a document that is no ClusterConfiguration", () => {
    const external = RUNNING.replace("etcd:\n  local:\n    dataDir: /var/lib/etcd", "etcd:\n  external:\n    endpoints:\n    - https://10.0.20.5:2379");
    expect(() => adoptedClusterConfiguration(spec(), external)).toThrow("the cluster uses an external etcd (https://10.0.20.5:2379): adoption takes over a stacked etcd only");
    expect(() => adoptedClusterConfiguration(spec(), "kind: InitConfiguration\n")).toThrow(/not ClusterConfiguration/);
  });

  it("renders the config of `kubeadm init phase certs apiserver` / `upload-config`: the node's InitConfiguration, then the cluster's", () => {
    const docs = parseAllDocuments(adoptionKubeadmConfig(spec(), RUNNING)).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["InitConfiguration", "ClusterConfiguration"]);
    expect(docs[0]).toEqual({
      apiVersion: "kubeadm.k8s.io/v1beta4",
      kind: "InitConfiguration",
      nodeRegistration: { name: "k8s-master", criSocket: "unix:///run/containerd/containerd.sock" },
      localAPIEndpoint: { advertiseAddress: "10.0.20.100", bindPort: 6443 },
    });
  });
});

describe("the rollback commands (plan artifact)", () => {
  it("undo each phase, newest first, from the backups the scripts keep", () => {
    const rollback = adoptionRollback(spec());
    const phases = [...rollback.matchAll(/^## (\d)\./gm)].map((m) => Number(m[1]));
    expect(phases).toEqual([5, 4, 3, 2, 1]);
    expect(rollback).toContain("cp -p /var/lib/onprem-k8s/adoption/pki/apiserver.crt /var/lib/onprem-k8s/adoption/pki/apiserver.key /etc/kubernetes/pki/");
    expect(rollback).toContain("kubeadm init phase upload-config kubeadm --config /var/lib/onprem-k8s/adoption/ClusterConfiguration.yaml");
    expect(rollback).toContain("systemctl disable --now keepalived haproxy");
    expect(rollback).toContain("--server https://10.0.20.100:6443");
    expect(() => adoptionRollback(spec((c) => delete c.adoption))).toThrow(/adopts no cluster/);
  });
});
