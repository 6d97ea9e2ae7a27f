package results

// Manifest records how a run was made, so that it can be checked and
// repeated. It is written as manifest.json.
type Manifest struct {
	Tool        string            `json:"tool"`
	Version     string            `json:"version"`
	Command     []string          `json:"command"`
	Scenario    string            `json:"scenario"`
	Format      string            `json:"format"`
	Mode        string            `json:"mode"`
	Seed        uint64            `json:"seed"`
	StartDate   string            `json:"start_date"`
	Days        int               `json:"days"`
	Inputs      []Input           `json:"inputs"`
	Settings    any               `json:"settings"`
	Overrides   []string          `json:"overrides,omitempty"`
	Agents      int               `json:"agents"`
	AgentSteps  int64             `json:"agent_steps"`
	WallSeconds float64           `json:"wall_seconds"`
	SimSeconds  float64           `json:"sim_seconds"`
	Outputs     []string          `json:"outputs"`
	Warnings    []string          `json:"warnings,omitempty"`
	Extra       map[string]string `json:"extra,omitempty"`
}

// Input is a file a run read, with its SHA-256.
type Input struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}
