// keepalived-haproxy.sh run for real, as the program ships it (the planned step's command line and
// stdin for the Proxmox keepalived example), in a Debian sandbox: the real haproxy, keepalived and
// curl packages come from the Debian mirror (their .debs cached between runs), the real
// `haproxy -c` judges the config, systemctl is the node sandbox's recording stand-in.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, REPO_ROOT, resourceNamed, type PlanResult } from "../../test/harness";
import { sandboxGate, sandboxUnavailableReason } from "../../test/sandbox/node-sandbox";
import { changedLines, expectOk } from "../../test/sandbox/expect-run";
import { TestCluster, keepAptArchives, seedAptArchives, type ControlPlaneHost } from "../../test/sandbox/control-plane";
import { readStackFile } from "../../stacks/stack-file";
import { formatProblems, validateCluster } from "../../stacks/validate";
import { runProcess } from "../../test/tools/process";
import { stepStdin } from "./bundles";
import { checkApiserverScript, CLUSTER_CA_FILE, controlPlaneEndpointConfigs } from "./configs";
import { renderHaproxyConfig } from "./haproxy";
import { DEFAULT_SCRIPT_USER } from "./keepalived";

const EXAMPLE = "examples/proxmox-keepalived-calico-nfs.yaml";
const COMMAND = "command:remote:Command";


/** A real CA certificate, as pki.sh places it before this step (haproxy -c loads the ca-file). */
async function realCaCertificate(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ca-"));
  const r = await runProcess("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=kubernetes", "-days", "1", "-keyout", path.join(dir, "ca.key"), "-out", path.join(dir, "ca.crt")], { allowFail: true });
  expect(r.status, r.stderr).toBe(0);
  const pem = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
  fs.rmSync(dir, { recursive: true });
  return pem;
}

