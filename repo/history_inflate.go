package repo

// A DEFLATE decoder (RFC 1951) for objects in a mapped pack. compress/flate
// reads its input a byte at a time through an interface and costs a few
// microseconds to set up for every stream; packs hold a stream per object,
// most of them a few hundred bytes, and the output size is known in
// advance. This decoder reads the input as a byte slice 64 bits at a time,
// decodes straight into the exact-size output and stops once it is full.
// history_inflate_test.go checks it against compress/flate.

import (
	"encoding/binary"
	"errors"
)

var errHistInflate = errors.New("corrupt deflate stream")

const (
	hLitBits  = 9 // primary table bits of the literal/length code
	hDistBits = 8 // of the distance code
	hLenBits  = 7 // of the code length code (its codes are at most 7 bits)

	// Table entries: symbol<<16 | flags | bit count.
	hEntSub   = 1 << 8 // the entry points to a subtable: offset<<16 | bits
	hEntValid = 1 << 9 // the entry decodes a symbol
)

// hhuff is a canonical Huffman decoding table: a primary table indexed by
// the next bits of input (least significant first) and subtables for
// longer codes.
type hhuff struct {
	table []uint32
	bits  uint
}

var (
	hLenBase   = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	hLenExtra  = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	hDistBase  = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	hDistExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	hClOrder   = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

	hFixedLit, hFixedDist hhuff
)

func init() {
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	if err := hFixedLit.build(lens[:], hLitBits); err != nil {
		panic(err)
	}
	var dl [30]uint8
	for i := range dl {
		dl[i] = 5
	}
	if err := hFixedDist.build(dl[:], hDistBits); err != nil {
		panic(err)
	}
}

// hGrow appends n zeros to t.
func hGrow(t []uint32, n int) []uint32 {
	l := len(t)
	if cap(t)-l >= n {
		t = t[:l+n]
		clear(t[l:])
		return t
	}
	return append(t, make([]uint32, n)...)
}

func hReverse(code uint32, n uint) uint32 {
	var r uint32
	for i := uint(0); i < n; i++ {
		r = r<<1 | code&1
		code >>= 1
	}
	return r
}

// build makes the table for the code lengths lens (0: symbol unused).
// Incomplete codes are allowed (their holes decode to an error);
// over-subscribed ones are not.
func (h *hhuff) build(lens []uint8, pbits uint) error {
	var count [16]int
	maxLen := uint(0)
	for _, l := range lens {
		count[l]++
		if uint(l) > maxLen {
			maxLen = uint(l)
		}
	}
	count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return errHistInflate
		}
	}
	var next [16]uint32
	code := uint32(0)
	for l := 1; l < 16; l++ {
		code = (code + uint32(count[l-1])) << 1
		next[l] = code
	}
	if maxLen < pbits {
		pbits = max(maxLen, 1)
	}
	h.bits = pbits
	size := 1 << pbits
	if cap(h.table) >= size {
		h.table = h.table[:size]
		clear(h.table)
	} else {
		h.table = make([]uint32, size)
	}
	if maxLen > pbits {
		// Subtables: for each primary slot, the longest code that starts
		// with it decides the subtable's size.
		var need [1 << 10]uint8
		c2 := next
		for _, l := range lens {
			if uint(l) > pbits {
				r := hReverse(c2[l], uint(l))
				c2[l]++
				slot := r & (1<<pbits - 1)
				if l > need[slot] {
					need[slot] = l
				}
			}
		}
		for slot := 0; slot < size; slot++ {
			if need[slot] != 0 {
				sb := uint(need[slot]) - pbits
				h.table[slot] = uint32(len(h.table))<<16 | hEntSub | uint32(sb)
				h.table = hGrow(h.table, 1<<sb)
			}
		}
	}
	for sym, l := range lens {
		if l == 0 {
			continue
		}
		r := hReverse(next[l], uint(l))
		next[l]++
		if uint(l) <= pbits {
			e := uint32(sym)<<16 | hEntValid | uint32(l)
			for i := r; i < uint32(size); i += 1 << l {
				h.table[i] = e
			}
			continue
		}
		sub := h.table[r&(1<<pbits-1)]
		off, sb := sub>>16, uint(sub&0xff)
		rest := uint(l) - pbits
		e := uint32(sym)<<16 | hEntValid | uint32(rest)
		for i := r >> pbits; i < 1<<sb; i += 1 << rest {
			h.table[off+i] = e
		}
	}
	return nil
}

