// The lab's cgroup roots on both layouts, on directory trees shaped like them: this machine is
// cgroup v1 (hybrid), so the v2 path (most CI VMs) is shown here and nowhere else.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cgroupHierarchies, createCgroupRoot, removeCgroupRoot } from "./cgroups";

const roots: string[] = [];
function tree(files: Record<string, string>, dirs: string[] = []): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cgroup-fs-"));
  roots.push(root);
  for (const dir of dirs) fs.mkdirSync(path.join(root, dir), { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

describe("a lab node's cgroup root", () => {
  it("cgroup v1 (hybrid): one cgroup in every controller hierarchy and name=systemd, cpuset given the parent's CPUs and memory nodes; removed from all, the unified one included", async () => {
    const root = tree({ "cpuset/cpuset.cpus": "0-1\n", "cpuset/cpuset.mems": "0\n" }, ["cpu,cpuacct", "memory", "pids", "systemd", "unified"]);
    expect(cgroupHierarchies(root).map((h) => path.basename(h)).sort()).toEqual(["cpu,cpuacct", "cpuset", "memory", "pids", "systemd"]);
    createCgroupRoot("onprem-lab-x-n1", root);
    for (const hierarchy of ["cpu,cpuacct", "cpuset", "memory", "pids", "systemd"]) expect(fs.existsSync(path.join(root, hierarchy, "onprem-lab-x-n1")), hierarchy).toBe(true);
    expect(fs.readFileSync(path.join(root, "cpuset/onprem-lab-x-n1/cpuset.cpus"), "utf8")).toBe("0-1\n");
    expect(fs.readFileSync(path.join(root, "cpuset/onprem-lab-x-n1/cpuset.mems"), "utf8")).toBe("0\n");
    // kubelet adds pods below it, and its own cgroup in the unified hierarchy
    fs.mkdirSync(path.join(root, "memory/onprem-lab-x-n1/kubepods/burstable"), { recursive: true });
    fs.mkdirSync(path.join(root, "unified/onprem-lab-x-n1/kubepods"), { recursive: true });
    fs.rmSync(path.join(root, "cpuset/onprem-lab-x-n1/cpuset.cpus"));
    fs.rmSync(path.join(root, "cpuset/onprem-lab-x-n1/cpuset.mems"));
    await removeCgroupRoot("onprem-lab-x-n1", root);
    for (const hierarchy of ["cpu,cpuacct", "cpuset", "memory", "pids", "systemd", "unified"]) expect(fs.existsSync(path.join(root, hierarchy, "onprem-lab-x-n1")), hierarchy).toBe(false);
  });

  it("cgroup v2: one cgroup in the single hierarchy, with the controllers enabled for it and below it; removed with what kubelet made inside", async () => {
    const root = tree({ "cgroup.controllers": "cpuset cpu io memory hugetlb pids\n", "cgroup.subtree_control": "" });
    expect(cgroupHierarchies(root)).toEqual([root]);
    createCgroupRoot("onprem-lab-x-n1", root);
    expect(fs.existsSync(path.join(root, "onprem-lab-x-n1"))).toBe(true);
    // One write per controller, as the kernel takes them (a fake file keeps the last one).
    expect(fs.readFileSync(path.join(root, "cgroup.subtree_control"), "utf8")).toBe("+hugetlb");
    expect(fs.readFileSync(path.join(root, "onprem-lab-x-n1/cgroup.subtree_control"), "utf8")).toBe("+hugetlb");
    fs.rmSync(path.join(root, "onprem-lab-x-n1/cgroup.subtree_control"));
    fs.mkdirSync(path.join(root, "onprem-lab-x-n1/kubepods/besteffort"), { recursive: true });
    await removeCgroupRoot("onprem-lab-x-n1", root);
    expect(fs.existsSync(path.join(root, "onprem-lab-x-n1"))).toBe(false);
  });
});
