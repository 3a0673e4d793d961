import { promises as fs } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { pidAlive, withLock } from "./lock";
import { testDir } from "./test-dir";

describe("withLock", () => {
  it("serialises holders: the second runs only after the first released the lock", async () => {
    const dir = testDir("lock-");
    const order: string[] = [];
    const hold = (name: string, ms: number) =>
      withLock(path.join(dir, "build.lock"), async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name} out`);
      });
    await Promise.all([hold("a", 300), new Promise((r) => setTimeout(r, 50)).then(() => hold("b", 10))]);
    expect(order).toEqual(["a in", "a out", "b in", "b out"]);
    await expect(fs.access(path.join(dir, "build.lock"))).rejects.toThrow();
  });

  it("takes over a lock whose owner died, and gives up on a live one after the wait limit", async () => {
    const dir = testDir("lock-");
    const lock = path.join(dir, "base.lock");
    await fs.mkdir(lock);
    await fs.writeFile(path.join(lock, "pid"), "999999999");
    expect(pidAlive(999999999)).toBe(false);
    expect(await withLock(lock, async () => "taken")).toBe("taken");
    await fs.mkdir(lock);
    await fs.writeFile(path.join(lock, "pid"), String(process.pid));
    await expect(withLock(lock, async () => "never", { waitLimitMs: 100 })).rejects.toThrow(/timed out waiting for .*base\.lock/);
  });

  it("holds its pid from the moment the lock exists; an empty lock directory (an owner killed before writing its pid) is taken over", async () => {
    const dir = testDir("lock-");
    const lock = path.join(dir, "lab.lockdir");
    await fs.mkdir(lock);
    const held = await withLock(lock, async () => (await fs.readFile(path.join(lock, "pid"), "utf8")).trim(), { waitLimitMs: 5000 });
    expect(held).toBe(String(process.pid));
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
