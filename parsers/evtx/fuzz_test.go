package evtx

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/kiseki-forensics/kiseki/internal/corpus"
	"github.com/kiseki-forensics/kiseki/internal/parsertest"
	"github.com/kiseki-forensics/kiseki/parsers"
)

func memInput(data []byte) *parsers.Input {
	return &parsers.Input{Name: "fuzz.evtx", ZoneSource: "fuzz", ReaderAt: bytes.NewReader(data), Size: int64(len(data)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
}

// FuzzParse: the seeds are a one-record log and the first chunk of a
// damaged one, cut to a size the fuzzer can mutate.
func FuzzParse(f *testing.F) {
	for _, rel := range []string{"evtx/Velocidex-evtx/testdata/Security_1_record.evtx", "evtx/omerbenamram-evtx/samples/sample_with_a_bad_chunk_magic.evtx"} {
		if b := corpus.Seed(f, rel); b != nil {
			f.Add(b[:min(len(b), 4096+chunkSize)])
		}
	}
	f.Add([]byte(fileMagic))
	chunkTimeout = 200 * time.Millisecond
	f.Fuzz(func(t *testing.T, data []byte) {
		var c parsertest.Collect
		_ = parse(context.Background(), memInput(data), &c) // errors are fine; panics and hangs are not
		detect("x", data)
	})
}

// BenchmarkParse: go test ./parsers/evtx -run x -bench . -benchtime 3x
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile(corpus.Path(b, "evtx/omerbenamram-evtx/samples/security.evtx"))
	if err != nil {
		b.Fatal(err)
	}
	var sink parsertest.Discard
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	cpu0 := parsertest.ProcessCPU()
	for i := 0; i < b.N; i++ {
		if err := parse(context.Background(), memInput(data), &sink); err != nil {
			b.Fatal(err)
		}
	}
	parsertest.Rate(b, sink.N, "records", cpu0)
}
