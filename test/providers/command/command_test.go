package command

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"onprem-k8s/test/providers/standin"
)

const urn = "urn:pulumi:test::onprem-k8s::command:remote:Command::step"

// logRecorder collects what the resource sends to the engine log.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) log(sev standin.LogSeverity, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, []string{"info", "warning", "error"}[sev]+": "+msg)
}

func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (s *testSSHD) conn(extra map[string]any) map[string]any {
	c := map[string]any{"host": "127.0.0.1", "port": float64(s.port), "privateKey": s.clientKey}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func request(inputs map[string]any, logs *logRecorder) standin.Request {
	return standin.Request{URN: urn, Inputs: resource.NewPropertyMapFromMap(inputs), Log: logs.log}
}

func str(t *testing.T, m resource.PropertyMap, key string) string {
	t.Helper()
	v, ok := m[resource.PropertyKey(key)]
	if !ok || !v.IsString() {
		t.Fatalf("output %s is %v, want a string", key, v)
	}
	return v.StringValue()
}

func contains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s does not contain %q:\n%s", what, want, text)
		}
	}
}

func init() {
	// No agent from the developer's shell: the tests authenticate with their own key only.
	_ = os.Setenv("SSH_AUTH_SOCK", "")
}

func TestCreateFeedsStdinAndEnvironmentAndCapturesOutput(t *testing.T) {
	sshd := startSSHD(t, "ONPREM_*")
	logs := &logRecorder{}
	id, out, err := Package().Resources["command:remote:Command"].Create(context.Background(), request(map[string]any{
		"connection":  sshd.conn(nil),
		"create":      `cat; echo "var=$ONPREM_TEST_VAR"; echo oops >&2`,
		"stdin":       "line one\nline two\n",
		"environment": map[string]any{"ONPREM_TEST_VAR": "value"},
		"triggers":    []any{"a"},
	}, logs))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "step") || len(id) != len("step")+8 {
		t.Errorf("id %q: want the name and 8 hex characters", id)
	}
	if got := str(t, out, "stdout"); got != "line one\nline two\nvar=value" {
		t.Errorf("stdout %q", got)
	}
	if got := str(t, out, "stderr"); got != "oops" {
		t.Errorf("stderr %q", got)
	}
	if !out["connection"].IsSecret() {
		t.Error("connection is not secret in the outputs")
	}
	if str(t, out, "create") == "" || !out["triggers"].IsArray() {
		t.Error("the inputs are not among the outputs")
	}
	contains(t, "log", logs.text(), "info: line one", "info: line two", "info: var=value", "info: oops")
}

func TestEnvironmentRefusedBySSHDFails(t *testing.T) {
	sshd := startSSHD(t, "")
	logs := &logRecorder{}
	_, _, err := remoteCommand.Create(context.Background(), request(map[string]any{
		"connection": sshd.conn(nil), "create": "true", "environment": map[string]any{"NOT_ACCEPTED": "1"},
	}, logs))
	if err == nil {
		t.Fatal("no error although sshd refuses the variable")
	}
	contains(t, "error", err.Error(), `could not set environment variable "NOT_ACCEPTED"`)
	contains(t, "log", logs.text(), "error: Unable to set 'NOT_ACCEPTED'", "AcceptEnv")
}

func TestNonZeroExitFailsWithStatusAndOutput(t *testing.T) {
	sshd := startSSHD(t, "")
	id, out, err := remoteCommand.Create(context.Background(), request(map[string]any{
		"connection": sshd.conn(nil), "create": "echo to-stdout; echo to-stderr >&2; exit 3",
	}, &logRecorder{}))
	if err == nil {
		t.Fatal("no error for exit status 3")
	}
	contains(t, "error", err.Error(), "Process exited with status 3", `running "echo to-stdout;`, "to-stdout\n", "to-stderr\n")
	// As the real one, the id and inputs come back so the engine can keep the failed resource.
	if id == "" || str(t, out, "stdout") != "" {
		t.Errorf("id %q, outputs %v", id, out)
	}
}

