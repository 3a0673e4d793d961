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
    ["shrinking 3 -> 1 alone (removals run one at a time, each checking the members that stay)", ["a", "b", "c"], ["a"]],
    ["shrinking 5 -> 1 alone", ["a", "b", "c", "d", "e"], ["a"]],
    ["growing 3 -> 5", ["a", "b", "c"], ["a", "b", "c", "d", "e"]],
  ])("allows %s", (_name, previous, desired) => {
    expect(controlPlaneRemovalProblems(previous, desired)).toEqual([]);
  });

  it("refuses replacing a majority in one update (two of three swapped), saying how to do it instead", () => {
    expect(() => assertControlPlaneRemovalSafe(["a", "b", "c"], ["a", "d", "e"])).toThrow(
      /removing b, c at once leaves 1 of 3 etcd members, below quorum \(2\), while d, e join\. Remove at most 1 .* add them first and remove the old ones in a later update/,
    );
  });

  it("refuses removing every current control plane (the last one included)", () => {
    expect(() => assertControlPlaneRemovalSafe(["a", "b", "c"], ["d", "e", "f"])).toThrow(/every current control plane \(a, b, c\) would be removed/);
    expect(() => assertControlPlaneRemovalSafe(["a"], ["b"])).toThrow(/every current control plane \(a\)/);
  });

  it("refuses changing the first control plane (it ran kubeadm init)", () => {
    expect(() => assertControlPlaneRemovalSafe(["a", "b", "c"], ["b", "a", "c"])).toThrow(/first control plane changes from a to b/);
  });
});
