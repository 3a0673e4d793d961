// The images step (scripts/images.sh) in the Debian sandbox, shipped as the program ships it, with
// stand-ins for kubeadm's image list and crictl (test/sandbox/standins-images); and node
// preparation's second run on a prepared node (a template that already has the packages and
// images), timed: every part only looks.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeSandbox, sandboxGate, sandboxUnavailableReason } from "../../test/sandbox/node-sandbox";
import { changedLines, expectNoChange, expectOk } from "../../test/sandbox/expect-run";
import { baseEnv, containerdEnv, imagesEnv, kubernetesPackagesEnv, kubernetesRepoUrl, proxyEnv } from "./params";
import type { NodeScript } from "./bundle";

const IMAGES_STANDINS = path.join(__dirname, "../../test/sandbox/standins-images");
const gate = sandboxGate(sandboxUnavailableReason());
if (gate.warning) console.warn(gate.warning);

describe("images env", () => {
  it("passes the version, mirror, role and kube-proxy; refuses what the script could not use", () => {
    expect(imagesEnv({ kubernetesVersion: "1.34.4", imageRepository: "registry.corp.example:5000/k8s", role: "control-plane", kubeProxy: false })).toEqual({
      IMAGES_KUBERNETES_VERSION: "1.34.4",
      IMAGES_REPOSITORY: "registry.corp.example:5000/k8s",
      IMAGES_ROLE: "control-plane",
      IMAGES_KUBE_PROXY: "false",
    });
    expect(imagesEnv({ kubernetesVersion: "1.34.4", role: "worker", kubeProxy: true, extraImages: ["quay.io/cilium/cilium:v1.18.4", "docker.io/x/y:1"] }).IMAGES_EXTRA).toBe("quay.io/cilium/cilium:v1.18.4 docker.io/x/y:1");
    expect(() => imagesEnv({ kubernetesVersion: "1.34", role: "worker", kubeProxy: true })).toThrow(/not <major>.<minor>.<patch>/);
    expect(() => imagesEnv({ kubernetesVersion: "1.34.4", role: "worker", kubeProxy: true, extraImages: ["a b"] })).toThrow(/no whitespace/);
  });
});

