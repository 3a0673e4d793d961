// The shipped stack Pulumi.prod.yaml under the real Pulumi engine (one file per stack: they run in parallel).
import { engineStackSuite } from "./stack-suite";

engineStackSuite("prod", "prod");
