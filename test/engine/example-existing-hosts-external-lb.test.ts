// examples/existing-hosts-external-lb.yaml under the real Pulumi engine (one file per stack: they run in parallel).
import { engineStackSuite } from "./stack-suite";

engineStackSuite("examples/existing-hosts-external-lb.yaml", "existing-hosts-external-lb");