describe.runIf(gate.run)("the images step in a Debian sandbox", () => {
  let sb: NodeSandbox;
  const pulls = () => sb.calls().filter((c) => c.startsWith("crictl") && / pull /.test(c)).map((c) => c.split(" ").at(-1));

  beforeAll(async () => {
    sb = await NodeSandbox.create("images", { standins: [IMAGES_STANDINS] });
  }, 20 * 60_000);

  afterAll(() => sb?.dispose());

  it("a control plane pulls kubeadm's images from the mirror (no kube-proxy where Cilium replaces it); a second run pulls nothing", async () => {
    const env = imagesEnv({ kubernetesVersion: "1.34.4", imageRepository: "mirror.corp.example/k8s", role: "control-plane", kubeProxy: false });
    sb.clearCalls();
    const first = expectOk(await sb.run("images", env));
    const expected = ["kube-apiserver:v1.34.4", "kube-controller-manager:v1.34.4", "kube-scheduler:v1.34.4", "coredns:v1.12.1", "pause:3.10.1", "etcd:3.6.5-0"].map((i) => `mirror.corp.example/k8s/${i}`);
    expect(changedLines(first)).toEqual(expected.map((i) => `changed: pulled ${i}`));
    expect(pulls()).toEqual(expected);
    expect(sb.calls()).toContain("kubeadm config images list --kubernetes-version v1.34.4 --image-repository mirror.corp.example/k8s");
    sb.clearCalls();
    const again = await sb.run("images", env);
    expectNoChange(again);
    expect(again.output).toContain("ok: 6 of 6 images already present");
    expect(pulls()).toEqual([]);
  });

  it("a worker pulls the pause image only; kube-proxy's comes with its DaemonSet", async () => {
    sb.clearCalls();
    const r = expectOk(await sb.run("images", imagesEnv({ kubernetesVersion: "1.34.4", role: "worker", kubeProxy: true })));
    expect(changedLines(r)).toEqual(["changed: pulled registry.k8s.io/pause:3.10.1"]);
  });

  it("retries a registry that fails now and then, and pulls the images it names besides kubeadm's", async () => {
    sb.writeFile("/var/lib/sandbox/crictl/fail-pull", "2");
    const env = { ...imagesEnv({ kubernetesVersion: "1.34.4", role: "worker", kubeProxy: true, extraImages: ["quay.io/cilium/cilium:v1.18.4"] }), IMAGES_RETRY_DELAY_SECONDS: "0" };
    const r = expectOk(await sb.run("images", env));
    expect(r.output).toContain("attempt 1/5 failed, retrying in 0s: pull_image");
    expect(r.output).toContain("attempt 2/5 failed, retrying in 0s: pull_image");
    expect(changedLines(r)).toEqual(["changed: pulled quay.io/cilium/cilium:v1.18.4"]);
  });

  it("an unreachable registry fails after bounded retries, naming the image and crictl's error", async () => {
    sb.writeFile("/var/lib/sandbox/crictl/fail-pull", "always");
    const env = { ...imagesEnv({ kubernetesVersion: "1.34.4", imageRepository: "unreachable.example/k8s", role: "worker", kubeProxy: true }), IMAGES_RETRIES: "2", IMAGES_RETRY_DELAY_SECONDS: "0" };
    const r = await sb.run("images", env);
    fs.rmSync(sb.path("/var/lib/sandbox/crictl/fail-pull"));
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("could not pull unreachable.example/k8s/pause:3.10.1 after 2 attempts");
    expect(r.output).toContain("=== nodeprep diagnostics: images failed ===");
    expect(r.output).toContain("dial tcp: i/o timeout");
  });

  it("refuses a version or role it cannot use, before pulling anything", async () => {
    const r = await sb.run("images", { IMAGES_KUBERNETES_VERSION: "1.34", IMAGES_ROLE: "worker" });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("IMAGES_KUBERNETES_VERSION: invalid value '1.34'");
    const role = await sb.run("images", { IMAGES_KUBERNETES_VERSION: "1.34.4", IMAGES_ROLE: "etcd" });
    expect(role.output).toContain("IMAGES_ROLE: invalid value 'etcd'");
  });

  it("a prepared node (a template with the packages and images) prepares again as a quick no-op that needs no repository", async () => {
    fs.copyFileSync(path.join(__dirname, "../../test/sandbox/build-k8s-repo.sh"), sb.path("/tmp/build-k8s-repo.sh"));
    expectOk(await sb.exec("bash /tmp/build-k8s-repo.sh /srv/k8s-mirror"));
    const repoKey = sb.readFile("/srv/k8s-mirror/key.asc");
    const chain: [NodeScript, Record<string, string>][] = [
      ["base", baseEnv({ hostname: "cp-1", hosts: [{ ip: "10.0.0.11", names: ["cp-1"] }] })],
      ["proxy", proxyEnv({ mode: "absent" })],
      ["containerd", containerdEnv({ sandboxImage: "registry.k8s.io/pause:3.10.1" })],
      ["kubernetes-packages", kubernetesPackagesEnv({ version: "1.30.1", repoUrl: kubernetesRepoUrl("apt", "1.30", "file:///srv/k8s-mirror"), repoKey, repoRetries: 2, repoRetryDelaySeconds: 0 })],
      ["images", imagesEnv({ kubernetesVersion: "1.34.4", role: "control-plane", kubeProxy: false })],
    ];
    const timed = async () => {
      const seconds: Record<string, number> = {};
      for (const [part, env] of chain) {
        const started = performance.now();
        expectOk(await sb.run(part, env));
        seconds[part] = (performance.now() - started) / 1000;
      }
      return seconds;
    };
    const first = await timed();
    // The template: the repository is gone (an offline site, or a mirror down); nothing needs it.
    fs.renameSync(sb.path("/srv/k8s-mirror"), sb.path("/srv/k8s-mirror.away"));
    const second: Record<string, number> = {};
    try {
      for (const [part, env] of chain) {
        const started = performance.now();
        const r = await sb.run(part, env);
        expectNoChange(r);
        second[part] = (performance.now() - started) / 1000;
        if (part === "kubernetes-packages") expect(r.output).toContain("its index is not fetched");
      }
    } finally {
      fs.renameSync(sb.path("/srv/k8s-mirror.away"), sb.path("/srv/k8s-mirror"));
    }
    const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
    console.log(
      `[images] preparation, first run ${total(first).toFixed(1)} s, second run ${total(second).toFixed(1)} s: ` +
        Object.entries(second)
          .map(([part, s]) => `${part} ${s.toFixed(2)} s`)
          .join(", "),
    );
  }, 10 * 60_000);
});
