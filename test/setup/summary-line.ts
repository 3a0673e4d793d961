// A vitest reporter that ends the run with one plain line, `tests: N passed, N failed, N skipped`,
// after the default reporter's summary: the line CI reads. Errors outside any test (an unhandled
// rejection, a worker that timed out, a file that failed to load) count as failed, so the line
// never reads 0 failed on a run that exits non-zero.
import type { Reporter } from "vitest/node";

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

function count(tasks: Task[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === "test") {
      const state = task.result?.state;
      if (state === "pass") totals.passed += 1;
      else if (state === "fail") totals.failed += 1;
      else totals.skipped += 1;
    } else {
      // a suite or file whose hook failed fails without a failed test inside it
      if (task.result?.state === "fail" && !(task.tasks ?? []).some((t) => t.result?.state === "fail")) totals.failed += 1;
      count(task.tasks ?? [], totals);
    }
  }
}

export default class SummaryLine implements Reporter {
  // onFinished, not onTestRunEnd: the default reporter prints its summary here, and this line follows it.
  onFinished(files: unknown[] = [], errors: unknown[] = []): void {
    const totals = { passed: 0, failed: errors.length, skipped: 0 };
    count(files as Task[], totals);
    process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  }
}
