package standin

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// initFailed reports a create or update that failed after the resource came to exist (a remote
// command that ran and exited non-zero): with its id and outputs, the engine keeps it in the
// state as failed and the next `pulumi up` tries again, as it does with the real providers. A
// failure before that (no id, no outputs) is a plain error.
func initFailed(id string, inputs, outputs resource.PropertyMap, cause error) error {
	if id == "" || outputs == nil {
		return cause
	}
	props, err := marshal(KeepSecrets(inputs, outputs))
	if err != nil {
		return cause
	}
	in, err := marshal(inputs)
	if err != nil {
		return cause
	}
	detail := &pulumirpc.ErrorResourceInitFailed{Id: id, Properties: props, Inputs: in, Reasons: []string{cause.Error()}}
	st, err := status.New(codes.Unknown, cause.Error()).WithDetails(detail)
	if err != nil {
		return cause
	}
	return st.Err()
}
