// vitest globalSetup: builds the slow test tooling once, before any test file starts, so no test
// or hook waits minutes for a build and file order cannot decide which limit a build runs under.
// Everything lands in the tool cache (test/tools/cache.ts); on a warm cache this takes a second.
import {
  PINNED_COREDNS_VERSION,
  PINNED_CRICTL_VERSION,
  PINNED_ETCD_VERSION,
  PINNED_KUBERNETES_VERSION,
  UPGRADE_FROM_KUBERNETES_VERSION,
  MINOR_UPGRADE_FROM_COREDNS_VERSION,
  MINOR_UPGRADE_FROM_ETCD_VERSION,
  MINOR_UPGRADE_FROM_KUBERNETES_VERSION,
  KUBERNETES_COMMANDS,
  corednsBinary,
  crictlBinary,
  etcdBinary,
  etcdctlBinary,
  etcdutlBinary,
  helloHttpBinary,
  kubernetesBinary,
  pauseBinary,
  type KubernetesCommand,
} from "../tools/go-binaries";
import { CRD_SOURCES, type CrdSourceName, crdsForTest, ensurePythonValidators } from "../tools/kube-validate";
import { PINNED_PULUMI_VERSION, compileProviderTests, pulumiBinDir } from "../tools/pulumi-binaries";
import { MINOR_UPGRADE, PACKAGED_KUBERNETES_VERSION, realPackageRepository } from "../cluster/package-repo";
import { PINNED_ACTIONLINT_VERSION } from "../tools/actionlint";
import { PINNED_VERSITYGW_VERSION, platformToolBinaries } from "../tools/versitygw";
import { PACKAGE_LAYERS, ensureBaseRoot, ensurePackageLayer, sandboxGate, sandboxUnavailableReason } from "../sandbox/node-sandbox";

/** The whole setup's own limit, below the suite's 60 minutes: see docs/testing.md for its measured cold times. */
const SETUP_LIMIT_MS = 50 * 60_000;

const log = (line: string) => console.log(`[setup] ${line}`);

async function step(name: string, work: () => Promise<unknown>): Promise<void> {
  const started = Date.now();
  await work();
  log(`${name}: ready in ${Math.round((Date.now() - started) / 1000)} s`);
}

