// Fails a test file whose worker blocked its own event loop for too long. vitest's worker answers
// the runner over RPC; a worker blocked for 60 s (spawnSync, a long synchronous loop) makes the
// runner give up with `Timeout calling "onTaskUpdate"` and fails the whole run although every test
// passed, without saying which file did it. This setup file runs in every test file's worker,
// before the file is imported, so import, collection, hooks and tests are all measured.
import * as path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, afterEach, beforeEach } from "vitest";

/** Seconds; well below the RPC's 60 s so a loaded machine still has room. */
export const DEFAULT_BLOCK_LIMIT_SECONDS = 15;
/** Lowers (or raises) the bound, for the guard's own test and for finding the worst blockers. */
export const BLOCK_LIMIT_ENV = "ONPREM_K8S_EVENT_LOOP_LIMIT_SECONDS";

const limitSeconds = Number(process.env[BLOCK_LIMIT_ENV] ?? DEFAULT_BLOCK_LIMIT_SECONDS);
if (!(limitSeconds > 0)) throw new Error(`${BLOCK_LIMIT_ENV}=${process.env[BLOCK_LIMIT_ENV]}: must be a number of seconds above 0`);

// The histogram samples the time between two ticks of a native timer, so its max is the longest
// single stretch the loop could not run (plus the 20 ms resolution), not an average. It is never
// reset: a reset forgets the tick before it, and a block right after would go unrecorded.
const RESOLUTION_MS = 20;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();

// Captured now: a test that fakes timers must not stop the guard from yielding.
const realSetTimeout = globalThis.setTimeout;
/** Lets the histogram's timer fire, so a block that just ended is recorded before it is read. */
const settle = () => new Promise<void>((resolve) => realSetTimeout(resolve, 0));

// The histogram records the time between two ticks of its timer, and its first tick only marks
// the start: a block that began before that first tick (the file's import, or a first test that
// starts within 20 ms) went unrecorded. A CI run missed a planted 3 s block that way. So the file
// is imported only once the histogram has ticked. (vitest loads setup files as ES modules, where
// top-level await is allowed; tsc, compiling the project as CommonJS, would refuse the line.)
// @ts-expect-error TS1378: top-level await in a file only vitest loads
await new Promise<void>((resolve) => realSetTimeout(resolve, 3 * RESOLUTION_MS));

let seenMs = 0;
let longest = { ms: 0, during: "importing and collecting the file" };

/** Attributes a new maximum to the stretch that ended here. */
async function checkpoint(during: string): Promise<void> {
  await settle();
  const ms = delay.max / 1e6;
  if (ms > seenMs) {
    seenMs = ms;
    longest = { ms, during };
  }
}

beforeEach(async ({ task }) => {
  await checkpoint(`importing the file, collecting it or a beforeAll hook, before test "${task.name}"`);
});

afterEach(async ({ task }) => {
  await checkpoint(`test "${task.name}" (or its beforeEach/afterEach hooks)`);
});

// Registered first, so it runs after the file's own afterAll hooks and measures them too.
afterAll(async (suite) => {
  await checkpoint("an afterAll hook");
  delay.disable();
  const seconds = longest.ms / 1000;
  if (seconds > limitSeconds) {
    const file = "filepath" in suite && typeof suite.filepath === "string" ? path.relative(process.cwd(), suite.filepath) : suite.name;
    throw new Error(
      `${file} blocked its worker's event loop for ${seconds.toFixed(1)} s while ${longest.during}; the bound is ${limitSeconds} s ` +
        `(${BLOCK_LIMIT_ENV}). A worker blocked for 60 s cannot answer vitest ("Timeout calling onTaskUpdate") and fails the run: ` +
        "run child processes through runProcess (test/tools/process.ts), not spawnSync/execSync, and let long loops yield " +
        "(await new Promise(setImmediate)) every few iterations.",
    );
  }
});
