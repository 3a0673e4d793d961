package command

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"onprem-k8s/test/providers/standin"
)

// localCommand (command.go) is command:local:Command as pulumi-command v1.2.1 has it, for the
// inputs the program uses: `create` (and `update`, `delete`) run by the interpreter (default
// /bin/sh -c) on this machine, with `stdin`, `environment` on top of the provider's own
// environment, `dir`; outputs are the inputs plus stdout and stderr. Record mode runs nothing, as
// for remote commands.

// runLocal runs cmd as the real provider does: interpreter + command, the environment added to
// the provider's, PULUMI_COMMAND_STDOUT/STDERR unless addPreviousOutputInEnv is false; a non-zero
// exit fails with the command and everything it printed.
func runLocal(ctx context.Context, req standin.Request, in map[string]any, cmd string, prev captured) (*captured, error) {
	log := engineLog(req)
	if record, err := recordMode(); err != nil || record {
		if record {
			log(standin.LogInfo, "record mode: not run on this machine")
			return &captured{}, nil
		}
		return nil, err
	}
	interpreter := []string{"/bin/sh", "-c"}
	if list, ok := in["interpreter"].([]any); ok && len(list) > 0 {
		interpreter = interpreter[:0]
		for _, v := range list {
			interpreter = append(interpreter, stringOr(v, ""))
		}
	}
	argv := append(slices.Clone(interpreter), cmd)
	command := exec.CommandContext(ctx, argv[0], argv[1:]...)
	command.Dir = stringOr(in["dir"], "")
	command.Env = os.Environ()
	if env, ok := in["environment"].(map[string]any); ok {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			command.Env = append(command.Env, k+"="+stringOr(env[k], ""))
		}
	}
	if boolOr(in["addPreviousOutputInEnv"], true) {
		command.Env = append(command.Env, "PULUMI_COMMAND_STDOUT="+prev.stdout, "PULUMI_COMMAND_STDERR="+prev.stderr)
	}
	if stdin := stringOr(in["stdin"], ""); stdin != "" {
		command.Stdin = strings.NewReader(stdin)
	}
	logging := stringOr(in["logging"], "stdoutAndStderr")
	var outBuf, errBuf bytes.Buffer
	combined := &lockedBuffer{}
	outLines := &lineLogger{log: log, enabled: logging == "stdout" || logging == "stdoutAndStderr"}
	errLines := &lineLogger{log: log, enabled: logging == "stderr" || logging == "stdoutAndStderr"}
	command.Stdout = io.MultiWriter(&outBuf, combined, outLines)
	command.Stderr = io.MultiWriter(&errBuf, combined, errLines)
	err := command.Run()
	outLines.flush()
	errLines.flush()
	if err != nil {
		return nil, fmt.Errorf("%w: running %q:\n%s", err, cmd, combined.String())
	}
	return &captured{stdout: strings.TrimSuffix(outBuf.String(), "\n"), stderr: strings.TrimSuffix(errBuf.String(), "\n")}, nil
}
