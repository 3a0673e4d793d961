import { describe, expect, it } from "vitest";
import { assertControlPlaneRemovalSafe, controlPlaneRemovalProblems, etcdQuorum, previousControlPlanes } from "./membership";

describe("control-plane membership guard", () => {
  it("reads the previous control planes from the stack's `nodes` output, tolerating its absence", () => {
    expect(previousControlPlanes([{ name: "cp-1", role: "control-plane" }, { name: "w-1", role: "worker" }, { name: "cp-2", role: "control-plane" }])).toEqual(["cp-1", "cp-2"]);
    expect(previousControlPlanes(undefined)).toEqual([]);
    expect(previousControlPlanes({ not: "a list" })).toEqual([]);
  });

  it("knows etcd quorum", () => {
    expect([1, 3, 5, 7].map(etcdQuorum)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ["a first deployment", [], ["a", "b", "c"]],
    ["no change", ["a", "b", "c"], ["a", "b", "c"]],
    ["growing 1 -> 3", ["a"], ["a", "b", "c"]],
    ["shrinking 5 -> 3 (3 of 5 remain: quorum)", ["a", "b", "c", "d", "e"], ["a", "b", "c"]],
    ["replacing one member of three", ["a", "b", "c"], ["a", "b", "d"]],
  ])("allows %s", (_name, previous, desired) => {
    expect(controlPlaneRemovalProblems(previous, desired)).toEqual([]);
  });

  it("refuses going below quorum in one step (3 -> 1), saying how many may go per update", () => {
    expect(() => assertControlPlaneRemovalSafe(["a", "b", "c"], ["a"])).toThrow(/removing b, c at once leaves 1 of 3 etcd members, below quorum \(2\)\. Remove at most 1/);
  });

  it("refuses removing every current control plane (the last one included)", () => {
    expect(() => assertControlPlaneRemovalSafe(["a", "b", "c"], ["d", "e", "f"])).toThrow(/every current control plane \(a, b, c\) would be removed/);
    expect(() => assertControlPlaneRemovalSafe(["a"], ["b"])).toThrow(/every current control plane \(a\)/);
  });

  it("refuses changing the first control plane (it ran kubeadm init)", () => {
    expect(() => assertControlPlaneRemovalSafe(["a", "b", "c"], ["b", "a", "c"])).toThrow(/first control plane changes from a to b/);
  });
});
