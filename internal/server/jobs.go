package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caravan-sim/caravan/internal/ensemble"
	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/sim"
)

// JobRequest is the body of POST /api/jobs.
type JobRequest struct {
	Scenario string   `json:"scenario"`
	Kind     string   `json:"kind"` // run (default) or ensemble
	Seed     *uint64  `json:"seed"` // default 1
	Days     int      `json:"days"` // 0: the case's own period
	Compat   string   `json:"compat"`
	Set      []string `json:"set"`
	Runs     int      `json:"runs"` // ensemble members
}

// Limits on job requests.
const (
	maxDays    = 100000
	maxMembers = 1000
	maxSets    = 32
	maxSetLen  = 256
)

func (q *JobRequest) check() error {
	switch q.Kind {
	case "":
		q.Kind = "run"
	case "run", "ensemble":
	default:
		return fmt.Errorf("kind %q: want run or ensemble", q.Kind)
	}
	if q.Compat == "" {
		q.Compat = "caravan"
	}
	if _, err := sim.ParseMode(q.Compat); err != nil {
		return fmt.Errorf("compat: %v", err)
	}
	if q.Days < 0 || q.Days > maxDays {
		return fmt.Errorf("days %d: want 0 (the case's period) to %d", q.Days, maxDays)
	}
	if q.Kind == "ensemble" {
		if q.Runs < 1 || q.Runs > maxMembers {
			return fmt.Errorf("runs %d: want 1 to %d members", q.Runs, maxMembers)
		}
	} else if q.Runs != 0 {
		return errors.New("runs is for ensembles")
	}
	if len(q.Set) > maxSets {
		return fmt.Errorf("%d settings: at most %d", len(q.Set), maxSets)
	}
	for _, s := range q.Set {
		k, _, ok := strings.Cut(s, "=")
		if !ok || k == "" || len(s) > maxSetLen || strings.ContainsAny(s, "\n\r\x00") {
			return fmt.Errorf("set %q: want KEY=VALUE", s)
		}
	}
	if q.Seed == nil {
		one := uint64(1)
		q.Seed = &one
	}
	return nil
}

// Job is a run or ensemble the workbench started, as the page sees it.
type Job struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Scenario string  `json:"scenario"`
	Seed     uint64  `json:"seed"`
	Status   string  `json:"status"` // queued, running, done, failed, canceled
	Done     int     `json:"done"`   // days (run) or members (ensemble) done
	Total    int     `json:"total"`
	Unit     string  `json:"unit"` // day or member
	Run      string  `json:"run,omitempty"`
	Error    string  `json:"error,omitempty"`
	Created  string  `json:"created"`
	Elapsed  float64 `json:"elapsed"`
	Position int     `json:"position,omitempty"` // place in the queue
}

func (j *Job) finished() bool {
	return j.Status == "done" || j.Status == "failed" || j.Status == "canceled"
}

type job struct {
	req    JobRequest
	sc     *scenarioEntry
	out    string
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	v       Job
	version int
	changed chan struct{}
	started time.Time
}

func (j *job) snapshot() (Job, int, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := j.v
	if !j.started.IsZero() && !v.finished() {
		v.Elapsed = time.Since(j.started).Seconds()
	}
	return v, j.version, j.changed
}

func (j *job) update(f func(v *Job)) {
	j.mu.Lock()
	f(&j.v)
	j.version++
	close(j.changed)
	j.changed = make(chan struct{})
	j.mu.Unlock()
}

type jobQueue struct {
	s      *Server
	max    int
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	seq    int
	jobs   map[string]*job
	order  []*job
	queue  chan *job
	names  map[string]bool // output folders reserved by jobs
}

func newJobQueue(s *Server, max int) *jobQueue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &jobQueue{s: s, max: max, ctx: ctx, cancel: cancel, jobs: map[string]*job{},
		queue: make(chan *job, max), names: map[string]bool{}}
	q.wg.Add(1)
	go q.work()
	return q
}

// work runs jobs one at a time: a run takes one core, an ensemble all of
// them, and the machine is shared with the page.
func (q *jobQueue) work() {
	defer q.wg.Done()
	for {
		select {
		case <-q.ctx.Done():
			return
		case j := <-q.queue:
			q.execute(j)
		}
	}
}

func (q *jobQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	pending := append([]*job(nil), q.order...)
	q.mu.Unlock()
	q.cancel()
	for _, j := range pending {
		j.cancel()
	}
	q.wg.Wait()
	for _, j := range pending {
		if v, _, _ := j.snapshot(); !v.finished() {
			j.update(func(v *Job) { v.Status, v.Error = "canceled", "the workbench stopped" })
		}
	}
}

var errBusy = errors.New("too many jobs queued; wait for some to finish")

