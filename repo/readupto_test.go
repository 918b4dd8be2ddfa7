package repo

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// readUpTo reads what io.ReadAll(io.LimitReader(r, limit)) reads,
// whatever the hint (right, short, long, zero) and however the reader
// splits its reads.
func TestReadUpToIsReadAllLimited(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	wrap := []func(io.Reader) io.Reader{
		func(r io.Reader) io.Reader { return r },
		iotest.OneByteReader,
		iotest.HalfReader,
		iotest.DataErrReader,
	}
	var buf []byte
	for i := 0; i < 3000; i++ {
		size := rnd.IntN(5000)
		if i%10 == 0 {
			size = rnd.IntN(70000)
		}
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(rnd.Uint32())
		}
		limit := 1 + rnd.IntN(2*size+2)
		hint := []int64{int64(size), 0, int64(rnd.IntN(size + 1)), int64(size * 3), -5}[rnd.IntN(5)]
		w := wrap[rnd.IntN(len(wrap))]
		want, wantErr := io.ReadAll(io.LimitReader(w(bytes.NewReader(data)), int64(limit)))
		got, err := readUpTo(w(bytes.NewReader(data)), buf, hint, limit)
		if err != nil || wantErr != nil {
			t.Fatalf("size %d limit %d hint %d: err %v, ReadAll's %v", size, limit, hint, err, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("size %d limit %d hint %d: read %d bytes, ReadAll %d", size, limit, hint, len(got), len(want))
		}
		buf = got[:0] // reused, as the blob checker does
	}
	boom := errors.New("boom")
	if _, err := readUpTo(iotest.ErrReader(boom), nil, 10, 100); !errors.Is(err, boom) {
		t.Fatalf("a read error is %v, want boom", err)
	}
}