const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe.runIf(gate.run)("keepalived-haproxy.sh in a Debian sandbox (Proxmox keepalived example as planned)", () => {
  let plan: PlanResult;
  let cluster: TestCluster;
  let host: ControlPlaneHost;
  let stepName: string;
  let commandLine: string;
  let stdin: string;
  let env: Record<string, string>;
  let frontendPort: number;

  beforeAll(async () => {
    plan = await planStack(EXAMPLE);
    const file = readStackFile(EXAMPLE, REPO_ROOT);
    const result = validateCluster(file.cluster, { secretsPresent: new Set(), planMode: true });
    if (!result.ok) throw new Error(formatProblems(result.problems));
    const spec = result.spec;
    frontendPort = spec.apiEndpoint.port;
    const first = spec.controlPlanes[0]!;
    stepName = `${first.name}-endpoint`;
    const step = resourceNamed(plan, COMMAND, stepName);
    commandLine = String(step.inputs.create);
    stdin = String(step.inputs.stdin);
    // The step's parameters rebuilt from the program's own helpers (checked against the plan
    // below), so a test can change one of them.
    const config = controlPlaneEndpointConfigs(spec).find((c) => c.node === first.name)!;
    const password = /(?:^|; )export KEEPALIVED_AUTH_PASS=([A-Za-z0-9]+);/.exec(stdin)![1]!;
    env = { NODE_NAME: first.name, HAPROXY_CONFIG: config.haproxy!, KEEPALIVED_CONFIG: config.keepalived!, CHECK_SCRIPT: checkApiserverScript(), SCRIPT_USER: DEFAULT_SCRIPT_USER, KEEPALIVED_AUTH_PASS: password };
    cluster = new TestCluster("endpoint");
    host = await cluster.host(first.name, first.address, { standins: ["sudo"], network: true });
    host.sandbox.writeFile(CLUSTER_CA_FILE, await realCaCertificate());
    seedAptArchives(host);
  }, 20 * 60_000);

  afterAll(async () => {
    if (host) keepAptArchives(host);
    await cluster?.dispose();
  });

  it("is fed exactly what the program plans (stdin rebuilt from the helpers is the planned one)", () => {
    expect(commandLine).toBe("sudo -n bash -s");
    expect(stepStdin("keepalived-haproxy", env)).toBe(stdin);
  });

  it("installs the packages, writes both configs (haproxy -c passes), creates the check user and starts both services", async () => {
    host.clearCalls();
    const r = expectOk(await host.run(commandLine, stdin));
    expect(changedLines(r)).toEqual([
      "changed: installed haproxy keepalived curl",
      `changed: created system user ${DEFAULT_SCRIPT_USER} (runs keepalived's check script)`,
      "changed: wrote /etc/haproxy/haproxy.cfg",
      "changed: wrote /etc/keepalived/check-apiserver.sh",
      "changed: wrote /etc/keepalived/keepalived.conf",
      "changed: enabled haproxy",
      "changed: started haproxy",
      "changed: enabled keepalived",
      "changed: started keepalived",
    ]);
    expect((await host.sandbox.exec("dpkg-query -W -f='${Status}\\n' haproxy keepalived curl")).output).toBe("install ok installed\n".repeat(3));
    expect(host.readFile("/etc/haproxy/haproxy.cfg")).toBe(`${env.HAPROXY_CONFIG!.trimEnd()}\n`);
    // the real haproxy accepts what was placed (keepalived -t needs the node's NIC, which this
    // host lacks: program-artifacts.test.ts runs it on the rendered config with the NIC swapped)
    expect(await host.sandbox.exec("haproxy -c -f /etc/haproxy/haproxy.cfg")).toMatchObject({ status: 0 });
    const keepalived = host.readFile("/etc/keepalived/keepalived.conf");
    expect(keepalived).toContain(`auth_pass ${env.KEEPALIVED_AUTH_PASS}`);
    expect(keepalived).not.toContain("${KEEPALIVED_AUTH_PASS}");
    expect((await host.sandbox.exec("stat -c %a /etc/keepalived/keepalived.conf /etc/keepalived/check-apiserver.sh")).output).toBe("600\n755\n");
    expect((await host.sandbox.exec(`getent passwd ${DEFAULT_SCRIPT_USER}`)).output).toMatch(new RegExp(`^${DEFAULT_SCRIPT_USER}:x:\\d{3}:\\d+::[^:]*:/usr/sbin/nologin\\n$`));
    // started once each, never restarted on a first install
    expect(host.calls("systemctl").filter((c) => / (start|restart) /.test(` ${c} `))).toEqual(["systemctl start haproxy", "systemctl start keepalived"]);
    // the check script keepalived runs fails while no apiserver answers through haproxy
    expect((await host.sandbox.exec(`/etc/keepalived/check-apiserver.sh ${frontendPort}`)).status).not.toBe(0);
  });

  it("changes nothing and restarts nothing on a second run", async () => {
    host.clearCalls();
    const r = expectOk(await host.run(commandLine, stdin));
    expect(changedLines(r)).toEqual([]);
    expect(r.output).toMatch(/^no changes: keepalived-haproxy/m);
    expect(host.calls("systemctl").filter((c) => /\b(start|restart)\b/.test(c))).toEqual([]);
  });

  it("reloads only haproxy when only haproxy.cfg changed (a control plane added: its backend)", async () => {
    const haproxy = renderHaproxyConfig({
      frontendPort,
      backends: [...haproxyBackends(env.HAPROXY_CONFIG!), { name: "added-cp", address: "10.0.20.120" }],
      healthCheckCaFile: CLUSTER_CA_FILE,
    });
    host.clearCalls();
    const r = expectOk(await host.run(commandLine, stepStdin("keepalived-haproxy", { ...env, HAPROXY_CONFIG: haproxy })));
    expect(changedLines(r)).toEqual(["changed: wrote /etc/haproxy/haproxy.cfg", "changed: reloaded haproxy (configuration changed)"]);
    // a reload keeps haproxy's socket and connections: never a restart (every node runs this step at once)
    expect(host.calls("systemctl").filter((c) => /\b(start|restart|reload-or-restart)\b/.test(c))).toEqual(["systemctl reload-or-restart haproxy"]);
    expectOk(await host.run(commandLine, stdin));
  });

  it("reloads keepalived, not restarts it, when its peers change (a control plane added or removed)", async () => {
    const file = readStackFile(EXAMPLE, REPO_ROOT);
    const grown = structuredClone(file.cluster) as any;
    grown.controlPlane.names = [...grown.controlPlane.names, "k8s-master-4", "k8s-master-5"];
    grown.controlPlane.addresses = [...grown.controlPlane.addresses, "10.0.20.112", "10.0.20.113"];
    const result = validateCluster(grown, { secretsPresent: new Set(), planMode: true });
    if (!result.ok) throw new Error(formatProblems(result.problems));
    const config = controlPlaneEndpointConfigs(result.spec).find((c) => c.node === env.NODE_NAME)!;
    expect(config.keepalived).toContain("10.0.20.113");
    host.clearCalls();
    const r = expectOk(await host.run(commandLine, stepStdin("keepalived-haproxy", { ...env, HAPROXY_CONFIG: config.haproxy!, KEEPALIVED_CONFIG: config.keepalived! })));
    expect(changedLines(r)).toEqual([
      "changed: wrote /etc/haproxy/haproxy.cfg",
      "changed: wrote /etc/keepalived/keepalived.conf",
      "changed: reloaded haproxy (configuration changed)",
      "changed: reloaded keepalived (configuration changed)",
    ]);
    expect(host.readFile("/etc/keepalived/keepalived.conf")).toMatch(/unicast_peer \{\n(\s+10\.0\.20\.\d+\n){4}\s+\}/);
    expect(host.calls("systemctl").filter((c) => /\b(start|restart|reload-or-restart)\b/.test(c))).toEqual(["systemctl reload-or-restart haproxy", "systemctl reload-or-restart keepalived"]);
    expectOk(await host.run(commandLine, stdin));
  });

  it("killed between writing haproxy.cfg and restarting haproxy: the next run restarts it (the file is already as wanted)", async () => {
    const haproxy = renderHaproxyConfig({
      frontendPort,
      backends: [...haproxyBackends(env.HAPROXY_CONFIG!), { name: "added-cp", address: "10.0.20.120" }],
      healthCheckCaFile: CLUSTER_CA_FILE,
    });
    const changedStdin = stepStdin("keepalived-haproxy", { ...env, HAPROXY_CONFIG: haproxy });
    host.killAt("systemctl reload-or-restart haproxy");
    const killed = await host.run(commandLine, changedStdin);
    expect([-1, 137], killed.output).toContain(killed.status);
    expect(host.readFile("/etc/haproxy/haproxy.cfg")).toContain("10.0.20.120");

    host.clearCalls();
    const again = expectOk(await host.run(commandLine, changedStdin));
    expect(again.output).toContain("note: an earlier run stopped before it finished: the restart of haproxy left for this run");
    expect(changedLines(again)).toEqual(["changed: reloaded haproxy (configuration changed)"]);
    expect(host.calls("systemctl").filter((c) => /\b(start|restart)\b/.test(c))).toEqual(["systemctl reload-or-restart haproxy"]);
    expectOk(await host.run(commandLine, stdin));
  });

  it("refuses a haproxy.cfg that haproxy -c rejects, leaving the running one in place", async () => {
    const before = host.readFile("/etc/haproxy/haproxy.cfg");
    host.clearCalls();
    const r = await host.run(commandLine, stepStdin("keepalived-haproxy", { ...env, HAPROXY_CONFIG: `${env.HAPROXY_CONFIG}\nbackend broken\n    server x 10.0.0.1:6443 check nonsense-keyword\n` }));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`error: the rendered haproxy.cfg is rejected by haproxy -c on ${env.NODE_NAME}`);
    expect(r.output).toMatch(/nonsense-keyword/);
    expect(host.readFile("/etc/haproxy/haproxy.cfg")).toBe(before);
    expect(host.calls("systemctl").filter((c) => /\b(start|restart)\b/.test(c))).toEqual([]);
  });

  it("turns haproxy_connect_any on where SELinux enforces, once", async () => {
    host.sandbox.writeFile("/var/lib/sandbox/selinux-mode", "Enforcing\n");
    const r = expectOk(await host.run(commandLine, stdin));
    expect(changedLines(r)).toEqual(["changed: SELinux boolean haproxy_connect_any on (persistent): haproxy may bind its API port"]);
    expect(host.calls("setsebool")).toEqual(["setsebool -P haproxy_connect_any 1"]);
    expect(changedLines(expectOk(await host.run(commandLine, stdin)))).toEqual([]);
  });
});

/** The backends of a rendered haproxy.cfg ("server <name> <address>:<port>" lines). */
function haproxyBackends(config: string): { name: string; address: string }[] {
  return [...config.matchAll(/^\s*server (\S+) ([\d.]+):\d+/gm)].map((m) => ({ name: m[1]!, address: m[2]! }));
}
