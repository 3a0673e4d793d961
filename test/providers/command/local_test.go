package command

import (
	"context"
	"strings"
	"testing"
)

func TestLocalCommandRunsWithStdinAndEnvironment(t *testing.T) {
	logs := &logRecorder{}
	inputs := map[string]any{
		"create":      `read -r line; echo "$line $GREETING"; echo to-stderr >&2`,
		"stdin":       "hello\n",
		"environment": map[string]any{"GREETING": "from here"},
	}
	_, out, err := localCommand.Create(context.Background(), request(inputs, logs))
	if err != nil {
		t.Fatal(err)
	}
	if got := str(t, out, "stdout"); got != "hello from here" {
		t.Fatalf("stdout %q", got)
	}
	if got := str(t, out, "stderr"); got != "to-stderr" {
		t.Fatalf("stderr %q", got)
	}
	contains(t, "log", logs.text(), "info: hello from here", "info: to-stderr")
}

func TestLocalCommandFailureShowsItsOutput(t *testing.T) {
	logs := &logRecorder{}
	_, _, err := localCommand.Create(context.Background(), request(map[string]any{"create": "echo FAIL here; exit 3"}, logs))
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "FAIL here") {
		t.Fatalf("error %v", err)
	}
}

func TestLocalCommandRecordModeRunsNothing(t *testing.T) {
	t.Setenv(ModeEnv, "record")
	logs := &logRecorder{}
	_, out, err := localCommand.Create(context.Background(), request(map[string]any{"create": "echo ran"}, logs))
	if err != nil {
		t.Fatal(err)
	}
	if got := str(t, out, "stdout"); got != "" {
		t.Fatalf("stdout %q", got)
	}
	contains(t, "log", logs.text(), "record mode: not run on this machine")
}

func TestLocalCommandPreviewLeavesOutputUnknown(t *testing.T) {
	req := request(map[string]any{"create": "echo ran"}, &logRecorder{})
	req.Preview = true
	_, out, err := localCommand.Create(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !out["stdout"].IsComputed() {
		t.Fatalf("stdout %v, want unknown", out["stdout"])
	}
}
