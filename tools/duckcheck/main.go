package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// samples is how many rows per case are compared value by value, spread
// evenly over the timeline (first and last included).
const samples = 7

// event is the part of a `kiseki timeline --format jsonl` line checked.
type event struct {
	Row      int64  `json:"row"`
	Time     string `json:"time"`
	TimeDesc string `json:"time_desc"`
	Host     string `json:"host"`
	Source   string `json:"source"`
	Evidence string `json:"evidence"`
	Ref      struct {
		Path   string `json:"path"`
		Line   *int64 `json:"line"`
		Offset *int64 `json:"offset"`
	} `json:"ref"`
	SrcIP  string `json:"src_ip"`
	Status int32  `json:"status"`
	URL    string `json:"url"`
}

// caseReport is what was compared for one case.
type caseReport struct {
	Case     string           `json:"case"`
	Rows     int64            `json:"rows"`
	Hosts    map[string]int64 `json:"hosts"`
	First    string           `json:"first"`
	Last     string           `json:"last"`
	Sampled  int              `json:"sampled"`
	Problems []string         `json:"problems"`
}

func main() {
	root := flag.String("parquet", "", "root directory of `kiseki export --format parquet`")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: duckcheck -parquet DIR CASE=timeline.jsonl ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *root == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "duckcheck:", err)
		os.Exit(1)
	}
	defer db.Close()
	glob := filepath.Join(*root, "**", "*.parquet")
	if _, err := db.Exec(`CREATE VIEW ev AS SELECT * FROM read_parquet(?, hive_partitioning = true)`, glob); err != nil {
		// Prepared parameters are not accepted in every DDL: inline the quoted path.
		if _, err2 := db.Exec(`CREATE VIEW ev AS SELECT * FROM read_parquet(` + quote(glob) + `, hive_partitioning = true)`); err2 != nil {
			fmt.Fprintln(os.Stderr, "duckcheck:", err2)
			os.Exit(1)
		}
	}
	var reports []caseReport
	failed := false
	var total int64
	for _, arg := range flag.Args() {
		name, file, ok := strings.Cut(arg, "=")
		if !ok {
			flag.Usage()
			os.Exit(2)
		}
		r := check(db, name, file)
		total += r.Rows
		failed = failed || len(r.Problems) > 0
		reports = append(reports, r)
	}
	// Every row of the tree belongs to one of the cases given.
	var all int64
	if err := db.QueryRow(`SELECT count(*) FROM ev`).Scan(&all); err != nil || all != total {
		failed = true
		reports = append(reports, caseReport{Case: "*", Rows: all, Problems: []string{fmt.Sprintf("the tree holds %d rows, the cases' timelines %d (%v)", all, total, err)}})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(map[string]any{"cases": reports, "rows": all})
	if failed {
		os.Exit(1)
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// check compares one case's Parquet rows with its timeline JSONL.
func check(db *sql.DB, name, file string) caseReport {
	r := caseReport{Case: name, Hosts: map[string]int64{}, Problems: []string{}}
	bad := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }
	events, err := readJSONL(file)
	if err != nil {
		bad("%v", err)
		return r
	}
	wantHosts := map[string]int64{}
	for _, e := range events {
		wantHosts[e.Host]++
	}
	if err := db.QueryRow(`SELECT count(*) FROM ev WHERE "case" = ?`, name).Scan(&r.Rows); err != nil {
		bad("count: %v", err)
		return r
	}
	if r.Rows != int64(len(events)) {
		bad("%d rows in Parquet, %d in kiseki timeline", r.Rows, len(events))
	}
	rows, err := db.Query(`SELECT coalesce(host, ''), count(*) FROM ev WHERE "case" = ? GROUP BY ALL`, name)
	if err != nil {
		bad("hosts: %v", err)
		return r
	}
	for rows.Next() {
		var h string
		var n int64
		rows.Scan(&h, &n)
		r.Hosts[h] = n
	}
	rows.Close()
	if fmt.Sprint(sorted(r.Hosts)) != fmt.Sprint(sorted(wantHosts)) {
		bad("rows per host %v, kiseki timeline %v", sorted(r.Hosts), sorted(wantHosts))
	}
	if len(events) == 0 {
		return r
	}
	var first, last int64
	var firstTS time.Time
	if err := db.QueryRow(`SELECT min(time_ns), max(time_ns), min(time) FROM ev WHERE "case" = ?`, name).Scan(&first, &last, &firstTS); err != nil {
		bad("first/last: %v", err)
		return r
	}
	r.First, r.Last = nsTime(first), nsTime(last)
	if r.First != events[0].Time || r.Last != events[len(events)-1].Time {
		bad("first %s last %s, kiseki timeline %s %s", r.First, r.Last, events[0].Time, events[len(events)-1].Time)
	}
	if want := time.Unix(0, first).UTC().Truncate(time.Microsecond); !firstTS.Equal(want) {
		bad("min(time) %s, want %s (time_ns to µs)", firstTS.UTC().Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	for k := range samples {
		e := events[k*(len(events)-1)/(samples-1)]
		r.Sampled++
		compareRow(db, name, e, bad)
	}
	return r
}

func compareRow(db *sql.DB, name string, e event, bad func(string, ...any)) {
	var (
		ns                                   int64
		desc, host, source, evidence, refPth sql.NullString
		line, offset                         sql.NullInt64
		srcIP, url                           sql.NullString
		status                               sql.NullInt32
	)
	err := db.QueryRow(`SELECT time_ns, time_desc, host, source, evidence, ref_path, line, "offset", src_ip, status, url
		FROM ev WHERE "case" = ? AND "row" = ?`, name, e.Row).Scan(&ns, &desc, &host, &source, &evidence, &refPth, &line, &offset, &srcIP, &status, &url)
	if err != nil {
		bad("row %d: %v", e.Row, err)
		return
	}
	got := fmt.Sprint(nsTime(ns), desc.String, host.String, source.String, evidence.String, refPth.String, nullInt(line), nullInt(offset), srcIP.String, status.Int32, url.String)
	want := fmt.Sprint(e.Time, e.TimeDesc, e.Host, e.Source, e.Evidence, e.Ref.Path, ptr(e.Ref.Line), ptr(e.Ref.Offset), e.SrcIP, e.Status, e.URL)
	if got != want {
		bad("row %d: Parquet %s, kiseki timeline %s", e.Row, got, want)
	}
}

func nullInt(v sql.NullInt64) string {
	if !v.Valid {
		return "-"
	}
	return fmt.Sprint(v.Int64)
}

func ptr(v *int64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}

func nsTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func sorted(m map[string]int64) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}

func readJSONL(path string) ([]event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		n++
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
