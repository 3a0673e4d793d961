// examples/proxmox-keepalived-calico-nfs.yaml under the real Pulumi engine (one file per stack: they run in parallel).
import { engineStackSuite } from "./stack-suite";

engineStackSuite("examples/proxmox-keepalived-calico-nfs.yaml", "proxmox-keepalived-calico-nfs");
