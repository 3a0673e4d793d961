package standin

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// logger sends a resource's messages to the engine's host log, so `pulumi up` shows them
// under that resource; without an engine (unit tests) they go to stderr.
func (s *server) logger(urn resource.URN) func(LogSeverity, string) {
	return func(sev LogSeverity, message string) {
		if s.host == nil {
			fmt.Fprintf(os.Stderr, "%s: %s\n", urn, message)
			return
		}
		severity := pulumirpc.LogSeverity_INFO
		switch sev {
		case LogWarning:
			severity = pulumirpc.LogSeverity_WARNING
		case LogError:
			severity = pulumirpc.LogSeverity_ERROR
		}
		_, _ = pulumirpc.NewEngineClient(s.host).Log(context.Background(),
			&pulumirpc.LogRequest{Severity: severity, Message: message, Urn: string(urn)})
	}
}
