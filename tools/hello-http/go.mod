// The day-2 journey's workload (test/engine/day2-journey.test.ts): a tiny HTTP server the lab packs
// into an image (no registry is reachable), so the journey can see a Deployment keep serving while
// its cluster is upgraded. Standard library only.
module onprem-k8s/tools/hello-http

go 1.24.0
