// unusedSiblings: the lab's image tarballs of other builds stay while some worktree uses them.
import { describe, expect, it } from "vitest";
import { unusedSiblings } from "./unused-files";

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 11, 6);
const family = { prefix: "kube-apiserver-v1.34.4-", suffix: ".tar" };

describe("unusedSiblings", () => {
  it("keeps another build of the same image used recently (another worktree's), and the one just written", () => {
    const files = [
      { name: "kube-apiserver-v1.34.4-aaaaaaaaaaaa.tar", lastUsedMs: NOW - 1000 },
      { name: "kube-apiserver-v1.34.4-bbbbbbbbbbbb.tar", lastUsedMs: NOW - 2 * DAY },
    ];
    expect(unusedSiblings(files, family, "kube-apiserver-v1.34.4-aaaaaaaaaaaa.tar", NOW, 7 * DAY)).toEqual([]);
  });

  it("names the builds of that image nobody has used for longer than the limit, never the one kept", () => {
    const files = [
      { name: "kube-apiserver-v1.34.4-aaaaaaaaaaaa.tar", lastUsedMs: NOW - 30 * DAY },
      { name: "kube-apiserver-v1.34.4-bbbbbbbbbbbb.tar", lastUsedMs: NOW - 8 * DAY },
      { name: "kube-apiserver-v1.34.4-cccccccccccc.tar", lastUsedMs: NOW - 6 * DAY },
    ];
    expect(unusedSiblings(files, family, "kube-apiserver-v1.34.4-aaaaaaaaaaaa.tar", NOW, 7 * DAY)).toEqual(["kube-apiserver-v1.34.4-bbbbbbbbbbbb.tar"]);
  });

  it("leaves other images, other tags, partial writes and lock directories alone", () => {
    const old = NOW - 100 * DAY;
    const files = [
      { name: "kube-apiserver-v1.34.3-aaaaaaaaaaaa.tar", lastUsedMs: old },
      { name: "kube-controller-manager-v1.34.4-aaaaaaaaaaaa.tar", lastUsedMs: old },
      { name: "kube-apiserver-v1.34.4-aaaaaaaaaaaa.tar.partial-123", lastUsedMs: old },
      { name: "kube-apiserver-v1.34.4-aaaaaaaaaaaa.tar.lockdir", lastUsedMs: old },
    ];
    expect(unusedSiblings(files, family, "kube-apiserver-v1.34.4-dddddddddddd.tar", NOW, 7 * DAY)).toEqual([]);
  });
});
