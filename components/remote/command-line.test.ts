import { describe, expect, it } from "vitest";
import { deleteCommandLine, remoteCommandLine } from "./command-line";

describe("command lines", () => {
  it("reaches root through sudo -n unless the user is root", () => {
    expect(remoteCommandLine("admin")).toBe("sudo -n bash -s");
    expect(remoteCommandLine("root")).toBe("bash -s");
  });

  it("starts the delete through env, which survives sudo's environment reset", () => {
    expect(deleteCommandLine("sudo -n bash -s", { KUBEADM_ACTION: "delete", DRAIN_POLICY: "strict" })).toBe("sudo -n env KUBEADM_ACTION=delete DRAIN_POLICY=strict bash -s");
    expect(deleteCommandLine("bash -s", { KUBEADM_ACTION: "delete" })).toBe("env KUBEADM_ACTION=delete bash -s");
    expect(() => deleteCommandLine("bash -s", { "BAD NAME": "x" })).toThrow(/invalid environment variable name/);
    expect(() => deleteCommandLine("sh -c", { A: "x" })).toThrow(/unexpected command line/);
  });
});
