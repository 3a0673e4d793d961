// Writes an OCI image-layout tarball that `ctr -n k8s.io images import` accepts, from local files:
// one uncompressed layer (the files plus /etc/passwd, /etc/group, /etc/nsswitch.conf, /tmp), its
// config, a manifest and an index naming the image. No registry and no container tooling: the lab
// (test/cluster) has no registry to pull from, so it packs the locally built static binaries.
import { createHash, type Hash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

export interface ImageFile {
  /** File on this machine. */
  source: string;
  /** Absolute path inside the image. */
  target: string;
}

export interface ImageSpec {
  /** Full reference, e.g. registry.k8s.io/pause:3.10.1 */
  ref: string;
  files: ImageFile[];
  entrypoint?: string[];
}

const BLOCK = 512;
const SKELETON: [string, string][] = [
  ["etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"],
  ["etc/group", "root:x:0:\nnobody:x:65534:\n"],
  // Go's resolver reads it: files first, so /etc/hosts names resolve without DNS.
  ["etc/nsswitch.conf", "hosts: files dns\n"],
];

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** A ustar header; names here are short, so the 100-byte name field always fits. */
function header(name: string, size: number, type: "file" | "dir", mode: number): Buffer {
  if (Buffer.byteLength(name) >= 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write("        ", 148);
  h.write(type === "dir" ? "5" : "0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

/** A tar stream to a file that also hashes and counts what it writes (the blob's digest and size). */
class TarFile {
  private hash: Hash = createHash("sha256");
  size = 0;
  private constructor(private readonly handle: fs.FileHandle) {}

  static async create(file: string): Promise<TarFile> {
    return new TarFile(await fs.open(file, "w"));
  }

  private async write(data: Buffer): Promise<void> {
    await this.handle.write(data);
    this.hash.update(data);
    this.size += data.length;
  }

  private async pad(size: number): Promise<void> {
    if (size % BLOCK !== 0) await this.write(Buffer.alloc(BLOCK - (size % BLOCK)));
  }

  async dir(name: string, mode = 0o755): Promise<void> {
    await this.write(header(`${name.replace(/\/$/, "")}/`, 0, "dir", mode));
  }

  async data(name: string, data: Buffer, mode = 0o644): Promise<void> {
    await this.write(header(name, data.length, "file", mode));
    await this.write(data);
    await this.pad(data.length);
  }

  /** Copies a file in chunks: binaries are 100+ MB and need not sit in memory. */
  async copy(name: string, source: string, mode = 0o755): Promise<void> {
    const { size } = await fs.stat(source);
    await this.write(header(name, size, "file", mode));
    const input = await fs.open(source, "r");
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (let done = 0; done < size; ) {
        const { bytesRead } = await input.read(chunk, 0, Math.min(chunk.length, size - done), done);
        if (bytesRead === 0) throw new Error(`${source} shrank while being read`);
        await this.write(chunk.subarray(0, bytesRead));
        done += bytesRead;
      }
    } finally {
      await input.close();
    }
    await this.pad(size);
  }

  /** Ends the archive (two zero blocks); returns the sha256 digest of everything written. */
  async close(): Promise<string> {
    await this.write(Buffer.alloc(2 * BLOCK));
    await this.handle.close();
    return `sha256:${this.hash.digest("hex")}`;
  }
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Every parent directory of the targets, and the skeleton's, parents first. */
function directories(targets: string[]): string[] {
  const dirs = new Set(["etc", "tmp"]);
  for (const target of targets) {
    const parts = target.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return [...dirs].sort();
}

/** Writes `spec` as an OCI image-layout tarball at `out` (through a temporary layer file beside it). */
export async function writeOciImage(out: string, spec: ImageSpec): Promise<void> {
  const targets = spec.files.map((f) => f.target.replace(/^\/+/, ""));
  const layerFile = `${out}.layer`;
  const layer = await TarFile.create(layerFile);
  for (const dir of directories(targets)) await layer.dir(dir, dir === "tmp" ? 0o1777 : 0o755);
  for (const [name, content] of SKELETON) await layer.data(name, Buffer.from(content));
  for (const [i, file] of spec.files.entries()) await layer.copy(targets[i]!, file.source);
  const layerDigest = await layer.close();

  const config = json({
    architecture: "amd64",
    os: "linux",
    created: "1970-01-01T00:00:00Z",
    config: { Env: ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"], User: "0", WorkingDir: "/", ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}) },
    rootfs: { type: "layers", diff_ids: [layerDigest] },
    history: [{ created: "1970-01-01T00:00:00Z", created_by: "onprem-k8s test/cluster/oci-image.ts" }],
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.size }],
  });
  const tag = spec.ref.slice(spec.ref.lastIndexOf(":") + 1);
  const index = json({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: digestOf(manifest),
        size: manifest.length,
        platform: { architecture: "amd64", os: "linux" },
        // containerd names the imported image after this annotation.
        annotations: { "io.containerd.image.name": spec.ref, "org.opencontainers.image.ref.name": tag },
      },
    ],
  });

  const image = await TarFile.create(out);
  await image.data("oci-layout", json({ imageLayoutVersion: "1.0.0" }));
  await image.data("index.json", index);
  await image.dir("blobs");
  await image.dir("blobs/sha256");
  const blob = (digest: string) => path.posix.join("blobs/sha256", digest.slice("sha256:".length));
  await image.copy(blob(layerDigest), layerFile, 0o644);
  await image.data(blob(digestOf(config)), config);
  await image.data(blob(digestOf(manifest)), manifest);
  await image.close();
  await fs.rm(layerFile);
}
