package sim

// Census splits the agents present at places into camps, conflict places and
// the rest, for tests.
func (e *Engine) Census() (camp, conflict, other int) {
	for i := range e.count {
		switch {
		case e.flags[i]&pCamp != 0:
			camp += int(e.count[i])
		case e.conflict[i] > 0:
			conflict += int(e.count[i])
		default:
			other += int(e.count[i])
		}
	}
	return
}
