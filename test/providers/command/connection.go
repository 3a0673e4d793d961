package command

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// connection is the `connection` input (command:remote:Connection), defaults applied as the real
// schema's defaults do: port 22, user root, dialErrorLimit 10, perDialTimeout 15.
type connection struct {
	host               string
	port               int
	user               string
	password           *string
	privateKey         *string
	privateKeyPassword *string
	agentSocketPath    *string
	hostKey            *string
	dialErrorLimit     int // failed dials tolerated; -1 is unlimited
	perDialTimeout     int // seconds; 0 is no limit
	proxy              *connection
}

func (c *connection) endpoint() string {
	return net.JoinHostPort(c.host, strconv.Itoa(c.port))
}

func parseConnection(v map[string]any, isProxy bool) (*connection, error) {
	host, _ := v["host"].(string)
	if host == "" {
		return nil, errors.New("connection: host is required")
	}
	c := &connection{
		host:               host,
		port:               intOr(v["port"], 22),
		user:               stringOr(v["user"], "root"),
		password:           optString(v["password"]),
		privateKey:         optString(v["privateKey"]),
		privateKeyPassword: optString(v["privateKeyPassword"]),
		agentSocketPath:    optString(v["agentSocketPath"]),
		hostKey:            optString(v["hostKey"]),
		dialErrorLimit:     intOr(v["dialErrorLimit"], 10),
		perDialTimeout:     intOr(v["perDialTimeout"], 15),
	}
	if p, ok := v["proxy"].(map[string]any); ok && !isProxy {
		proxy, err := parseConnection(p, true)
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		c.proxy = proxy
	}
	return c, nil
}

// clientConfig builds the SSH client settings the way the real provider does: the private key
// first, then the password (also answering keyboard-interactive prompts), then the agent
// (agentSocketPath, else SSH_AUTH_SOCK).
func (c *connection) clientConfig() (*ssh.ClientConfig, error) {
	config := &ssh.ClientConfig{User: c.user, Timeout: time.Duration(c.perDialTimeout) * time.Second}
	if c.hostKey != nil {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*c.hostKey))
		if err != nil {
			return nil, fmt.Errorf("failed to parse host key: %w", err)
		}
		config.HostKeyCallback = ssh.FixedHostKey(key)
		config.HostKeyAlgorithms = []string{key.Type()}
	} else {
		// Without hostKey the real provider accepts any host key, and so do we: the test VMs
		// are new on every run, so there is nothing to pin.
		config.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec
	}
	if c.privateKey != nil {
		var signer ssh.Signer
		var err error
		if c.privateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*c.privateKey), []byte(*c.privateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*c.privateKey))
		}
		if err != nil {
			return nil, err
		}
		config.Auth = append(config.Auth, ssh.PublicKeys(signer))
	}
	if c.password != nil {
		password := *c.password
		config.Auth = append(config.Auth, ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	socket := c.agentSocketPath
	if socket == nil {
		if env, ok := os.LookupEnv("SSH_AUTH_SOCK"); ok && env != "" {
			socket = &env
		}
	}
	if socket != nil {
		conn, err := net.Dial("unix", *socket)
		if err != nil {
			return nil, err
		}
		config.Auth = append(config.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return config, nil
}

// dialRetrying calls dial until it succeeds or has failed more than limit times, waiting 100 ms,
// then 1.5 times longer each round up to 5 s, between tries (the real provider's retry loop:
// limit failures are tolerated, so it dials limit+1 times in all).
func dialRetrying[T any](ctx context.Context, what string, limit int, log func(string), dial func() (T, error)) (T, error) {
	delay := 100 * time.Millisecond
	for failures := 1; ; failures++ {
		result, err := dial()
		if err == nil {
			return result, nil
		}
		if limit >= 0 && failures > limit {
			return result, fmt.Errorf("after %d failed attempts: %w", failures-1, err)
		}
		total := "inf"
		if limit >= 0 {
			total = strconv.Itoa(limit)
		}
		log(fmt.Sprintf("%s %d/%s failed: retrying", what, failures, total))
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return result, ctx.Err()
		}
		delay = min(time.Duration(float64(delay)*1.5), 5*time.Second)
	}
}

// handshake runs the SSH handshake on conn within the per-dial timeout: ssh.Dial's own timeout
// covers only the TCP connect, and a host that accepts but never answers would hang us.
func handshake(conn net.Conn, addr string, config *ssh.ClientConfig) (*ssh.Client, error) {
	if config.Timeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(config.Timeout))
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, config)
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

func dialDirect(c *connection, config *ssh.ClientConfig) (*ssh.Client, error) {
	conn, err := net.DialTimeout("tcp", c.endpoint(), config.Timeout)
	if err != nil {
		// A failed name lookup does not say which port; the error should name host:port.
		if !strings.Contains(err.Error(), c.endpoint()) {
			err = fmt.Errorf("%s: %w", c.endpoint(), err)
		}
		return nil, err
	}
	return handshake(conn, c.endpoint(), config)
}

// dial connects to the host, through the proxy (bastion) when one is given.
func (c *connection) dial(ctx context.Context, log func(string)) (*ssh.Client, error) {
	config, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	if c.proxy == nil {
		return dialRetrying(ctx, "Dial", c.dialErrorLimit, log, func() (*ssh.Client, error) { return dialDirect(c, config) })
	}
	proxyConfig, err := c.proxy.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	proxy, err := dialRetrying(ctx, "Dial proxy", c.proxy.dialErrorLimit, log, func() (*ssh.Client, error) {
		return dialDirect(c.proxy, proxyConfig)
	})
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	client, err := dialRetrying(ctx, "Dial from proxy", c.dialErrorLimit, log, func() (*ssh.Client, error) {
		conn, err := proxy.Dial("tcp", c.endpoint())
		if err != nil {
			return nil, err
		}
		return handshake(conn, c.endpoint(), config)
	})
	if err != nil {
		proxy.Close()
		return nil, fmt.Errorf("proxy: %w", err)
	}
	// The proxy client lives as long as the client through it.
	go func() { client.Wait(); proxy.Close() }()
	return client, nil
}
