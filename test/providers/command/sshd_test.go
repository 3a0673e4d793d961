package command

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

const sshdPath = "/usr/sbin/sshd"

// testSSHD is a throwaway OpenSSH server on 127.0.0.1 that lets root in with one generated
// ed25519 key; it stops when the test ends.
type testSSHD struct {
	port       int
	clientKey  string // OpenSSH PEM of the authorized private key
	hostPublic string // the host key in authorized_keys form
}

// startSSHD starts sshd with AcceptEnv set to acceptEnv (empty: sshd's default, which accepts
// no variable). It skips the test when sshd or root is not there.
func startSSHD(t *testing.T, acceptEnv string) *testSSHD {
	t.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		t.Skipf("no real SSH server to test against (%v); install Debian's openssh-server", err)
	}
	if os.Geteuid() != 0 {
		t.Skip("sshd needs root to let a client in here (privilege separation); run the tests as root")
	}
	// sshd refuses to start without its privilege separation directory (the Debian package
	// makes it at boot only).
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hostPEM, hostSigner := newKey(t)
	clientPEM, clientSigner := newKey(t)
	write(t, filepath.Join(dir, "host_key"), hostPEM)
	write(t, filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientSigner.PublicKey()))
	port := freePort(t)
	config := fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %s
AuthorizedKeysFile %s
PidFile none
StrictModes no
UsePAM no
PermitRootLogin yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowTcpForwarding yes
LogLevel ERROR
`, port, filepath.Join(dir, "host_key"), filepath.Join(dir, "authorized_keys"))
	if acceptEnv != "" {
		config += "AcceptEnv " + acceptEnv + "\n"
	}
	write(t, filepath.Join(dir, "sshd_config"), []byte(config))

	// Sessions run root's login shell, and Debian's bash sources ~/.bashrc when sshd starts it:
	// the machine's dotfiles (a pyenv rehash waiting a minute on a stale lock) would time these
	// tests. sshd runs in its own mount namespace with a passwd whose root lives in the test's
	// directory, so sessions start from an empty home; the shell and the rest are the machine's.
	write(t, filepath.Join(dir, "passwd"), passwdWithRootHome(t, dir))
	var logs syncBuffer
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "--",
		"sh", "-c", `mount --bind "$1" /etc/passwd && exec "$2" -D -e -f "$3"`, "sh",
		filepath.Join(dir, "passwd"), sshdPath, filepath.Join(dir, "sshd_config"))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("sshd log:\n%s", logs.String())
		}
	})
	// Ready when it answers with its SSH banner.
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err == nil {
			banner := make([]byte, 4)
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			_, err = conn.Read(banner)
			conn.Close()
			if err == nil && string(banner) == "SSH-" {
				break
			}
		}
		select {
		case <-exited:
			t.Fatalf("sshd exited:\n%s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not answer on port %d:\n%s", port, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &testSSHD{
		port:       port,
		clientKey:  string(clientPEM),
		hostPublic: string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(hostSigner.PublicKey()))),
	}
}

// passwdWithRootHome is the machine's /etc/passwd with root's home directory set to home.
func passwdWithRootHome(t *testing.T, home string) []byte {
	t.Helper()
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if fields := strings.Split(line, ":"); len(fields) == 7 && fields[0] == "root" {
			fields[5] = home
			lines[i] = strings.Join(fields, ":")
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// newKey makes an ed25519 key as OpenSSH PEM, the format ssh-keygen writes.
func newKey(t *testing.T) ([]byte, ssh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), signer
}

// freePort is a port nothing listens on right now (also used as the closed port).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
