// pause: PID 1 of a pod sandbox. It blocks until SIGINT or SIGTERM, reaping any orphaned child
// (processes that share the pod's PID namespace) on SIGCHLD, like Kubernetes' own pause.c.
// With -v (any case) it prints its version and exits 0, as pause.c does: kubeadm's upgrade health
// check runs the pause image with -v as a Job and waits for it to complete.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const version = "onprem-k8s lab pause 1"

func main() {
	for _, arg := range os.Args[1:] {
		if strings.EqualFold(arg, "-v") {
			fmt.Printf("pause.c %s\n", version)
			return
		}
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