func TestUpdateRunsUpdateWithPreviousOutputElseCreate(t *testing.T) {
	sshd := startSSHD(t, "PULUMI_COMMAND_*")
	old := resource.NewPropertyMapFromMap(map[string]any{"stdout": "first", "stderr": "first-err"})
	inputs := map[string]any{
		"connection": sshd.conn(nil),
		"create":     "echo created",
		"update":     `echo "updated after $PULUMI_COMMAND_STDOUT/$PULUMI_COMMAND_STDERR"`,
	}
	req := request(inputs, &logRecorder{})
	req.OldOutputs = old
	out, err := remoteCommand.Update(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := str(t, out, "stdout"); got != "updated after first/first-err" {
		t.Errorf("stdout with update %q", got)
	}

	delete(inputs, "update")
	req = request(inputs, &logRecorder{})
	req.OldOutputs = old
	if out, err = (remoteCommand).Update(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := str(t, out, "stdout"); got != "created" {
		t.Errorf("stdout without update %q", got)
	}

	// A failed update keeps the previous output.
	inputs["create"] = "exit 1"
	req = request(inputs, &logRecorder{})
	req.OldOutputs = old
	out, err = remoteCommand.Update(context.Background(), req)
	if err == nil || str(t, out, "stdout") != "first" {
		t.Errorf("failed update: err %v, stdout %q", err, str(t, out, "stdout"))
	}
}

func TestDeleteGetsPreviousOutput(t *testing.T) {
	sshd := startSSHD(t, "PULUMI_COMMAND_*")
	state := map[string]any{
		"connection": sshd.conn(nil), "create": "echo created", "delete": `echo "deleting $PULUMI_COMMAND_STDOUT"`,
		"stdout": "the-output", "stderr": "",
	}
	logs := &logRecorder{}
	req := request(nil, logs)
	req.OldOutputs = resource.NewPropertyMapFromMap(state)
	if err := (remoteCommand).Delete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	contains(t, "log", logs.text(), "info: deleting the-output")

	// addPreviousOutputInEnv false: the variable is not set.
	state["addPreviousOutputInEnv"] = false
	logs = &logRecorder{}
	req = request(nil, logs)
	req.OldOutputs = resource.NewPropertyMapFromMap(state)
	if err := (remoteCommand).Delete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := logs.text(); got != "info: deleting " {
		t.Errorf("log %q", got)
	}
}

func TestPreviousOutputRefusedOnlyWarns(t *testing.T) {
	sshd := startSSHD(t, "")
	logs := &logRecorder{}
	req := request(nil, logs)
	req.OldOutputs = resource.NewPropertyMapFromMap(map[string]any{
		"connection": sshd.conn(nil), "delete": `echo "[$PULUMI_COMMAND_STDOUT]"`, "stdout": "x", "stderr": "",
	})
	if err := (remoteCommand).Delete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	contains(t, "log", logs.text(), "warning: Unable to set 'PULUMI_COMMAND_STDOUT'", "info: []")
}

func TestLoggingChoosesStreams(t *testing.T) {
	sshd := startSSHD(t, "")
	for logging, want := range map[string]string{"none": "", "stdout": "info: out", "stderr": "info: err"} {
		logs := &logRecorder{}
		_, out, err := remoteCommand.Create(context.Background(), request(map[string]any{
			"connection": sshd.conn(nil), "create": "echo out; echo err >&2", "logging": logging,
		}, logs))
		if err != nil {
			t.Fatal(err)
		}
		if logs.text() != want {
			t.Errorf("logging %s: log %q, want %q", logging, logs.text(), want)
		}
		if str(t, out, "stdout") != "out" || str(t, out, "stderr") != "err" {
			t.Errorf("logging %s: output not captured: %v", logging, out)
		}
	}
}

func TestDialGivesUpAfterTheErrorLimit(t *testing.T) {
	port := freePort(t) // closed
	logs := &logRecorder{}
	start := time.Now()
	_, _, err := remoteCommand.Create(context.Background(), request(map[string]any{
		"connection": map[string]any{"host": "127.0.0.1", "port": float64(port), "password": "x",
			"dialErrorLimit": float64(2), "perDialTimeout": float64(1)},
		"create": "true",
	}, logs))
	if err == nil {
		t.Fatal("no error for a closed port")
	}
	contains(t, "error", err.Error(), "after 2 failed attempts", "127.0.0.1:"+strconv.Itoa(port), "connection refused")
	contains(t, "log", logs.text(), "info: Dial 1/2 failed: retrying", "info: Dial 2/2 failed: retrying")
	if strings.Contains(logs.text(), "3/2") || time.Since(start) > 5*time.Second {
		t.Errorf("dialled too often or too long (%v): %s", time.Since(start), logs.text())
	}
}