// submit queues a job; it fails if the queue is full or closed.
func (q *jobQueue) submit(req JobRequest, sc *scenarioEntry) (*job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, errors.New("the workbench is stopping")
	}
	active := 0
	for _, j := range q.order {
		if v, _, _ := j.snapshot(); !v.finished() {
			active++
		}
	}
	if active >= q.max {
		return nil, errBusy
	}
	q.seq++
	stamp := time.Now().UTC().Format("20060102-150405")
	base := fmt.Sprintf("%s-s%d-%s", sc.ID, *req.Seed, stamp)
	if req.Kind == "ensemble" {
		base = fmt.Sprintf("%s-ens%d-s%d-%s", sc.ID, req.Runs, *req.Seed, stamp)
	}
	if len(base) > 120 {
		base = base[len(base)-120:]
	}
	name := base
	runs := filepath.Join(q.s.opt.Workspace, runsDir)
	for k := 2; q.names[name] || exists(filepath.Join(runs, name)); k++ {
		name = base + "-" + strconv.Itoa(k)
	}
	q.names[name] = true
	ctx, cancel := context.WithCancel(q.ctx)
	unit := "day"
	if req.Kind == "ensemble" {
		unit = "member"
	}
	j := &job{req: req, sc: sc, out: filepath.Join(runs, name), ctx: ctx, cancel: cancel, changed: make(chan struct{}),
		v: Job{ID: "j" + strconv.Itoa(q.seq), Kind: req.Kind, Scenario: sc.ID, Seed: *req.Seed, Status: "queued",
			Unit: unit, Created: time.Now().UTC().Format(time.RFC3339)}}
	select {
	case q.queue <- j:
	default:
		cancel()
		delete(q.names, name)
		return nil, errBusy
	}
	q.jobs[j.v.ID] = j
	q.order = append(q.order, j)
	if len(q.order) > 200 { // forget old finished jobs
		for i, old := range q.order {
			if v, _, _ := old.snapshot(); v.finished() {
				delete(q.jobs, old.v.ID)
				q.order = append(q.order[:i], q.order[i+1:]...)
				break
			}
		}
	}
	return j, nil
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func (q *jobQueue) get(id string) *job {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.jobs[id]
}

func (q *jobQueue) list() []Job {
	q.mu.Lock()
	js := append([]*job(nil), q.order...)
	q.mu.Unlock()
	out := make([]Job, 0, len(js))
	pos := 0
	for i := len(js) - 1; i >= 0; i-- {
		v, _, _ := js[i].snapshot()
		out = append(out, v)
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Status == "queued" {
			pos++
			out[i].Position = pos
		}
	}
	return out
}

func (q *jobQueue) execute(j *job) {
	if j.ctx.Err() != nil {
		j.update(func(v *Job) { v.Status, v.Error = "canceled", "canceled before it started" })
		return
	}
	j.mu.Lock()
	j.started = time.Now()
	j.mu.Unlock()
	j.update(func(v *Job) { v.Status = "running" })
	q.s.opt.Logf("job %s: %s of %s started -> %s", j.v.ID, j.req.Kind, j.sc.ID, j.out)
	var err error
	if j.req.Kind == "ensemble" {
		err = q.runEnsemble(j)
	} else {
		err = q.runOne(j)
	}
	elapsed := time.Since(j.started).Seconds()
	switch {
	case err == nil:
		e := q.s.reg.run(filepath.Base(j.out))
		j.update(func(v *Job) {
			v.Status, v.Elapsed = "done", elapsed
			if e != nil {
				v.Run = e.ID
			}
		})
		q.s.opt.Logf("job %s: done in %.1f s", j.v.ID, elapsed)
	case errors.Is(err, context.Canceled):
		j.update(func(v *Job) { v.Status, v.Error, v.Elapsed = "canceled", "canceled", elapsed })
	default:
		j.update(func(v *Job) { v.Status, v.Error, v.Elapsed = "failed", err.Error(), elapsed })
		q.s.opt.Logf("job %s: %v", j.v.ID, err)
	}
}

func (q *jobQueue) runOne(j *job) error {
	if q.s.opt.Run == nil {
		return errors.New("this workbench cannot start runs")
	}
	req := RunRequest{Case: j.sc.Dir, Seed: *j.req.Seed, Days: j.req.Days, Compat: j.req.Compat, Set: j.req.Set}
	return q.s.opt.Run(j.ctx, req, j.out, func(done, total int) {
		j.update(func(v *Job) { v.Done, v.Total = done, total })
	})
}

func (q *jobQueue) runEnsemble(j *job) (err error) {
	mode, err := sim.ParseMode(j.req.Compat)
	if err != nil {
		return err
	}
	spec := ensemble.Spec{Case: j.sc.Dir, Options: flee.Options{Mode: mode, Days: j.req.Days, Set: j.req.Set},
		Design: ensemble.Design{Kind: ensemble.DesignSeeds, Points: j.req.Runs, Replicates: 1, SeedBase: *j.req.Seed}}
	p, _, err := ensemble.NewPlan(spec)
	if err != nil {
		return err
	}
	j.update(func(v *Job) { v.Total = len(p.Members) })
	unlock, err := ensemble.Lock(j.out)
	if err != nil {
		return err
	}
	defer func() {
		unlock()
		if err != nil {
			os.RemoveAll(j.out) // the folder is this job's alone
		}
	}()
	if _, err := ensemble.Open(j.out, p, false); err != nil {
		return err
	}
	t0 := time.Now()
	stats, err := ensemble.Run(j.ctx, p, j.out, nil, ensemble.RunOptions{Workers: runtime.GOMAXPROCS(0),
		Progress: func(e ensemble.Event) { j.update(func(v *Job) { v.Done, v.Total = e.Done, e.Total }) }})
	if err != nil {
		return err
	}
	t1 := time.Now()
	if _, err := ensemble.Merge(p, j.out, ""); err != nil {
		return err
	}
	cmd := []string{"caravan", "ensemble", j.sc.Dir, "--runs", strconv.Itoa(j.req.Runs), "--seed-base",
		strconv.FormatUint(*j.req.Seed, 10), "--compat", j.req.Compat}
	if j.req.Days > 0 {
		cmd = append(cmd, "--days", strconv.Itoa(j.req.Days))
	}
	for _, s := range j.req.Set {
		cmd = append(cmd, "--set", s)
	}
	man := ensemble.NewManifest(p, "caravan", q.s.opt.Version, cmd)
	man.Run = &stats
	man.MemberTimes = ensemble.Summarize(stats.Timings)
	man.MergeSeconds = time.Since(t1).Seconds()
	man.WallSeconds = time.Since(t0).Seconds()
	return ensemble.WriteManifest(j.out, man)
}
