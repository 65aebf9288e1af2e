// Kiseki's end-to-end benchmark: it builds its inputs (an
// NTFS image, an ext4 image, nginx access logs with high-cardinality URLs),
// runs Kiseki end to end and the tools it should beat on the same input in
// the same run, and prints the median of -runs runs of each with the ratio:
//
//	NTFS / ext4 image: kiseki ingest (index complete) + timeline --format
//	                   bodyfile, against the Sleuth Kit's fls -r -m + mactime
//	nginx logs:        kiseki ingest (index complete), against wc -l; also
//	                   when the case was queryable and the index complete
//	nginx logs:        GNU strings -a over the same files, as the floor of a
//	                   byte scan
//
// Peak RSS is the largest of the commands' (GNU time's %M for each).
//
//	go run ./bench/e2e                      # full sizes, 3 runs
//	go run ./bench/e2e -quick -runs 1       # small inputs (smoke test)
//	go run ./bench/e2e -only nginx -nginx-lines 10000000 -json
//
// Inputs are kept in -work and reused when present. The NTFS image needs
// root, /dev/fuse and ntfs-3g (mkntfs); without them that row is skipped.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Full and quick input sizes. The full ones are those of issue #13: a
// 98k-entry NTFS image, a 30k-inode ext4 image, 2 M nginx lines.
const (
	fullNTFSFiles  = 100_000
	fullExt4Files  = 30_000
	fullNginxLines = 2_000_000
	quickFiles     = 600
	quickLines     = 20_000
)

type config struct {
	work, kiseki   string
	runs           int
	only           map[string]bool
	ntfsFiles      int
	ext4Files      int
	nginxLines     int
	jsonOut, quick bool
}

// Measure is the median of the runs of one side of a row.
type Measure struct {
	Command   string    `json:"command"`
	Runs      []float64 `json:"runs_s"`
	Median    float64   `json:"median_s"`
	PeakRSSMi float64   `json:"peak_rss_mib"`
}

// Row is one line of the table.
type Row struct {
	Name   string             `json:"name"`
	Input  string             `json:"input"`
	Kiseki Measure            `json:"kiseki"`
	Anchor Measure            `json:"anchor"`
	Ratio  float64            `json:"ratio"` // Kiseki median / anchor median
	Extra  map[string]float64 `json:"extra,omitempty"`
	Note   string             `json:"note,omitempty"`
}

// Report is the -json output.
type Report struct {
	Machine string `json:"machine"`
	Runs    int    `json:"runs"`
	Rows    []Row  `json:"rows"`
}

func main() {
	var c config
	only := flag.String("only", "ntfs,ext4,nginx,strings", "rows to run (comma-separated)")
	flag.StringVar(&c.work, "work", filepath.Join(os.TempDir(), "kiseki-e2e"), "directory for inputs, cases and outputs")
	flag.StringVar(&c.kiseki, "kiseki", "", "kiseki binary (default: built from this checkout into -work)")
	flag.IntVar(&c.runs, "runs", 3, "runs of each command (the median is reported)")
	flag.IntVar(&c.ntfsFiles, "ntfs-files", 0, "files in the NTFS image (default 100000, -quick 600)")
	flag.IntVar(&c.ext4Files, "ext4-files", 0, "files in the ext4 image (default 30000, -quick 600)")
	flag.IntVar(&c.nginxLines, "nginx-lines", 0, "nginx lines (default 2000000, -quick 20000)")
	flag.BoolVar(&c.quick, "quick", false, "small inputs, for a smoke test")
	flag.BoolVar(&c.jsonOut, "json", false, "print the report as JSON")
	flag.Parse()
	c.only = map[string]bool{}
	for _, o := range strings.Split(*only, ",") {
		c.only[strings.TrimSpace(o)] = true
	}
	c.ntfsFiles = pick(c.ntfsFiles, c.quick, fullNTFSFiles, quickFiles)
	c.ext4Files = pick(c.ext4Files, c.quick, fullExt4Files, quickFiles)
	c.nginxLines = pick(c.nginxLines, c.quick, fullNginxLines, quickLines)
	rep, err := run(context.Background(), c, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	if c.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			os.Exit(1)
		}
		return
	}
	printTable(os.Stdout, rep)
}

func pick(v int, quick bool, full, small int) int {
	switch {
	case v > 0:
		return v
	case quick:
		return small
	}
	return full
}

