// Runs the node scripts for real in a Debian chroot (see test/sandbox/node-sandbox.ts),
// exactly as the Pulumi command ships them: `bash -s` with the exported parameters, lib.sh and the
// script on stdin.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectShellcheckClean, shellcheck } from "../../test/tools/shell-checks";
import { NodeSandbox, sandboxGate, sandboxUnavailableReason } from "../../test/sandbox/node-sandbox";
import { changedLines, expectOk, expectNoChange } from "../../test/sandbox/expect-run";
import { NODE_SCRIPTS, SCRIPTS_DIR } from "./bundle";
import {
  baseEnv,
  containerdEnv,
  kubernetesPackagesEnv,
  kubernetesRepoUrl,
  proxyEnv,
  type ProxyParams,
} from "./params";





describe("shellcheck", () => {
  const scripts = ["lib.sh", "packages-lib.sh", ...NODE_SCRIPTS.map((s) => `${s}.sh`)];
  it.each(scripts)("%s passes", (file) => expectShellcheckClean(path.join(SCRIPTS_DIR, file)));

  it("fails a deliberately broken script (the check has teeth)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sc-"));
    const file = path.join(dir, "broken.sh");
    fs.writeFileSync(file, '#!/usr/bin/env bash\nrm -rf $TARGET/*\nif [ $x == 1 ]; then echo "$undefined_var; fi\n');
    const r = await shellcheck(file);
    fs.rmSync(dir, { recursive: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/SC\d{4}/);
  });
});

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe("node sandbox availability", () => {
  it("fails under CI instead of skipping when the sandbox cannot run", () => {
    expect(sandboxGate("no root", { CI: "true" })).toMatchObject({ run: false, failure: expect.stringMatching(/unavailable under CI=true: no root/) });
    expect(sandboxGate("no root", {})).toMatchObject({ run: false, warning: expect.stringMatching(/skipped: no root/) });
    expect(sandboxGate(undefined, { CI: "true" })).toEqual({ run: true });
  });

  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

describe.runIf(gate.run)("node scripts in a Debian sandbox", () => {
  let sb: NodeSandbox;
  const PROXY_PASSWORD = "S3cr3t-p4ss";
  const proxyOn: ProxyParams = {
    mode: "present",
    httpProxy: `http://alice:${PROXY_PASSWORD}@proxy.corp.example:3128`,
    noProxy: ["localhost", "127.0.0.1", "10.0.0.10", "k8s-api.example", "10.96.0.0/12", ".svc"],
  };
  const hosts = [
    { ip: "10.0.0.10", names: ["k8s-api.example", "k8s-api"] },
    { ip: "10.0.0.11", names: ["cp-1"] },
    { ip: "10.0.0.21", names: ["worker-1"] },
  ];

  beforeAll(async () => {
    sb = await NodeSandbox.create("scripts");
  }, 20 * 60_000);

  afterAll(() => sb?.dispose());

  describe("wait-cloud-init", () => {
    it("returns once cloud-init is done and changes nothing", async () => {
      expectNoChange(await sb.run("wait-cloud-init", { CLOUD_INIT_TIMEOUT_SECONDS: "5" }));
    });

    it("is bounded: a cloud-init that never finishes fails after the timeout", async () => {
      sb.writeFile("/var/lib/sandbox/cloud-init-sleep", "10");
      const r = await sb.run("wait-cloud-init", { CLOUD_INIT_TIMEOUT_SECONDS: "1" });
      fs.rmSync(sb.path("/var/lib/sandbox/cloud-init-sleep"));
      expect(r.status).not.toBe(0);
      expect(r.output).toContain("cloud-init still running after 1s");
      expect(r.output).toContain("=== nodeprep diagnostics: wait-cloud-init failed ===");
    });
  });

  describe("base", () => {
    // The sandbox sees the host's /proc, so the host kernel's overlay and bridge netfilter are the
    // node's. The stand-in modprobe cannot add them to that kernel: the tests below need a host that
    // has both (built in, as on the development machine, or loaded).
    const hostKernel = {
      overlay: /(^|\s)overlay$/m.test(fs.readFileSync("/proc/filesystems", "utf8")),
      br_netfilter: fs.existsSync("/proc/sys/net/bridge/bridge-nf-call-iptables"),
    };
    // What base.sh must see to load them: no bridge-nf sysctls, no overlay in /proc/filesystems.
    const hideKernelModules = [
      "mount -t tmpfs none /proc/sys/net/bridge",
      "grep -v overlay /proc/filesystems >/var/lib/sandbox/filesystems",
      "mount --bind /var/lib/sandbox/filesystems /proc/filesystems",
    ].join("\n");

    it("prepares the node, and a second run changes nothing", async () => {
      expect(hostKernel, "the host kernel has overlay and br_netfilter (modprobe overlay br_netfilter)").toEqual({ overlay: true, br_netfilter: true });
      sb.writeFile("/var/lib/sandbox/swaps", "/swap.img\n");
      sb.writeFile("/etc/fstab", "UUID=1 / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n");
      sb.writeFile("/etc/hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
      const env = baseEnv({ hostname: "cp-1", hosts });
      sb.clearCalls();
      const first = expectOk(await sb.run("base", env));
      expect(changedLines(first).join("\n")).toMatch(/hostname debootstrap-host -> cp-1[\s\S]*\/etc\/hosts[\s\S]*swap turned off[\s\S]*fstab[\s\S]*modules-load\.d[\s\S]*ip_forward=1[\s\S]*started chrony/);
      // Modules the kernel already provides (built in without /sys/module/<name> on the development machine) are not loaded again.
      expect(changedLines(first).filter((l) => l.includes("kernel module"))).toEqual([]);
      expect(sb.calls().filter((c) => c.startsWith("modprobe"))).toEqual([]);
      expect(sb.readFile("/etc/hostname").trim()).toBe("cp-1");
      expect(sb.readFile("/etc/fstab")).toContain("# disabled for kubelet: /swap.img none swap");
      expect(sb.readFile("/etc/modules-load.d/kubernetes.conf")).toBe("overlay\nbr_netfilter\n");
      expect(sb.readFile("/etc/sysctl.d/99-kubernetes.conf")).toContain("net.bridge.bridge-nf-call-iptables = 1");
      expect((await sb.exec("sysctl -n net.ipv4.ip_forward")).output.trim()).toBe("1");
      expectNoChange(await sb.run("base", env));
    });

    it("loads a kernel module the kernel lacks, and only that one", async () => {
      const env = baseEnv({ hostname: "cp-1", hosts });
      sb.clearCalls();
      const r = expectOk(await sb.runInMountNamespace("base", env, hideKernelModules));
      expect(changedLines(r)).toEqual(["changed: loaded kernel module overlay", "changed: loaded kernel module br_netfilter"]);
      expect(sb.calls().filter((c) => c.startsWith("modprobe"))).toEqual(["modprobe overlay", "modprobe br_netfilter"]);
      // Only the bridge netfilter hidden: overlay is left alone.
      sb.clearCalls();
      const bridgeOnly = expectOk(await sb.runInMountNamespace("base", env, "mount -t tmpfs none /proc/sys/net/bridge"));
      expect(changedLines(bridgeOnly)).toEqual(["changed: loaded kernel module br_netfilter"]);
      expect(sb.calls().filter((c) => c.startsWith("modprobe"))).toEqual(["modprobe br_netfilter"]);
      // Outside that namespace the host's kernel is seen again: nothing to load.
      expectNoChange(await sb.run("base", env));
    });

    it("fails naming the module when modprobe cannot load it", async () => {
      sb.writeFile("/var/lib/sandbox/fail-modprobe/br_netfilter", "");
      const r = await sb.runInMountNamespace("base", baseEnv({ hostname: "cp-1", hosts }), hideKernelModules);
      fs.rmSync(sb.path("/var/lib/sandbox/fail-modprobe"), { recursive: true });
      expect(r.status, r.output).not.toBe(0);
      expect(r.output).toContain("changed: loaded kernel module overlay");
      expect(r.output).toContain("modprobe: FATAL: Module br_netfilter not found");
      expect(r.output).toContain("error: could not load kernel module br_netfilter (modprobe br_netfilter failed)");
      expect(r.output).toContain("=== nodeprep diagnostics: base failed ===");
      expect(r.output).toContain("step: kernel modules");
      expect(r.output).not.toContain("changed: loaded kernel module br_netfilter");
    });

    it("replaces the /etc/hosts block in place when the node list changes", async () => {
      sb.writeFile("/etc/hosts", sb.readFile("/etc/hosts") + "192.168.1.5 added-by-admin\n");
      const r = expectOk(await sb.run("base", baseEnv({ hostname: "cp-1", hosts: [...hosts, { ip: "10.0.0.22", names: ["worker-2"] }] })));
      expect(changedLines(r)).toEqual(["changed: wrote /etc/hosts"]);
      const etcHosts = sb.readFile("/etc/hosts");
      expect(etcHosts.match(/# BEGIN onprem-k8s nodes/g)).toHaveLength(1);
      expect(etcHosts).toMatch(/^127\.0\.0\.1 localhost\n::1 localhost ip6-localhost\n# BEGIN onprem-k8s nodes\n10\.0\.0\.10 k8s-api\.example k8s-api\n[\s\S]*10\.0\.0\.22 worker-2\n# END onprem-k8s nodes\n192\.168\.1\.5 added-by-admin\n$/);
    });
  });

  describe("base: time servers (network.ntpServers)", () => {
    const chronyConf = "/etc/chrony/chrony.conf";
    const currentHosts = [...hosts, { ip: "10.0.0.22", names: ["worker-2"] }];
    const servers = ["ntp1.corp.example", "10.0.0.5"];
    let distribution = "";

    it("replace the distribution's chrony sources and restart chrony once; a second run changes nothing", async () => {
      distribution = sb.readFile(chronyConf);
      const pools = distribution.split("\n").filter((line) => /^(pool|server) /.test(line));
      expect(pools.length, "Debian's chrony.conf names its pool").toBeGreaterThan(0);
      sb.clearCalls();
      const r = expectOk(await sb.run("base", baseEnv({ hostname: "cp-1", hosts: currentHosts, timeServers: servers })));
      expect(changedLines(r)).toEqual([`changed: wrote ${chronyConf}`, `changed: wrote ${chronyConf}`, "changed: restarted chrony"]);
      const conf = sb.readFile(chronyConf);
      expect(conf).toContain("# BEGIN onprem-k8s ntp-servers\nserver ntp1.corp.example iburst\nserver 10.0.0.5 iburst\n# END onprem-k8s ntp-servers\n");
      // Only our servers stay active: the distribution's pool is commented out, not deleted.
      expect(conf.split("\n").filter((line) => /^(pool|server|peer) /.test(line))).toEqual(["server ntp1.corp.example iburst", "server 10.0.0.5 iburst"]);
      for (const line of pools) expect(conf).toContain(`#onprem-k8s-disabled: ${line}`);
      sb.clearCalls();
      expectNoChange(await sb.run("base", baseEnv({ hostname: "cp-1", hosts: currentHosts, timeServers: servers })));
      expect(sb.calls().filter((c) => /restart/.test(c))).toEqual([]);
    });

    it("once unset, give the distribution's sources back exactly", async () => {
      const r = expectOk(await sb.run("base", baseEnv({ hostname: "cp-1", hosts: currentHosts })));
      expect(changedLines(r)).toContain("changed: restarted chrony");
      expect(sb.readFile(chronyConf)).toBe(distribution);
      expectNoChange(await sb.run("base", baseEnv({ hostname: "cp-1", hosts: currentHosts })));
    });
  });

  describe("containerd", () => {
    const env = containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.9", registryMirrors: { "docker.io": ["https://mirror.example:5000"] } });

    it("configures the real containerd package's default config, then changes nothing", async () => {
      sb.clearCalls();
      const first = expectOk(await sb.run("containerd", env));
      const config = sb.readFile("/etc/containerd/config.toml");
      // once: 1.x defaults have the key (set, not added again, or containerd would not start)
      expect(config.match(/^\s*SystemdCgroup = true$/gm)).toHaveLength(1);
      expect(config).not.toMatch(/SystemdCgroup = false/);
      expect((await sb.exec("containerd --config /etc/containerd/config.toml config dump >/dev/null")).status).toBe(0);
      expect(config).toMatch(/^\s*sandbox_image = "registry\.k8s\.io\/pause:3\.9"$/m);
      expect(config).toMatch(/^\s*config_path = "\/etc\/containerd\/certs\.d"$/m);
      expect(sb.readFile("/etc/containerd/certs.d/docker.io/hosts.toml")).toContain('server = "https://registry-1.docker.io"\n\n[host."https://mirror.example:5000"]');
      expect(sb.readFile("/etc/crictl.yaml")).toContain("runtime-endpoint: unix:///run/containerd/containerd.sock");
      expect(changedLines(first)).toContain("changed: started containerd");
      sb.clearCalls();
      expectNoChange(await sb.run("containerd", env));
      expect(sb.calls().filter((c) => /restart|start/.test(c))).toEqual([]);
    });

    it("drops a mirror it wrote without restarting containerd", async () => {
      sb.clearCalls();
      const r = expectOk(await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.9" })));
      expect(changedLines(r)).toEqual(["changed: removed mirror config for docker.io"]);
      expect(sb.calls().filter((c) => c.includes("restart"))).toEqual([]);
    });

    it("refuses, writing nothing, a config containerd cannot load", async () => {
      const before = sb.readFile("/etc/containerd/config.toml");
      // A stand-in `containerd` whose defaults define a key twice, as the real one then refuses them.
      sb.writeFile(
        "/usr/local/sbin/containerd",
        `#!/bin/sh\nif [ "$3" = config ] && [ "$4" = dump ]; then echo 'failed to load TOML: key defined twice' >&2; exit 1; fi\n` +
          `case "$*" in --version) echo 'containerd stand-in 1.6';; *) printf '[plugins.x]\\n  sandbox_image = "a"\\n  [plugins.x.runtimes.runc.options]\\n    SystemdCgroup = false\\n';; esac\n`,
      );
      fs.chmodSync(sb.path("/usr/local/sbin/containerd"), 0o755);
      const r = await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.10" }));
      fs.rmSync(sb.path("/usr/local/sbin/containerd"));
      expect(r.status).not.toBe(0);
      expect(r.output).toContain("failed to load TOML: key defined twice");
      expect(r.output).toContain("containerd cannot load the config rendered for containerd stand-in 1.6; it was not written");
      expect(sb.readFile("/etc/containerd/config.toml")).toBe(before);
    });

    it("handles the containerd 2.x config layout (sandbox key, no SystemdCgroup line)", async () => {
      // A stand-in `containerd` printing a 2.x-shaped default config.
      sb.writeFile(
        "/usr/local/sbin/containerd",
        `#!/bin/sh\ncat <<'TOML'\nversion = 3\n[plugins]\n  [plugins.'io.containerd.cri.v1.images']\n    [plugins.'io.containerd.cri.v1.images'.pinned_images]\n      sandbox = 'registry.k8s.io/pause:3.10'\n    [plugins.'io.containerd.cri.v1.images'.registry]\n      config_path = ''\n  [plugins.'io.containerd.cri.v1.runtime']\n    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n      runtime_type = 'io.containerd.runc.v2'\n      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n        BinaryName = ''\nTOML\n`,
      );
      fs.chmodSync(sb.path("/usr/local/sbin/containerd"), 0o755);
      const r = expectOk(await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.10" })));
      fs.rmSync(sb.path("/usr/local/sbin/containerd"));
      const config = sb.readFile("/etc/containerd/config.toml");
      expect(config).toContain('sandbox = "registry.k8s.io/pause:3.10"');
      expect(config).toMatch(/runc\.options\]\n\s+SystemdCgroup = true\n/);
      expect(config).toContain('config_path = "/etc/containerd/certs.d"');
      expect(changedLines(r)).toContain("changed: restarted containerd (config changed)");
      expectOk(await sb.run("containerd", env)); // back to the real 1.x config for what follows
    });
  });

  describe("proxy", () => {
    it("switching the proxy on restarts containerd only; an identical second run restarts nothing", async () => {
      expect((await sb.exec("systemctl is-active chrony && systemctl is-active containerd")).status).toBe(0);
      sb.clearCalls();
      const on = expectOk(await sb.run("proxy", proxyEnv(proxyOn)));
      expect(on.output).not.toContain(PROXY_PASSWORD);
      const restarts = sb.calls().filter((c) => /^systemctl (restart|daemon-reload)/.test(c));
      expect(restarts).toEqual(["systemctl daemon-reload", "systemctl restart containerd"]);
      const dropin = sb.readFile("/etc/systemd/system/containerd.service.d/http-proxy.conf");
      expect(dropin).toContain(`Environment="HTTP_PROXY=http://alice:${PROXY_PASSWORD}@proxy.corp.example:3128"`);
      expect(dropin).toContain('Environment="NO_PROXY=localhost,127.0.0.1,10.0.0.10,k8s-api.example,10.96.0.0/12,.svc"');
      expect(sb.exists("/etc/systemd/system/kubelet.service.d/http-proxy.conf")).toBe(true);
      expect(sb.readFile("/etc/apt/apt.conf.d/95onprem-k8s-proxy")).toContain('Acquire::http::Proxy::k8s-api.example "DIRECT";');
      // The profile script exports exactly the values given.
      expect((await sb.exec(". /etc/profile.d/onprem-k8s-proxy.sh; printf '%s|%s' \"$https_proxy\" \"$NO_PROXY\"")).output).toBe(
        `${proxyOn.httpProxy}|${proxyOn.noProxy!.join(",")}`,
      );
      sb.clearCalls();
      expectNoChange(await sb.run("proxy", proxyEnv(proxyOn)));
      expect(sb.calls().filter((c) => /^systemctl (restart|daemon-reload)/.test(c))).toEqual([]);
    });

    it("absent removes every trace of the proxy from /etc", async () => {
      sb.clearCalls();
      const off = expectOk(await sb.run("proxy", proxyEnv({ mode: "absent" })));
      expect(changedLines(off)).toContain("changed: restarted containerd (proxy drop-in changed)");
      const grep = await sb.exec("grep -rIl proxy.corp.example /etc");
      expect(grep.output).toBe("");
      expect(grep.status).toBe(1);
      expect(sb.exists("/etc/systemd/system/containerd.service.d")).toBe(false);
      expectNoChange(await sb.run("proxy", proxyEnv({ mode: "absent" })));
    });

    it("a failing restart prints the diagnostic block and never the proxy password", async () => {
      sb.writeFile("/var/lib/sandbox/fail-start/containerd", "");
      const r = await sb.run("proxy", proxyEnv(proxyOn));
      fs.rmSync(sb.path("/var/lib/sandbox/fail-start/containerd"));
      expect(r.status).not.toBe(0);
      expect(r.output).toContain("=== nodeprep diagnostics: proxy failed ===");
      expect(r.output).toContain("failed command: systemctl restart \"$unit\"");
      expect(r.output).toContain("--- journalctl -u containerd -n 50 ---");
      // The unit's journal logged the proxy URL: it shows up masked.
      expect(r.output).toContain("HTTP_PROXY=http://***@proxy.corp.example:3128");
      expect(r.output).not.toContain(PROXY_PASSWORD);
      expectOk(await sb.run("proxy", proxyEnv({ mode: "absent" })));
    });
  });

  describe("kubernetes-packages (real apt against a local signed repository)", () => {
    let repoKey: string;
    const repoUrl = kubernetesRepoUrl("apt", "1.30", "file:///srv/k8s-mirror");
    const env = (version: string) => kubernetesPackagesEnv({ version, repoUrl, repoKey, repoRetries: 2, repoRetryDelaySeconds: 0 });
    const installed = async () => (await sb.exec("dpkg-query -W -f='${Package}=${Version}\\n' kubeadm kubelet kubectl")).output.trim().split("\n");
    const holds = async () => (await sb.exec("apt-mark showhold")).output.trim().split("\n");

    beforeAll(async () => {
      fs.copyFileSync(path.join(__dirname, "../../test/sandbox/build-k8s-repo.sh"), sb.path("/tmp/build-k8s-repo.sh"));
      expectOk(await sb.exec("bash /tmp/build-k8s-repo.sh /srv/k8s-mirror"));
      repoKey = sb.readFile("/srv/k8s-mirror/key.asc");
    }, 120_000);

    it("installs the exact version, holds it, enables kubelet; a second run changes nothing", async () => {
      const r = expectOk(await sb.run("kubernetes-packages", env("1.30.1")));
      expect(changedLines(r)).toContain("changed: installed kubeadm=1.30.1-1.1 kubelet=1.30.1-1.1 kubectl=1.30.1-1.1");
      expect(await installed()).toEqual(["kubeadm=1.30.1-1.1", "kubectl=1.30.1-1.1", "kubelet=1.30.1-1.1"]);
      expect(await holds()).toEqual(["kubeadm", "kubectl", "kubelet"]);
      expect((await sb.exec("systemctl is-enabled kubelet")).status).toBe(0);
      expect(sb.readFile("/etc/apt/sources.list.d/kubernetes.list").trim()).toBe(
        "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] file:///srv/k8s-mirror/core:/stable:/v1.30/deb/ /",
      );
      expectNoChange(await sb.run("kubernetes-packages", env("1.30.1")));
    });

    it("a version bump unholds, upgrades and re-holds", async () => {
      const r = expectOk(await sb.run("kubernetes-packages", env("1.30.2")));
      expect(changedLines(r)).toEqual([
        "changed: unheld kubeadm kubelet kubectl",
        "changed: installed kubeadm=1.30.2-1.1 kubelet=1.30.2-1.1 kubectl=1.30.2-1.1",
        "changed: held kubeadm at 1.30.2",
        "changed: held kubelet at 1.30.2",
        "changed: held kubectl at 1.30.2",
      ]);
      expect(await installed()).toEqual(["kubeadm=1.30.2-1.1", "kubectl=1.30.2-1.1", "kubelet=1.30.2-1.1"]);
      expect(await holds()).toEqual(["kubeadm", "kubectl", "kubelet"]);
      expectNoChange(await sb.run("kubernetes-packages", env("1.30.2")));
    });

    it("a version missing from the repository fails with the available ones", async () => {
      const r = await sb.run("kubernetes-packages", env("1.30.9"));
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/kubeadm 1\.30\.9 not found in .*; available: 1\.30\.2-1\.1 1\.30\.1-1\.1/);
      expect(await installed()).toEqual(["kubeadm=1.30.2-1.1", "kubectl=1.30.2-1.1", "kubelet=1.30.2-1.1"]);
    });

    it("an unreachable repository fails after bounded retries with apt's error output", async () => {
      const r = await sb.run("kubernetes-packages", kubernetesPackagesEnv({ version: "1.30.2", repoUrl: "file:///srv/nowhere/", repoKey, repoRetries: 2, repoRetryDelaySeconds: 0 }));
      expect(r.status).not.toBe(0);
      expect(r.output).toContain("attempt 1/2 failed, retrying in 0s");
      expect(r.output).toContain("Kubernetes repository file:///srv/nowhere/ unreachable after 2 attempts");
      expect(r.output).toContain("--- package manager output (last 40 lines) ---");
      expect(r.output).toMatch(/srv\/nowhere/);
      expectOk(await sb.run("kubernetes-packages", env("1.30.2")));
    });
  });

  describe("RedOS 8 (dnf family, stand-in dnf/rpm/SELinux; the firewall step is in firewall.test.ts)", () => {
    beforeAll(() => {
      sb.setOs("redos");
      sb.writeFile(
        "/var/lib/sandbox/dnf/available",
        [
          "firewalld 1.2.5 redos-base",
          "chrony 4.3 redos-base",
          "python3-dnf-plugin-versionlock 4.1.0 redos-base",
          "cri-tools 1.27.1 redos-base",
          ...["kubeadm", "kubelet", "kubectl"].flatMap((p) => [`${p} 1.30.1 kubernetes`, `${p} 1.30.2 kubernetes`]),
          "",
        ].join("\n"),
      );
      // The distribution's cri-tools is already installed, as on the seed's nodes.
      sb.writeFile("/var/lib/sandbox/dnf/installed/cri-tools", "1.27.1 redos-base\n");
      sb.writeFile("/var/lib/sandbox/selinux-mode", "Enforcing\n");
      sb.writeFile("/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n");
    });

    afterAll(() => sb.setOs("debian"));

    it("kubernetes packages: retries the repo, resolves the cri-tools conflict, pins and versionlocks", async () => {
      sb.writeFile("/var/lib/sandbox/dnf/makecache-failures", "2");
      sb.clearCalls();
      const env = (v: string) => kubernetesPackagesEnv({ version: v, repoRetries: 3, repoRetryDelaySeconds: 0 });
      const r = expectOk(await sb.run("kubernetes-packages", env("1.30.1")));
      expect(r.output).toContain("attempt 2/3 failed, retrying in 0s");
      expect(sb.readFile("/etc/yum.repos.d/kubernetes.repo")).toContain("baseurl=https://pkgs.k8s.io/core:/stable:/v1.30/rpm/");
      expect(sb.calls()).toContain("dnf install -y --disableexcludes=kubernetes --allowerasing kubeadm-1.30.1 kubelet-1.30.1 kubectl-1.30.1");
      expect(sb.readFile("/var/lib/sandbox/dnf/installed/cri-tools")).toContain("kubernetes");
      expect(sb.readFile("/var/lib/sandbox/dnf/versionlock")).toBe("kubeadm-0:1.30.1-1.1.*\nkubelet-0:1.30.1-1.1.*\nkubectl-0:1.30.1-1.1.*\n");
      expectNoChange(await sb.run("kubernetes-packages", env("1.30.1")));
      const bump = expectOk(await sb.run("kubernetes-packages", env("1.30.2")));
      expect(changedLines(bump).slice(0, 2)).toEqual(["changed: unheld kubeadm kubelet kubectl", "changed: installed kubeadm-1.30.2 kubelet-1.30.2 kubectl-1.30.2"]);
      expect(sb.readFile("/var/lib/sandbox/dnf/versionlock")).toBe("kubeadm-0:1.30.2-1.1.*\nkubelet-0:1.30.2-1.1.*\nkubectl-0:1.30.2-1.1.*\n");
    });

    it("proxy: replaces a legacy proxy= line in dnf.conf with a managed one, absent removes it", async () => {
      sb.writeFile("/etc/dnf/dnf.conf", "[main]\ngpgcheck=1\nproxy=http://old-proxy.corp.example:3128\n");
      const on = expectOk(await sb.run("proxy", proxyEnv(proxyOn)));
      expect(changedLines(on)).toContain("changed: removed unmanaged proxy= line from /etc/dnf/dnf.conf");
      expect(sb.readFile("/etc/dnf/dnf.conf")).toBe(
        `[main]\n# BEGIN onprem-k8s proxy\nproxy=${proxyOn.httpProxy}\n# END onprem-k8s proxy\ngpgcheck=1\n`,
      );
      expect(on.output).not.toContain(PROXY_PASSWORD);
      expectNoChange(await sb.run("proxy", proxyEnv(proxyOn)));
      expectOk(await sb.run("proxy", proxyEnv({ mode: "absent" })));
      expect(sb.readFile("/etc/dnf/dnf.conf")).toBe("[main]\ngpgcheck=1\n");
      expect((await sb.exec("grep -rIl proxy.corp.example /etc")).output).toBe("");
    });
  });

  it("refuses an unsupported OS with a clear message", async () => {
    const saved = sb.readFile("/etc/os-release");
    sb.writeFile("/etc/os-release", 'ID=arch\nNAME="Arch Linux"\n');
    const r = await sb.run("base", baseEnv({ hostname: "cp-1", hosts }));
    sb.writeFile("/etc/os-release", saved);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("error: unsupported OS: ID='arch' ID_LIKE=''; supported: ubuntu, debian (apt) and rhel, rocky, almalinux, centos, redos (dnf)");
  });
});
