// Package report turns a run's output folder into a report a person can take
// in at a glance: one self-contained HTML page (report.html, every figure
// inlined, no scripts, no external assets) plus each figure as PNG and SVG.
//
// The figures are: simulated against observed population for every camp
// (small multiples, optionally with an ensemble band), the error per day,
// a map of places and routes, and the timeline of conflicts and closures.
// Load reads a run folder, Build computes the figures and tables, and
// Write puts them in a folder atomically.
package report
