// The patch patterns' check against the tool that reads them on the node: every pattern the check
// accepts compiles in the real GNU sed -E and replaces the same text JavaScript's reading would;
// the ones it refuses are named for the construct sed reads differently.
import { describe, expect, it } from "vitest";
import { runProcess } from "../test/tools/process";
import { sedPatternProblem, sedReplacementProblem } from "./sed-regex";

/** Runs `sed -E s<d>pattern<d>replacement<d>` on the input as the operation's script does (delimiter \x01). */
async function sed(pattern: string, replacement: string, input: string): Promise<{ status: number; output: string }> {
  const r = await runProcess("sed", ["-E", `s\x01${pattern}\x01${replacement}\x01`], { input, allowFail: true });
  return { status: r.status ?? 1, output: r.status === 0 ? r.stdout : r.stderr };
}

/** What the same substitution gives in JavaScript, line by line (sed's s without g: the first match of each line). */
function javascript(pattern: string, replacement: string, input: string): string {
  const regex = new RegExp(pattern);
  const js = replacement.replace(/\\([1-9])/g, "$$$1").replace(/(^|[^\\])&/g, "$1$$&").replace(/\\([&\\/])/g, "$1");
  // sed reads lines: the newline ending the last one starts no further line
  const lines = input.endsWith("\n") ? input.slice(0, -1).split("\n") : input.split("\n");
  return `${lines.map((line) => line.replace(regex, js)).join("\n")}${input.endsWith("\n") ? "\n" : ""}`;
}

const SAMPLE = "    server: https://192.168.100.11:6443\nclusterDNS:\n- 10.96.0.10\nKUBELET_KUBEADM_ARGS=\"--resolv-conf=/run/systemd/resolve/resolv.conf --pod-infra-container-image=x\"\nvm.max_map_count=65530\na{b} c|d (e) x/y\n";

const accepted: [string, string][] = [
  ["^( *server: )https://.*$", "\\1https://api.example.internal:6443"],
  ["^- ([0-9]{1,3}[.]){3}[0-9]{1,3}$", "- 169.254.20.10"],
  ['--resolv-conf=[^" ]*', "--resolv-conf=/etc/kubelet-resolv.conf"],
  ["^vm[.]max_map_count *=.*$", "vm.max_map_count = 262144"],
  ["a\\{b\\}", "[&]"],
  ["c\\|d", "c or d"],
  ["\\(e\\)", "\\&"],
  ["x\\/y", "x\\\\y"],
  ["(server|DNS)", "<\\1>"],
  ["[^a-z]+$", ""],
  ["^$", "empty"],
];

const refused: [string, RegExp][] = [
  ["\\d+", /\\d is Perl\/JavaScript syntax/],
  ["\\s", /\\s is Perl\/JavaScript syntax/],
  ["a{", /a \{ that starts no repetition/],
  ["[\\]]", /backslash in a bracket expression/],
  ["[[:digit:]]", /POSIX class/],
  ["(?:a)", /no non-capturing groups/],
  ["(?<x>a)", /no named groups/],
  ["a+?", /lazy quantifier/],
  ["a(?=b)", /look-ahead/],
  ["(?<!a)b", /look-behind/],
  ["\\bserver", /word boundary/],
  ["(a)\\1", /back-reference/],
  ["[]", /bracket expression does not end there/],
  ["(a", /does not compile/],
  ["*a", /does not compile/],
];

describe("patch patterns as GNU sed -E reads them", () => {
  it.each(accepted)("accepts %s, which sed -E compiles and applies as JavaScript reads it", async (pattern, replacement) => {
    expect(sedPatternProblem(pattern)).toBeUndefined();
    expect(sedReplacementProblem(replacement, pattern)).toBeUndefined();
    const real = await sed(pattern, replacement, SAMPLE);
    expect(real.status, real.output).toBe(0);
    expect(real.output).toBe(javascript(pattern, replacement, SAMPLE));
  });

  it.each(refused)("refuses %s, naming what sed -E reads differently", (pattern, problem) => {
    expect(sedPatternProblem(pattern)).toMatch(problem);
  });

  it("refuses what sed itself refuses: an unclosed group or bracket, a reference to a missing group", async () => {
    for (const [pattern, replacement] of [["(a", "x"], ["[a-", "x"], ["(a)b", "\\2"]] as const) {
      expect((await sed(pattern, replacement, "ab\n")).status, `${pattern} ${replacement}`).not.toBe(0);
      expect(sedPatternProblem(pattern) ?? sedReplacementProblem(replacement, pattern)).toBeDefined();
    }
  });

  it("refuses where sed reads the text as something else than JavaScript: \\d is a letter there", async () => {
    expect((await sed("\\d", "X", "d1\n")).output).not.toBe(javascript("\\d", "X", "d1\n"));
    expect(sedPatternProblem("\\d")).toBeDefined();
  });

  it("refuses line breaks and control characters, and a replacement's unknown escapes", () => {
    expect(sedPatternProblem("a\nb")).toMatch(/newline or control character/);
    expect(sedPatternProblem("a\u0001b")).toMatch(/control character/);
    expect(sedReplacementProblem("\\n", "a")).toMatch(/\\n: sed reads escapes/);
    expect(sedReplacementProblem("x\\", "a")).toMatch(/lone backslash/);
  });
});
