// kubelet-dns.sh runs for real against a kubeadm-written kubelet config and stand-in systemctl and
// kubectl; the program creates the sync steps exactly where kubelet's DNS follows the cache switch.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planStack, type RecordedResource } from "../../../test/harness";
import { runProcess } from "../../../test/tools/process";
import { KUBELET_DNS_SCRIPT } from "./kubelet-dns";
import { testDir } from "../../../test/tools/test-dir";

// The shape kubeadm writes to /var/lib/kubelet/config.yaml.
const KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
kind: KubeletConfiguration
serverTLSBootstrap: true
`;

function sandbox() {
  const dir = testDir("kubelet-dns-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const calls = path.join(dir, "calls");
  fs.writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\necho "systemctl $*" >> ${calls}\n`, { mode: 0o755 });
  // kubectl stand-in: `get` prints the stored kubelet data; `apply` stores what it is given.
  fs.writeFileSync(
    path.join(bin, "kubectl"),
    `#!/bin/bash
echo "kubectl $*" >> ${calls}
case " $* " in
  *" get configmap kubelet-config "*) cat ${dir}/configmap-data ;;
  *" create configmap kubelet-config "*) cat > ${dir}/created; echo "created-manifest" ;;
  *" apply -f - "*) cat > ${dir}/applied ;;
  *) exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, "config.yaml"), KUBELET_CONFIG);
  fs.writeFileSync(path.join(dir, "configmap-data"), KUBELET_CONFIG);
  const run = (env: Record<string, string>) =>
    runProcess("bash", [KUBELET_DNS_SCRIPT], {
      allowFail: true,
      env: { PATH: `${bin}:${process.env.PATH}`, KUBELET_CONFIG: path.join(dir, "config.yaml"), ADMIN_KUBECONFIG: "/dev/null", ...env },
    });
  const recorded = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "");
  return { dir, run, recorded };
}

describe("kubelet-dns.sh", () => {
  it("passes shellcheck", async () => {
    const check = await runProcess("shellcheck", [KUBELET_DNS_SCRIPT], { allowFail: true });
    expect(check.status, check.stdout).toBe(0);
  });

  it("points kubelet at the cache once, restarts it once, and points it back", async () => {
    const box = sandbox();
    const first = await box.run({ MODE: "node", CLUSTER_DNS: "169.254.20.10" });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/changed: kubelet clusterDNS set to 169.254.20.10/);
    const config = fs.readFileSync(path.join(box.dir, "config.yaml"), "utf8");
    expect(config).toContain("clusterDNS:\n- 169.254.20.10\nclusterDomain: cluster.local");
    expect(config).not.toContain("10.96.0.10");
    expect(box.recorded()).toBe("systemctl restart kubelet\n");

    const second = await box.run({ MODE: "node", CLUSTER_DNS: "169.254.20.10" });
    expect(second.stdout).toMatch(/no changes/);
    expect(box.recorded()).toBe("systemctl restart kubelet\n");

    const back = await box.run({ MODE: "node", CLUSTER_DNS: "10.96.0.10" });
    expect(back.stdout).toMatch(/changed/);
    expect(fs.readFileSync(path.join(box.dir, "config.yaml"), "utf8")).toBe(KUBELET_CONFIG);
  });

  it("refuses a node that has not joined", async () => {
    const box = sandbox();
    fs.rmSync(path.join(box.dir, "config.yaml"));
    const run = await box.run({ MODE: "node", CLUSTER_DNS: "169.254.20.10" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/config.yaml not found: has this node joined/);
  });

  it("rewrites kubeadm's kubelet-config ConfigMap so later joins get the same address", async () => {
    const box = sandbox();
    const run = await box.run({ MODE: "configmap", CLUSTER_DNS: "169.254.20.10" });
    expect(run.status, run.stderr).toBe(0);
    expect(fs.readFileSync(path.join(box.dir, "created"), "utf8")).toContain("clusterDNS:\n- 169.254.20.10\n");
    expect(fs.readFileSync(path.join(box.dir, "applied"), "utf8")).toBe("created-manifest\n");
    fs.writeFileSync(path.join(box.dir, "configmap-data"), fs.readFileSync(path.join(box.dir, "created")));
    const again = await box.run({ MODE: "configmap", CLUSTER_DNS: "169.254.20.10" });
    expect(again.stdout).toMatch(/no changes/);
  });

  it("rejects an unknown mode", async () => {
    const run = await sandbox().run({ MODE: "everywhere", CLUSTER_DNS: "169.254.20.10" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/MODE must be node or configmap/);
  });
});

describe("kubelet DNS sync in the program", () => {
  const steps = (resources: RecordedResource[]) => resources.filter((r) => /-kubelet(-config)?-dns$/.test(r.name));

  it("syncs every node and the ConfigMap with Cilium's kube-proxy replacement, after the cache runs", async () => {
    const on = await planStack("poc", (c) => (c.addons.nodeLocalDns = { enabled: true }));
    const sync = steps(on.resources);
    expect(sync.map((r) => r.name).sort()).toEqual(
      ["nsx-poc-cp-1-kubelet-config-dns", ...["cp-1", "cp-2", "cp-3", "worker-1", "worker-2"].map((n) => `nsx-poc-${n}-kubelet-dns`)].sort(),
    );
    const cache = on.resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigGroup" && r.name === "nodelocaldns")!;
    for (const step of sync) expect(step.dependencies).toContain(cache.urn);
    const off = await planStack("poc");
    const triggers = (plan: typeof on) => new Map(steps(plan.resources).map((r) => [r.name, JSON.stringify(r.inputs.triggers)]));
    const before = triggers(on);
    for (const [name, trigger] of triggers(off)) expect(trigger, name).not.toBe(before.get(name));
  });

  it("creates no sync where the cache keeps the kube-dns address (kube-proxy runs)", async () => {
    const plan = await planStack("examples/proxmox-keepalived-calico-nfs.yaml", (c) => (c.addons.nodeLocalDns = { enabled: true }));
    expect(steps(plan.resources)).toEqual([]);
  });
});
