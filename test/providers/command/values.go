package command

import "github.com/pulumi/pulumi/sdk/v3/go/common/resource"

// plain turns a property value into plain Go values (string, float64, bool, []any, map[string]any),
// looking through secrets and known outputs: the provider needs the values, the engine keeps
// their secretness.
func plain(v resource.PropertyValue) any {
	return v.MapRepl(nil, func(v resource.PropertyValue) (any, bool) {
		switch {
		case v.IsSecret():
			return plain(v.SecretValue().Element), true
		case v.IsOutput():
			return plain(v.OutputValue().Element), true
		}
		return nil, false
	})
}

func plainMap(m resource.PropertyMap) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return plain(resource.NewObjectProperty(m)).(map[string]any)
}

func optString(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

func stringOr(v any, fallback string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return fallback
}

func intOr(v any, fallback int) int {
	if n, ok := v.(float64); ok {
		return int(n)
	}
	return fallback
}

func boolOr(v any, fallback bool) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	return fallback
}
