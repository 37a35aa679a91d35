// The Go pattern, as a baseline for bench/transport.bench.js's checker fan-out: Dapr v1.0's
// health-check loop (pkg/health, commit 9341e3f) run once per endpoint, against the endpoints the
// benchmark serves, measured the way the benchmark measures probekit's checkers.
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o dapr-loop .   (Debian's
//	golang-github-valyala-fasthttp-dev; no network needed)
//	taskset -c 1 ./dapr-loop -ports 4001,4002 -interval 100ms -warmup 1s -seconds 10s
//
// Each check is what StartEndpointHealthCheck starts: a goroutine with a time.Ticker created
// before the (here zero) initial delay, its own fasthttp.Client (5 connections per host, read
// timeout = request timeout, no retry), one request reused for every probe, DoTimeout per tick,
// and a signal channel of one that a consumer goroutine drains. Check i starts i/N of an
// interval after the first, as the benchmark starts probekit's checkers, so the load is spread.
//
// It prints one JSON line with the fields bench/transport.bench.js's report() prints: probes
// started in the measured window, failed probes, CPU per probe (getrusage, all threads, over the
// window), probes/s, the share of its CPU other processes used (from /proc/stat), and how late
// each probe started after the tick it serves (p50, p99, ms).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// Dapr v1.0's defaults that the benchmark keeps: a 2 s request timeout, threshold 2, status 200.
const (
	requestTimeout    = 2 * time.Second
	failureThreshold  = 2
	successStatusCode = 200
)

// recorder collects what the measured window saw. Probes record into it from many goroutines.
type recorder struct {
	measuring atomic.Bool
	failures  atomic.Int64
	mu        sync.Mutex
	lateness  []float64 // ms, probes started while measuring
}

func (r *recorder) probeStarted(late time.Duration) {
	if !r.measuring.Load() {
		return
	}
	r.mu.Lock()
	r.lateness = append(r.lateness, float64(late)/float64(time.Millisecond))
	r.mu.Unlock()
}

// startCheck mirrors StartEndpointHealthCheck's goroutine (initial delay 0). The only additions
// are the two time.Now() reads and the recorder calls that time each probe against its tick.
func startCheck(address string, interval time.Duration, rec *recorder) chan bool {
	signals := make(chan bool, 1)
	go func() {
		origin := time.Now() // just before the ticker: its k-th tick is due at origin + k·interval
		ticker := time.NewTicker(interval)
		failureCount := 0
		time.Sleep(0) // Dapr's initial delay, 0 as in the benchmark

		client := &fasthttp.Client{
			MaxConnsPerHost:           5,
			ReadTimeout:               requestTimeout,
			MaxIdemponentCallAttempts: 1,
		}
		req := fasthttp.AcquireRequest()
		req.SetRequestURI(address)
		req.Header.SetMethod(fasthttp.MethodGet)
		defer fasthttp.ReleaseRequest(req)

		for tick := range ticker.C {
			// The tick carries the time it was sent: the tick it serves is the last one due by then
			// (a stale tick taken late still counts from its own due time, as probekit's does).
			k := tick.Sub(origin) / interval
			rec.probeStarted(time.Since(origin) - k*interval)
			resp := fasthttp.AcquireResponse()
			err := client.DoTimeout(req, resp, requestTimeout)
			if err != nil || resp.StatusCode() != successStatusCode {
				rec.failures.Add(1)
				failureCount++
				if failureCount == failureThreshold {
					signals <- false
				}
			} else {
				signals <- true
				failureCount = 0
			}
			fasthttp.ReleaseResponse(resp)
		}
	}()
	return signals
}

// cpuMicros is this process's CPU time (user, system), all threads, in µs.
func cpuMicros() (user, system float64) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, 0
	}
	micros := func(t syscall.Timeval) float64 { return float64(t.Sec)*1e6 + float64(t.Usec) }
	return micros(usage.Utime), micros(usage.Stime)
}

