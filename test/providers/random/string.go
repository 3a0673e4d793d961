package random

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"onprem-k8s/test/providers/standin"
)

// randomString is random:index/randomString:RandomString. As in the real provider every input
// forces a new string (keepers included), the id is the result, and the outputs carry every
// rule with its default filled in.
type randomString struct{}

var stringInputs = []string{"keepers", "length", "lower", "minLower", "minNumeric", "minSpecial",
	"minUpper", "number", "numeric", "overrideSpecial", "special", "upper"}

func (randomString) ReplaceKeys() []string  { return stringInputs }
func (randomString) ComputedKeys() []string { return []string{"result"} }

// The real provider's default special characters.
const defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"

// Rules are the RandomString inputs that shape the result.
type Rules struct {
	Length                                     int
	Lower, Upper, Numeric, Special             bool
	MinLower, MinUpper, MinNumeric, MinSpecial int
	OverrideSpecial                            string
}

func rulesOf(in resource.PropertyMap) Rules {
	// `number` is the deprecated spelling of `numeric`; either set to false turns digits off.
	numeric := standin.Bool(in, "numeric", true) && standin.Bool(in, "number", true)
	return Rules{
		Length: standin.Int(in, "length", 0),
		Lower:  standin.Bool(in, "lower", true), Upper: standin.Bool(in, "upper", true),
		Numeric: numeric, Special: standin.Bool(in, "special", true),
		MinLower: standin.Int(in, "minLower", 0), MinUpper: standin.Int(in, "minUpper", 0),
		MinNumeric: standin.Int(in, "minNumeric", 0), MinSpecial: standin.Int(in, "minSpecial", 0),
		OverrideSpecial: standin.Str(in, "overrideSpecial"),
	}
}

// Generate draws a string by the rules, as the real provider does: the minimums first, the
// rest from every enabled class, then shuffled.
func Generate(r Rules) (string, error) {
	special := defaultSpecial
	if r.OverrideSpecial != "" {
		special = r.OverrideSpecial
	}
	type class struct {
		on    bool
		chars string
		min   int
	}
	classes := []class{
		{r.Lower, "abcdefghijklmnopqrstuvwxyz", r.MinLower},
		{r.Upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", r.MinUpper},
		{r.Numeric, "0123456789", r.MinNumeric},
		{r.Special, special, r.MinSpecial},
	}
	if r.Length < 1 {
		return "", fmt.Errorf("length must be at least 1, got %d", r.Length)
	}
	var out []byte
	all := ""
	for _, c := range classes {
		if !c.on {
			continue
		}
		all += c.chars
		for i := 0; i < c.min; i++ {
			out = append(out, pick(c.chars))
		}
	}
	if all == "" {
		return "", fmt.Errorf("lower, upper, numeric and special are all false: no characters to draw from")
	}
	if len(out) > r.Length {
		return "", fmt.Errorf("the minimums add up to %d characters, more than length %d", len(out), r.Length)
	}
	for len(out) < r.Length {
		out = append(out, pick(all))
	}
	for i := len(out) - 1; i > 0; i-- {
		j := index(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

func pick(chars string) byte { return chars[index(len(chars))] }

func index(n int) int {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(i.Int64())
}

func (randomString) Create(_ context.Context, req standin.Request) (string, resource.PropertyMap, error) {
	rules := rulesOf(req.Inputs)
	result, err := Generate(rules)
	if err != nil {
		return "", nil, err
	}
	outputs := standin.With(req.Inputs, map[string]any{
		"length": rules.Length, "lower": rules.Lower, "upper": rules.Upper, "special": rules.Special,
		"numeric": rules.Numeric, "number": rules.Numeric,
		"minLower": rules.MinLower, "minUpper": rules.MinUpper, "minNumeric": rules.MinNumeric, "minSpecial": rules.MinSpecial,
		"result": result,
	})
	return result, outputs, nil
}

// Update only happens for changes outside the inputs (none): keep the old result.
func (randomString) Update(_ context.Context, req standin.Request) (resource.PropertyMap, error) {
	out := req.OldOutputs.Copy()
	for k, v := range req.Inputs {
		out[k] = v
	}
	return out, nil
}

func (randomString) Delete(context.Context, standin.Request) error { return nil }
