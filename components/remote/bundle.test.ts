// Bundles as shipped: parameters reach the script byte for byte; triggers follow content only.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runProcess } from "../../test/tools/process";
import { contentTrigger, readBundle, scriptStdin } from "./bundle";

describe("bundles", () => {
  it("joins the files in order, libraries first", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    fs.writeFileSync(path.join(dir, "lib.sh"), "lib() { :; }\n");
    fs.writeFileSync(path.join(dir, "main.sh"), "main() { lib; }\n");
    expect(readBundle([path.join(dir, "lib.sh"), path.join(dir, "main.sh")])).toBe("lib() { :; }\n\nmain() { lib; }\n");
    fs.rmSync(dir, { recursive: true });
  });

  it("passes parameters byte for byte (quotes, $, backticks, newlines)", async () => {
    const value = "line 1\nit's \"quoted\" $HOME `id` \\ end";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    const stdin = scriptStdin(`printf %s "$PROBE" > ${dir}/out\n`, { PROBE: value });
    expect((await runProcess("bash", ["-s"], { input: stdin, allowFail: true })).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "out"), "utf8")).toBe(value);
    fs.rmSync(dir, { recursive: true });
  });

  it("changes the trigger with the bundle or a parameter, not with the parameters' order", () => {
    const trigger = contentTrigger("script", { A: "1", B: "2" });
    expect(contentTrigger("script", { B: "2", A: "1" })).toBe(trigger);
    expect(contentTrigger("script ", { A: "1", B: "2" })).not.toBe(trigger);
    expect(contentTrigger("script", { A: "1", B: "3" })).not.toBe(trigger);
    expect(trigger).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
