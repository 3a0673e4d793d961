// The container images a lab node's containerd imports: for every image kubeadm itself names for a
// config (`kubeadm config images list`), a tarball written from the locally built binary that the
// image stands for (oci-image.ts), at the version its tag names (the day-2 journey's nodes carry two
// Kubernetes versions' control-plane images); the journey's workload (WORKLOAD_IMAGE); and the
// add-on phases' images (ADDON_IMAGES), written only when those phases first ask for them. Cached in the tool cache, keyed by the binary's path, size and
// mtime, so a warm run writes nothing.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { toolCache } from "../tools/cache";
import { corednsBinary, etcdBinary, etcdctlBinary, helloHttpBinary, kubeadmBinary, kubernetesBinary, metallbBinary, pauseBinary, traefikBinary } from "../tools/go-binaries";
import { withLock } from "../tools/lock";
import { runProcess } from "../tools/process";
import { writeOciImage, type ImageSpec } from "./oci-image";

const IMAGE_DIR = toolCache("cluster-lab", "images");
/** Bump when the image layout written by oci-image.ts changes. */
const WRITER_VERSION = "1";

/** The day-2 journey's workload: tools/hello-http answering on :8080 (LISTEN overrides). */
export const WORKLOAD_IMAGE = "lab.onprem-k8s.internal/hello-http:1";

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
  // etcdctl too, as upstream: the membership step removes members with `crictl exec <etcd> etcdctl`.
  // The server at the tag's version (3.6.5-0: v3.6.5); etcdctl is always the pinned one.
  etcd: async (tag) => ({
    files: [
      { source: await etcdBinary(`v${tag.replace(/-\d+$/, "")}`), target: "/usr/local/bin/etcd" },
      { source: await etcdctlBinary(), target: "/usr/local/bin/etcdctl" },
    ],
  }),
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
  return withLock(`${target}.lockdir`, async () => {
    try {
      await fs.access(target);
      return target;
    } catch {
      const partial = `${target}.partial-${process.pid}`;
      await writeOciImage(partial, spec);
      await fs.rename(partial, target);
      // Tarballs of the same image from older binaries are never used again: 100+ MB each.
      const prefix = name.slice(0, name.lastIndexOf("-") + 1);
      for (const old of await fs.readdir(IMAGE_DIR)) {
        if (old.startsWith(prefix) && old.endsWith(".tar") && old !== name) await fs.rm(path.join(IMAGE_DIR, old), { force: true });
      }
      return target;
    }
  });
}

/** The tarballs a lab node imports: kubeadm's images for this config (control planes), the pod sandbox alone (workers). */
export async function nodeImages(kubeadmConfig: string, workDir: string, kubeadmVersion?: string): Promise<{ controlPlane: string[]; worker: string[] }> {
  const controlPlane: string[] = [];
  for (const ref of await kubeadmImages(kubeadmConfig, workDir, kubeadmVersion)) if (labCanBuild(ref)) controlPlane.push(await imageTarball(ref));
  return { controlPlane, worker: controlPlane.filter((tarball) => path.basename(tarball).startsWith("pause-")) };
}
