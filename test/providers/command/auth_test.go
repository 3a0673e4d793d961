package command

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/ssh"

	"onprem-k8s/test/providers/standin"
)

func hostname(t *testing.T, inputs map[string]any) (string, error) {
	t.Helper()
	_, out, err := remoteCommand.Create(context.Background(), request(inputs, &logRecorder{}))
	if err != nil {
		return "", err
	}
	return str(t, out, "stdout"), nil
}

func TestWrongPasswordIsRejected(t *testing.T) {
	sshd := startSSHD(t, "")
	_, err := hostname(t, map[string]any{
		"connection": map[string]any{"host": "127.0.0.1", "port": float64(sshd.port), "password": "wrong", "dialErrorLimit": float64(0)},
		"create":     "echo in",
	})
	if err == nil {
		t.Fatal("logged in with a wrong password")
	}
	contains(t, "error", err.Error(), "after 0 failed attempts", "unable to authenticate", "password")
}

func TestEncryptedKeyWithItsPassword(t *testing.T) {
	sshd := startSSHD(t, "")
	// The authorized key, encrypted with a passphrase (a new key would not be authorized).
	key, err := ssh.ParseRawPrivateKey([]byte(sshd.clientKey))
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(*key.(*ed25519.PrivateKey), "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := hostname(t, map[string]any{
		"connection": sshd.conn(map[string]any{"privateKey": string(pem.EncodeToMemory(block)), "privateKeyPassword": "secret"}),
		"create":     "echo in",
	})
	if err != nil || got != "in" {
		t.Fatalf("stdout %q, err %v", got, err)
	}
}

func TestHostKeyIsCheckedWhenGiven(t *testing.T) {
	sshd := startSSHD(t, "")
	if got, err := hostname(t, map[string]any{"connection": sshd.conn(map[string]any{"hostKey": sshd.hostPublic}), "create": "echo in"}); err != nil || got != "in" {
		t.Fatalf("the right host key: stdout %q, err %v", got, err)
	}
	other, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(sshd.hostPublic))
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	wrong, _ := ssh.NewPublicKey(priv.Public())
	if string(other.Marshal()) == string(wrong.Marshal()) {
		t.Fatal("same key twice")
	}
	_, err := hostname(t, map[string]any{
		"connection": sshd.conn(map[string]any{"hostKey": string(ssh.MarshalAuthorizedKey(wrong)), "dialErrorLimit": float64(0)}),
		"create":     "echo in",
	})
	if err == nil {
		t.Fatal("connected although the host key is not the expected one")
	}
	contains(t, "error", err.Error(), "host key mismatch")
}

func TestThroughAProxy(t *testing.T) {
	sshd := startSSHD(t, "")
	got, err := hostname(t, map[string]any{
		"connection": sshd.conn(map[string]any{"proxy": sshd.conn(nil)}),
		"create":     "echo through",
	})
	if err != nil || got != "through" {
		t.Fatalf("stdout %q, err %v", got, err)
	}
}

// A preview never connects (the address here is not there) and leaves the output unknown.
func TestPreviewDoesNotConnect(t *testing.T) {
	req := request(map[string]any{"connection": map[string]any{"host": "192.0.2.1"}, "create": "touch /tmp/never"}, &logRecorder{})
	req.Preview = true
	id, out, err := remoteCommand.Create(context.Background(), req)
	if err != nil || id == "" || !out["stdout"].IsComputed() || !out["stderr"].IsComputed() {
		t.Fatalf("create preview: id %q, outputs %v, err %v", id, out, err)
	}
	if out, err = (remoteCommand).Update(context.Background(), req); err != nil || !out["stdout"].IsComputed() {
		t.Fatalf("update preview: outputs %v, err %v", out, err)
	}
}

func TestRecordModeDoesNotConnect(t *testing.T) {
	t.Setenv(ModeEnv, "record")
	logs := &logRecorder{}
	state := map[string]any{"connection": map[string]any{"host": "192.0.2.1"}, "create": "exit 1", "delete": "exit 1"}
	_, out, err := remoteCommand.Create(context.Background(), request(state, logs))
	if err != nil || str(t, out, "stdout") != "" || str(t, out, "stderr") != "" {
		t.Fatalf("outputs %v, err %v", out, err)
	}
	req := request(nil, logs)
	req.OldOutputs = out
	if err := (remoteCommand).Delete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := logs.text(); got != "info: record mode: not connected to 192.0.2.1\ninfo: record mode: not connected to 192.0.2.1" {
		t.Errorf("log %q", got)
	}

	t.Setenv(ModeEnv, "recrod")
	if _, _, err := (remoteCommand).Create(context.Background(), request(state, logs)); err == nil {
		t.Error("an unknown mode is not an error")
	}
}

// Without create (or delete) nothing runs and nothing connects.
func TestNoCommandNoConnection(t *testing.T) {
	state := map[string]any{"connection": map[string]any{"host": "192.0.2.1"}}
	_, out, err := remoteCommand.Create(context.Background(), request(state, &logRecorder{}))
	if err != nil || str(t, out, "stdout") != "" {
		t.Fatalf("outputs %v, err %v", out, err)
	}
	req := standin.Request{URN: urn, OldOutputs: out}
	if err := (remoteCommand).Delete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}
