// Tools module that pins the Go modules whose source zips carry the CustomResourceDefinitions
// our rendered custom resources are validated against (test/tools/kube-validate.ts runs
// `go mod download -json <module>` here; nothing is built). go.sum verifies every download.
//
// - go.universe.tf/metallb v0.16.1: config/crd/bases of the pinned MetalLB chart's app version.
// - github.com/projectcalico/calico: the only version of the Calico monorepo the Go module proxy
//   serves here is a pseudo-version on the release-v3.28 branch (tigera-operator v1.34.x); the
//   v3.30.3 tag of the pinned chart is refused. Its Installation and FelixConfiguration CRDs are
//   the closest registry-served schemas; bump this line when the proxy serves v3.30.x.
module onprem-k8s/tools/crds

go 1.24.0

require (
	github.com/projectcalico/calico v1.11.0-cni-plugin.0.20250813170300-a0db560f0520
	go.universe.tf/metallb v0.16.1
)
