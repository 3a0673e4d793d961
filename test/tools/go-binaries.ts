// Builds the Go binaries the tests run for real, from the tools modules that pin them:
// - tools/kubeadm: kubeadm (`kubeadm config validate` of rendered configs), kube-apiserver and
//   kubectl (server-side dry-run of rendered manifests, test/tools/apiserver.ts), all from
//   k8s.io/kubernetes at PINNED_KUBERNETES_VERSION;
// - the same commands stamped with the older patch the day-2 journey's cluster starts from
//   (UPGRADE_FROM_KUBERNETES_VERSION), for the lab's package repository and images (see
//   STAMPED_VERSIONS: only the link differs, so they cost seconds instead of another full build);
// - tools/etcd: the etcd server behind that kube-apiserver, and etcdctl (the lab's etcd image);
// - the real-node lab's (test/cluster): kubelet, kube-controller-manager, kube-scheduler and
//   kube-proxy (tools/kubeadm), crictl (tools/crictl), CoreDNS (tools/coredns) and the pod
//   sandbox process (tools/pause, the project's own), and the journey's workload (tools/hello-http);
// - the lab's add-on phases' (test/engine/day2/addons.ts), built only when they first run, never by
//   the setup: MetalLB's controller and speaker (tools/metallb), Traefik (tools/traefik) and helm
//   (tools/helm).
// Binaries are cached under ~/.cache/onprem-k8s/tools/ (see cache.ts) and each is built at most
// once even when several vitest workers ask at the same time (a lock per binary, lock.ts).
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { toolCache } from "./cache";
import { withLock } from "./lock";
import { runProcess } from "./process";

/** Kubernetes version kubeadm, kube-apiserver and kubectl are built at; keep in step with tools/kubeadm/go.mod. */
export const PINNED_KUBERNETES_VERSION = "v1.34.4";
export const PINNED_KUBEADM_VERSION = PINNED_KUBERNETES_VERSION;
/** etcd version kubeadm v1.34 deploys (DefaultEtcdVersion 3.6.5-0); keep in step with tools/etcd/go.mod. */
export const PINNED_ETCD_VERSION = "v3.6.5";
/** crictl from sigs.k8s.io/cri-tools, the minor of Kubernetes; keep in step with tools/crictl/go.mod. */
export const PINNED_CRICTL_VERSION = "v1.34.0";
/** CoreDNS kubeadm v1.34 deploys (CoreDNSVersion); keep in step with tools/coredns/go.mod. */
export const PINNED_COREDNS_VERSION = "v1.12.1";

/** MetalLB the pinned metallb chart deploys (its appVersion); keep in step with tools/metallb/go.mod. */
export const PINNED_METALLB_VERSION = "v0.16.1";
/** Traefik the pinned traefik chart deploys (its appVersion); keep in step with tools/traefik/go.mod. */
export const PINNED_TRAEFIK_VERSION = "v3.7.11";
/** helm the lab installs the planned releases with (the newest Helm 3 on the proxy); keep in step with tools/helm/go.mod. */
export const PINNED_HELM_VERSION = "v3.22.1";

/**
 * The older patch the day-2 journey brings its cluster up at before upgrading to the pinned one.
 * Its commands are the pinned source stamped with this version (STAMPED_VERSIONS): what the
 * journey proves is the project's upgrade (order, drains, kubeadm upgrade, packages, resume), and
 * kubeadm, the apiserver and the kubelet see and report this version. Code that really differs
 * between versions is the opt-in minor-upgrade journey's (npm run test:minor-upgrade).
 */
export const UPGRADE_FROM_KUBERNETES_VERSION = "v1.34.3";
/**
 * The previous minor the opt-in minor-upgrade journey starts from (npm run test:minor-upgrade),
 * built only there: tools/kubernetes-v1.33.13, with the etcd (3.5.24) and CoreDNS (v1.12.0) its
 * kubeadm deploys (tools/etcd-v3.5.24, tools/coredns-v1.12.0).
 */
export const MINOR_UPGRADE_FROM_KUBERNETES_VERSION = "v1.33.13";
export const MINOR_UPGRADE_FROM_ETCD_VERSION = "v3.5.24";
export const MINOR_UPGRADE_FROM_COREDNS_VERSION = "v1.12.0";

