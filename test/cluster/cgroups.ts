// A lab node's cgroup root (kubelet --cgroup-root): every node's pods go below a cgroup of its own,
// since all kubelets of the lab share one kernel. cgroup v1 (as on this machine, "hybrid": one
// hierarchy per controller plus name=systemd) needs the cgroup in every hierarchy or kubelet
// refuses it; cgroup v2 (most CI VMs) needs one cgroup with the controllers delegated to it.
import * as fs from "node:fs";
import * as path from "node:path";
import { sleep } from "../tools/process";

/** Where the cgroup filesystems are mounted; the functions take another root only in their unit tests. */
const CGROUP_FS = "/sys/fs/cgroup";
const V2_CONTROLLERS = ["cpu", "cpuset", "memory", "pids", "io", "hugetlb"];

const unified = (root: string) => fs.existsSync(path.join(root, "cgroup.controllers"));

/** The hierarchies a cgroup root must exist in: /sys/fs/cgroup (v2) or each v1 hierarchy. */
export function cgroupHierarchies(root = CGROUP_FS): string[] {
  if (unified(root)) return [root];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "unified")
    .map((d) => path.join(root, d.name));
}

export function createCgroupRoot(name: string, root = CGROUP_FS): void {
  for (const hierarchy of cgroupHierarchies(root)) {
    const dir = path.join(hierarchy, name);
    fs.mkdirSync(dir, { recursive: true });
    // v1 cpuset: a new cgroup starts with no CPUs and no memory nodes.
    if (path.basename(hierarchy) === "cpuset") {
      for (const file of ["cpuset.cpus", "cpuset.mems"]) fs.writeFileSync(path.join(dir, file), fs.readFileSync(path.join(hierarchy, file)));
    }
  }
  if (!unified(root)) return;
  for (const file of [path.join(root, "cgroup.subtree_control"), path.join(root, name, "cgroup.subtree_control")]) {
    for (const controller of V2_CONTROLLERS) {
      try {
        fs.writeFileSync(file, `+${controller}`);
      } catch {
        // a controller this kernel does not offer
      }
    }
  }
}

/** Removes a cgroup root and everything below it, deepest first, in every hierarchy (v1 hybrid: the unified one too, where kubelet adds its own). */
export async function removeCgroupRoot(name: string, root = CGROUP_FS): Promise<void> {
  const hierarchies = unified(root) ? [root] : fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(root, d.name));
  for (const hierarchy of hierarchies) {
    const dir = path.join(hierarchy, name);
    // Processes that were just killed leave their cgroups a moment later.
    for (let attempt = 0; attempt < 20 && fs.existsSync(dir); attempt++) {
      const all: string[] = [];
      const walk = (d: string) => {
        all.push(d);
        for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
      };
      try {
        walk(dir);
        for (const d of all.reverse()) fs.rmdirSync(d);
      } catch {
        await sleep(500);
      }
    }
  }
}
