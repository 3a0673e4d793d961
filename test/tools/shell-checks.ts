// The two checks every shipped shell script gets in the tests: shellcheck (following the libraries
// it sources, relative to the script) and bash's own parse of the bundle as a step feeds it.
import { expect } from "vitest";
import { runProcess } from "./process";

/** shellcheck's run on `file`; `-x` with sources found beside the script, as the bundles ship them. */
export function shellcheck(file: string) {
  return runProcess("shellcheck", ["-x", "--source-path=SCRIPTDIR", file], { allowFail: true });
}

/** Fails with shellcheck's findings; a missing shellcheck fails too (the spawn error names it). */
export async function expectShellcheckClean(file: string): Promise<void> {
  const r = await shellcheck(file);
  expect(r.status, r.stdout).toBe(0);
}

/** bash -n on what a step sends on stdin: parameters on top, then libraries and script. */
export async function expectBashParses(stdin: string): Promise<void> {
  const r = await runProcess("bash", ["-n"], { input: stdin, allowFail: true });
  expect(r.status, r.stderr).toBe(0);
}
