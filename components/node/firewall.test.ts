// The firewall step on a RedOS-like node against Debian's real firewalld: the daemon runs in the
// sandbox's root, in a network namespace of its own (its nftables rules touch nothing of the host),
// with its own system D-Bus; the step's firewall-cmd calls are the real client's. The assertions
// read back what the daemon applied (--info-zone, --info-service, --info-policy after the step's
// reload) and check the permanent XML with firewall-offline-cmd --check-config.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stackSpec } from "../../test/stack-spec";
import { NodeSandbox, PACKAGE_LAYERS, sandboxGate, sandboxUnavailableReason } from "../../test/sandbox/node-sandbox";
import { runProcess } from "../../test/tools/process";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import type { ClusterSpec } from "../../stacks/spec";
import { firewallEnv } from "./params";
import { preparationParts } from "./parts";

const gate = sandboxGate(sandboxUnavailableReason());
const REDOS = "examples/redos-proxy-calico-metallb-nfs.yaml";

/** The firewall part's parameters for a node, exactly as node preparation passes them. */
function firewallPartEnv(spec: ClusterSpec, nodeName: string) {
  const node = spec.nodes.find((n) => n.name === nodeName)!;
  const part = preparationParts(spec, node, { waitForCloudInit: false }).find((p) => p.part === "firewall");
  if (!part) throw new Error(`no firewall part for ${nodeName}`);
  return part.env;
}

