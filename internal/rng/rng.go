// Package rng provides counter-based random numbers: every draw is a pure
// function of (key, agent, day, draw index), so a simulation gives the same
// result whatever order agents are processed in and however many workers
// process them.
package rng

import (
	"math"
	"math/bits"
)

// Key identifies one independent family of streams (one run, one purpose).
type Key uint64

// Stream purposes. Keeping them apart means adding draws for one purpose
// never shifts the numbers another purpose sees.
const (
	Move   uint32 = 1 << 24 // phase-A move decisions and route choices
	Travel uint32 = 2 << 24 // phase-B draws (walking, onward decisions)
	Spawn  uint32 = 3 << 24 // origin of newly spawned agents
	Count  uint32 = 4 << 24 // counts drawn per location (Poisson spawning)
	Init   uint32 = 5 << 24 // set-up draws
)

// NewKey derives a key from a user seed and a stream family.
func NewKey(seed uint64, family uint64) Key {
	return Key(mix(mix(seed^0x6a09e667f3bcc909) ^ (family * 0x9e3779b97f4a7c15)))
}

// mix is the SplitMix64 finaliser: a bijection with good avalanche.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Bits returns 64 random bits for (agent, day, draw).
func (k Key) Bits(agent uint32, day uint32, draw uint32) uint64 {
	x := uint64(k) ^ (uint64(agent) * 0x9e3779b97f4a7c15)
	x = mix(x)
	x ^= (uint64(day)<<32 | uint64(draw)) * 0xd1b54a32d192ed03
	return mix(x)
}

// Float returns a uniform number in [0, 1) for (agent, day, draw).
func (k Key) Float(agent uint32, day uint32, draw uint32) float64 {
	return float64(k.Bits(agent, day, draw)>>11) * (1.0 / (1 << 53))
}

// DayKey addresses the draws of one (day, draw) pair for all agents; taking
// it once per day leaves one cheap mix per agent in the hot loop. For a fixed
// DayKey the agent-indexed numbers are wyrand's output sequence (a 64×64→128
// bit multiply folded by xor; it passes BigCrush and PractRand).
type DayKey uint64

// Day returns the key for (day, draw).
func (k Key) Day(day uint32, draw uint32) DayKey {
	return DayKey(mix(uint64(k) ^ mix((uint64(day)<<32|uint64(draw))*0xd1b54a32d192ed03)))
}

// Float returns a uniform number in [0, 1) for an agent.
func (d DayKey) Float(agent uint32) float64 {
	return float64(d.Bits(agent)) * (1.0 / (1 << 53))
}

// Bits returns the 53 random bits behind Float: Float(a) < p exactly when
// Bits(a) < Threshold(p). Comparing integers spares the hot loop a
// conversion.
func (d DayKey) Bits(agent uint32) uint64 {
	x := uint64(d) + uint64(agent)*0xa0761d6478bd642f
	hi, lo := bits.Mul64(x, x^0xe7037ed1a0b428db)
	return (hi ^ lo) >> 11
}

// Threshold returns ceil(p·2^53), the integer form of probability p.
func Threshold(p float64) uint64 {
	if !(p > 0) {
		return 0
	}
	if p >= 1 {
		return 1 << 53
	}
	return uint64(math.Ceil(p * (1 << 53)))
}

// Source is a sequential generator built on the same mixer, for set-up work
// that has no natural (agent, day) address. It satisfies math/rand/v2.Source.
type Source struct {
	key   Key
	state uint64
}

// NewSource returns a sequential source for a key.
func NewSource(k Key) *Source { return &Source{key: k} }

// Uint64 returns the next 64 random bits.
func (s *Source) Uint64() uint64 {
	s.state++
	return mix(uint64(s.key) ^ mix(s.state*0x9e3779b97f4a7c15))
}

// Float returns the next uniform number in [0, 1).
func (s *Source) Float() float64 { return float64(s.Uint64()>>11) * (1.0 / (1 << 53)) }