/** The k8s.io/kubernetes commands tools/kubeadm/go.mod lists as tools (and the other versions' modules). */
export const KUBERNETES_COMMANDS = ["kubeadm", "kube-apiserver", "kubectl", "kubelet", "kube-controller-manager", "kube-scheduler", "kube-proxy"] as const;
export type KubernetesCommand = (typeof KUBERNETES_COMMANDS)[number];

const repoRoot = path.resolve(__dirname, "..", "..");
/** The directory of a Go tools module under tools/. */
export const toolsModule = (name: string) => path.join(repoRoot, "tools", name);
/** The tools module that builds each Kubernetes version's commands. */
const KUBERNETES_MODULES: Record<string, string> = {
  [PINNED_KUBERNETES_VERSION]: "kubeadm",
  [MINOR_UPGRADE_FROM_KUBERNETES_VERSION]: `kubernetes-${MINOR_UPGRADE_FROM_KUBERNETES_VERSION}`,
};
/**
 * Versions built from another version's source with only the version stamp changed: the Go build
 * cache then shares every compiled package and only the link runs again (a full build of another
 * patch recompiles all of Kubernetes: about 40 minutes of the cold setup under load).
 */
const STAMPED_VERSIONS: Record<string, string> = {
  [UPGRADE_FROM_KUBERNETES_VERSION]: PINNED_KUBERNETES_VERSION,
};
/** The Kubernetes versions the tests can build ("v1.34.4", ...). */
export const BUILDABLE_KUBERNETES_VERSIONS = [...Object.keys(KUBERNETES_MODULES), ...Object.keys(STAMPED_VERSIONS)];
const etcdModuleDir = toolsModule("etcd");
export const cacheDir = toolCache("tools");

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

// The version is stamped with -X because kubeadm compares its own version with
// kubernetesVersion in configs; an unstamped build reports v0.0.0-master.
function ldflags(version: string): string {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const pkg = "k8s.io/component-base/version";
  return [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    // No symbol table or DWARF: nothing in the tests debugs these, and the link is faster.
    "-s -w",
  ].join(" ");
}

export async function goBuild(target: string, moduleDir: string, pkg: string, ldflagsArg: string): Promise<void> {
  const partial = `${target}.partial-${process.pid}`;
  await runProcess("go", ["build", "-trimpath", "-ldflags", ldflagsArg, "-o", partial, pkg], { cwd: moduleDir, env: { ...process.env, CGO_ENABLED: "0" } });
  // rename is atomic, so a waiting process never sees a half-written binary.
  await fs.rename(partial, target);
}

/**
 * Returns `target`, running `build(target)` first when it does not exist yet. Concurrent callers
 * (other vitest workers or processes) wait on a lock instead of building twice.
 */
export async function buildOnce(target: string, build: (target: string) => Promise<void>): Promise<string> {
  if (await exists(target)) return target;
  return withLock(`${target}.lock`, async () => {
    if (!(await exists(target))) await build(target);
    return target;
  });
}

/**
 * Path of a k8s.io/kubernetes command (cmd/<command>) at `version` (the pinned one unless told),
 * building it on first use (minutes on 2 cores; the commands share many packages through the Go
 * build cache, so build them in turn; another patch shares only the third-party ones).
 */
export function kubernetesBinary(command: KubernetesCommand, version: string = PINNED_KUBERNETES_VERSION): Promise<string> {
  const tag = version.startsWith("v") ? version : `v${version}`;
  const source = STAMPED_VERSIONS[tag] ?? tag;
  const moduleName = KUBERNETES_MODULES[source];
  if (!moduleName) throw new Error(`no tools module builds Kubernetes ${tag} (test/tools/go-binaries.ts knows ${BUILDABLE_KUBERNETES_VERSIONS.join(", ")})`);
  const name = source === tag ? `${command}-${tag}` : `${command}-${tag}-stamped-from-${source}`;
  return buildOnce(path.join(cacheDir, name), (target) => goBuild(target, toolsModule(moduleName), `k8s.io/kubernetes/cmd/${command}`, ldflags(tag)));
}

/** Path of the pinned kubeadm binary (see kubernetesBinary). */
export function kubeadmBinary(): Promise<string> {
  return kubernetesBinary("kubeadm");
}

