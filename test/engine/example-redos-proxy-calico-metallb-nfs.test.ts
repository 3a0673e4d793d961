// examples/redos-proxy-calico-metallb-nfs.yaml under the real Pulumi engine (one file per stack: they run in parallel).
import { engineStackSuite } from "./stack-suite";

engineStackSuite("examples/redos-proxy-calico-metallb-nfs.yaml", "redos-proxy-calico-metallb-nfs");
