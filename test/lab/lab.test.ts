// The lab (test/lab/lab.ts) without Pulumi: its hosts answer over real SSH on their own addresses
// from the lab namespace, run the program's node preparation for the lab's stack config exactly
// as the remote.Command would (its command line, its stdin) with packages from the lab's mirror,
// and leave nothing behind.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleScript, remoteCommandLine, scriptStdin } from "../../components/node/bundle";
import { preparationParts } from "../../components/node/parts";
import { reachableCommandLine, reachableScript } from "../../components/machines/reachable";
import { CLUSTER_KEY } from "../../stacks/config-keys";
import { validateCluster } from "../../stacks/validate";
import { changedLines, expectOk } from "../sandbox/expect-run";
import { sandboxGate } from "../sandbox/node-sandbox";
import { runProcess, sleep } from "../tools/process";
import { namespacePids, namespacesWithPrefix } from "./network";
import { Lab, cleanStaleLabs, labUnavailableReason, leftoversOf, processRunning } from "./lab";
import { labSpec, renderLabStack } from "./stack-config";

const gate = sandboxGate(labUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe("lab availability", () => {
  it.runIf(gate.failure !== undefined)("is available (required under CI)", () => {
    throw new Error(gate.failure);
  });
});

describe.runIf(gate.run)("a lab of two existing hosts", () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.create({ label: "labtest", controlPlanes: ["k8s-master"], workers: ["k8s-node1"] });
  }, 5 * 60_000);

  afterAll(() => lab?.dispose());

  it("each host answers over SSH as root, on its own address, with its own name and host key", async () => {
    for (const host of lab.hosts) {
      const r = expectOk(await lab.exec(host.name, "id -un; hostname; ip -4 -o address show eth0; ip route show default"));
      const [user, name, address, route] = r.output.trim().split("\n");
      expect(user).toBe("root");
      expect(name).toBe(host.name);
      expect(address).toContain(`inet ${host.address}/24`);
      expect(route).toContain(`default via ${lab.gateway} dev eth0`);
    }
    const hostKeys = lab.hosts.map((h) => h.host.readFile("/etc/ssh/ssh_host_ed25519_key.pub").split(" ")[1]);
    expect(new Set(hostKeys).size).toBe(lab.hosts.length);
    // The lab's key only: another key is refused.
    const otherKey = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lab-key-")), "id");
    await runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
    const argv = lab.sshArgv("k8s-master", "true").map((arg) => (arg === lab.privateKeyFile ? otherKey : arg));
    expect((await lab.runInLab(argv, { allowFail: true })).status).toBe(255);
    fs.rmSync(path.dirname(otherKey), { recursive: true });
  });

  it("keeps the network inside the lab: the bridge, veths and routes are in the lab's namespaces only", async () => {
    const rootLinks = (await runProcess("ip", ["-o", "link"])).stdout;
    expect(rootLinks).not.toMatch(/br-lab|vh\d/);
    const labRoutes = (await lab.runInLab(["ip", "-4", "route"])).stdout.trim().split("\n");
    expect(labRoutes).toEqual([expect.stringMatching(/^10\.250\.0\.0\/24 dev br-lab /)]);
    const vip = (await lab.runInLab(["ip", "-4", "-o", "address", "show", "br-lab"])).stdout;
    expect(vip).toContain(`inet ${lab.vip}/32`);
  });

  it("renders a stack config from the example with the lab's hosts, root with the lab's key and the lab's mirror", () => {
    const file = parse(renderLabStack(lab)) as { config: Record<string, any> };
    const cluster = file.config[CLUSTER_KEY];
    const result = validateCluster(cluster, { secretsPresent: new Set(["sshPrivateKey"]), planMode: false });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(cluster).toMatchObject({
      platform: { type: "existing" },
      network: { subnet: "10.250.0.0/24", gateway: "10.250.0.1", interface: "eth0" },
      controlPlane: { names: ["k8s-master"], addresses: ["10.250.0.100"] },
      workerPools: [{ name: "node", names: ["k8s-node1"], addresses: ["10.250.0.101"] }],
      endpoint: { mode: "external", vip: "10.250.0.99", port: 6443 },
      kubernetes: { version: lab.kubernetesVersion, packageRepository: "http://10.250.0.1/k8s" },
      ssh: { user: "root", port: 22, authorizedKeys: [lab.publicKey] },
    });
  });

  it("runs the stack's reachable step and node preparation on k8s-master over SSH as the remote.Command would", async () => {
    const spec = labSpec(lab);
    const node = spec.nodes.find((n) => n.name === "k8s-master")!;
    // The existing host's ready step (components/machines/existing.ts), then its preparation chain.
    const reachable = expectOk(await lab.exec(node.name, reachableCommandLine(node.name), reachableScript()));
    expect(reachable.output).toContain("reachable: k8s-master answers over SSH as root on k8s-master");
    const commandLine = remoteCommandLine(spec.ssh.user);
    expect(commandLine).toBe("bash -s");
    const parts = preparationParts(spec, node, { waitForCloudInit: false });
    expect(parts.map((p) => p.part)).toEqual(["base", "proxy", "containerd", "kubernetes-packages", "images"]);
    const host = lab.host("k8s-master").host;
    host.clearCalls();
    for (const { part, env } of parts) {
      const r = await lab.exec(node.name, commandLine, scriptStdin(bundleScript(part), env));
      expect(r.status, `${part}:\n${r.output}`).toBe(0);
      if (part === "kubernetes-packages") expect(changedLines(r)).toContain("changed: installed kubeadm=1.34.4-1.1 kubelet=1.34.4-1.1 kubectl=1.34.4-1.1");
    }
    // Packages from the lab's mirror, its key fetched over HTTP by the script itself.
    const installed = (await lab.exec(node.name, "dpkg-query -W -f='${Package}=${Version}\\n' kubeadm kubelet kubectl cri-tools")).output.trim().split("\n");
    expect(installed).toEqual(["cri-tools=1.34.0-1.1", "kubeadm=1.34.4-1.1", "kubectl=1.34.4-1.1", "kubelet=1.34.4-1.1"]);
    expect(host.readFile("/etc/apt/sources.list.d/kubernetes.list")).toContain("http://10.250.0.1/k8s/core:/stable:/v1.34/deb/ /");
    expect(host.readFile("/etc/apt/keyrings/kubernetes-apt-keyring.asc")).toBe(lab.mirror!.repoKey);
    expect(fs.readFileSync(lab.mirror!.log, "utf8")).toMatch(/GET \/k8s\/core:\/stable:\/v1\.34\/deb\/Release\.key 200/);
    // Kernel and services as the stand-ins recorded them. The host's kernel already provides overlay
    // and the bridge netfilter (the sandbox tests require it), so nothing is modprobed.
    const calls = host.calls();
    expect(calls).toEqual(expect.arrayContaining(["sysctl -q -w net.ipv4.ip_forward=1", "systemctl start containerd", "systemctl enable kubelet"]));
    expect(calls.filter((c) => c.startsWith("modprobe"))).toEqual([]);
    expect(host.readFile("/etc/sysctl.d/99-kubernetes.conf")).toContain("net.ipv4.ip_forward = 1");
    expect(host.readFile("/etc/hosts")).toMatch(/10\.250\.0\.100 k8s-master\n10\.250\.0\.101 k8s-node1\n/);
    expect(host.readFile("/etc/containerd/config.toml")).toMatch(/SystemdCgroup = true/);
  });

  it("dispose stops sshd and the mirror and removes namespaces, veths, bridge, mounts and sandboxes", async () => {
    await lab.dispose();
    expect(lab.leftovers()).toEqual([]);
    expect(namespacesWithPrefix(lab.ns)).toEqual([]);
  });
});

