// What the lab's add-on phases (test/engine/day2/addons.ts) do to a running lab cluster: helm (the
// real CLI, tools/helm) from the switch namespace with the plan's charts and values, the add-on
// images imported on every node, the lab's stand-ins for what the CNI chart would do (kube-proxy on
// every node for Cilium's kube-proxy replacement, routes between the nodes' pod ranges for its
// pod network), and HTTP asked from the switch, where the lab's clients are.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { PINNED_CHARTS, type ChartId } from "../../components/addons/charts";
import type { Manifest, ReleasePlan } from "../../components/addons/plan";
import { PINNED_KUBERNETES_VERSION, helmBinary, toolsModule } from "../tools/go-binaries";
import { runProcess, sleep } from "../tools/process";
import { criImageName, labKubeProxyConfig, podNetworkRoutes, renderedImages, type PodRange } from "./addon-checks";
import { imageTarball, labCanBuild } from "./images";
import { IMAGES_IN_NODE, type LabNode } from "./node";
import type { SshHosts } from "./ssh-hosts";

/**
 * Where the lab gets each chart: the charts' own repositories as Go modules (tools/charts pins
 * them; the lab has no way to a Helm repository). `version` is the chart the lab installs; it
 * differs from the plan's pin where the proxy does not serve the pinned release.
 */
export const LAB_CHARTS: Partial<Record<ChartId, { module: string; dir: string; version: string }>> = {
  metallb: { module: "go.universe.tf/metallb", dir: "charts/metallb", version: "0.16.1" },
  traefik: { module: "github.com/traefik/traefik-helm-chart", dir: "traefik", version: "41.6.0" },
};

