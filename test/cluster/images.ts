// The container images a lab node's containerd imports: for every image kubeadm itself names for a
// config (`kubeadm config images list`), a tarball written from the locally built binary that the
// image stands for (oci-image.ts), at the version its tag names (the day-2 journey's nodes carry two
// Kubernetes versions' control-plane images); the journey's workload (WORKLOAD_IMAGE); and the
// add-on phases' images (ADDON_IMAGES), written only when those phases first ask for them. Cached in the tool cache, keyed by the binary's path, size and
// mtime, so a warm run writes nothing. Worktrees share the cache: each build of an image is a
// tarball of its own, kept while some worktree uses it (each use marks it), never deleted for being
// another build.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { toolCache } from "../tools/cache";
import { corednsBinary, etcdBinary, etcdctlBinary, etcdutlBinary, helloHttpBinary, kubeadmBinary, kubernetesBinary, metallbBinary, pauseBinary, traefikBinary } from "../tools/go-binaries";
import { ETCD_SNAPSHOT_IMAGES } from "../../components/addons/charts";
import { PACKAGE_LAYERS, ensurePackageLayer } from "../sandbox/node-sandbox";
import { withLock } from "../tools/lock";
import { unusedSiblings } from "../tools/unused-files";
import { runProcess } from "../tools/process";
import { writeOciImage, type ImageSpec } from "./oci-image";

const IMAGE_DIR = toolCache("cluster-lab", "images");
/** How long a tarball of another build of the same image may go unused before a new build deletes it. */
const UNUSED_BUILD_LIMIT_MS = 7 * 24 * 3600_000;
/** Bump when the image layout written by oci-image.ts changes. */
const WRITER_VERSION = "1";

/** The day-2 journey's workload: tools/hello-http answering on :8080 (LISTEN overrides). */
export const WORKLOAD_IMAGE = "lab.onprem-k8s.internal/hello-http:1";

/** The snapshot CronJob's image as the program renders it (components/addons/charts.ts). */
export const BUSYBOX_IMAGE = `${ETCD_SNAPSHOT_IMAGES.shell.defaultRegistry}/${ETCD_SNAPSHOT_IMAGES.shell.repository}:${ETCD_SNAPSHOT_IMAGES.shell.tag}`;
const BUSYBOX_REPOSITORY = "docker.io/library/busybox";
const BUSYBOX_APPLETS = ["busybox", "sh", "chroot", "nslookup", "httpd", "nc", "mkdir", "echo", "grep", "cat", "sleep"];

async function busyboxBinary(): Promise<string> {
  const layer = await ensurePackageLayer(PACKAGE_LAYERS.busybox);
  // The layer is an overlay's upper directory: /bin is /usr/bin in the merged Debian root.
  for (const candidate of ["usr/bin/busybox", "bin/busybox"]) {
    const file = path.join(layer, candidate);
    if (await fs.stat(file).then(() => true, () => false)) return file;
  }
  throw new Error(`no busybox in the package layer ${layer}`);
}

/**
 * The add-on phases' images (test/engine/day2/addons.ts), under the references the lab's charts
 * render (tools/charts), as containerd's CRI names them (addon-checks.ts criImageName): MetalLB's
 * controller and speaker at the pinned chart's appVersion; Traefik as traefik chart 41.6.0 renders
 * it (v3.7.13, its appVersion), holding the v3.7.11 binary: v3.7.13 does not build from the proxy
 * here (it refuses one of its dependencies), and v3.7.11 is the pinned chart 41.3.0's appVersion.
 */
export const ADDON_IMAGES = {
  metallbController: "quay.io/metallb/controller:v0.16.1",
  metallbSpeaker: "quay.io/metallb/speaker:v0.16.1",
  traefik: "docker.io/library/traefik:v3.7.13",
} as const;

