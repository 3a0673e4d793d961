import { describe, expect, it } from "vitest";
import { KNOWN_CONFIG_KEYS, unknownConfigKeyProblems } from "./config-keys";

describe("config keys in the project's namespace", () => {
  it("accepts every key the program reads and leaves other namespaces alone", () => {
    expect(unknownConfigKeyProblems([...KNOWN_CONFIG_KEYS, "vsphere:allowUnverifiedSsl", "kubernetes:enableServerSideApply"])).toEqual([]);
  });

  it.each([
    ["onprem-k8s:clustr", "onprem-k8s:cluster"],
    ["onprem-k8s:sshPrivatekey", "onprem-k8s:sshPrivateKey"],
    ["onprem-k8s:vspherePasword", "onprem-k8s:vspherePassword"],
  ])("names %s with the key it was meant to be (%s)", (key, meant) => {
    const [problem, ...rest] = unknownConfigKeyProblems([key]);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: key, severity: "error", problem: expect.stringContaining("not a setting of this program") });
    expect(problem!.fix).toMatch(new RegExp(`^did you mean ${meant}\\?`));
  });

  it.each([
    ["onpremk8s:cluster", "onprem-k8s:cluster"],
    ["onprem_k8s:cluster", "onprem-k8s:cluster"],
    ["onprem-k8:sshPrivateKey", "onprem-k8s:sshPrivateKey"],
  ])("names %s, a typo away in another namespace, with the key it was meant to be", (key, meant) => {
    const [problem, ...rest] = unknownConfigKeyProblems([key]);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: key, severity: "error", problem: expect.stringContaining("not this project's (onprem-k8s)") });
    expect(problem!.fix).toMatch(new RegExp(`^did you mean ${meant}\\?`));
  });

  it("leaves the providers' own settings alone", () => {
    expect(unknownConfigKeyProblems(["proxmoxve:endpoint", "vsphere:password", "command:timeout", "pulumi:tags"])).toEqual([]);
  });
});