// hinflater holds the tables of dynamic blocks between streams.
type hinflater struct {
	lit, dist, cl hhuff
	lens          [320]uint8
}

// hbits is a little-endian bit reader over a byte slice.
type hbits struct {
	in   []byte
	pos  int // next byte to load
	buf  uint64
	n    uint // bits in buf
	over int  // bytes of zeros supplied past the end of in
}

// refill makes at least 56 bits available.
func (b *hbits) refill() {
	if b.n >= 56 {
		return
	}
	if b.pos+8 <= len(b.in) {
		b.buf |= binary.LittleEndian.Uint64(b.in[b.pos:]) << b.n
		b.pos += int(63-b.n) >> 3
		b.n |= 56
		return
	}
	for b.n <= 56 {
		if b.pos < len(b.in) {
			b.buf |= uint64(b.in[b.pos]) << b.n
			b.pos++
		} else {
			b.over++
		}
		b.n += 8
	}
}

func (b *hbits) take(n uint) uint32 {
	v := uint32(b.buf & (1<<n - 1))
	b.buf >>= n
	b.n -= n
	return v
}

// sym decodes one symbol of h; refill must have been called.
func (b *hbits) sym(h *hhuff) (int, error) {
	e := h.table[b.buf&(1<<h.bits-1)]
	if e&hEntSub != 0 {
		b.buf >>= h.bits
		b.n -= h.bits
		e = h.table[e>>16+uint32(b.buf&(1<<(e&0xff)-1))]
	}
	if e&hEntValid == 0 {
		return 0, errHistInflate
	}
	n := uint(e & 0xff)
	b.buf >>= n
	b.n -= n
	return int(e >> 16), nil
}

// inflate decodes the raw deflate stream at the start of in into out, which
// must be exactly the size of the decoded data.
func (f *hinflater) inflate(in, out []byte) error {
	b := hbits{in: in}
	o := 0
	for o < len(out) {
		b.refill()
		if b.over > 8 {
			return errHistInflate
		}
		final := b.take(1)
		switch b.take(2) {
		case 0: // stored
			b.take(b.n & 7)
			b.refill()
			ln, nln := b.take(16), b.take(16)
			if ln != ^nln&0xffff {
				return errHistInflate
			}
			// Whole bytes still in buf come first, then the input.
			for ; ln > 0 && b.n >= 8; ln-- {
				if o >= len(out) {
					return errHistInflate
				}
				out[o] = byte(b.take(8))
				o++
			}
			if ln > 0 {
				if b.over > 0 || b.pos+int(ln) > len(b.in) || o+int(ln) > len(out) {
					return errHistInflate
				}
				o += copy(out[o:], b.in[b.pos:b.pos+int(ln)])
				b.pos += int(ln)
				// buf may hold copies of the bytes just skipped.
				b.buf = 0
			}
		case 1:
			var err error
			if o, err = f.codes(&b, out, o, &hFixedLit, &hFixedDist); err != nil {
				return err
			}
		case 2:
			if err := f.dynamic(&b); err != nil {
				return err
			}
			var err error
			if o, err = f.codes(&b, out, o, &f.lit, &f.dist); err != nil {
				return err
			}
		default:
			return errHistInflate
		}
		if final == 1 && o < len(out) {
			return errHistInflate
		}
	}
	if b.over*8 > int(b.n) {
		return errHistInflate // the output needed bits past the input's end
	}
	return nil
}

