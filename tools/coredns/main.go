// The lab's CoreDNS: upstream CoreDNS (coremain) with the plugins kubeadm's Corefile uses, and no
// others. The full build compiles every cloud provider's SDK (route53, azure, clouddns) and the
// etcd, grpc and dnstap clients, none of which the lab's Corefile names: it was the third-longest
// Go build of the cold setup (447 s of 1701 on the idle 2-core machine).
package main

import (
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"

	"github.com/coredns/coredns/coremain"
)

func main() {
	coremain.Run()
}
