// Package spec is Caravan's native scenario format: one YAML document (a
// file, or a folder whose scenario.yaml includes further files) that
// describes a migration system — places, routes, dated events, groups,
// drivers, policies, affinities, onward movement and sourced observations —
// together with the rule settings that Flee's simsetting.yml holds.
//
// The package reads a document with positions for every key (Load), checks
// it and reports every problem at once as diag.Problem values with file,
// line, column and field, publishes the JSON Schema generated from its Go
// types (Schema), writes documents back as YAML (Write), and compiles the
// part the engine can simulate into a scenario.Scenario, sim.Settings and the
// observed series (Loaded.Compile).
//
// It is a package of its own, not part of internal/scenario, because
// compiling needs sim.Settings and diag and the YAML library, while
// internal/scenario must import nothing of Caravan's: scenario stays the
// engine's input model, spec is one way of writing it down.
//
// docs/scenario-format.md is generated from the schema (go test
// ./internal/spec -run TestSchemaAndDocs -update), so the reference, the
// schema and the Go types cannot drift apart.
package spec
