package standin

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Main serves pkg as a resource provider plugin, the way the engine launches one: the engine's
// address is the last non-flag argument (flags such as -v=9 or --tracing are ignored), and the
// chosen port goes to stdout. Built on the sdk's rpcutil only, so the binaries stay small and
// quick to build (no pkg/v3).
func Main(pkg Package) {
	if err := serve(pkg, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", pkg.Name, err)
		os.Exit(1)
	}
}

func serve(pkg Package, args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var hostConn *grpc.ClientConn
	if addr := engineAddress(args); addr != "" {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			rpcutil.GrpcChannelOptions())
		if err != nil {
			return fmt.Errorf("connecting to the engine at %s: %w", addr, err)
		}
		defer conn.Close()
		hostConn = conn
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		// Exit when the engine goes away, as real plugins do.
		if err := rpcutil.Healthcheck(ctx, addr, 5*time.Minute, cancel); err != nil {
			return err
		}
	}

	done := make(chan bool)
	go func() { <-ctx.Done(); close(done) }()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: done,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, newServer(pkg, hostConn))
			return nil
		},
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

func engineAddress(args []string) string {
	for i := len(args) - 1; i >= 0; i-- {
		if !strings.HasPrefix(args[i], "-") {
			return args[i]
		}
	}
	return ""
}
