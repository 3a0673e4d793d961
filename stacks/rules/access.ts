// SSH access to the nodes, as sshd and the SSH client will judge it.
import { authorizedKeyFingerprint, checkPrivateKey } from "../ssh-keys";
import { type Problem, type Rule, warning } from "./common";

export const accessRules: Rule[] = [
  {
    // The offline plan never sees the key; the program does (ctx.sshPrivateKey).
    uses: ["ssh", "platform"],
    check(c, ctx) {
      if (ctx.sshPrivateKey === undefined) return [];
      const checked = checkPrivateKey(ctx.sshPrivateKey);
      if ("problem" in checked) {
        return [{ path: "onprem-k8s:sshPrivateKey", value: "(secret, not shown)", problem: checked.problem, fix: checked.fix, severity: "error" }];
      }
      const accepted = c.ssh.authorizedKeys.map(authorizedKeyFingerprint);
      if (accepted.includes(checked.fingerprint)) return [];
      const problems: Problem[] = [];
      const created = c.platform.type !== "existing";
      problems.push(
        warning(
          "ssh.authorizedKeys",
          c.ssh.authorizedKeys,
          `the public part of the secret sshPrivateKey (${checked.fingerprint}) is not among these keys, so ${created ? "the machines accept it only if the template already does" : "the hosts must already accept it"}; every node step logs in with it`,
          "add its public key (ssh-keygen -y -f <private key>) to cluster.ssh.authorizedKeys",
        ),
      );
      return problems;
    },
  },
];
