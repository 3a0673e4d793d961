// The node preparation steps killed at a line (the Pulumi CLI killed, CI cancelled, the node
// restarted), then run again as the next `pulumi up` runs them (docs/recovery.md): each must
// converge, not stop on its own leftovers nor take a half-done change for a finished one. Run as
// shipped in a Debian sandbox with real apt and dpkg (against the local signed repository of
// scripts.test.ts); the stand-ins SIGKILL the script at a named call (test/sandbox/standins/
// _state.sh kill_point), and so does a maintainer script of the installed kubelet package.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeSandbox, sandboxGate, sandboxUnavailableReason, type RunResult } from "../../test/sandbox/node-sandbox";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { baseEnv, containerdEnv, kubernetesPackagesEnv, kubernetesRepoUrl, proxyEnv } from "./params";

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

/** The run died by the kill (SIGKILL of the script: a signal, or 137 through a shell). */
function expectKilled(r: RunResult): void {
  expect([-1, 137], r.output).toContain(r.status);
}

/** Perl holding dpkg's frontend lock for 8 s (struct flock on x86_64 and aarch64: type, whence from the start, start, length 0 = all, pid). */
const HOLD_DPKG_LOCK = [
  'open(my $f, "+<", "/var/lib/dpkg/lock-frontend") or die $!;',
  'my $lock = pack("s s x4 q q i x4", F_WRLCK, 0, 0, 0, 0);',
  'fcntl($f, F_SETLK, $lock) or die "lock: $!";',
  'open(my $m, ">", "/tmp/dpkg-locked"); close $m; sleep 8;',
].join(" ");

const EARLIER_RUN = "note: an earlier run stopped before it finished";

