// Scratch directories of one test, removed when it finishes (pass or fail): a suite run leaves
// nothing in the temporary directory.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { onTestFinished } from "vitest";

/** A new directory under the temporary directory, named `<prefix>XXXXXX`; call it inside a test. */
export function testDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
