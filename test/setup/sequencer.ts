// The order test files start in. vitest's own order runs failed files first, then the longest by
// its results cache, and without a cache (a fresh checkout, as in CI) the largest files first: the
// lab's file is nine lines, so it started among the last, and its twenty minutes in one worker
// came after most of the suite instead of beside it. Here the lab's file starts first and the
// real-engine files next (each takes minutes), each group in vitest's own order.
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const START_FIRST = [/\/test\/lab-serial\.test\.ts$/, /\/test\/engine\//];

/** Where `moduleId` starts: the index of the first START_FIRST pattern it matches, else after them all. */
export function startGroup(moduleId: string): number {
  const index = START_FIRST.findIndex((pattern) => pattern.test(moduleId));
  return index < 0 ? START_FIRST.length : index;
}

export default class LabFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    // Array.prototype.sort is stable, so each group keeps vitest's own order.
    return [...ordered].sort((a, b) => startGroup(a.moduleId) - startGroup(b.moduleId));
  }
}
