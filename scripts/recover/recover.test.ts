import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockOwner } from "./locks";
import { locksFromMessage, recoverStack, type PulumiResult } from "./recover";
import { backendUrlOf, fileBackendRoot, sidecarProblem } from "./state-files";

const GOOD_ATTRS = '{"user.content_type":"text/plain; charset=utf-8","md5":"mdM5fmVbOX/UkIOcHxdP6g=="}';
const STATE = JSON.stringify({ version: 3, deployment: { resources: [], pending_operations: [{ type: "creating", resource: { urn: "urn:pulumi:poc::onprem-k8s::command:remote:Command::nsx-poc-cp-2-base" } }] } });

describe("recovery of an interrupted update (file backend)", () => {
  let dir: string;
  let root: string;
  let calls: string[][];
  let lines: string[];
  let answers: Record<string, PulumiResult>;

  const stackDir = () => path.join(root, ".pulumi", "stacks", "onprem-k8s");
  const lockDir = () => path.join(root, ".pulumi", "locks", "organization", "onprem-k8s", "poc");
  const writeLock = (owner: object) => {
    fs.mkdirSync(lockDir(), { recursive: true });
    fs.writeFileSync(path.join(lockDir(), "b3c1.json"), JSON.stringify(owner));
  };
  const run = (extra: { ownerGone?: boolean; running?: number[] } = {}) =>
    recoverStack({
      stack: "poc",
      projectDir: dir,
      ownerGone: extra.ownerGone,
      probe: { hostname: "laptop", isPulumi: (pid) => (extra.running ?? []).includes(pid) },
      backupDir: path.join(dir, "backup"),
      say: (line) => lines.push(line),
      pulumi: async (args) => {
        calls.push(args);
        const key = args.filter((a) => !a.startsWith("-") && a !== "poc").join(" ");
        return answers[key] ?? { status: 0, stdout: "", output: "" };
      },
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "recover-"));
    root = path.join(dir, "state");
    fs.mkdirSync(stackDir(), { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: onprem-k8s\nruntime: nodejs\n");
    fs.writeFileSync(path.join(stackDir(), "poc.json"), STATE);
    fs.writeFileSync(path.join(stackDir(), "poc.json.attrs"), "");
    fs.writeFileSync(path.join(stackDir(), "poc.json.bak"), STATE);
    fs.writeFileSync(path.join(stackDir(), "poc.json.bak.attrs"), GOOD_ATTRS);
    calls = [];
    lines = [];
    answers = {
      "whoami": { status: 0, stdout: "", output: `User: root\nBackend URL: file://${root}\n` },
      "stack export": { status: 0, stdout: STATE, output: STATE },
    };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("backs up, removes the empty sidecar, cancels a dead run's lock, clears pending creates, then says to run pulumi up", async () => {
    writeLock({ pid: 4242, username: "ci", hostname: "laptop", timestamp: "2026-12-06T22:00:00Z" });
    answers["stack export"] = { status: 0, stdout: STATE, output: STATE };
    let exports = 0;
    const cleared = JSON.stringify({ version: 3, deployment: { resources: [] } });
    const status = await recoverStack({
      stack: "poc",
      projectDir: dir,
      probe: { hostname: "laptop", isPulumi: () => false },
      backupDir: path.join(dir, "backup"),
      say: (line) => lines.push(line),
      pulumi: async (args) => {
        calls.push(args);
        if (args[0] === "whoami") return answers.whoami!;
        if (args[0] === "stack") return { status: 0, stdout: exports++ === 0 ? STATE : cleared, output: "" };
        return { status: 0, stdout: "", output: "" };
      },
    });
    expect(status, lines.join("\n")).toBe(0);
    expect(calls.map((c) => c.join(" "))).toEqual([
      "whoami --verbose",
      "stack export -s poc",
      "cancel --yes -s poc",
      "refresh --clear-pending-creates --yes --skip-preview -s poc",
      "stack export -s poc",
    ]);
    expect(fs.existsSync(path.join(stackDir(), "poc.json.attrs"))).toBe(false);
    expect(fs.readFileSync(path.join(stackDir(), "poc.json.bak.attrs"), "utf8")).toBe(GOOD_ATTRS);
    expect(fs.readdirSync(path.join(dir, "backup")).sort()).toEqual(["poc.export.json", "poc.json", "poc.json.attrs", "poc.json.bak", "poc.json.bak.attrs"]);
    expect(fs.readFileSync(path.join(dir, "backup", "poc.json"), "utf8")).toBe(STATE);
    expect(lines.join("\n")).toMatch(/poc.json.attrs was empty/);
    expect(lines.at(-1)).toBe("poc is ready: run pulumi up -s poc (it runs the interrupted steps again; each is safe to re-run)");
  });

  it("refuses while the lock's pulumi still runs here, and touches nothing", async () => {
    writeLock({ pid: 4242, username: "me", hostname: "laptop", timestamp: "t" });
    expect(await run({ running: [4242] })).toBe(2);
    expect(calls.map((c) => c[0])).toEqual(["whoami"]);
    expect(fs.readFileSync(path.join(stackDir(), "poc.json.attrs"), "utf8")).toBe("");
    expect(fs.existsSync(path.join(lockDir(), "b3c1.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "backup"))).toBe(false);
    expect(lines.join("\n")).toContain("still running here: me@laptop (pid 4242)");
  });

  it("refuses a lock taken on another machine unless --owner-gone", async () => {
    writeLock({ pid: 7, username: "runner", hostname: "ci-17", timestamp: "t" });
    expect(await run()).toBe(2);
    expect(lines.join("\n")).toContain("--owner-gone");
    expect(calls.some((c) => c[0] === "cancel")).toBe(false);
    lines = [];
    expect(await run({ ownerGone: true })).toBe(1); // the fake refresh leaves the creates pending
    expect(calls.some((c) => c[0] === "cancel")).toBe(true);
  });

  it("a checkpoint cut short is left alone (backed up), and named", async () => {
    fs.writeFileSync(path.join(stackDir(), "poc.json"), STATE.slice(0, 20));
    expect(await run()).toBe(1);
    expect(lines.join("\n")).toContain("does not parse");
    expect(fs.readFileSync(path.join(dir, "backup", "poc.json"), "utf8")).toBe(STATE.slice(0, 20));
    expect(calls.map((c) => c[0])).toEqual(["whoami"]);
  });
});

describe("recovery helpers", () => {
  it("reads the backend and lock owners as the CLI prints them", () => {
    expect(backendUrlOf("User: root\nOrganizations: \nBackend URL: file://~\n")).toBe("file://~");
    expect(fileBackendRoot("file://~", "/home/ops")).toBe("/home/ops");
    expect(fileBackendRoot("file:///srv/state?no_legacy=1")).toBe("/srv/state");
    expect(fileBackendRoot("s3://bucket")).toBeUndefined();
    const message =
      "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  s3://pulumi-state/.pulumi/locks/organization/onprem-k8s/poc/1a2b.json: created by runner@ci-17 (pid 812) at 2026-12-06T22:00:00Z";
    const [lock] = locksFromMessage(message);
    expect(lock).toMatchObject({ username: "runner", hostname: "ci-17", pid: 812 });
    expect(lockOwner(lock!, { hostname: "ci-17", isPulumi: () => false })).toBe("gone");
    expect(lockOwner(lock!, { hostname: "laptop", isPulumi: () => false })).toBe("unknown");
  });

  it("tells an empty or cut-short sidecar from a good or absent one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sidecar-"));
    const file = path.join(dir, "x.attrs");
    expect(sidecarProblem(file)).toBeUndefined();
    fs.writeFileSync(file, GOOD_ATTRS);
    expect(sidecarProblem(file)).toBeUndefined();
    fs.writeFileSync(file, GOOD_ATTRS.slice(0, 40));
    expect(sidecarProblem(file)).toBe("cut short");
    fs.writeFileSync(file, "");
    expect(sidecarProblem(file)).toBe("empty");
    fs.rmSync(dir, { recursive: true });
  });
});
