package standin

import (
	"slices"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Change is what happened to one top-level input.
type Change struct {
	Kind    pulumirpc.PropertyDiff_Kind
	Replace bool
}

// Changes maps each changed top-level input to its change; empty means no change.
type Changes map[string]Change

// Diff compares old and new inputs key by key. Secrets compare by their values (making a value
// secret is not a change), a value that is (or contains) an unknown counts as changed, and null
// equals absent. A changed key in replaceKeys replaces the resource; any other updates it.
func Diff(olds, news resource.PropertyMap, replaceKeys []string) Changes {
	changes := Changes{}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	for k := range keys {
		if isInternalKey(k) {
			continue
		}
		o, n := olds[k], news[k]
		oldSet, newSet := present(o), present(n)
		var kind pulumirpc.PropertyDiff_Kind
		switch {
		case !oldSet && !newSet:
			continue
		case !oldSet:
			kind = pulumirpc.PropertyDiff_ADD
		case !newSet:
			kind = pulumirpc.PropertyDiff_DELETE
		case n.ContainsUnknowns() || !Plain(o).DeepEquals(Plain(n)):
			kind = pulumirpc.PropertyDiff_UPDATE
		default:
			continue
		}
		changes[string(k)] = Change{Kind: kind, Replace: slices.Contains(replaceKeys, string(k))}
	}
	return changes
}

// forceReplace marks keys as replacing, adding them as updates when they did not change.
func (c Changes) forceReplace(keys []string) {
	for _, k := range keys {
		ch, ok := c[k]
		if !ok {
			ch.Kind = pulumirpc.PropertyDiff_UPDATE
		}
		ch.Replace = true
		c[k] = ch
	}
}

// Replaces lists the changed keys that force a replacement, sorted.
func (c Changes) Replaces() []string {
	var keys []string
	for k, ch := range c {
		if ch.Replace {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func (c Changes) response() *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		HasDetailedDiff: true,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
		Replaces:        c.Replaces(),
	}
	for k, ch := range c {
		kind := ch.Kind
		if ch.Replace {
			kind = replaceKind(kind)
		}
		resp.DetailedDiff[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		resp.Diffs = append(resp.Diffs, k)
	}
	sort.Strings(resp.Diffs)
	if len(c) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

func replaceKind(kind pulumirpc.PropertyDiff_Kind) pulumirpc.PropertyDiff_Kind {
	switch kind {
	case pulumirpc.PropertyDiff_ADD:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case pulumirpc.PropertyDiff_DELETE:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	default:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	}
}

func present(v resource.PropertyValue) bool {
	return v.V != nil && !v.IsNull()
}

// The SDKs add bookkeeping keys such as __defaults; they are not inputs.
func isInternalKey(k resource.PropertyKey) bool {
	return len(k) >= 2 && k[:2] == "__"
}
