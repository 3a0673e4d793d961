// The real-node lab's Kubernetes package repository: a signed flat apt repository laid out like
// pkgs.k8s.io, built by test/sandbox/build-k8s-repo.sh with the locally built kubeadm, kubelet,
// kubectl (one version: the pinned one, revision -1.1 as pkgs.k8s.io numbers them) and crictl (as
// cri-tools). Built once in a sandbox of its own and cached; the lab serves it over HTTP from its
// switch namespace, so the program's packages step installs the real binaries from it.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { kubernetesMinor } from "../../components/node/params";
import { NodeSandbox } from "../sandbox/node-sandbox";
import { PINNED_KUBERNETES_VERSION, buildOnce, cacheDir, crictlBinary, kubernetesBinary } from "../tools/go-binaries";

const BUILD_SCRIPT = path.join(__dirname, "../sandbox/build-k8s-repo.sh");
/** The repository below the served directory, as kubernetes.packageRepository takes it. */
export const REPO_PATH = "k8s";
/** The Kubernetes version the repository carries (the built binaries'), as a stack's kubernetes.version. */
export const PACKAGED_KUBERNETES_VERSION = PINNED_KUBERNETES_VERSION.replace(/^v/, "");

export interface PackageRepository {
  /** The directory to serve over HTTP (the repository is under REPO_PATH). */
  directory: string;
  /** The repository's signing key (ASCII-armoured). */
  key: string;
}

export async function realPackageRepository(): Promise<PackageRepository> {
  const binaries: Record<string, string> = {
    kubeadm: await kubernetesBinary("kubeadm"),
    kubelet: await kubernetesBinary("kubelet"),
    kubectl: await kubernetesBinary("kubectl"),
    crictl: await crictlBinary(),
  };
  const key = createHash("sha256").update(fs.readFileSync(BUILD_SCRIPT)).update(JSON.stringify(binaries)).digest("hex").slice(0, 12);
  const version = PACKAGED_KUBERNETES_VERSION;
  const directory = await buildOnce(path.join(cacheDir, `k8s-apt-repo-${version}-${key}`), async (target) => {
    const sandbox = await NodeSandbox.create("k8s-apt-repo");
    try {
      const inSandbox = sandbox.path("/tmp/binaries");
      fs.mkdirSync(inSandbox, { recursive: true });
      for (const [name, file] of Object.entries(binaries)) fs.copyFileSync(file, path.join(inSandbox, name));
      sandbox.writeFile("/tmp/build-k8s-repo.sh", fs.readFileSync(BUILD_SCRIPT, "utf8"));
      const build = await sandbox.exec(`BINARIES=/tmp/binaries bash /tmp/build-k8s-repo.sh /srv/mirror/${REPO_PATH} ${kubernetesMinor(version)} ${version}-1.1`);
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