// busyJiffies is CPU cpu's busy time from /proc/stat (user, nice, system, irq, softirq, steal),
// in 1/100 s, as transport.bench.js reads it; -1 when it cannot be read.
func busyJiffies(cpu int) float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	prefix := fmt.Sprintf("cpu%d ", cpu)
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		fields := strings.Fields(line)[1:]
		sum := 0.0
		for _, i := range []int{0, 1, 2, 5, 6, 7} {
			value, _ := strconv.ParseFloat(fields[i], 64)
			sum += value
		}
		return sum
	}
	return -1
}

// quantile interpolates between the two nearest ranks, as transport.bench.js's quantile() does.
func quantile(sorted []float64, q float64) any {
	if len(sorted) == 0 {
		return nil
	}
	position := float64(len(sorted)-1) * q
	low, high := int(math.Floor(position)), int(math.Ceil(position))
	return sorted[low] + (sorted[high]-sorted[low])*(position-float64(low))
}

func main() {
	portList := flag.String("ports", "", "comma list of ports on 127.0.0.1, one endpoint each")
	interval := flag.Duration("interval", 100*time.Millisecond, "probe interval")
	warmup := flag.Duration("warmup", time.Second, "unmeasured time after the first check starts")
	seconds := flag.Duration("seconds", 2*time.Second, "measured time")
	clientCPU := flag.Int("cpu", 1, "the CPU this process is pinned to (for the /proc/stat check)")
	flag.Parse()
	ports := strings.Split(*portList, ",")
	if *portList == "" || *interval <= 0 {
		fmt.Fprintln(os.Stderr, "dapr-loop: give -ports (a comma list) and a positive -interval")
		os.Exit(2)
	}

	rec := &recorder{}
	t0 := time.Now().Add(50 * time.Millisecond)
	for i, port := range ports {
		address := "http://127.0.0.1:" + port + "/healthz"
		offset := time.Duration(int64(*interval) * int64(i) / int64(len(ports)))
		time.AfterFunc(time.Until(t0.Add(offset)), func() {
			signals := startCheck(address, *interval, rec)
			go func() {
				for range signals { // the consumer reads at once, as the benchmark's do
				}
			}()
		})
	}

	time.Sleep(time.Until(t0.Add(*warmup)))
	userStart, systemStart := cpuMicros()
	busyStart := busyJiffies(*clientCPU)
	wallStart := time.Now()
	rec.measuring.Store(true)
	time.Sleep(*seconds)
	rec.measuring.Store(false)
	userEnd, systemEnd := cpuMicros()
	busyEnd := busyJiffies(*clientCPU)
	wall := float64(time.Since(wallStart)) / float64(time.Millisecond)

	rec.mu.Lock()
	lateness := append([]float64(nil), rec.lateness...)
	rec.mu.Unlock()
	sort.Float64s(lateness)
	probes := float64(len(lateness))
	user, system := userEnd-userStart, systemEnd-systemStart
	foreign := 0.0
	if busyStart >= 0 && busyEnd >= 0 {
		foreign = (busyEnd-busyStart)*1e4 - (user + system) // jiffies of 10 ms, in µs
		if foreign < 0 {
			foreign = 0
		}
		foreign = foreign / 1000 / wall
	}
	result := map[string]any{
		"name":             "go",
		"probes":           len(lateness),
		"failures":         rec.failures.Load(),
		"cpuUsPerProbe":    (user + system) / probes,
		"userUsPerProbe":   user / probes,
		"systemUsPerProbe": system / probes,
		"cpuShare":         (user + system) / 1000 / wall,
		"probesPerSecond":  probes / wall * 1000,
		"latenessP50":      quantile(lateness, 0.5),
		"latenessP99":      quantile(lateness, 0.99),
		"foreignShare":     foreign,
		"gomaxprocs":       runtime.GOMAXPROCS(0),
		"goVersion":        runtime.Version(),
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
	// Like the Dapr loop, the checks never stop: the process ends here, with them.
	os.Exit(0)
}
