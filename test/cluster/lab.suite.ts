// The lab's own machinery, without a cluster: the images it writes are what containerd imports, and
// a run whose test process died (killed, timed out) is cleaned up by the next lab.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { toolCache } from "../tools/cache";
import { pidAlive } from "../tools/lock";
import { runProcess } from "../tools/process";
import { createCgroupRoot, cgroupHierarchies } from "./cgroups";
import { labGate } from "./gate";
import { Lab, type LabState } from "./lab";
import { expectShellcheckClean } from "../tools/shell-checks";
import { writeOciImage } from "./oci-image";

const gate = labGate();

describe("the lab's node scripts", () => {
  it("pass shellcheck: boot, init, the service supervisor, systemctl, journalctl and the units", async () => {
    const root = path.join(__dirname, "node-root");
    const files = [path.join(__dirname, "boot.sh"), ...["usr/local/lib/onprem-lab", "usr/local/sbin", "etc/onprem-lab/units"].flatMap((dir) => fs.readdirSync(path.join(root, dir)).map((f) => path.join(root, dir, f)))];
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) await expectShellcheckClean(file);
  });
});

describe("the lab's image writer", () => {
  it("writes an OCI image layout: index naming the image, manifest, config and one layer holding the files", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oci-image-"));
    const binary = path.join(dir, "hello");
    fs.writeFileSync(binary, "#!/bin/sh\necho hello\n");
    await writeOciImage(path.join(dir, "image.tar"), { ref: "registry.k8s.io/hello:1.0", files: [{ source: binary, target: "/usr/local/bin/hello" }], entrypoint: ["/usr/local/bin/hello"] });
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    await runProcess("tar", ["-xf", path.join(dir, "image.tar"), "-C", out]);
    const read = (digest: string) => fs.readFileSync(path.join(out, "blobs/sha256", digest.replace("sha256:", "")));
    const index = JSON.parse(fs.readFileSync(path.join(out, "index.json"), "utf8"));
    expect(index.manifests[0].annotations["io.containerd.image.name"]).toBe("registry.k8s.io/hello:1.0");
    const manifest = JSON.parse(read(index.manifests[0].digest).toString());
    const config = JSON.parse(read(manifest.config.digest).toString());
    expect(config.config.Entrypoint).toEqual(["/usr/local/bin/hello"]);
    expect(config.rootfs.diff_ids).toEqual([manifest.layers[0].digest]);
    const layer = path.join(dir, "layer.tar");
    fs.writeFileSync(layer, read(manifest.layers[0].digest));
    const listing = await runProcess("tar", ["-tvf", layer]);
    expect(listing.stdout).toMatch(/-rwxr-xr-x 0\/0 +21 .* usr\/local\/bin\/hello\n/);
    expect(listing.stdout).toContain("etc/passwd");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.runIf(gate.run)("a lab run whose process died", () => {
  it("is torn down by the next lab: its node and server processes, network namespaces, cgroups, host sysctls and files", async () => {
    // A lab first, so that leftovers of a real earlier run (sysctls it changed) are gone before this one's.
    await (await Lab.create({ gateway: "10.200.0.1/24", hosts: {} })).dispose();
    const deadPid = Number((await runProcess("bash", ["-c", "echo $$"])).stdout.trim());
    const dir = path.join(toolCache("cluster-lab", "runs"), `${deadPid}-dead`);
    fs.mkdirSync(dir, { recursive: true });
    const netns = `olabdead${process.pid % 10000}`;
    const cgroup = `onprem-lab-dead-${process.pid}`;
    const panic = fs.readFileSync("/proc/sys/kernel/panic", "utf8").trim();
    const state: LabState = { netns: [netns], cgroups: [cgroup], nodePids: [], sysctls: { "kernel/panic": panic } };
    await runProcess("ip", ["netns", "add", netns]);
    createCgroupRoot(cgroup);
    const node = spawn("ip", ["netns", "exec", netns, "sleep", "600"], { stdio: "ignore", detached: true });
    node.unref();
    state.nodePids.push(node.pid!);
    const server = spawn("ip", ["netns", "exec", netns, "sleep", "600"], { stdio: "ignore", detached: true });
    server.unref();
    state.serverPids = [server.pid!];
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
    // what kubelet does to the host, left behind by the dead run
    fs.writeFileSync("/proc/sys/kernel/panic", panic === "10" ? "11" : "10");

    const lab = await Lab.create({ gateway: "10.200.0.1/24", hosts: {} });
    await lab.dispose();

    expect(pidAlive(node.pid!)).toBe(false);
    expect(pidAlive(server.pid!)).toBe(false);
    expect(fs.existsSync(`/run/netns/${netns}`)).toBe(false);
    for (const hierarchy of cgroupHierarchies()) expect(fs.existsSync(path.join(hierarchy, cgroup))).toBe(false);
    expect(fs.readFileSync("/proc/sys/kernel/panic", "utf8").trim()).toBe(panic);
    expect(fs.existsSync(dir)).toBe(false);
    expect(lab.leftovers()).toEqual([]);
  }, 35 * 60_000);
});
