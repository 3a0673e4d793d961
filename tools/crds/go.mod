// Tools module that pins the Go modules whose source zips carry the CustomResourceDefinitions
// our rendered custom resources are validated against (test/tools/kube-validate.ts runs
// `go mod download -json <module>` here; nothing is built). go.sum verifies every download.
//
// - go.universe.tf/metallb v0.16.1: config/crd/bases of the pinned MetalLB chart's app version.
// - github.com/projectcalico/calico v0.0.0-20250529224300-393b14e729a6: commit 393b14e729a6 is the
//   Calico v3.30.1 release (charts/calico/values.yaml version v3.30.1, tigera/operator v1.38.1), the
//   same minor as the pinned tigera-operator chart v3.30.3. Tags v3.x are not valid versions of this
//   module path (no /v3 suffix), so the proxy serves commits only as pseudo-versions; here it serves
//   this one (as pinned by projectcalico/vpp-dataplane's go.mod for v3.30.1), but neither the
//   canonical v1.11.0-cni-plugin.0.* form nor any v3.30.2/v3.30.3 commit. sum.golang.org has no
//   entry for a v0.0.0 pseudo-version of a tagged module, so the go.sum lines were recorded on first
//   download (GONOSUMDB=github.com/projectcalico/calico) and every later download is checked
//   against them. Bump to the chart's exact release when the proxy serves its commit.
// - sigs.k8s.io/gateway-api v1.6.1: config/crd/standard, the files the release's
//   standard-install.yaml is made of; the Gateway API version Traefik v3.7 implements (its docs),
//   which the traefik ingress applies (components/addons/charts.ts GATEWAY_API_RELEASE).

module onprem-k8s/tools/crds

go 1.24.0

require (
	github.com/projectcalico/calico v0.0.0-20250529224300-393b14e729a6
	go.universe.tf/metallb v0.16.1
	sigs.k8s.io/gateway-api v1.6.1
)
