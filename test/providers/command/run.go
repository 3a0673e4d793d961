package command

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"onprem-k8s/test/providers/standin"
)

// run is one command run on the host: create, update or delete.
type run struct {
	command     string
	stdin       string
	environment map[string]string
	// previousStdout/previousStderr go into PULUMI_COMMAND_STDOUT/STDERR when non-empty.
	previousStdout, previousStderr string
	addPrevious                    bool
	logStdout, logStderr           bool
}

type logFunc func(standin.LogSeverity, string)

const setenvHint = `This only works if your SSH server is configured to accept these variables via AcceptEnv. ` +
	`Alternatively, if a Bash-like shell runs the command on the remote host, you could prefix the command ` +
	`itself with the variables in the form 'VAR=value command'`

// execute runs r over a new SSH session on conn and returns the captured output, each trimmed of
// one final newline (as the real provider does). A non-zero exit fails with the exit status,
// the command and everything it printed, as the real provider's error does.
func execute(ctx context.Context, conn *connection, r run, log logFunc) (stdout, stderr string, err error) {
	client, err := conn.dial(ctx, func(msg string) { log(standin.LogInfo, msg) })
	if err != nil {
		return "", "", err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return "", "", err
	}
	defer session.Close()

	// The environment travels as SSH "env" requests. sshd refuses names it does not AcceptEnv;
	// the real provider then fails for `environment` but only warns for the previous output.
	keys := make([]string, 0, len(r.environment))
	for k := range r.environment {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := session.Setenv(k, r.environment[k]); err != nil {
			log(standin.LogError, fmt.Sprintf("Unable to set '%s'. %s", k, setenvHint))
			return "", "", fmt.Errorf("could not set environment variable %q: %w", k, err)
		}
	}
	if r.addPrevious {
		for _, kv := range [][2]string{{"PULUMI_COMMAND_STDOUT", r.previousStdout}, {"PULUMI_COMMAND_STDERR", r.previousStderr}} {
			if kv[1] == "" {
				continue
			}
			if err := session.Setenv(kv[0], kv[1]); err != nil {
				log(standin.LogWarning, fmt.Sprintf("Unable to set '%s'. %s", kv[0], setenvHint))
			}
		}
	}
	if r.stdin != "" {
		session.Stdin = strings.NewReader(r.stdin)
	}

	var outBuf, errBuf bytes.Buffer
	combined := &lockedBuffer{}
	outLines := &lineLogger{log: log, enabled: r.logStdout}
	errLines := &lineLogger{log: log, enabled: r.logStderr}
	session.Stdout = io.MultiWriter(&outBuf, combined, outLines)
	session.Stderr = io.MultiWriter(&errBuf, combined, errLines)

	// A cancelled operation (the engine gave up) ends the connection, and with it the run.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			client.Close()
		case <-done:
		}
	}()

	err = session.Run(r.command)
	outLines.flush()
	errLines.flush()
	if err != nil {
		return "", "", fmt.Errorf("%w: running %q:\n%s", err, r.command, combined.String())
	}
	return strings.TrimSuffix(outBuf.String(), "\n"), strings.TrimSuffix(errBuf.String(), "\n"), nil
}

// lockedBuffer collects stdout and stderr together; the SSH session writes the two streams
// from two goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineLogger sends each complete line of one stream to the engine log as it arrives (one stream
// each, so a stdout line is never cut by a stderr one). Lines have no length limit.
type lineLogger struct {
	log     logFunc
	enabled bool
	partial []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	if !l.enabled {
		return len(p), nil
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.emit(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *lineLogger) flush() {
	if l.enabled && len(l.partial) > 0 {
		l.emit(l.partial)
		l.partial = nil
	}
}

func (l *lineLogger) emit(line []byte) {
	l.log(standin.LogInfo, strings.TrimSuffix(string(line), "\r"))
}