// run builds the inputs and measures every row asked for; log gets
// progress lines.
func run(ctx context.Context, c config, log io.Writer) (*Report, error) {
	if err := os.MkdirAll(c.work, 0o755); err != nil {
		return nil, err
	}
	if c.kiseki == "" {
		c.kiseki = filepath.Join(c.work, "kiseki")
		fmt.Fprintln(log, "building kiseki...")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", c.kiseki, ".").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build: %v: %s", err, out)
		}
	}
	rep := &Report{Machine: machine(), Runs: c.runs}
	type rowFn func(context.Context, config, io.Writer) (Row, error)
	for _, r := range []struct {
		name string
		fn   rowFn
	}{{"ntfs", ntfsRow}, {"ext4", ext4Row}, {"nginx", nginxRow}, {"strings", stringsRow}} {
		if !c.only[r.name] {
			continue
		}
		fmt.Fprintf(log, "== %s\n", r.name)
		row, err := r.fn(ctx, c, log)
		var skip skipError
		if errors.As(err, &skip) {
			fmt.Fprintf(log, "%s skipped: %s\n", r.name, skip.why)
			rep.Rows = append(rep.Rows, Row{Name: r.name, Note: "skipped: " + skip.why})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// skipError marks a row that cannot run on this machine.
type skipError struct{ why string }

func (e skipError) Error() string { return e.why }

// machine describes the machine and its load when the run starts: the
// figures of a shared machine mean little without it.
func machine() string {
	n, _ := exec.Command("nproc").Output()
	load, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(load))
	if len(f) > 3 {
		f = f[:3]
	}
	return fmt.Sprintf("%s cores, load %s", strings.TrimSpace(string(n)), strings.Join(f, " "))
}

// step is one command of a measured sequence; stdout goes to out ("" for
// /dev/null).
type step struct {
	args []string
	out  string
}

// timeSteps runs the steps in order and returns their total wall time and
// the largest peak RSS among them, in MiB. before runs first, untimed.
func timeSteps(ctx context.Context, steps []step, before func() error) (wall, rssMiB float64, stdout []byte, err error) {
	if before != nil {
		if err := before(); err != nil {
			return 0, 0, nil, err
		}
	}
	rssFile := filepath.Join(os.TempDir(), fmt.Sprintf("kiseki-e2e-rss-%d", os.Getpid()))
	defer os.Remove(rssFile)
	for _, s := range steps {
		args := s.args
		if timeTool != "" {
			args = append([]string{timeTool, "-f", "%M", "-o", rssFile}, args...)
		}
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		var buf strings.Builder
		var f *os.File
		if s.out != "" {
			if f, err = os.Create(s.out); err != nil {
				return 0, 0, nil, err
			}
			cmd.Stdout = f
		} else {
			cmd.Stdout = &buf
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		t0 := time.Now()
		err = cmd.Run()
		wall += time.Since(t0).Seconds()
		if f != nil {
			f.Close()
		}
		if err != nil {
			return 0, 0, nil, fmt.Errorf("%s: %v: %s", strings.Join(s.args, " "), err, stderr.String())
		}
		rssMiB = max(rssMiB, peakRSS(cmd, rssFile))
		stdout = []byte(buf.String())
	}
	return wall, rssMiB, stdout, nil
}

// measure runs the steps c.runs times; each run gets before() first.
func measure(ctx context.Context, c config, label string, steps []step, before func() error, each func([]byte) error) (Measure, error) {
	m := Measure{Command: label}
	for range c.runs {
		wall, rss, out, err := timeSteps(ctx, steps, before)
		if err != nil {
			return m, err
		}
		if each != nil {
			if err := each(out); err != nil {
				return m, err
			}
		}
		m.Runs = append(m.Runs, wall)
		m.PeakRSSMi = max(m.PeakRSSMi, rss)
	}
	m.Median = median(m.Runs)
	return m, nil
}

// timeTool is GNU time, whose %M is the child's own peak RSS. Without it the
// rusage of the child is used, which on Linux also counts the memory of the
// benchmark process the child was forked from before its exec (tens of MiB).
var timeTool = func() string {
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		return "/usr/bin/time"
	}
	return ""
}()

// peakRSS is the finished command's peak RSS in MiB.
func peakRSS(cmd *exec.Cmd, rssFile string) float64 {
	if timeTool != "" {
		b, _ := os.ReadFile(rssFile)
		f := strings.Fields(string(b))
		if len(f) > 0 {
			var kib float64
			if _, err := fmt.Sscan(f[len(f)-1], &kib); err == nil {
				return kib / 1024
			}
		}
	}
	return childMaxRSS(cmd)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func need(tools ...string) error {
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			return skipError{t + " not installed"}
		}
	}
	return nil
}

