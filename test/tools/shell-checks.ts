// The two checks every shipped shell script gets in the tests: shellcheck (following the libraries
// it sources, relative to the script) and bash's own parse of the bundle as a step feeds it.
import { spawnSync } from "node:child_process";
import { expect } from "vitest";

/** shellcheck's run on `file`; `-x` with sources found beside the script, as the bundles ship them. */
export function shellcheck(file: string) {
  return spawnSync("shellcheck", ["-x", "--source-path=SCRIPTDIR", file], { encoding: "utf8" });
}

export function expectShellcheckClean(file: string): void {
  const r = shellcheck(file);
  expect(r.error, "shellcheck is not installed").toBeUndefined();
  expect(r.status, r.stdout).toBe(0);
}

/** bash -n on what a step sends on stdin: parameters on top, then libraries and script. */
export function expectBashParses(stdin: string): void {
  const r = spawnSync("bash", ["-n"], { input: stdin, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}
