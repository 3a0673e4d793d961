// The join's endpoint choice (seed 000, T-039): through the API endpoint when it answers, else
// through the first control plane's own apiserver, logged as a fallback; and the two configs the
// program renders for it. The script logic runs for real with stand-in curl and sleep.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { readStackFile, secretsPresent } from "../../stacks/stack-file";
import { validateCluster } from "../../stacks/validate";
import { REPO_ROOT } from "../../test/harness";
import { runProcess } from "../../test/tools/process";
import { DISCOVERY_FALLBACK_KUBECONFIG_PATH, joinParametersOf } from "./index";
import { KUBEADM_SCRIPTS_DIR } from "./bundles";
import { SCRIPTS_DIR as NODE_SCRIPTS_DIR } from "../node/bundle";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "join-endpoint-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  // curl answers 200 for the hosts listed in UP_HOSTS and fails like an unreachable host otherwise.
  fs.writeFileSync(
    path.join(bin, "curl"),
    ['#!/usr/bin/env bash', 'url="${*: -1}"', 'for host in $UP_HOSTS; do', '  if [[ "$url" == "https://$host:"* ]]; then printf 200; exit 0; fi', "done", "printf 000", "exit 7", ""].join("\n"),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASE_ENV = {
  API_ENDPOINT_HOST: "192.168.100.10",
  API_ENDPOINT_PORT: "6443",
  FALLBACK_API_HOST: "192.168.100.11",
  APISERVER_PORT: "6443",
  NODE_NAME: "w-1",
  ENDPOINT_ATTEMPTS: "2",
  FALLBACK_ATTEMPTS: "2",
};

/** Runs `body` with the node and kubeadm libraries (and optionally join.sh's functions) loaded. */
async function run(body: string, env: Record<string, string>, withJoin = false) {
  const join = withJoin
    ? [`source ${JSON.stringify(path.join(KUBEADM_SCRIPTS_DIR, "remove.sh"))}`, `source <(sed '/^main "\\$@"$/d' ${JSON.stringify(path.join(KUBEADM_SCRIPTS_DIR, "join.sh"))})`].join("\n")
    : "";
  const script = [`source ${JSON.stringify(path.join(NODE_SCRIPTS_DIR, "lib.sh"))}`, `source ${JSON.stringify(path.join(KUBEADM_SCRIPTS_DIR, "lib.sh"))}`, join, body].join("\n");
  const r = await runProcess("bash", ["-c", script], { env: { HOME: os.tmpdir(), ...BASE_ENV, ...env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}` }, allowFail: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("join_endpoint_choice (lib.sh)", () => {
  it("takes the API endpoint when it answers", async () => {
    const r = await run("join_endpoint_choice", { UP_HOSTS: "192.168.100.10 192.168.100.11" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("endpoint\n");
  });

  it("falls back to the first control plane's apiserver when only it answers", async () => {
    const r = await run("join_endpoint_choice", { UP_HOSTS: "192.168.100.11" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("fallback\n");
    // the endpoint was tried the configured number of times first
    expect(r.stderr).toContain("attempt 2/2 failed: endpoint_ready");
  });

  it("fails when neither answers, and never falls back without a fallback host", async () => {
    expect(await run("join_endpoint_choice", { UP_HOSTS: "" })).toMatchObject({ status: 1, stdout: "" });
    expect(await run("join_endpoint_choice", { UP_HOSTS: "192.168.100.11", FALLBACK_API_HOST: "" })).toMatchObject({ status: 1, stdout: "" });
  });
});

describe("select_join_endpoint (join.sh)", () => {
  const fallbackEnv = () => ({
    KUBEADM_CONFIG: "endpoint config",
    KUBEADM_CONFIG_FALLBACK: "fallback config",
    DISCOVERY_KUBECONFIG: "discovery kubeconfig",
    DISCOVERY_KUBECONFIG_PATH: path.join(dir, "discovery.conf"),
  });

  it("uses the endpoint config when the endpoint answers", async () => {
    const r = await run('select_join_endpoint; echo "source=$JOIN_CONFIG_SOURCE"', { ...fallbackEnv(), UP_HOSTS: "192.168.100.10" }, true);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("source=KUBEADM_CONFIG\n");
    expect(r.stdout).not.toContain("FALLBACK");
  });

  it("uses the fallback config and its discovery file, and says so", async () => {
    const env = fallbackEnv();
    const r = await run('select_join_endpoint; echo "source=$JOIN_CONFIG_SOURCE"', { ...env, UP_HOSTS: "192.168.100.11" }, true);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("source=KUBEADM_CONFIG_FALLBACK\n");
    expect(r.stdout).toContain("note: FALLBACK: the API endpoint 192.168.100.10:6443 does not answer /readyz from w-1; joining through the first control plane's apiserver 192.168.100.11:6443");
    expect(fs.readFileSync(env.DISCOVERY_KUBECONFIG_PATH, "utf8")).toBe("discovery kubeconfig\n");
    expect((fs.statSync(env.DISCOVERY_KUBECONFIG_PATH).mode & 0o777).toString(8)).toBe("600");
  });

  it("stops with both addresses named when neither answers", async () => {
    const r = await run("select_join_endpoint", { ...fallbackEnv(), UP_HOSTS: "" }, true);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("neither the API endpoint 192.168.100.10:6443 nor the first control plane's apiserver 192.168.100.11:6443 answers /readyz from w-1");
  });
});

describe("joinParametersOf: both joins rendered into the parameters", () => {
  const file = readStackFile("poc", REPO_ROOT);
  const result = validateCluster(file.cluster, { secretsPresent: secretsPresent(file), planMode: true });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const spec = result.spec;
  const hash = `sha256:${"a".repeat(64)}`;
  const caCertPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

  it("joins a worker through the endpoint, or through the first control plane by file discovery", () => {
    const worker = spec.workers[0]!;
    const params = joinParametersOf(spec, worker, hash, caCertPem);
    const viaEndpoint = parse(params.KUBEADM_CONFIG!);
    expect(viaEndpoint.discovery.bootstrapToken).toMatchObject({ apiServerEndpoint: `${spec.apiEndpoint.host}:${spec.apiEndpoint.port}`, caCertHashes: [hash] });
    const viaFallback = parse(params.KUBEADM_CONFIG_FALLBACK!);
    // file discovery: kubeadm keeps the file's server for the TLS bootstrap (token discovery would
    // switch to the cluster-info server, i.e. the unreachable endpoint)
    expect(viaFallback.discovery).toEqual({ file: { kubeConfigPath: DISCOVERY_FALLBACK_KUBECONFIG_PATH }, tlsBootstrapToken: "${KUBEADM_TOKEN}" });
    expect(viaFallback.nodeRegistration).toEqual(viaEndpoint.nodeRegistration);
    expect(params.FALLBACK_API_HOST).toBe(spec.controlPlanes[0]!.address);
    expect(params.DISCOVERY_KUBECONFIG_PATH).toBe(DISCOVERY_FALLBACK_KUBECONFIG_PATH);
    const discovery = parse(params.DISCOVERY_KUBECONFIG!);
    expect(discovery.clusters[0].cluster.server).toBe(`https://${spec.controlPlanes[0]!.address}:6443`);
    expect(Buffer.from(discovery.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toBe(caCertPem);
    expect(params.DISCOVERY_KUBECONFIG).not.toMatch(/\b(token|client-key-data|client-certificate-data):/);
  });

  it("keeps a control plane's controlPlane section in both, and the endpoint as controlPlaneEndpoint (no ClusterConfiguration in a join)", () => {
    const cp = spec.controlPlanes[1]!;
    const params = joinParametersOf(spec, cp, hash, caCertPem);
    for (const config of [params.KUBEADM_CONFIG!, params.KUBEADM_CONFIG_FALLBACK!]) {
      const docs = parseAllDocuments(config).map((d) => d.toJS());
      expect(docs.map((d) => d.kind)).toEqual(["JoinConfiguration"]);
      expect(docs[0].controlPlane.localAPIEndpoint.advertiseAddress).toBe(cp.address);
    }
  });

  it("has no join for the first control plane (it runs kubeadm init)", () => {
    expect(() => joinParametersOf(spec, spec.controlPlanes[0]!, hash, caCertPem)).toThrow(/runs kubeadm init/);
  });
});
