// Tools module that pins the Helm charts the real-node lab's add-on phases install
// (test/engine/day2/addons.ts), from their repositories' source as the Go module proxy serves it:
// `go mod download -json <module>` here fetches the zip and reports its directory (nothing is
// built; go.sum verifies every download). The lab has no way to the charts' Helm repositories.
//
// - go.universe.tf/metallb v0.16.1: charts/metallb is the pinned metallb chart 0.16.1 (with its
//   crds subchart and the frr-k8s 0.0.25 dependency packed in charts/, as released).
// - github.com/traefik/traefik-helm-chart v41.6.0+incompatible: traefik/ is chart 41.6.0, the
//   nearest release the proxy serves (it refuses v41.3.0, the pinned one in
//   components/addons/charts.ts). It deploys Traefik v3.7.13 by default (its appVersion).
module onprem-k8s/tools/charts

go 1.24.0

require (
	github.com/traefik/traefik-helm-chart v41.6.0+incompatible
	go.universe.tf/metallb v0.16.1
)