/** What goes into the image of each repository kubeadm asks for, given its tag (kubeadm's). */
const CONTENT: Record<string, (tag: string) => Promise<Omit<ImageSpec, "ref">>> = {
  "kube-apiserver": async (tag) => ({ files: [{ source: await kubernetesBinary("kube-apiserver", tag), target: "/usr/local/bin/kube-apiserver" }] }),
  "kube-controller-manager": async (tag) => ({ files: [{ source: await kubernetesBinary("kube-controller-manager", tag), target: "/usr/local/bin/kube-controller-manager" }] }),
  "kube-scheduler": async (tag) => ({ files: [{ source: await kubernetesBinary("kube-scheduler", tag), target: "/usr/local/bin/kube-scheduler" }] }),
  // The binary only: no iptables or conntrack in the image, so its pods start but cannot program
  // rules. kubeadm's preflight needs the image where a stack runs kube-proxy; no test needs Services.
  "kube-proxy": async (tag) => ({ files: [{ source: await kubernetesBinary("kube-proxy", tag), target: "/usr/local/bin/kube-proxy" }] }),
  // etcdctl and etcdutl too, as upstream: the membership step removes members with `crictl exec
  // <etcd> etcdctl`, the snapshot job checks snapshots with etcdutl, the restore runbook restores
  // with it. The server at the tag's version (3.6.5-0: v3.6.5); etcdctl and etcdutl are the pinned ones.
  etcd: async (tag) => ({
    files: [
      { source: await etcdBinary(`v${tag.replace(/-\d+$/, "")}`), target: "/usr/local/bin/etcd" },
      { source: await etcdctlBinary(), target: "/usr/local/bin/etcdctl" },
      { source: await etcdutlBinary(), target: "/usr/local/bin/etcdutl" },
    ],
  }),
  // The pinned busybox the etcd snapshot CronJob and the checks' Pods run: Debian's static busybox
  // (a multi-call binary: each applet they use is a copy under its name).
  [BUSYBOX_REPOSITORY]: async () => {
    const busybox = await busyboxBinary();
    return { files: BUSYBOX_APPLETS.map((applet) => ({ source: busybox, target: `/bin/${applet}` })), entrypoint: ["/bin/sh"] };
  },
  // The upstream images' entrypoints: /pause and /coredns.
  pause: async () => ({ files: [{ source: await pauseBinary(), target: "/pause" }], entrypoint: ["/pause"] }),
  "coredns/coredns": async (tag) => ({ files: [{ source: await corednsBinary(tag), target: "/coredns" }], entrypoint: ["/coredns"] }),
  [repository(WORKLOAD_IMAGE)]: async () => ({ files: [{ source: await helloHttpBinary(), target: "/hello-http" }], entrypoint: ["/hello-http"] }),
  // Upstream's entrypoints: /controller and /speaker; the chart passes only flags.
  [repository(ADDON_IMAGES.metallbController)]: async () => ({ files: [{ source: await metallbBinary("controller"), target: "/controller" }], entrypoint: ["/controller"] }),
  [repository(ADDON_IMAGES.metallbSpeaker)]: async () => ({ files: [{ source: await metallbBinary("speaker"), target: "/speaker" }], entrypoint: ["/speaker"] }),
  // Upstream's entrypoint script prepends `traefik` to flag-only arguments (the chart's): no shell here, the binary itself.
  [repository(ADDON_IMAGES.traefik)]: async () => ({ files: [{ source: await traefikBinary(), target: "/usr/local/bin/traefik" }], entrypoint: ["/usr/local/bin/traefik"] }),
};

/**
 * The image references kubeadm uses for this config (its bootstrap token placeholder filled in),
 * as the kubeadm of `kubeadmVersion` (the pinned one unless told) lists them: another version's
 * kubeadm names its own etcd, CoreDNS and pause.
 */
export async function kubeadmImages(kubeadmConfig: string, workDir: string, kubeadmVersion?: string): Promise<string[]> {
  const file = path.join(workDir, "images-config.yaml");
  await fs.writeFile(file, kubeadmConfig.replaceAll("${KUBEADM_TOKEN}", "abcdef.0123456789abcdef"));
  const kubeadm = kubeadmVersion ? await kubernetesBinary("kubeadm", kubeadmVersion) : await kubeadmBinary();
  const listed = await runProcess(kubeadm, ["config", "images", "list", "--config", file]);
  return listed.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
}