// Every firewall-cmd call is a Python client talking to Python firewalld over D-Bus: on a machine
// whose cores are busy a test here took five times its idle 25 s (cold suite, two busy loops).
describe.runIf(gate.run)("firewall step against real firewalld (RedOS 8 shape)", { timeout: 360_000 }, () => {
  let sb: NodeSandbox;
  /** What the running firewalld applied for a zone, service or policy: "key: value" lines as a map. */
  const info = async (what: string): Promise<Record<string, string>> => {
    const r = expectOk(await sb.exec(`firewall-cmd ${what}`));
    return Object.fromEntries(
      r.output
        .split("\n")
        .map((line) => /^\s+([a-z-]+):\s?(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2].trim()]),
    );
  };
  const words = (text: string | undefined) => (text ?? "").split(/\s+/).filter(Boolean).sort();
  /** The permanent configuration's files with their contents, to show a run left it alone. */
  const permanentConfig = async () => expectOk(await sb.exec("cd /etc/firewalld && find zones services policies -name '*.xml' | sort | xargs sha256sum")).output;

  /** Pids of the daemons this file starts, ended by pid in afterAll. */
  const daemonPids = (): number[] =>
    ["/run/dbus/pid", "/run/firewalld-sandbox.pid"].filter((f) => sb.exists(f)).map((f) => Number(sb.readFile(f).trim())).filter((pid) => pid > 0);

  beforeAll(async () => {
    sb = await NodeSandbox.create("firewalld", { packages: PACKAGE_LAYERS.firewalld });
    // The real client, not a stand-in.
    fs.rmSync(sb.path("/usr/local/sbin/firewall-cmd"), { force: true });
    await runProcess("unshare", [
      "--net",
      "chroot",
      sb.root,
      "/usr/bin/env",
      "-i",
      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      "bash",
      "-c",
      "mkdir -p /run/dbus && dbus-daemon --system --fork </dev/null >/dev/null 2>&1 && " +
        "{ firewalld --nofork --nopid </dev/null >/var/log/firewalld.log 2>&1 & echo $! >/run/firewalld-sandbox.pid; }",
    ]);
    expectOk(await sb.exec("for i in $(seq 120); do firewall-cmd --state >/dev/null 2>&1 && exit 0; sleep 1; done; cat /var/log/firewalld.log; exit 1"));
    sb.setOs("redos");
    sb.writeFile("/var/lib/sandbox/dnf/available", "firewalld 1.2.5 redos-base\n");
    sb.writeFile("/var/lib/sandbox/selinux-mode", "Enforcing\n");
    sb.writeFile("/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n");
  }, 20 * 60_000);

  afterAll(async () => {
    if (!sb) return;
    for (const pid of daemonPids()) {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
    }
    await sb.dispose();
  });

  it("RedOS example control plane (Calico VXLAN, keepalived): its ports, VRRP, the pod zone and its policies; a second run changes nothing", async () => {
    const spec = stackSpec(REDOS);
    const env = firewallPartEnv(spec, spec.controlPlanes[0].name);
    const r = expectOk(await sb.run("firewall", env));
    const changed = changedLines(r);
    expect(changed.slice(0, 3)).toEqual(["changed: installed firewalld", "changed: enabled firewalld", "changed: started firewalld"]);
    expect(changed).toContain("changed: accepted protocol vrrp");
    expect(changed.filter((l) => l.includes("reloaded"))).toEqual(["changed: reloaded firewalld"]);
    expect(changed).toContain("changed: SELinux boolean haproxy_connect_any on (persistent)");

    // the node's ports and protocols are the service onprem-k8s, exactly the list's, in the default zone
    expect(words((await info("--info-zone=public")).services)).toContain("onprem-k8s");
    const service = await info("--info-service=onprem-k8s");
    expect(words(service.ports)).toEqual(words(env.FIREWALL_PORTS!.replace(/,/g, " ")));
    expect(words(service.ports)).toEqual(expect.arrayContaining(["22/tcp", "8443/tcp", "4789/udp", "5473/tcp", "7946/udp"]));
    expect(words(service.ports)).not.toContain("179/tcp"); // VXLAN: Calico runs no BGP
    expect(words(service.protocols)).toEqual(["vrrp"]);
    expect(changed).toContain("changed: service onprem-k8s in the default zone");

    const pods = await info("--info-zone=k8s-pods");
    expect(pods.target).toBe("ACCEPT");
    expect(words(pods.interfaces)).toEqual(["cali+", "vxlan.calico"]);
    expect(words(pods.sources)).toEqual([spec.kubernetes.podCidr]);
    expect(pods.masquerade).toBe("no");
    const into = await info("--info-policy=k8s-pods-in");
    expect([into.target, into["ingress-zones"], into["egress-zones"]]).toEqual(["ACCEPT", "ANY", "k8s-pods"]);
    const out = await info("--info-policy=k8s-pods-out");
    expect([out.target, out["ingress-zones"], out["egress-zones"]]).toEqual(["ACCEPT", "k8s-pods", "ANY"]);
    expect(sb.exists("/etc/firewalld/zones/k8s-pods.xml")).toBe(true);
    expectOk(await sb.exec("firewall-offline-cmd --check-config"));

    expect((await sb.exec("firewall-cmd --info-policy=k8s-pods-in")).output).toMatch(/^k8s-pods-in \(active\)/m);
    expect((await sb.exec("firewall-cmd --get-active-zones")).output).toMatch(/^k8s-pods$/m);

    const before = await permanentConfig();
    sb.clearCalls();
    expectNoChange(await sb.run("firewall", env));
    expect(await permanentConfig()).toBe(before);
    expect(sb.calls().filter((c) => /setsebool|setenforce/.test(c))).toEqual([]);
    // a site's own port in the zone is left alone: the step owns its service, not the zone
    expectOk(await sb.exec("firewall-cmd --permanent --zone=public --add-port=9100/tcp && firewall-cmd --reload"));
    expectNoChange(await sb.run("firewall", env));
    expect(words((await info("--info-zone=public")).ports)).toEqual(["9100/tcp"]);
  });

  it("packets: a host outside reaches a pod through the node and back; without the policy k8s-pods-in firewalld rejects it, and the step puts it back", async () => {
    const spec = stackSpec(REDOS);
    expect(spec.kubernetes.podCidr).toBe("10.244.0.0/16");
    const podIp = "10.244.1.7";
    const daemon = sb.readFile("/run/firewalld-sandbox.pid").trim();
    const paths = async () =>
      (await runProcess("bash", [path.join(__dirname, "../../test/sandbox/firewall-path.sh"), daemon, sb.root, podIp], { allowFail: true })).stdout.trim().split("\n");
    expect(await paths()).toEqual(["remote->pod: ok", "pod->remote: ok"]);
    expectOk(await sb.exec("firewall-cmd --permanent --delete-policy=k8s-pods-in && firewall-cmd --reload"));
    const [inbound] = await paths();
    expect(inbound).toMatch(/^remote->pod: .*No route to host/); // firewalld's reject (admin prohibited)
    const repaired = changedLines(expectOk(await sb.run("firewall", firewallPartEnv(spec, spec.controlPlanes[0].name))));
    expect(repaired).toEqual(expect.arrayContaining(["changed: created policy k8s-pods-in", "changed: reloaded firewalld"]));
    expect(await paths()).toEqual(["remote->pod: ok", "pod->remote: ok"]);
  });

  it("the NFS server node (a worker) opens 2049/tcp; the other workers do not", async () => {
    const spec = stackSpec(REDOS);
    const nfsNode = spec.addons.storage.nfs!.serverNode!;
    expect(firewallPartEnv(spec, nfsNode).FIREWALL_PORTS).toContain("2049/tcp");
    expect(firewallPartEnv(spec, spec.workers[0].name).FIREWALL_PORTS).not.toContain("2049/tcp");
    expectOk(await sb.run("firewall", firewallPartEnv(spec, nfsNode)));
    expect(words((await info("--info-service=onprem-k8s")).ports)).toContain("2049/tcp");
  });

  it("Calico IP-in-IP: IP protocol 4 and BGP open, VXLAN closes; tunl0 replaces vxlan.calico in the pod zone", async () => {
    const spec = stackSpec(REDOS, (c) => {
      c.addons.cni.mode = "ipip";
      delete c.addons.cni.checksumOffloadWorkaround;
    });
    const env = firewallPartEnv(spec, spec.workers[0].name);
    expect(env.FIREWALL_PROTOCOLS).toBe("ipip");
    const changed = changedLines(expectOk(await sb.run("firewall", env)));
    expect(changed).toEqual(
      expect.arrayContaining([
        "changed: opened 179/tcp",
        "changed: closed 4789/udp",
        "changed: accepted protocol ipip",
        "changed: zone k8s-pods: added interface tunl0",
        "changed: zone k8s-pods: removed interface vxlan.calico",
      ]),
    );
    // exactly the list: the NFS node's 2049 from the run before is closed too
    const service = await info("--info-service=onprem-k8s");
    expect(words(service.ports)).toEqual(words(env.FIREWALL_PORTS!.replace(/,/g, " ")));
    expect(words(service.protocols)).toEqual(["ipip"]);
    expect(words((await info("--info-zone=k8s-pods")).interfaces)).toEqual(["cali+", "tunl0"]);
    expectNoChange(await sb.run("firewall", env));
  });

  it("Cilium Geneve with Hubble: 6081/udp, 4240/tcp and 4244/tcp; Calico's BGP, Typha and IP-in-IP close; the pod zone holds Cilium's interfaces only", async () => {
    const spec = stackSpec(REDOS, (c) => {
      c.addons.cni = { type: "cilium", mode: "geneve", hubble: true };
    });
    const env = firewallPartEnv(spec, spec.workers[0].name);
    expect(env.FIREWALL_PORTS!.split(",")).toEqual(expect.arrayContaining(["4240/tcp", "4244/tcp", "6081/udp"]));
    expect(env.FIREWALL_PORTS).not.toMatch(/8472|4789|179\/|5473/);
    expect(env.FIREWALL_PROTOCOLS).toBeUndefined();
    const changed = changedLines(expectOk(await sb.run("firewall", env)));
    expect(changed).toEqual(expect.arrayContaining(["changed: closed 179/tcp", "changed: closed 5473/tcp", "changed: no longer accepting protocol ipip"]));
    const service = await info("--info-service=onprem-k8s");
    expect(words(service.ports)).toEqual(words(env.FIREWALL_PORTS!.replace(/,/g, " ")));
    expect(words(service.protocols)).toEqual([]);
    expect(words((await info("--info-zone=k8s-pods")).interfaces)).toEqual(["cilium_+", "lxc+"]);
    expectOk(await sb.exec("firewall-offline-cmd --check-config"));
  });

  it("killed between changing the permanent configuration and the reload: the next run reloads, and the port is open in the running firewalld", async () => {
    const spec = stackSpec(REDOS, (c) => {
      c.addons.cni = { type: "cilium", mode: "geneve", hubble: true };
    });
    const env = firewallPartEnv(spec, spec.workers[0].name);
    const withPort = { ...env, FIREWALL_PORTS: `${env.FIREWALL_PORTS},9999/tcp` };
    // The real client behind a wrapper with the stand-ins' kill points (test/sandbox/standins/_state.sh).
    const wrapper = "/usr/local/sbin/firewall-cmd";
    sb.writeFile(wrapper, '#!/bin/bash\n. /usr/local/sbin/_state.sh\nexec /usr/bin/firewall-cmd "$@"\n');
    fs.chmodSync(sb.path(wrapper), 0o755);
    try {
      sb.writeFile("/var/lib/sandbox/kill-point", "firewall-cmd --reload\n");
      const killed = await sb.run("firewall", withPort);
      expect([-1, 137], killed.output).toContain(killed.status);
      expect(changedLines(killed)).toEqual(["changed: opened 9999/tcp"]);
      // Opened in the permanent configuration only: the running firewalld still drops it.
      expect(words((await info("--permanent --info-service=onprem-k8s")).ports)).toContain("9999/tcp");
      expect(words((await info("--info-service=onprem-k8s")).ports)).not.toContain("9999/tcp");

      const again = expectOk(await sb.run("firewall", withPort));
      expect(again.output).toContain("note: an earlier run stopped before it finished: firewalld's reload left for this run");
      expect(changedLines(again)).toEqual(["changed: reloaded firewalld"]);
      expect(words((await info("--info-service=onprem-k8s")).ports)).toContain("9999/tcp");
      expectNoChange(await sb.run("firewall", withPort));
    } finally {
      fs.rmSync(sb.path(wrapper), { force: true });
    }
    expect(changedLines(expectOk(await sb.run("firewall", env)))).toEqual(["changed: closed 9999/tcp", "changed: reloaded firewalld"]);
  });

  it("junk parameters fail naming the parameter before anything changes", async () => {
    const base = firewallEnv({ mode: "firewalld", ports: ["22/tcp"] });
    for (const [key, value, message] of [
      ["FIREWALL_PROTOCOLS", "vrrp;reboot", "FIREWALL_PROTOCOLS: invalid entry 'vrrp;reboot'"],
      ["FIREWALL_POD_INTERFACES", "cali+;reboot", "FIREWALL_POD_INTERFACES: invalid entry 'cali+;reboot'"],
      ["FIREWALL_POD_SOURCES", "10.244.0.0", "FIREWALL_POD_SOURCES: invalid entry '10.244.0.0'"],
      ["SELINUX_MODE", "Enforce", "SELINUX_MODE: invalid value 'Enforce'"],
    ] as const) {
      const before = await permanentConfig();
      const r = await sb.run("firewall", { ...base, [key]: value });
      expect(r.status, key).not.toBe(0);
      expect(r.output).toContain(message);
      expect(changedLines(r)).toEqual([]);
      expect(await permanentConfig()).toBe(before);
    }
    // firewalld itself refuses what it does not know.
    expect((await sb.exec("firewall-cmd --permanent --add-protocol=notaprotocol")).status).not.toBe(0);
  });

  it("disabled stops firewalld once", async () => {
    expect(changedLines(expectOk(await sb.run("firewall", firewallEnv({ mode: "disabled", ports: [] }))))).toEqual(["changed: disabled firewalld"]);
    expectNoChange(await sb.run("firewall", firewallEnv({ mode: "disabled", ports: [] })));
  });
});
