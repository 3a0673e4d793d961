// examples/existing-hosts-traefik-gateway.yaml under the real Pulumi engine (one file per stack: they run in parallel).
import { engineStackSuite } from "./stack-suite";

engineStackSuite("examples/existing-hosts-traefik-gateway.yaml", "existing-hosts-traefik-gateway");
