// Package web holds the workbench's front-end: the sources under src/, the
// pinned build toolchain (package.json, package-lock.json, build.mjs) and the
// built bundle under dist/, which is committed and embedded in the caravan
// binary so that `go build` needs no npm. docs/workbench.md describes the
// build.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built bundle: index.html and its assets at the root.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("web: " + err.Error()) // dist is embedded at build time
	}
	return sub
}