/** Path of the etcd server binary (the pinned one, built from tools/etcd, unless told), built on first use. */
export function etcdBinary(version: string = PINNED_ETCD_VERSION): Promise<string> {
  const moduleDir = version === PINNED_ETCD_VERSION ? etcdModuleDir : version === MINOR_UPGRADE_FROM_ETCD_VERSION ? toolsModule(`etcd-${version}`) : undefined;
  if (!moduleDir) throw new Error(`no tools module builds etcd ${version} (test/tools/go-binaries.ts)`);
  return buildOnce(path.join(cacheDir, `etcd-${version}`), (target) => goBuild(target, moduleDir, "go.etcd.io/etcd/server/v3", "-s -w"));
}

/** Path of the pinned etcdctl, built from tools/etcd on first use (the lab's etcd image carries it). */
export function etcdctlBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `etcdctl-${PINNED_ETCD_VERSION}`), (target) => goBuild(target, etcdModuleDir, "go.etcd.io/etcd/etcdctl/v3", "-s -w"));
}

/** Path of the pinned etcdutl, built from tools/etcd on first use (the etcd image carries it, as upstream's does). */
export function etcdutlBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `etcdutl-${PINNED_ETCD_VERSION}`), (target) => goBuild(target, etcdModuleDir, "go.etcd.io/etcd/etcdutl/v3", "-s -w"));
}

/** Path of the pinned crictl, built from tools/crictl on first use. */
export function crictlBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `crictl-${PINNED_CRICTL_VERSION}`), (target) =>
    goBuild(target, toolsModule("crictl"), "sigs.k8s.io/cri-tools/cmd/crictl", `-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${PINNED_CRICTL_VERSION}`),
  );
}

/** Path of the CoreDNS server (the pinned one, built from tools/coredns, unless told), built on first use. */
export function corednsBinary(version: string = PINNED_COREDNS_VERSION): Promise<string> {
  // The pinned one is the module's own main (only the plugins kubeadm's Corefile uses); the minor
  // upgrade's older one is upstream's whole build.
  const pinned = version === PINNED_COREDNS_VERSION;
  const moduleName = pinned ? "coredns" : version === MINOR_UPGRADE_FROM_COREDNS_VERSION ? `coredns-${version}` : undefined;
  if (!moduleName) throw new Error(`no tools module builds CoreDNS ${version} (test/tools/go-binaries.ts)`);
  return buildOnce(path.join(cacheDir, pinned ? `coredns-${version}-kubeadm-plugins` : `coredns-${version}`), (target) =>
    goBuild(target, toolsModule(moduleName), pinned ? "." : "github.com/coredns/coredns", "-s -w"),
  );
}

/** A stdlib-only tools module's binary (the project's own source); the file name changes with its source. */
async function ownBinary(name: string): Promise<string> {
  const source = await fs.readFile(path.join(toolsModule(name), "main.go"));
  const key = createHash("sha256").update(source).digest("hex").slice(0, 12);
  return buildOnce(path.join(cacheDir, `${name}-${key}`), (target) => goBuild(target, toolsModule(name), ".", "-s -w"));
}

/** Path of the lab's pod sandbox process (tools/pause). */
export function pauseBinary(): Promise<string> {
  return ownBinary("pause");
}

/** Path of the day-2 journey's workload, a tiny HTTP server (tools/hello-http). */
export function helloHttpBinary(): Promise<string> {
  return ownBinary("hello-http");
}

/** Path of MetalLB's controller or speaker at the pinned version (tools/metallb), built on first use. */
export function metallbBinary(command: "controller" | "speaker"): Promise<string> {
  return buildOnce(path.join(cacheDir, `metallb-${command}-${PINNED_METALLB_VERSION}`), (target) => goBuild(target, toolsModule("metallb"), `go.universe.tf/metallb/${command}`, "-s -w"));
}

/** Path of Traefik at the pinned version (tools/traefik), built on first use. */
export function traefikBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `traefik-${PINNED_TRAEFIK_VERSION}`), (target) =>
    goBuild(target, toolsModule("traefik"), "github.com/traefik/traefik/v3/cmd/traefik", `-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=${PINNED_TRAEFIK_VERSION}`),
  );
}

/** Path of the helm CLI at the pinned version (tools/helm), built on first use. */
export function helmBinary(): Promise<string> {
  return buildOnce(path.join(cacheDir, `helm-${PINNED_HELM_VERSION}`), (target) =>
    goBuild(target, toolsModule("helm"), "helm.sh/helm/v3/cmd/helm", `-s -w -X helm.sh/helm/v3/internal/version.version=${PINNED_HELM_VERSION}`),
  );
}