// dynamic reads the code tables of a dynamic block.
func (f *hinflater) dynamic(b *hbits) error {
	b.refill()
	nlit := int(b.take(5)) + 257
	ndist := int(b.take(5)) + 1
	ncl := int(b.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return errHistInflate
	}
	var cl [19]uint8
	for i := 0; i < ncl; i++ {
		if b.n < 3 {
			b.refill()
		}
		cl[hClOrder[i]] = uint8(b.take(3))
	}
	if err := f.cl.build(cl[:], hLenBits); err != nil {
		return err
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		b.refill()
		s, err := b.sym(&f.cl)
		if err != nil {
			return err
		}
		if s < 16 {
			lens[i] = uint8(s)
			i++
			continue
		}
		var rep int
		var v uint8
		switch s {
		case 16:
			if i == 0 {
				return errHistInflate
			}
			rep, v = 3+int(b.take(2)), lens[i-1]
		case 17:
			rep = 3 + int(b.take(3))
		default:
			rep = 11 + int(b.take(7))
		}
		if i+rep > len(lens) {
			return errHistInflate
		}
		for ; rep > 0; rep-- {
			lens[i] = v
			i++
		}
	}
	if lens[256] == 0 {
		return errHistInflate
	}
	if err := f.lit.build(lens[:nlit], hLitBits); err != nil {
		return err
	}
	return f.dist.build(lens[nlit:], hDistBits)
}

// codes decodes a block's symbols into out from o; it returns at the
// block's end or once out is full. The bit reader lives in locals here: this
// loop is where the time goes.
func (f *hinflater) codes(b *hbits, out []byte, o int, lit, dist *hhuff) (int, error) {
	in := b.in
	buf, n, pos := b.buf, b.n, b.pos
	ltab, lmask, lbits := lit.table, uint64(1)<<lit.bits-1, lit.bits
	dtab, dmask, dbits := dist.table, uint64(1)<<dist.bits-1, dist.bits
	var err error
	for {
		if n < 48 {
			if pos+8 <= len(in) {
				buf |= binary.LittleEndian.Uint64(in[pos:]) << n
				pos += int(63-n) >> 3
				n |= 56
			} else {
				b.buf, b.n, b.pos = buf, n, pos
				b.refill()
				buf, n, pos = b.buf, b.n, b.pos
				if b.over > 8 {
					err = errHistInflate
					break
				}
			}
		}
		e := ltab[buf&lmask]
		if e&hEntSub != 0 {
			buf >>= lbits
			n -= lbits
			e = ltab[e>>16+uint32(buf&(1<<(e&0xff)-1))]
		}
		if e&hEntValid == 0 {
			err = errHistInflate
			break
		}
		buf >>= e & 0xff
		n -= uint(e & 0xff)
		s := int(e >> 16)
		if s < 256 {
			if o >= len(out) {
				err = errHistInflate
				break
			}
			out[o] = byte(s)
			o++
			if o == len(out) {
				break
			}
			continue
		}
		if s == 256 {
			break
		}
		s -= 257
		if s >= 29 {
			err = errHistInflate
			break
		}
		eb := uint(hLenExtra[s])
		length := int(hLenBase[s]) + int(buf&(1<<eb-1))
		buf >>= eb
		n -= eb
		if n < 32 {
			if pos+8 <= len(in) {
				buf |= binary.LittleEndian.Uint64(in[pos:]) << n
				pos += int(63-n) >> 3
				n |= 56
			} else {
				b.buf, b.n, b.pos = buf, n, pos
				b.refill()
				buf, n, pos = b.buf, b.n, b.pos
			}
		}
		e = dtab[buf&dmask]
		if e&hEntSub != 0 {
			buf >>= dbits
			n -= dbits
			e = dtab[e>>16+uint32(buf&(1<<(e&0xff)-1))]
		}
		if e&hEntValid == 0 || e>>16 >= 30 {
			err = errHistInflate
			break
		}
		buf >>= e & 0xff
		n -= uint(e & 0xff)
		ds := e >> 16
		eb = uint(hDistExtra[ds])
		d := int(hDistBase[ds]) + int(buf&(1<<eb-1))
		buf >>= eb
		n -= eb
		if d > o || length > len(out)-o {
			err = errHistInflate
			break
		}
		end := o + length
		if d >= length {
			copy(out[o:end], out[o-d:])
			o = end
		} else {
			// Overlapping: the pattern of period d, doubling each time.
			from := o - d
			for o < end {
				o += copy(out[o:end], out[from:o])
			}
		}
		if o == len(out) {
			break
		}
	}
	b.buf, b.n, b.pos = buf, n, pos
	return o, err
}
