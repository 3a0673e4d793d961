package proxmoxve

import (
	"fmt"
	"strings"
	"time"

	"onprem-k8s/test/providers/standin"
)

// fileLegacy is proxmoxve:index/fileLegacy:FileLegacy: an uploaded file, id
// "<datastore>:<content type>/<file name>" as the real provider's. Any change of what or where
// is a new upload (replace), as in the real provider.
func fileLegacy() standin.Record {
	return standin.Record{
		Replace:  []string{"nodeName", "datastoreId", "contentType", "sourceRaw", "sourceFile", "fileMode"},
		Computes: []string{"fileName", "fileSize", "fileModificationDate", "fileTag"},
		Outputs: func(req standin.Request) (string, map[string]any, error) {
			raw := standin.Obj(req.Inputs, "sourceRaw")
			name := standin.Str(raw, "fileName")
			if name == "" {
				name = lastPathPart(standin.Str(standin.Obj(req.Inputs, "sourceFile"), "path"))
			}
			if name == "" {
				return "", nil, fmt.Errorf("FileLegacy: sourceRaw.fileName or sourceFile.path is required")
			}
			id := fmt.Sprintf("%s:%s/%s", standin.Str(req.Inputs, "datastoreId"), standin.Str(req.Inputs, "contentType"), name)
			data := standin.Str(raw, "data")
			return id, map[string]any{
				"fileName":             name,
				"fileSize":             len(data),
				"fileModificationDate": time.Now().UTC().Format(time.RFC3339),
				"fileTag":              fmt.Sprintf("%x", len(data)) + "-" + standin.StableHex(data, 8),
			}, nil
		},
	}
}

func lastPathPart(p string) string {
	return p[strings.LastIndex(p, "/")+1:]
}

// vmLegacy is proxmoxve:index/vmLegacy:VmLegacy: a clone on a node. The clone source, the node
// and the VM id replace it, as in the real provider (no `migrate`); the rest updates. The guest
// agent reports the static address cloud-init was given.
func vmLegacy() standin.Record {
	return standin.Record{
		Replace:  []string{"clone", "nodeName", "vmId"},
		Computes: []string{"ipv4Addresses", "ipv6Addresses", "macAddresses", "networkInterfaceNames"},
		Outputs: func(req standin.Request) (string, map[string]any, error) {
			vmID := standin.Int(req.Inputs, "vmId", 0)
			if vmID == 0 {
				return "", nil, fmt.Errorf("VmLegacy: the stand-in needs an explicit vmId")
			}
			var ipv4 []any
			var macs []any
			for i, cfg := range standin.Objs(standin.Obj(req.Inputs, "initialization"), "ipConfigs") {
				addr := standin.Str(standin.Obj(cfg, "ipv4"), "address")
				if j := strings.Index(addr, "/"); j > 0 {
					addr = addr[:j]
				}
				ipv4 = append(ipv4, []any{addr})
				h := standin.StableHex(fmt.Sprintf("%d/%d", vmID, i), 6)
				macs = append(macs, strings.ToUpper(fmt.Sprintf("BC:24:11:%s:%s:%s", h[0:2], h[2:4], h[4:6])))
			}
			// The guest agent lists the loopback first.
			return fmt.Sprint(vmID), map[string]any{
				"vmId":                  vmID,
				"ipv4Addresses":         append([]any{[]any{"127.0.0.1"}}, ipv4...),
				"ipv6Addresses":         append([]any{[]any{"::1"}}, emptyLists(len(ipv4))...),
				"macAddresses":          append([]any{"00:00:00:00:00:00"}, macs...),
				"networkInterfaceNames": append([]any{"lo"}, interfaceNames(len(ipv4))...),
			}, nil
		},
	}
}

func emptyLists(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = []any{}
	}
	return out
}

func interfaceNames(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("eth%d", i)
	}
	return out
}