describe.runIf(gate.run)("node preparation steps killed at a line, then run again (Debian sandbox, real apt and dpkg)", () => {
  let sb: NodeSandbox;
  let repoKey: string;
  const repoUrl = kubernetesRepoUrl("apt", "1.30", "file:///srv/k8s-mirror");
  const packagesEnv = (version: string, key: "data" | "download" = "data") =>
    kubernetesPackagesEnv({ version, repoUrl, repoKey: key === "data" ? repoKey : undefined, repoRetries: 2, repoRetryDelaySeconds: 0 });
  const installed = async () => (await sb.exec("dpkg-query -W -f='${Package}=${Version} ${Status}\\n' kubeadm kubelet kubectl")).output.trim().split("\n");
  const killAt = (point: string) => sb.writeFile("/var/lib/sandbox/kill-point", `${point}\n`);
  const killedAt = () => (sb.exists("/var/lib/sandbox/killed-at") ? sb.readFile("/var/lib/sandbox/killed-at").split("\n").filter(Boolean) : []);
  const restarts = () => sb.calls().filter((c) => /^systemctl (restart|daemon-reload)/.test(c));
  const hosts = [{ ip: "10.0.0.11", names: ["cp-1"] }];

  beforeAll(async () => {
    sb = await NodeSandbox.create("interrupted");
    fs.copyFileSync(path.join(__dirname, "../../test/sandbox/build-k8s-repo.sh"), sb.path("/tmp/build-k8s-repo.sh"));
    expectOk(await sb.exec("bash /tmp/build-k8s-repo.sh /srv/k8s-mirror"));
    repoKey = sb.readFile("/srv/k8s-mirror/key.asc");
    expectOk(await sb.run("kubernetes-packages", packagesEnv("1.30.1")));
  }, 20 * 60_000);

  afterAll(() => sb?.dispose());

  it("kubernetes-packages killed while dpkg ran kubelet's maintainer script (a version bump): the next run finishes dpkg's run (dpkg --configure -a), then installs and holds", async () => {
    // The installed kubelet's prerm, which dpkg runs before it unpacks the new version: the kill point.
    sb.writeFile("/var/lib/dpkg/info/kubelet.prerm", "#!/bin/bash\n. /usr/local/sbin/_state.sh\nexit 0\n");
    fs.chmodSync(sb.path("/var/lib/dpkg/info/kubelet.prerm"), 0o755);
    killAt("kubelet.prerm upgrade");
    expectKilled(await sb.run("kubernetes-packages", packagesEnv("1.30.2")));
    expect(killedAt()).toEqual(["kubelet.prerm upgrade"]);
    // What the kill left: dpkg's journal not merged, kubelet cut off in its maintainer script (to be
    // reinstalled), no holds (released before the install), and apt refusing every install until
    // someone finishes dpkg's run.
    expect((await sb.exec("ls -A /var/lib/dpkg/updates")).output.trim()).not.toBe("");
    expect(await installed()).toContain("kubelet=1.30.1-1.1 install reinstreq half-configured");
    expect((await sb.exec("apt-mark showhold")).output.trim()).toBe("");
    const refused = await sb.exec("apt-get install -y --no-install-recommends kubectl 2>&1");
    expect(refused.output).toContain("E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.");

    // And a package manager of the stopped run still holds dpkg's lock for a few seconds (fcntl,
    // as dpkg locks): the next run waits for it instead of failing.
    expectOk(await sb.exec(`nohup perl -MFcntl -e '${HOLD_DPKG_LOCK}' >/dev/null 2>&1 &`));
    expectOk(await sb.exec("for i in $(seq 100); do [ -e /tmp/dpkg-locked ] && exit 0; sleep 0.1; done; exit 1"));

    const again = expectOk(await sb.run("kubernetes-packages", packagesEnv("1.30.2")));
    expect(again.output).toContain("note: dpkg's lock is held by another process (a package manager still running from the stopped run); waiting for it");
    expect(again.output).toContain("note: dpkg was interrupted by an earlier run that stopped while it installed packages; finishing it (dpkg --configure -a)");
    expect(again.output).toContain("note: dpkg --configure -a could not configure every package (a package cut off in its maintainer script is reinstalled by the install that follows)");
    expect(changedLines(again)).toContain("changed: finished the interrupted dpkg run (dpkg --configure -a)");
    expect(await installed()).toEqual(["kubeadm=1.30.2-1.1 hold ok installed", "kubectl=1.30.2-1.1 hold ok installed", "kubelet=1.30.2-1.1 hold ok installed"]);
    expect((await sb.exec("apt-mark showhold")).output.trim().split("\n")).toEqual(["kubeadm", "kubectl", "kubelet"]);
    expect((await sb.exec("ls -A /var/lib/dpkg/updates")).output.trim()).toBe("");
    expectNoChange(await sb.run("kubernetes-packages", packagesEnv("1.30.2")));
  });

  it("kubernetes-packages killed while it downloaded the repository key: the next run downloads it again instead of keeping half a key", async () => {
    // A curl for file:// URLs whose download is cut off by the kill point half-way: the first bytes are written.
    sb.writeFile(
      "/usr/local/sbin/curl",
      [
        "#!/bin/bash",
        'args=("$@") out="" url=""',
        'for ((i = 0; i < ${#args[@]}; i++)); do case "${args[i]}" in -o) out=${args[i + 1]}; i=$((i + 1)) ;; -*) ;; *) url=${args[i]} ;; esac; done',
        'src=${url#file://}',
        '[[ -f "$src" ]] || { echo "curl: (37) Couldn\'t open file $src" >&2; exit 37; }',
        'head -c 100 "$src" >"$out"',
        ". /usr/local/sbin/_state.sh",
        'cat "$src" >"$out"',
        "",
      ].join("\n"),
    );
    fs.chmodSync(sb.path("/usr/local/sbin/curl"), 0o755);
    const keyring = "/etc/apt/keyrings/kubernetes-apt-keyring.asc";
    fs.rmSync(sb.path(keyring));
    killAt("curl -fsSL -o");
    expectKilled(await sb.run("kubernetes-packages", packagesEnv("1.30.2", "download")));
    expect(killedAt()).toContain("curl -fsSL -o");
    // The part that arrived is not where apt and the next run look for the key.
    expect(sb.exists(keyring)).toBe(false);

    const again = expectOk(await sb.run("kubernetes-packages", packagesEnv("1.30.2", "download")));
    expect(changedLines(again)).toEqual([`changed: downloaded repository key ${repoUrl}Release.key`]);
    expect(sb.readFile(keyring)).toBe(repoKey);
    expect((await sb.exec("stat -c %a /etc/apt/keyrings/kubernetes-apt-keyring.asc")).output.trim()).toBe("644");
    expect((await sb.exec("ls -A /etc/apt/keyrings")).output.trim()).toBe("kubernetes-apt-keyring.asc");
  });

  it("containerd killed between writing its config and restarting it: the next run restarts it (the config is already as wanted)", async () => {
    expectOk(await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.9" })));
    killAt("systemctl restart containerd");
    expectKilled(await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.10" })));
    expect(sb.readFile("/etc/containerd/config.toml")).toContain('sandbox_image = "registry.k8s.io/pause:3.10"');

    sb.clearCalls();
    const again = expectOk(await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.10" })));
    expect(again.output).toContain(`${EARLIER_RUN}: the restart of containerd left for this run`);
    expect(changedLines(again)).toEqual(["changed: restarted containerd (config changed)"]);
    expect(restarts()).toEqual(["systemctl restart containerd"]);
    sb.clearCalls();
    expectNoChange(await sb.run("containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.10" })));
    expect(restarts()).toEqual([]);
  });

  it("proxy killed between writing the drop-ins and reloading systemd: the next run reloads and restarts the units in use", async () => {
    const proxy = proxyEnv({ mode: "present", httpProxy: "http://proxy.corp.example:3128", noProxy: ["10.0.0.11"] });
    killAt("systemctl daemon-reload");
    expectKilled(await sb.run("proxy", proxy));
    expect(sb.exists("/etc/systemd/system/containerd.service.d/http-proxy.conf")).toBe(true);

    sb.clearCalls();
    const again = expectOk(await sb.run("proxy", proxy));
    expect(again.output).toContain(`${EARLIER_RUN}: the restart of containerd left for this run`);
    // containerd runs (the test above), kubelet is enabled (kubernetes-packages): both pick the proxy up.
    expect(restarts()).toEqual(["systemctl daemon-reload", "systemctl restart containerd", "systemctl restart kubelet"]);
    expect(changedLines(again)).toEqual(["changed: restarted containerd (proxy drop-in changed)", "changed: restarted kubelet (proxy drop-in changed)"]);
    expectNoChange(await sb.run("proxy", proxy));
  });

  it("base killed before chrony's restart for new time servers: the next run restarts chrony; a file a killed write left half-written is removed", async () => {
    // What a run killed inside ensure_file leaves: the new content under a hidden name beside the file.
    sb.writeFile("/etc/sysctl.d/.99-kubernetes.conf.onprem-k8s.Xy12Ab", "net.ipv4.ip_f");
    expectOk(await sb.run("base", baseEnv({ hostname: "cp-1", hosts })));
    expect(sb.exists("/etc/sysctl.d/.99-kubernetes.conf.onprem-k8s.Xy12Ab")).toBe(false);
    const withServers = baseEnv({ hostname: "cp-1", hosts, timeServers: ["ntp1.corp.example"] });
    killAt("systemctl restart chrony");
    expectKilled(await sb.run("base", withServers));
    expect(sb.readFile("/etc/chrony/chrony.conf")).toContain("server ntp1.corp.example iburst");

    sb.clearCalls();
    const again = expectOk(await sb.run("base", withServers));
    expect(again.output).toContain(`${EARLIER_RUN}: the restart of chrony left for this run`);
    expect(changedLines(again)).toEqual(["changed: restarted chrony"]);
    expect(restarts()).toEqual(["systemctl restart chrony"]);
    expectNoChange(await sb.run("base", withServers));
  });
});