// imageRow measures a disk image: Kiseki's ingest (index complete) and
// bodyfile export against fls -r -m and mactime.
func imageRow(ctx context.Context, c config, name, img, input string) (Row, error) {
	bundle := filepath.Join(c.work, name+"-bundle")
	if err := os.MkdirAll(bundle, 0o755); err != nil {
		return Row{}, err
	}
	link := filepath.Join(bundle, filepath.Base(img))
	os.Remove(link)
	// A hard link (same file system), else a copy: a bundle refuses
	// symbolic links (they could pull files from outside it).
	if err := os.Link(img, link); err != nil {
		if err := copyFile(img, link); err != nil {
			return Row{}, err
		}
	}
	yaml := fmt.Sprintf("case: e2e-%s\nevidence:\n  - path: %s\n    format: disk-image\n", name, filepath.Base(img))
	if err := os.WriteFile(filepath.Join(bundle, "bundle.yaml"), []byte(yaml), 0o644); err != nil {
		return Row{}, err
	}
	caseDir := filepath.Join(c.work, name+"-case")
	kBody, tBody := filepath.Join(c.work, name+"-kiseki.body"), filepath.Join(c.work, name+"-tsk.body")
	k, err := measure(ctx, c, "kiseki ingest + timeline --format bodyfile", []step{
		{args: []string{c.kiseki, "ingest", bundle, "--case", caseDir, "-q", "--head", "0"}},
		{args: []string{c.kiseki, "timeline", "--case", caseDir, "--format", "bodyfile"}, out: kBody},
	}, func() error { return os.RemoveAll(caseDir) }, nil)
	if err != nil {
		return Row{}, err
	}
	a, err := measure(ctx, c, "fls -r -m / + mactime -b", []step{
		{args: []string{"fls", "-r", "-m", "/", img}, out: tBody},
		{args: []string{"mactime", "-b", tBody}, out: os.DevNull},
	}, nil, nil)
	if err != nil {
		return Row{}, err
	}
	return Row{Name: name, Input: input, Kiseki: k, Anchor: a, Ratio: k.Median / a.Median,
		Extra: map[string]float64{"kiseki_bodyfile_lines": float64(lines(kBody)), "tsk_bodyfile_lines": float64(lines(tBody))}}, nil
}

func lines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\n")
}

// nginxLogs generates the nginx logs with bench/gen-nginx (kept once made).
func nginxLogs(ctx context.Context, c config, log io.Writer) (string, error) {
	dir := filepath.Join(c.work, fmt.Sprintf("nginx-%d", c.nginxLines))
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return filepath.Join(dir, "logs"), nil
	}
	fmt.Fprintf(log, "generating %d nginx lines...\n", c.nginxLines)
	os.RemoveAll(dir)
	if out, err := exec.CommandContext(ctx, "go", "run", "./bench/gen-nginx", "-out", filepath.Join(dir, "logs"), "-lines", fmt.Sprint(c.nginxLines), "-files", "2").CombinedOutput(); err != nil {
		return "", fmt.Errorf("gen-nginx: %v: %s", err, out)
	}
	return filepath.Join(dir, "logs"), os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
}

func logFiles(dir string) ([]string, int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	var files []string
	var size int64
	for _, e := range ents {
		files = append(files, filepath.Join(dir, e.Name()))
		if fi, err := e.Info(); err == nil {
			size += fi.Size()
		}
	}
	return files, size, nil
}

// ingestMoments is the part of kiseki ingest --json the row reads.
type ingestMoments struct {
	Events        int64  `json:"events"`
	Queryable     string `json:"queryable"`
	IndexComplete string `json:"index_complete"`
}

