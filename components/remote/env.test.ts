// Parameters as the shell sees them, and credentials kept out of logs.
import { describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { maskSecrets, renderEnvLines, renderEnvPrefix } from "./env";

/** Values as bash sees them after `eval`-free sourcing of the prefix. */
async function roundTrip(env: Record<string, string>): Promise<Record<string, string>> {
  const names = Object.keys(env);
  const script = `${renderEnvPrefix(env)}${names.map((n) => `printf '%s\\0' "$${n}"`).join("; ")}`;
  const r = await runProcess("bash", ["-c", script], { env: {}, allowFail: true });
  expect(r.status, r.stderr).toBe(0);
  const values = r.stdout.split("\0").slice(0, -1);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

describe("renderEnvPrefix", () => {
  it("renders export statements that bash reads back unchanged, however tricky the value", async () => {
    const env = {
      PLAIN: "plain",
      EMPTY: "",
      SPACES: "a b  c",
      SINGLE: "it's",
      DOUBLE: 'say "hi"',
      DOLLAR: "$HOME ${PATH} $(id) `id`",
      BANG_AND_QUOTE: "it's here!",
      NEWLINES: "line1\nline2\n",
      BACKSLASH: "a\\b\\",
      GLOB: "*?[a]",
      SEMICOLON: "a; rm -rf /; echo",
      PROXY: "http://us%40er:p@ss'w\"d$@proxy:3128",
    };
    expect(await roundTrip(env)).toEqual(env);
  });

  it("renders `export NAME=value; ` with shell-quote's quoting", () => {
    expect(renderEnvPrefix({ A: "x", B: "a b" })).toBe("export A=x; export B='a b'; ");
  });

  it("rejects names that are not shell identifiers", () => {
    expect(() => renderEnvPrefix({ "A;B": "x" })).toThrow(/invalid environment variable name/);
    expect(() => renderEnvPrefix({ "1A": "x" })).toThrow(/invalid environment variable name/);
  });
});

describe("maskSecrets", () => {
  it("hides user:pass@ in URLs and bare credentials", () => {
    expect(maskSecrets("proxy http://alice:S3cr3t@proxy.corp:3128 ok")).toBe("proxy http://***@proxy.corp:3128 ok");
    expect(maskSecrets('Environment="HTTPS_PROXY=https://bob:pw@p:8080"')).toBe('Environment="HTTPS_PROXY=https://***@p:8080"');
    expect(maskSecrets("proxy=carol:hunter2@p:3128")).toBe("proxy=***@p:3128");
  });

  it("leaves URLs without credentials alone", () => {
    expect(maskSecrets("http://proxy.corp:3128/ and user@example.com")).toBe("http://proxy.corp:3128/ and user@example.com");
  });
});

describe("renderEnvLines", () => {
  it("renders one export a line, as the plan's parameter files show them", () => {
    expect(renderEnvLines({ A: "x", B: "a b" })).toEqual(["export A=x", "export B='a b'"]);
  });
});