/** The chart directory of a pinned chart, from the Go module proxy (cached in the module cache). */
export async function labChartDir(chart: ChartId): Promise<string> {
  const source = LAB_CHARTS[chart];
  if (!source) throw new Error(`the lab has no source for chart ${chart} (test/cluster/addons.ts LAB_CHARTS)`);
  const r = await runProcess("go", ["mod", "download", "-json", source.module], { cwd: toolsModule("charts"), allowFail: true, timeoutMs: 300_000 });
  const info = JSON.parse(r.stdout || "{}") as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${source.module} (tools/charts): ${info.Error ?? r.output}`);
  const dir = path.join(info.Dir, source.dir);
  const chartYaml = fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8");
  if (!new RegExp(`^version: ['"]?${source.version.replaceAll(".", "\\.")}['"]?$`, "m").test(chartYaml)) throw new Error(`${dir}: not chart version ${source.version}`);
  return dir;
}

/** How the lab's chart differs from the plan's pin, or undefined when it is the same release. */
export function chartDeviation(chart: ChartId): string | undefined {
  const lab = LAB_CHARTS[chart];
  const pinned = PINNED_CHARTS[chart].version;
  return lab && lab.version !== pinned ? `${chart}: the lab installs chart ${lab.version}; the plan pins ${pinned}, which the Go module proxy does not serve` : undefined;
}

type HttpAnswer = { ok: true; body: string } | { ok: false; error: string };

export class AddonLab {
  private constructor(
    readonly hosts: SshHosts,
    readonly first: LabNode,
    /** The cluster's nodes by name: the lab may run hosts outside the cluster (the day-2 journey's spare hosts). */
    readonly members: string[],
    readonly dir: string,
    private readonly kubeconfig: string,
  ) {}

  /**
   * A working directory with the first control plane's admin kubeconfig, pointed at its own
   * apiserver (the endpoint's name resolves only on the nodes). `members` are the cluster's nodes
   * (all the lab's hosts unless told).
   */
  static async create(hosts: SshHosts, first: LabNode, members: string[] = hosts.hosts.map((h) => h.name)): Promise<AddonLab> {
    const unknown = members.filter((name) => !hosts.hosts.some((h) => h.name === name));
    if (unknown.length > 0) throw new Error(`not hosts of this lab: ${unknown.join(", ")}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "addon-lab-"));
    const admin = await first.exec("cat /etc/kubernetes/admin.conf", { check: true });
    const kubeconfig = path.join(dir, "admin.conf");
    fs.writeFileSync(kubeconfig, admin.stdout.replace(/^(\s*server:\s*).*$/m, `$1https://${first.address}:6443`), { mode: 0o600 });
    return new AddonLab(hosts, first, members, dir, kubeconfig);
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The cluster's nodes with their LabNode. */
  private nodes(): LabNode[] {
    return this.members.map((name) => this.hosts.node(name));
  }

  /** helm in the switch namespace, with a Helm home of this lab's own. */
  async helm(args: string[], timeoutMs = 20 * 60_000): Promise<string> {
    const helm = await helmBinary();
    const home = path.join(this.dir, "helm");
    const env = { ...process.env, HELM_CACHE_HOME: `${home}/cache`, HELM_CONFIG_HOME: `${home}/config`, HELM_DATA_HOME: `${home}/data`, KUBECONFIG: this.kubeconfig };
    const [command, ...rest] = this.hosts.command([helm, ...args]);
    const r = await runProcess(command!, rest, { env, allowFail: true, timeoutMs });
    if (r.status !== 0) throw new Error(`helm ${args.join(" ")} exited ${r.status}\n${r.output.slice(-6000)}`);
    return r.stdout;
  }

  /** The plan's values as the plan writes its artifact (addons/<name>.values.yaml), and the lab's chart directory. */
  private async releaseFiles(release: ReleasePlan): Promise<{ chart: string; values: string }> {
    const values = path.join(this.dir, `${release.name}.values.yaml`);
    fs.writeFileSync(values, stringify(release.values));
    return { chart: await labChartDir(release.chart), values };
  }

  /** `helm template` of a planned release: the objects (and so the images) its chart renders from the plan's values. */
  async template(release: ReleasePlan): Promise<string> {
    const { chart, values } = await this.releaseFiles(release);
    return this.helm(["template", release.name, chart, "--namespace", release.namespace, "--values", values, "--kube-version", PINNED_KUBERNETES_VERSION]);
  }

  /** The images a planned release renders, as CRI names them; fails naming any the lab cannot build. */
  async releaseImages(release: ReleasePlan): Promise<string[]> {
    const images = renderedImages(await this.template(release)).map(criImageName);
    const missing = images.filter((ref) => !labCanBuild(ref));
    if (missing.length > 0) throw new Error(`${release.name} renders images the lab cannot build: ${missing.join(", ")} (test/cluster/images.ts)`);
    return images;
  }

  /** `helm install` as the program's Release does it: the namespace created, wait for workloads and Jobs, atomic, 900 s. */
  async install(release: ReleasePlan): Promise<void> {
    const { chart, values } = await this.releaseFiles(release);
    await this.helm(["install", release.name, chart, "--namespace", release.namespace, "--create-namespace", "--values", values, "--wait", "--wait-for-jobs", "--atomic", "--timeout", "900s"]);
  }

  async uninstall(release: ReleasePlan): Promise<void> {
    await this.helm(["uninstall", release.name, "--namespace", release.namespace, "--wait", "--timeout", "300s"]);
  }

  /** kubectl on the first control plane (its admin.conf); throws with the output when it fails. */
  async kubectl(args: string, input?: string): Promise<string> {
    const r = await this.first.exec(`kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=60s ${args}`, { input });
    if (r.status !== 0) throw new Error(`on ${this.first.name}: kubectl ${args} exited ${r.status}\n${r.output}`);
    return r.stdout;
  }

  /** kubectl apply of manifests (a YAML stream), as the program's ConfigGroup applies its objects. */
  apply(manifests: Manifest[], flags = ""): Promise<string> {
    return this.kubectl(`apply ${flags} -f -`.replace(/\s+/g, " "), manifests.map((m) => `---\n${stringify(m)}`).join(""));
  }

  delete(manifests: Manifest[]): Promise<string> {
    return this.kubectl("delete --ignore-not-found --wait=true -f -", manifests.map((m) => `---\n${stringify(m)}`).join(""));
  }

  /** Writes each image's tarball (building its binary on first use) and imports it into every cluster node's containerd. */
  async importImages(refs: string[]): Promise<void> {
    for (const ref of refs) {
      const tarball = await imageTarball(ref);
      for (const node of this.nodes()) await node.exec(`ctr -n k8s.io images import ${IMAGES_IN_NODE}/${path.basename(tarball)}`, { check: true, timeoutMs: 5 * 60_000 });
    }
  }

  /** Each cluster node's pod range, from the lab's CNI config on the node. */
  async podRanges(): Promise<PodRange[]> {
    const ranges: PodRange[] = [];
    for (const host of this.hosts.hosts.filter((h) => this.members.includes(h.name))) {
      const conf = await this.hosts.node(host.name).exec("cat /etc/cni/net.d/10-onprem-lab.conflist", { check: true });
      const subnet = (JSON.parse(conf.stdout) as { plugins: { ipam?: { ranges?: { subnet: string }[][] } }[] }).plugins[0]?.ipam?.ranges?.[0]?.[0]?.subnet;
      if (!subnet) throw new Error(`${host.name}: no pod range in its CNI config`);
      ranges.push({ name: host.name, address: host.address, podSubnet: subnet });
    }
    return ranges;
  }

  /** Routes between the nodes' pod ranges (addon-checks.ts podNetworkRoutes); `remove` takes them away again. */
  async podRoutes(action: "add" | "remove"): Promise<void> {
    const routes = podNetworkRoutes(await this.podRanges());
    for (const [name, list] of Object.entries(routes)) {
      const script = list.map((r) => (action === "add" ? `ip route replace ${r.subnet} via ${r.via}` : `{ ip route del ${r.subnet} || true; }`)).join(" && ");
      if (script) await this.hosts.node(name).exec(script, { check: true });
    }
  }

  /**
   * Starts the lab's kube-proxy on every cluster node: the pinned kube-proxy out of the lab's own image,
   * run by the node's iptables (the image has none), with the admin kubeconfig.
   */
  async startKubeProxy(clusterCidr: string): Promise<void> {
    const tarball = path.basename(await imageTarball(`registry.k8s.io/kube-proxy:${PINNED_KUBERNETES_VERSION}`));
    const admin = (await this.first.exec("cat /etc/kubernetes/admin.conf", { check: true })).stdout;
    for (const node of this.nodes()) {
      const extract = [
        "set -euo pipefail",
        'work="$(mktemp -d)"',
        `tar -xf ${IMAGES_IN_NODE}/${tarball} -C "$work"`,
        'for blob in "$work"/blobs/sha256/*; do if tar -tf "$blob" 2>/dev/null | grep -qx usr/local/bin/kube-proxy; then tar -xf "$blob" -C "$work" usr/local/bin/kube-proxy; fi; done',
        'install -m 0755 "$work/usr/local/bin/kube-proxy" /usr/local/bin/lab-kube-proxy',
        'rm -rf "$work"',
      ].join("\n");
      await node.exec(extract, { check: true, timeoutMs: 5 * 60_000 });
      await node.exec("umask 077 && cat > /etc/kubernetes/lab-kube-proxy.conf", { input: admin, check: true });
      await node.exec("cat > /etc/kubernetes/lab-kube-proxy.yaml", { input: labKubeProxyConfig({ nodeName: node.name, kubeconfig: "/etc/kubernetes/lab-kube-proxy.conf", clusterCidr }), check: true });
      // `;`, not `&&`: `a && b &` backgrounds a subshell that keeps the exec's output open and waits
      // for kube-proxy, so the exec never ends.
      await node.exec(
        "mkdir -p /var/log/onprem-lab; setsid /usr/local/bin/lab-kube-proxy --config=/etc/kubernetes/lab-kube-proxy.yaml >/var/log/onprem-lab/kube-proxy.log 2>&1 </dev/null & echo $! >/run/lab-kube-proxy.pid",
        { check: true },
      );
    }
    for (const node of this.nodes()) {
      try {
        await node.waitFor("kube-proxy's Service rules", "iptables -t nat -S KUBE-SERVICES 2>/dev/null | grep -q KUBE-SVC-", 120);
      } catch (err) {
        const log = await node.exec("tail -n 40 /var/log/onprem-lab/kube-proxy.log");
        throw new Error(`${(err as Error).message}\n--- ${node.name} kube-proxy ---\n${log.stdout}`);
      }
    }
  }

  /** Stops the lab's kube-proxy and removes its rules (kube-proxy --cleanup). */
  async stopKubeProxy(): Promise<void> {
    for (const node of this.nodes()) {
      await node.exec(
        "if [ -f /run/lab-kube-proxy.pid ]; then kill \"$(cat /run/lab-kube-proxy.pid)\" 2>/dev/null || true; rm -f /run/lab-kube-proxy.pid; fi; " +
          "sleep 1; /usr/local/bin/lab-kube-proxy --cleanup >/dev/null 2>&1 || true; rm -f /etc/kubernetes/lab-kube-proxy.conf /etc/kubernetes/lab-kube-proxy.yaml",
        { check: true },
      );
    }
  }

  /** The LoadBalancer address MetalLB gave a Service, waiting up to `seconds` for one. */
  async loadBalancerAddress(namespace: string, name: string, seconds = 60, not?: string): Promise<string | undefined> {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const ip = (await this.kubectl(`-n ${namespace} get service ${name} -o jsonpath='{.status.loadBalancer.ingress[0].ip}'`)).trim();
      if (ip && ip !== not) return ip;
      await sleep(1000);
    }
    return undefined;
  }

  /** One HTTP request from the switch namespace (the lab's client side), with a Host header when given. */
  async httpFromSwitch(url: string, host?: string): Promise<HttpAnswer> {
    const argv = this.hosts.command(["curl", "-sS", "--max-time", "5", ...(host ? ["-H", `Host: ${host}`] : []), url]);
    const r = await runProcess(argv[0]!, argv.slice(1), { allowFail: true, timeoutMs: 15_000 });
    return r.status === 0 ? { ok: true, body: r.stdout } : { ok: false, error: r.stderr || `curl exited ${r.status}` };
  }

  /** Asks until an answer satisfies `accept` or `seconds` pass (ARP and endpoints settle); returns the last answer. */
  async httpUntil(url: string, accept: (a: HttpAnswer) => boolean, seconds: number, host?: string): Promise<HttpAnswer> {
    const deadline = Date.now() + seconds * 1000;
    let last = await this.httpFromSwitch(url, host);
    while (!accept(last) && Date.now() < deadline) {
      await sleep(1000);
      last = await this.httpFromSwitch(url, host);
    }
    return last;
  }
}