func nginxRow(ctx context.Context, c config, log io.Writer) (Row, error) {
	if err := need("wc"); err != nil {
		return Row{}, err
	}
	logs, err := nginxLogs(ctx, c, log)
	if err != nil {
		return Row{}, err
	}
	files, size, err := logFiles(logs)
	if err != nil {
		return Row{}, err
	}
	caseDir := filepath.Join(c.work, "nginx-case")
	var queryable, complete []float64
	var events int64
	k, err := measure(ctx, c, "kiseki ingest (index complete)", []step{
		{args: []string{c.kiseki, "ingest", logs, "--case", caseDir, "-q", "--head", "0", "--json"}},
	}, func() error { return os.RemoveAll(caseDir) }, func(out []byte) error {
		var m ingestMoments
		if err := json.Unmarshal(out, &m); err != nil {
			return fmt.Errorf("ingest --json: %w", err)
		}
		if m.IndexComplete == "" {
			return errors.New("ingest did not report the index complete")
		}
		q, err1 := time.ParseDuration(m.Queryable)
		d, err2 := time.ParseDuration(m.IndexComplete)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		queryable, complete, events = append(queryable, q.Seconds()), append(complete, d.Seconds()), m.Events
		return nil
	})
	if err != nil {
		return Row{}, err
	}
	p50, err := searchP50(ctx, c, caseDir)
	if err != nil {
		return Row{}, err
	}
	a, err := measure(ctx, c, "wc -l", []step{{args: append([]string{"wc", "-l"}, files...)}}, nil, nil)
	if err != nil {
		return Row{}, err
	}
	return Row{Name: "nginx", Input: fmt.Sprintf("%d lines, %d MiB, gen-nginx", c.nginxLines, size>>20), Kiseki: k, Anchor: a, Ratio: k.Median / a.Median,
		Extra: map[string]float64{
			"events":           float64(events),
			"lines_per_s":      float64(c.nginxLines) / k.Median,
			"queryable_s":      median(queryable),
			"index_complete_s": median(complete),
			"search_p50_ms":    p50 * 1000,
		}}, nil
}

// searchQueries are timed on the nginx case (kiseki search --count, the
// process included): words of the request line and URL through the index,
// a phrase, a rare number, a column query.
var searchQueries = []string{"GET", `"GET /search"`, "12345", "curl", "status:5xx url:*customer*"}

// searchP50 is the median latency of searchQueries, each run c.runs times.
func searchP50(ctx context.Context, c config, caseDir string) (float64, error) {
	var lat []float64
	for _, q := range searchQueries {
		for range c.runs {
			wall, _, _, err := timeSteps(ctx, []step{{args: []string{c.kiseki, "search", "--case", caseDir, "--count", q}}}, nil)
			if err != nil {
				return 0, err
			}
			lat = append(lat, wall)
		}
	}
	return median(lat), nil
}

// stringsRow is GNU strings over the nginx logs: the speed of reading the
// same bytes and doing the least, beside the ingest that parses them.
func stringsRow(ctx context.Context, c config, log io.Writer) (Row, error) {
	if err := need("strings"); err != nil {
		return Row{}, err
	}
	logs, err := nginxLogs(ctx, c, log)
	if err != nil {
		return Row{}, err
	}
	files, size, err := logFiles(logs)
	if err != nil {
		return Row{}, err
	}
	caseDir := filepath.Join(c.work, "strings-case")
	k, err := measure(ctx, c, "kiseki ingest (index complete)", []step{
		{args: []string{c.kiseki, "ingest", logs, "--case", caseDir, "-q", "--head", "0"}},
	}, func() error { return os.RemoveAll(caseDir) }, nil)
	if err != nil {
		return Row{}, err
	}
	a, err := measure(ctx, c, "strings -a", []step{{args: append([]string{"strings", "-a"}, files...), out: os.DevNull}}, nil, nil)
	if err != nil {
		return Row{}, err
	}
	return Row{Name: "strings", Input: fmt.Sprintf("%d lines, %d MiB", c.nginxLines, size>>20), Kiseki: k, Anchor: a, Ratio: k.Median / a.Median}, nil
}

func printTable(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "machine: %s; median of %d runs\n\n", rep.Machine, rep.Runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "row\tinput\tkiseki\ts\tpeak MiB\tanchor\ts\tpeak MiB\tratio")
	for _, r := range rep.Rows {
		if r.Note != "" {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\t\t\n", r.Name, r.Note)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.0f\t%s\t%.2f\t%.0f\t%.2f×\n", r.Name, r.Input, r.Kiseki.Command, r.Kiseki.Median, r.Kiseki.PeakRSSMi,
			r.Anchor.Command, r.Anchor.Median, r.Anchor.PeakRSSMi, r.Ratio)
	}
	tw.Flush()
	for _, r := range rep.Rows {
		if r.Name == "nginx" && r.Note == "" {
			fmt.Fprintf(w, "\nnginx: %.0f lines/s end to end with the index complete; queryable after %.2f s, index complete after %.2f s; search p50 %.0f ms (kiseki search --count, process included)\n",
				r.Extra["lines_per_s"], r.Extra["queryable_s"], r.Extra["index_complete_s"], r.Extra["search_p50_ms"])
		}
		if b := r.Extra["kiseki_bodyfile_lines"]; b > 0 {
			fmt.Fprintf(w, "%s: bodyfile lines kiseki %.0f, fls %.0f\n", r.Name, b, r.Extra["tsk_bodyfile_lines"])
		}
	}
}

// copyFile copies src to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
