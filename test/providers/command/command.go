// Package command is the project's stand-in for pulumi-command v1.2.1: the package "command"
// with the resources command:remote:Command and command:local:Command (local.go; the ones the
// program uses), the same inputs and outputs, and the same behaviour; remote commands really run
// over SSH (golang.org/x/crypto/ssh):
//
//   - Create runs `create`; Update runs `update`, else `create`; Delete runs `delete`. Each run
//     gets `stdin`, `environment` (SSH setenv) and, unless addPreviousOutputInEnv is false,
//     PULUMI_COMMAND_STDOUT/STDERR holding the last captured output.
//   - Outputs are the inputs plus stdout and stderr; `connection` is always secret, stdout and
//     stderr are not (the program asks for that with additionalSecretOutputs, as with the real one).
//   - Only `triggers` replaces; any other change is an update.
//   - A preview never connects: stdout and stderr are unknown until the command runs.
//
// Record mode: with ONPREM_K8S_COMMAND_STANDIN=record in the provider's environment nothing
// connects; every run that would have happened logs "record mode: not connected to <host>" and
// captures "" as stdout and stderr. This is for the test stacks whose hosts are not there (the
// vSphere and Proxmox examples on made-up addresses). Unset (or empty) means real SSH.
package command

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"onprem-k8s/test/providers/standin"
)

// ModeEnv selects the record mode (see the package comment).
const ModeEnv = "ONPREM_K8S_COMMAND_STANDIN"

// Package is the "command" plugin's package.
func Package() standin.Package {
	return standin.Package{
		Name:      "command",
		Version:   "1.2.1",
		Resources: map[string]standin.Resource{"command:remote:Command": remoteCommand, "command:local:Command": localCommand},
	}
}

// commandResource is a Command of either kind: they differ only in where a command runs.
type commandResource struct {
	run func(ctx context.Context, req standin.Request, in map[string]any, cmd string, prev captured) (*captured, error)
}

var (
	remoteCommand = commandResource{run: runFor}
	localCommand  = commandResource{run: runLocal}
)

// ReplaceKeys: the schema marks only `triggers` replaceOnChanges; a changed connection or create
// command is an update, which runs `update` (or `create`) again.
func (commandResource) ReplaceKeys() []string { return []string{"triggers"} }

// ComputedKeys: what the command prints is unknown until it has run (preview).
func (commandResource) ComputedKeys() []string { return []string{"stdout", "stderr"} }

func (c commandResource) Create(ctx context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	id, err := resource.NewUniqueHex(req.URN.Name(), 8, 0)
	if err != nil {
		return "", nil, err
	}
	in := plainMap(req.Inputs)
	create := optString(in["create"])
	if req.Preview {
		return id, outputs(req.Inputs, nil), nil
	}
	if create == nil {
		return id, outputs(req.Inputs, &captured{}), nil
	}
	// On failure the real provider still returns the id and the inputs, so the engine keeps the
	// resource (initialization failed) and the next `up` updates it: the create runs again.
	out, err := c.run(ctx, req, in, *create, captured{})
	if err != nil {
		return id, outputs(req.Inputs, &captured{}), err
	}
	return id, outputs(req.Inputs, out), nil
}

func (c commandResource) Update(ctx context.Context, req standin.Request) (resource.PropertyMap, error) {
	if req.Preview {
		return outputs(req.Inputs, nil), nil
	}
	old := previous(req.OldOutputs)
	in := plainMap(req.Inputs)
	cmd := optString(in["update"])
	if cmd == nil {
		cmd = optString(in["create"])
	}
	if cmd == nil {
		return outputs(req.Inputs, &old), nil
	}
	out, err := c.run(ctx, req, in, *cmd, old)
	if err != nil {
		// As the real one: the state keeps the new inputs and the old output.
		return outputs(req.Inputs, &old), err
	}
	return outputs(req.Inputs, out), nil
}

// Delete runs with the state as it was stored (the outputs hold every input and the output).
func (c commandResource) Delete(ctx context.Context, req standin.Request) error {
	state := req.OldOutputs
	if len(state) == 0 {
		state = req.Inputs
	}
	in := plainMap(state)
	cmd := optString(in["delete"])
	if cmd == nil {
		return nil
	}
	_, err := c.run(ctx, req, in, *cmd, previous(state))
	return err
}

type captured struct{ stdout, stderr string }

func previous(state resource.PropertyMap) captured {
	m := plainMap(state)
	return captured{stdout: stringOr(m["stdout"], ""), stderr: stringOr(m["stderr"], "")}
}

// runFor runs cmd with the settings in the plain inputs in, on their connection or in record mode.
func runFor(ctx context.Context, req standin.Request, in map[string]any, cmd string, prev captured) (*captured, error) {
	connMap, ok := in["connection"].(map[string]any)
	if !ok {
		return nil, errors.New("connection is required")
	}
	conn, err := parseConnection(connMap, false)
	if err != nil {
		return nil, err
	}
	log := engineLog(req)
	if record, err := recordMode(); err != nil || record {
		if record {
			log(standin.LogInfo, "record mode: not connected to "+conn.host)
			return &captured{}, nil
		}
		return nil, err
	}
	logging := stringOr(in["logging"], "stdoutAndStderr")
	r := run{
		command:        cmd,
		stdin:          stringOr(in["stdin"], ""),
		environment:    map[string]string{},
		previousStdout: prev.stdout,
		previousStderr: prev.stderr,
		addPrevious:    boolOr(in["addPreviousOutputInEnv"], true),
		logStdout:      logging == "stdout" || logging == "stdoutAndStderr",
		logStderr:      logging == "stderr" || logging == "stdoutAndStderr",
	}
	if env, ok := in["environment"].(map[string]any); ok {
		for k, v := range env {
			r.environment[k] = stringOr(v, "")
		}
	}
	stdout, stderr, err := execute(ctx, conn, r, log)
	if err != nil {
		return nil, err
	}
	return &captured{stdout: stdout, stderr: stderr}, nil
}

// engineLog is where a run's lines go: the engine's log, or nowhere.
func engineLog(req standin.Request) logFunc {
	if req.Log == nil {
		return func(standin.LogSeverity, string) {}
	}
	return req.Log
}

// recordMode: whether the provider only records (ModeEnv), or an error for a mode it does not know.
func recordMode() (bool, error) {
	switch mode := os.Getenv(ModeEnv); mode {
	case "":
		return false, nil
	case "record":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: only \"record\" (or unset, for real runs) is known", ModeEnv, mode)
	}
}

// outputs are the inputs as given (secrets kept), `connection` (remote only) made secret as the schema says,
// and stdout/stderr: unknown when out is nil (a preview), else plain strings.
func outputs(inputs resource.PropertyMap, out *captured) resource.PropertyMap {
	m := inputs.Copy()
	if conn, ok := m["connection"]; ok && !conn.IsSecret() && !conn.IsComputed() {
		m["connection"] = resource.MakeSecret(conn)
	}
	if out == nil {
		m["stdout"] = resource.MakeComputed(resource.NewProperty(""))
		m["stderr"] = resource.MakeComputed(resource.NewProperty(""))
		return m
	}
	m["stdout"] = resource.NewProperty(out.stdout)
	m["stderr"] = resource.NewProperty(out.stderr)
	return m
}
