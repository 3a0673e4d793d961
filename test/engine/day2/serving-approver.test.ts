import { describe, expect, it } from "vitest";
import { pendingRequests } from "./serving-approver";

describe("the lab's kubelet-serving approver", () => {
  it("approves only the requests nobody approved or denied yet", () => {
    const listing = ["csr-a Approved", "csr-b ", "csr-c Denied", "csr-d Approved Failed", "csr-e", ""].join("\n");
    expect(pendingRequests(listing)).toEqual(["csr-b", "csr-e"]);
  });
});
