import { defineConfig } from "vitest/config";
import LabFirstSequencer from "./test/setup/sequencer";

export default defineConfig({
  test: {
    include: ["components/**/*.test.ts", "stacks/**/*.test.ts", "policy/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
    // Pulumi's runtime keeps per-process state (mocks, config), so each test file runs in its own fork.
    pool: "forks",
    // Three at a time on two cores: most long files wait (on the engine, SSH, a cluster coming up)
    // more than they compute; vitest's default here would be one file at a time.
    maxWorkers: 3,
    minWorkers: 1,
    // The lab's file (about twenty minutes in one worker) starts first, then the real-engine files.
    sequence: { sequencer: LabFirstSequencer },
    // Builds kubeadm, the Debian sandbox and the validators once, before any test file, under its own limit.
    globalSetup: ["test/setup/tools.ts"],
    // In every test file's worker: fails the file, naming it, when its event loop was blocked too long.
    setupFiles: ["test/setup/event-loop-guard.ts"],
    reporters: ["default", "./test/setup/summary-line.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
