package repo

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// hStdInflate decodes with compress/flate: the reference. Fuzzed streams
// can expand a thousandfold; those are not worth the time.
func hStdInflate(stream []byte) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(stream)), 1<<20))
	if err == nil && len(out) == 1<<20 {
		return nil, io.ErrShortBuffer
	}
	return out, err
}

func hDeflate(t testing.TB, data []byte, level int) []byte {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// hSamples are inputs of the kinds packs hold, and some that stress the
// decoder: runs, random bytes, long texts, tree entries.
func hSamples() map[string][]byte {
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var tree bytes.Buffer
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&tree, "100644 LES-%05d.md\x00", i)
		tree.Write(random(20))
	}
	text := strings.Repeat("Resilience operational process asset service plan control baseline review. ", 3000)
	return map[string][]byte{
		"empty":  {},
		"one":    {'x'},
		"run":    bytes.Repeat([]byte{'a'}, 100000),
		"random": random(200000),
		"small":  random(37),
		"text":   []byte(text),
		"tree":   tree.Bytes(),
		"commit": []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor Ada <ada@example.org> 1700000000 +0000\ncommitter Ada <ada@example.org> 1700000000 +0000\n\nCommit 1\n"),
	}
}

func TestHistoryInflate(t *testing.T) {
	var f hinflater
	for name, data := range hSamples() {
		for level := flate.HuffmanOnly; level <= flate.BestCompression; level++ {
			stream := hDeflate(t, data, level)
			out := make([]byte, len(data))
			// Trailing bytes follow every object in a pack.
			if err := f.inflate(append(stream, "trailing"...), out); err != nil {
				t.Errorf("%s level %d: %v", name, level, err)
				continue
			}
			if !bytes.Equal(out, data) {
				t.Errorf("%s level %d: wrong output", name, level)
			}
			// Without trailing bytes, and cut short.
			if err := f.inflate(stream, out); err != nil || !bytes.Equal(out, data) {
				t.Errorf("%s level %d, no trailer: %v", name, level, err)
			}
			// (A tiny output can be whole within the first half.)
			if len(data) > 1000 {
				if err := f.inflate(stream[:len(stream)/2], out); err == nil {
					t.Errorf("%s level %d: no error for a truncated stream", name, level)
				}
			}
			// A wrong size never reads out of bounds.
			_ = f.inflate(stream, make([]byte, len(data)+1))
			if len(data) > 1 {
				_ = f.inflate(stream, make([]byte, len(data)-1))
			}
		}
	}
}

// TestHistoryInflateCorrupt flips bits in valid streams: whatever the
// reference decodes, so must the decoder, and it must never panic.
func TestHistoryInflateCorrupt(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var f hinflater
	for name, data := range hSamples() {
		if len(data) == 0 {
			continue
		}
		stream := hDeflate(t, data, flate.DefaultCompression)
		for i := 0; i < 200; i++ {
			bad := bytes.Clone(stream)
			for k := 0; k <= rng.IntN(3); k++ {
				bad[rng.IntN(len(bad))] ^= 1 << rng.IntN(8)
			}
			hCompareInflate(t, name, &f, bad)
		}
	}
}

func hCompareInflate(t *testing.T, name string, f *hinflater, stream []byte) {
	want, err := hStdInflate(stream)
	if err != nil {
		// The decoder may succeed on a stream whose end is corrupt: it stops
		// when the output is full. It must only not panic.
		_ = f.inflate(stream, make([]byte, len(want)))
		return
	}
	out := make([]byte, len(want))
	if err := f.inflate(stream, out); err != nil {
		t.Errorf("%s: reference decodes %d bytes, decoder fails: %v", name, len(want), err)
	} else if !bytes.Equal(out, want) {
		t.Errorf("%s: output differs from the reference", name)
	}
}

func FuzzHistoryInflate(f *testing.F) {
	for _, data := range hSamples() {
		f.Add(hDeflate(f, data[:min(len(data), 2000)], flate.DefaultCompression))
		f.Add(hDeflate(f, data[:min(len(data), 2000)], flate.HuffmanOnly))
	}
	var inf hinflater
	f.Fuzz(func(t *testing.T, stream []byte) {
		hCompareInflate(t, "fuzz", &inf, stream)
	})
}

func BenchmarkHistoryInflate(b *testing.B) {
	for _, name := range []string{"tree", "commit", "text"} {
		data := hSamples()[name]
		stream := hDeflate(b, data, flate.DefaultCompression)
		out := make([]byte, len(data))
		b.Run(name, func(b *testing.B) {
			var f hinflater
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if err := f.inflate(stream, out); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"-stdlib", func(b *testing.B) {
			var br bytes.Reader
			zr := flate.NewReader(&br)
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				br.Reset(stream)
				zr.(flate.Resetter).Reset(&br, nil)
				if _, err := io.ReadFull(zr, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
