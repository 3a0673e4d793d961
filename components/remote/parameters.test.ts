import { describe, expect, it } from "vitest";
import { renderStepParameters } from "./parameters";

describe("renderStepParameters", () => {
  it("shows parameters in the plan with secrets masked", () => {
    const text = renderStepParameters("join on w-1", { NODE_NAME: "w-1" }, ["KUBEADM_TOKEN", "ADMIN_KUBECONFIG"], { KUBEADM_ACTION: "delete" });
    expect(text).toContain("export NODE_NAME=w-1");
    expect(text).toContain("export KUBEADM_TOKEN=[secret]");
    expect(text).toContain("export ADMIN_KUBECONFIG=[secret]");
    expect(text).toContain("export KUBEADM_ACTION=delete");
    expect(text.endsWith("\n")).toBe(true);
  });
});
