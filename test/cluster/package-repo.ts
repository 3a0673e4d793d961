// The real-node lab's Kubernetes package repository: a signed flat apt repository laid out like
// pkgs.k8s.io, built by test/sandbox/build-k8s-repo.sh with the locally built kubeadm, kubelet,
// kubectl (revision -1.1 as pkgs.k8s.io numbers them) and crictl (as cri-tools). It carries the
// pinned version and the older patch the day-2 journey starts from, so apt installs either (and
// the journey's upgrade moves from one to the other). Built once in a sandbox of its own and
// cached; the lab serves it over HTTP from its switch namespace, so the program's packages step
// installs the real binaries from it.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { kubernetesMinor } from "../../components/node/params";
import { NodeSandbox } from "../sandbox/node-sandbox";
import { MINOR_UPGRADE_FROM_KUBERNETES_VERSION, PINNED_KUBERNETES_VERSION, UPGRADE_FROM_KUBERNETES_VERSION, buildOnce, cacheDir, crictlBinary, kubernetesBinary } from "../tools/go-binaries";

const BUILD_SCRIPT = path.join(__dirname, "../sandbox/build-k8s-repo.sh");
/** The repository below the served directory, as kubernetes.packageRepository takes it. */
export const REPO_PATH = "k8s";
/** The pinned Kubernetes version (the built binaries'), as a stack's kubernetes.version: what the lab's clusters run. */
export const PACKAGED_KUBERNETES_VERSION = PINNED_KUBERNETES_VERSION.replace(/^v/, "");
/** The older patch the repository also carries, as a stack's kubernetes.version. */
export const UPGRADE_FROM_VERSION = UPGRADE_FROM_KUBERNETES_VERSION.replace(/^v/, "");
/**
 * Set by `npm run test:minor-upgrade`: the day-2 journey starts from the previous minor
 * (MINOR_UPGRADE_FROM_VERSION) instead of the previous patch, and the test setup builds it.
 */
export const MINOR_UPGRADE = process.env.ONPREM_K8S_MINOR_UPGRADE === "1";
export const MINOR_UPGRADE_FROM_VERSION = MINOR_UPGRADE_FROM_KUBERNETES_VERSION.replace(/^v/, "");
/** Every version the default repository carries, oldest first. */
export const PACKAGED_VERSIONS = [UPGRADE_FROM_VERSION, PACKAGED_KUBERNETES_VERSION];

export interface PackageRepository {
  /** The directory to serve over HTTP (the repository is under REPO_PATH). */
  directory: string;
  /** The repository's signing key (ASCII-armoured). */
  key: string;
}

/** The repository of `versions` ("1.34.3", ...; each one's binaries built by the test setup). */
export async function realPackageRepository(versions: string[] = PACKAGED_VERSIONS): Promise<PackageRepository> {
  const binaries: Record<string, string> = { crictl: await crictlBinary() };
  for (const version of versions) {
    for (const command of ["kubeadm", "kubelet", "kubectl"] as const) binaries[`${version}/${command}`] = await kubernetesBinary(command, version);
  }
  const key = createHash("sha256").update(fs.readFileSync(BUILD_SCRIPT)).update(JSON.stringify(binaries)).digest("hex").slice(0, 12);
  const directory = await buildOnce(path.join(cacheDir, `k8s-apt-repo-${versions.join("-")}-${key}`), async (target) => {
    const sandbox = await NodeSandbox.create("k8s-apt-repo");
    try {
      for (const [name, file] of Object.entries(binaries)) {
        const inSandbox = sandbox.path(`/tmp/binaries/${name}`);
        fs.mkdirSync(path.dirname(inSandbox), { recursive: true });
        fs.copyFileSync(file, inSandbox);
      }
      sandbox.writeFile("/tmp/build-k8s-repo.sh", fs.readFileSync(BUILD_SCRIPT, "utf8"));
      const packageVersions = versions.map((v) => `${v}-1.1`).join(" ");
      const build = await sandbox.exec(`BINARIES=/tmp/binaries bash /tmp/build-k8s-repo.sh /srv/mirror/${REPO_PATH} ${kubernetesMinor(versions.at(-1)!)} ${packageVersions}`);
      if (build.status !== 0) throw new Error(`building the lab's package repository failed\n${build.output}`);
      const partial = `${target}.partial-${process.pid}`;
      fs.rmSync(partial, { recursive: true, force: true });
      fs.cpSync(sandbox.path("/srv/mirror"), partial, { recursive: true });
      fs.renameSync(partial, target);
    } finally {
      await sandbox.dispose();
    }
  });
  return { directory, key: fs.readFileSync(path.join(directory, REPO_PATH, "key.asc"), "utf8") };
}
