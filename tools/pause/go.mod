// The sandbox ("pause") process of every pod in the real-node lab (test/cluster), built here
// because no registry is reachable: the lab writes it into the image kubelet asks for
// (registry.k8s.io/pause). It only has to hold the pod's namespaces and reap orphans.
module onprem-k8s/tools/pause

go 1.24.0