describe.runIf(gate.run)("stale labs", () => {
  it("a lab whose test process was killed is removed by the next run: processes, namespaces, mounts, sandboxes", async () => {
    // A test process holding a lab, killed without its dispose (a crashed or timed-out run).
    const code = `require("./test/lab/lab").Lab.create({ label: "stale", controlPlanes: ["k8s-master"], workers: [] }).then((lab) => {
      console.log(JSON.stringify([lab.ns, ...lab.hosts.map((h) => h.ns)]));
      setInterval(() => {}, 60_000);
    });`;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", code], { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    for (let waited = 0; !output.includes("]") && child.exitCode === null && waited < 120_000; waited += 200) await sleep(200);
    const line = output.split("\n").find((l) => l.startsWith("["));
    if (!line) throw new Error(`the child's lab did not come up:\n${output}`);
    const namespaces = JSON.parse(line) as string[];
    expect(namespaces).toHaveLength(2);
    const processes = (await Promise.all(namespaces.map(namespacePids))).flat();
    expect(processes.length, "sshd and the mirror").toBeGreaterThanOrEqual(2);
    child.kill("SIGKILL");
    await exited;
    expect(leftoversOf(child.pid!)).not.toEqual([]);

    await cleanStaleLabs();
    expect(leftoversOf(child.pid!)).toEqual([]);
    for (let i = 0; i < 20 && processes.some(processRunning); i++) await sleep(100);
    expect(processes.filter(processRunning)).toEqual([]);
  }, 180_000);
});