export default async function setup(): Promise<void> {
  const started = Date.now();
  const sandbox = sandboxGate(sandboxUnavailableReason());
  if (sandbox.warning) log(sandbox.warning);
  // The Go builds take both cores; the sandbox and Python steps mostly wait on the network.
  // kubeadm, kube-apiserver and kubectl share most packages and the Go build cache, so they are
  // built one after the other (in parallel they would compile the shared packages twice).
  // The real-node lab's binaries follow in the same two chains (at most two Go builds at a time);
  // the Pulumi CLI, its language host and the stand-in providers share the sdk and go last in the
  // second chain.
  // A chain runs its builds one after the other, each after the previous one settled.
  const chain = () => {
    let last: Promise<unknown> = Promise.resolve();
    return (build: () => Promise<unknown>) => () => (last = last.catch(() => {}).then(build));
  };
  const afterKubernetesBuild = chain();
  const afterPreviousBuild = (command: KubernetesCommand, version = PINNED_KUBERNETES_VERSION) => afterKubernetesBuild(() => kubernetesBinary(command, version));
  // The day-2 journey's older patch, after the pinned set: the same source stamped with the older
  // version (go-binaries.ts STAMPED_VERSIONS), so each command is only linked again.
  const older = UPGRADE_FROM_KUBERNETES_VERSION;
  const afterOtherBuild = chain();
  const steps: [string, () => Promise<unknown>][] = [
    // Each in the chain after the one listed before it.
    ...KUBERNETES_COMMANDS.map((command): [string, () => Promise<unknown>] => [`${command} ${PINNED_KUBERNETES_VERSION} (Go build, minutes on first use)`, afterPreviousBuild(command)]),
    ...KUBERNETES_COMMANDS.map((command): [string, () => Promise<unknown>] => [`${command} ${older} (Go link)`, afterPreviousBuild(command, older)]),
    [`etcd ${PINNED_ETCD_VERSION} (Go build)`, afterOtherBuild(() => etcdBinary())],
    [`etcdctl ${PINNED_ETCD_VERSION} (Go build after etcd)`, afterOtherBuild(etcdctlBinary)],
    // The lab's etcd image carries etcdutl (the snapshot job verifies with it, the restore runbook restores with it).
    [`etcdutl ${PINNED_ETCD_VERSION} (Go build after etcdctl)`, afterOtherBuild(etcdutlBinary)],
    ["pause (Go build after etcdutl)", afterOtherBuild(pauseBinary)],
    ["hello-http, the day-2 journey's workload (Go build after pause)", afterOtherBuild(helloHttpBinary)],
    [`crictl ${PINNED_CRICTL_VERSION} (Go build after hello-http)`, afterOtherBuild(crictlBinary)],
    [`CoreDNS ${PINNED_COREDNS_VERSION} (Go build after crictl)`, afterOtherBuild(() => corednsBinary())],
    [`Pulumi CLI ${PINNED_PULUMI_VERSION}, language host and stand-in providers (Go builds after CoreDNS, minutes on first use)`, afterOtherBuild(pulumiBinDir)],
    ["the stand-in providers' Go tests, compiled (after the providers)", afterOtherBuild(compileProviderTests)],
    [`versitygw ${PINNED_VERSITYGW_VERSION} and actionlint ${PINNED_ACTIONLINT_VERSION} (Go builds after the providers' tests)`, afterOtherBuild(platformToolBinaries)],
    ["kubernetes-validate (pip)", ensurePythonValidators],
    ...Object.keys(CRD_SOURCES).map((name): [string, () => Promise<unknown>] => [`CRDs ${name}`, () => crdsForTest(name as CrdSourceName)]),
  ];
  if (sandbox.run) {
    // The real-node lab's apt repository holds kubeadm, kubelet, kubectl of both versions and
    // crictl: after the kubernetes chain, in it (crictl is the other chain's, whose lock it waits on).
    steps.push([
      `Kubernetes package repository of the built binaries, ${older} and ${PINNED_KUBERNETES_VERSION} (after kube-proxy ${older})`,
      afterKubernetesBuild(() => realPackageRepository()),
    ]);
    if (MINOR_UPGRADE) {
      // The opt-in minor-upgrade journey (npm run test:minor-upgrade) only: the previous minor's
      // set, its etcd and CoreDNS, and a repository of both minors.
      const previous = MINOR_UPGRADE_FROM_KUBERNETES_VERSION;
      for (const command of KUBERNETES_COMMANDS) steps.push([`${command} ${previous} (Go build, minor-upgrade journey)`, afterPreviousBuild(command, previous)]);
      steps.push([`etcd ${MINOR_UPGRADE_FROM_ETCD_VERSION} (Go build, minor-upgrade journey)`, afterOtherBuild(() => etcdBinary(MINOR_UPGRADE_FROM_ETCD_VERSION))]);
      steps.push([`CoreDNS ${MINOR_UPGRADE_FROM_COREDNS_VERSION} (Go build, minor-upgrade journey)`, afterOtherBuild(() => corednsBinary(MINOR_UPGRADE_FROM_COREDNS_VERSION))]);
      steps.push([
        `Kubernetes package repository, ${previous} and ${PINNED_KUBERNETES_VERSION} (minor-upgrade journey)`,
        afterKubernetesBuild(() => realPackageRepository([previous.replace(/^v/, ""), PACKAGED_KUBERNETES_VERSION])),
      ]);
    }
    steps.push([
      "Debian sandbox root and package layers (debootstrap)",
      async () => {
        await ensureBaseRoot(log);
        for (const packages of Object.values(PACKAGE_LAYERS)) await ensurePackageLayer(packages, log);
      },
    ]);
  }
  log(`preparing ${steps.length} tools (cached after the first run)`);
  const pending = new Set(steps.map(([name]) => name));
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test setup did not finish within ${SETUP_LIMIT_MS / 60_000} min; still running: ${[...pending].join(", ")}`)), SETUP_LIMIT_MS);
  });
  const results = Promise.allSettled(steps.map(([name, work]) => step(name, work).finally(() => pending.delete(name))));
  try {
    const settled = await Promise.race([results, limit]);
    const failures = settled.flatMap((r, i) => (r.status === "rejected" ? [`${steps[i]![0]}: ${(r.reason as Error).message}`] : []));
    if (failures.length > 0) throw new Error(`test setup failed:\n${failures.join("\n")}`);
  } finally {
    clearTimeout(timer);
  }
  log(`all tools ready in ${Math.round((Date.now() - started) / 1000)} s`);
}