function repository(ref: string): string {
  const withoutTag = ref.slice(0, ref.lastIndexOf(":"));
  return withoutTag.replace(/^registry\.k8s\.io\//, "");
}

/** Whether the lab can write an image for this reference. */
export function labCanBuild(ref: string): boolean {
  return repository(ref) in CONTENT;
}

/** Tarball of one image, written once per content (concurrent callers wait on a lock). */
export async function imageTarball(ref: string): Promise<string> {
  const content = CONTENT[repository(ref)];
  if (!content) throw new Error(`the lab cannot build ${ref}: no local binary stands behind it (test/cluster/images.ts)`);
  const spec: ImageSpec = { ref, ...(await content(ref.slice(ref.lastIndexOf(":") + 1))) };
  const key = createHash("sha256").update(WRITER_VERSION).update(JSON.stringify(spec));
  for (const file of spec.files) {
    const stat = await fs.stat(file.source);
    key.update(`${stat.size} ${stat.mtimeMs}`);
  }
  const name = `${repository(ref).replace(/\//g, "_")}-${ref.slice(ref.lastIndexOf(":") + 1)}-${key.digest("hex").slice(0, 12)}.tar`;
  const target = path.join(IMAGE_DIR, name);
  await fs.mkdir(IMAGE_DIR, { recursive: true });
  const tarball = await withLock(`${target}.lockdir`, async () => {
    try {
      await fs.access(target);
    } catch {
      const partial = `${target}.partial-${process.pid}`;
      await writeOciImage(partial, spec);
      await fs.rename(partial, target);
    }
    // Used now: another worktree's new build of this image keeps it (removeUnusedBuilds).
    const now = new Date();
    await fs.utimes(target, now, now);
    return target;
  });
  await removeUnusedBuilds(name);
  return tarball;
}

/**
 * Deletes the tarballs of other builds of the image `name` is one of that nobody has used for
 * UNUSED_BUILD_LIMIT_MS (100+ MB each): another worktree's build in use stays. Each is checked
 * again under its own lock, so a build taken meanwhile is kept.
 */
async function removeUnusedBuilds(name: string): Promise<void> {
  const family = { prefix: name.slice(0, name.lastIndexOf("-") + 1), suffix: ".tar" };
  const lastUse = async (file: string) => (await fs.stat(path.join(IMAGE_DIR, file)).catch(() => undefined))?.mtimeMs;
  const files = [];
  for (const file of await fs.readdir(IMAGE_DIR)) {
    const lastUsedMs = await lastUse(file);
    if (lastUsedMs !== undefined) files.push({ name: file, lastUsedMs });
  }
  for (const unused of unusedSiblings(files, family, name, Date.now(), UNUSED_BUILD_LIMIT_MS)) {
    const file = path.join(IMAGE_DIR, unused);
    await withLock(`${file}.lockdir`, async () => {
      const lastUsedMs = await lastUse(unused);
      if (lastUsedMs !== undefined && unusedSiblings([{ name: unused, lastUsedMs }], family, name, Date.now(), UNUSED_BUILD_LIMIT_MS).length > 0) await fs.rm(file, { force: true });
    });
  }
}

/** The tarballs a lab node imports: kubeadm's images for this config (control planes), the pod sandbox alone (workers). */
export async function nodeImages(kubeadmConfig: string, workDir: string, kubeadmVersion?: string): Promise<{ controlPlane: string[]; worker: string[] }> {
  const controlPlane: string[] = [];
  for (const ref of await kubeadmImages(kubeadmConfig, workDir, kubeadmVersion)) if (labCanBuild(ref)) controlPlane.push(await imageTarball(ref));
  // The etcd snapshot CronJob's Pods run on control planes.
  controlPlane.push(await imageTarball(BUSYBOX_IMAGE));
  return { controlPlane, worker: controlPlane.filter((tarball) => path.basename(tarball).startsWith("pause-")) };
}
