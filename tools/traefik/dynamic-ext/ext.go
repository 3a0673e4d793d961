// Package ext is the extension point Traefik's dynamic configuration embeds in its HTTP
// configuration and in every router. The open-source build adds no fields there, so both are
// empty here (see ../go.mod for why this module stands in for Traefik's own).
package ext

// HTTP is embedded inline in dynamic.HTTPConfiguration.
type HTTP struct{}

// Router is embedded inline in dynamic.Router.
type Router struct{}
