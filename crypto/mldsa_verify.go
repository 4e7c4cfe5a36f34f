package crypto

// ML-DSA signature verification from an external message representative μ,
// written from FIPS 204 (August 2024): ML-DSA.Verify_internal (Algorithm 8)
// with μ given instead of computed at its step 6, and the algorithms it
// calls, each named by its number in the standard. Neither circl, Tink nor
// the standard library exposes this step publicly; signing from μ goes
// through Tink (mldsa.go).
//
// Everything here handles public data only (public key, μ, signature), so
// nothing is constant time. Coefficients are kept as int64 values; those
// in R_q are reduced to [0, q).

import (
	"bytes"
	"crypto/sha3"
	"errors"
)

const (
	mldsaQ    = 8380417 // q = 2^23 − 2^13 + 1 (FIPS 204 Table 1)
	mldsaD    = 13      // dropped bits of t (Table 1)
	mldsaN    = 256     // coefficients of a polynomial
	mldsaZeta = 1753    // 512th root of unity mod q (section 7.5)
	mldsaNInv = 8347681 // 256^−1 mod q (Algorithm 42, step 21)
	mldsaT1   = 10      // bits of a t1 coefficient: bitlen(q−1) − d
	mldsaMu   = 64      // bytes of μ
	mldsaRho  = 32      // bytes of ρ
)

// mldsaParamSet is one row of FIPS 204 Table 1 (η is not needed to verify
// but fixes β = τ·η).
type mldsaParamSet struct {
	k, l   int   // dimensions of A
	tau    int   // ±1 coefficients of c
	lambda int   // collision strength; c̃ has λ/4 bytes
	gamma1 int64 // coefficient range of y
	gamma2 int64 // low-order rounding range
	beta   int64 // τ·η
	omega  int   // maximum number of 1s in h
}

// mldsaSets holds FIPS 204 Table 1 by key spec.
var mldsaSets = map[string]mldsaParamSet{
	SpecMLDSA44: {k: 4, l: 4, tau: 39, lambda: 128, gamma1: 1 << 17, gamma2: (mldsaQ - 1) / 88, beta: 39 * 2, omega: 80},
	SpecMLDSA65: {k: 6, l: 5, tau: 49, lambda: 192, gamma1: 1 << 19, gamma2: (mldsaQ - 1) / 32, beta: 49 * 4, omega: 55},
	SpecMLDSA87: {k: 8, l: 7, tau: 60, lambda: 256, gamma1: 1 << 19, gamma2: (mldsaQ - 1) / 32, beta: 60 * 2, omega: 75},
}

// zBits is the width of a packed z coefficient: bitlen(2γ1 − 1) (Algorithm
// 27 via Algorithm 19).
func (p *mldsaParamSet) zBits() int {
	if p.gamma1 == 1<<17 {
		return 18
	}
	return 20
}

// w1Bits is the width of a w1 coefficient: bitlen((q−1)/(2γ2) − 1)
// (Algorithm 28).
func (p *mldsaParamSet) w1Bits() int {
	if p.gamma2 == (mldsaQ-1)/88 {
		return 6
	}
	return 4
}

func (p *mldsaParamSet) cTildeSize() int { return p.lambda / 4 }

// pkSize: 32 + 32·k·(bitlen(q−1) − d) bytes (section 7.2).
func (p *mldsaParamSet) pkSize() int { return mldsaRho + p.k*mldsaN*mldsaT1/8 }

// sigSize: λ/4 + l·32·(1 + bitlen(γ1 − 1)) + ω + k bytes (section 7.2).
func (p *mldsaParamSet) sigSize() int {
	return p.cTildeSize() + p.l*mldsaN*p.zBits()/8 + p.omega + p.k
}

// Reasons verifyMuReason rejects; verifyMu reports them all as
// ErrInvalidSignature. Distinct so that tests can tell which check fired.
var (
	errMuLength   = errors.New("mldsa: μ is not 64 bytes")
	errPKLength   = errors.New("mldsa: public key has the wrong length")
	errSigLength  = errors.New("mldsa: signature has the wrong length")
	errHint       = errors.New("mldsa: malformed hint encoding")
	errZNorm      = errors.New("mldsa: ||z||∞ ≥ γ1 − β")
	errCTildeDiff = errors.New("mldsa: c̃ does not match")
)

type poly [mldsaN]int64

// verifyMu verifies sig, an ML-DSA signature in the FIPS 204 encoding, of
// the 64-byte message representative mu under pk, the raw FIPS 204 public
// key of the parameter set of spec (ML_DSA_44/65/87). It returns nil when
// the signature is valid (FIPS 204 Algorithm 8 from step 7 on accepts), and
// ErrInvalidSignature otherwise, including for lengths that are wrong and
// for malformed hint encodings. It never panics on any input.
func verifyMu(spec string, pk, mu, sig []byte) error {
	if verifyMuReason(spec, pk, mu, sig) != nil {
		return ErrInvalidSignature
	}
	return nil
}

// verifyMuReason is verifyMu with the reason for a rejection.
func verifyMuReason(spec string, pk, mu, sig []byte) error {
	p, ok := mldsaSets[spec]
	if !ok {
		return ErrUnsupportedAlgorithm
	}
	if len(mu) != mldsaMu {
		return errMuLength
	}
	if len(pk) != p.pkSize() {
		return errPKLength
	}
	if len(sig) != p.sigSize() {
		return errSigLength
	}
	// Steps 1-3: decode; a malformed hint is ⊥.
	rho, t1 := pkDecode(&p, pk)
	cTilde, z, h, err := sigDecode(&p, sig)
	if err != nil {
		return err
	}
	// Step 11, first half, checked early: ||z||∞ < γ1 − β. The decoded z
	// coefficients are integers in [−γ1 + 1, γ1].
	for i := range z {
		for _, c := range z[i] {
			if c >= p.gamma1-p.beta || -c >= p.gamma1-p.beta {
				return errZNorm
			}
		}
	}
	// Step 4, Â ← ExpandA(ρ), is done row by row in step 8; steps 5-6, tr
	// and μ, are the caller's.
	// Step 7: c ← SampleInBall(c̃).
	c := sampleInBall(&p, cTilde)
	// Step 8: w'Approx ← NTT⁻¹(Â ∘ NTT(z) − NTT(c) ∘ NTT(t1 · 2^d)).
	zHat := make([]poly, p.l)
	for j := range z {
		for n, v := range z[j] {
			zHat[j][n] = modQ(v)
		}
		ntt(&zHat[j])
	}
	cHat := c
	ntt(&cHat)
	w1 := make([]poly, p.k)
	for i := 0; i < p.k; i++ {
		var acc, a poly
		for j := 0; j < p.l; j++ {
			expandA(&a, rho, i, j)
			for n := range acc {
				acc[n] = (acc[n] + a[n]*zHat[j][n]) % mldsaQ
			}
		}
		var t poly
		for n, v := range t1[i] {
			t[n] = v << mldsaD // < q, since t1 < 2^10
		}
		ntt(&t)
		for n := range acc {
			acc[n] = modQ(acc[n] - cHat[n]*t[n]%mldsaQ)
		}
		invNTT(&acc)
		// Step 9: w1' ← UseHint(h, w'Approx).
		for n, r := range acc {
			w1[i][n] = useHint(&p, h[i][n], r)
		}
	}
	// Step 10: c̃' ← H(μ || w1Encode(w1'), λ/4).
	hash := sha3.NewSHAKE256()
	hash.Write(mu)
	hash.Write(w1Encode(&p, w1))
	cTilde2 := make([]byte, p.cTildeSize())
	hash.Read(cTilde2)
	// Step 11, second half: c̃ = c̃'.
	if !bytes.Equal(cTilde, cTilde2) {
		return errCTildeDiff
	}
	return nil
}

// modQ returns a mod q in [0, q) for any int64 a.
func modQ(a int64) int64 {
	a %= mldsaQ
	if a < 0 {
		a += mldsaQ
	}
	return a
}

// unpackBits reads count little-endian values of width bits each from b,
// bit i of the stream being bit i%8 of byte i/8 (Algorithms 11 and 18,
// BytesToBits and SimpleBitUnpack).
func unpackBits(b []byte, width, count int) []int64 {
	out := make([]int64, count)
	var acc uint64 // bits read but not used yet, the next one lowest
	have, pos := 0, 0
	for i := range out {
		for have < width {
			acc |= uint64(b[pos]) << have
			pos++
			have += 8
		}
		out[i] = int64(acc & (1<<width - 1))
		acc >>= width
		have -= width
	}
	return out
}

// pkDecode is FIPS 204 Algorithm 23: ρ and the k polynomials of t1 (10-bit
// coefficients). pk has the right length.
func pkDecode(p *mldsaParamSet, pk []byte) (rho []byte, t1 []poly) {
	rho = pk[:mldsaRho]
	t1 = make([]poly, p.k)
	const size = mldsaN * mldsaT1 / 8
	for i := range t1 {
		copy(t1[i][:], unpackBits(pk[mldsaRho+i*size:], mldsaT1, mldsaN))
	}
	return rho, t1
}

// sigDecode is FIPS 204 Algorithm 27: c̃, z (l polynomials, BitUnpack with
// a = γ1 − 1, b = γ1, Algorithm 19) and h (HintBitUnpack, Algorithm 21).
// sig has the right length; a malformed hint gives errHint.
func sigDecode(p *mldsaParamSet, sig []byte) (cTilde []byte, z []poly, h [][mldsaN]bool, err error) {
	cTilde = sig[:p.cTildeSize()]
	off := p.cTildeSize()
	size := mldsaN * p.zBits() / 8
	z = make([]poly, p.l)
	for i := range z {
		for n, v := range unpackBits(sig[off:], p.zBits(), mldsaN) {
			z[i][n] = p.gamma1 - v // Algorithm 19 step 5: b − value
		}
		off += size
	}
	h, ok := hintBitUnpack(p, sig[off:])
	if !ok {
		return nil, nil, nil, errHint
	}
	return cTilde, z, h, nil
}

// hintBitUnpack is FIPS 204 Algorithm 21. y has ω + k bytes: the indices of
// the 1s of each polynomial in turn, then, for each polynomial i, the
// running count of indices up to and including it. It reports false (⊥)
// when a count decreases or exceeds ω, when the indices of one polynomial
// are not strictly increasing, or when an unused index byte is nonzero;
// so every h has exactly one encoding (strong unforgeability).
func hintBitUnpack(p *mldsaParamSet, y []byte) (h [][mldsaN]bool, ok bool) {
	h = make([][mldsaN]bool, p.k)
	index := 0
	for i := 0; i < p.k; i++ {
		end := int(y[p.omega+i])
		if end < index || end > p.omega { // step 4
			return nil, false
		}
		first := index
		for index < end {
			if index > first && y[index-1] >= y[index] { // steps 7-8
				return nil, false
			}
			h[i][y[index]] = true
			index++
		}
	}
	for ; index < p.omega; index++ { // steps 13-15
		if y[index] != 0 {
			return nil, false
		}
	}
	return h, true
}

// expandA is FIPS 204 Algorithm 32, one entry at a time:
// Â[r][s] ← RejNTTPoly(ρ || s || r), in the NTT domain, into a.
func expandA(a *poly, rho []byte, r, s int) {
	seed := make([]byte, 0, mldsaRho+2)
	seed = append(append(seed, rho...), byte(s), byte(r))
	rejNTTPoly(a, seed)
}

// rejNTTPoly is FIPS 204 Algorithm 30: rejection sampling of 256
// coefficients in [0, q) from SHAKE128(seed), three bytes at a time
// (CoeffFromThreeBytes, Algorithm 14).
func rejNTTPoly(a *poly, seed []byte) {
	g := sha3.NewSHAKE128()
	g.Write(seed)
	var buf [168 * 5]byte // a multiple of 3 and of SHAKE128's rate
	pos := len(buf)
	for j := 0; j < mldsaN; {
		if pos == len(buf) {
			g.Read(buf[:])
			pos = 0
		}
		b0, b1, b2 := int64(buf[pos]), int64(buf[pos+1]), int64(buf[pos+2]&0x7f) // Algorithm 14 steps 1-3: drop the top bit of b2
		pos += 3
		if v := b2<<16 | b1<<8 | b0; v < mldsaQ {
			a[j] = v
			j++
		}
	}
}

// sampleInBall is FIPS 204 Algorithm 29: the polynomial with τ
// coefficients ±1 and the rest 0, from SHAKE256(c̃) (all of c̃).
func sampleInBall(p *mldsaParamSet, cTilde []byte) poly {
	var c poly
	hash := sha3.NewSHAKE256()
	hash.Write(cTilde)
	var s [8]byte
	hash.Read(s[:]) // the τ sign bits, little-endian
	signs := uint64(0)
	for i, b := range s {
		signs |= uint64(b) << (8 * i)
	}
	var jb [1]byte
	for i := mldsaN - p.tau; i < mldsaN; i++ {
		hash.Read(jb[:])
		for int(jb[0]) > i {
			hash.Read(jb[:])
		}
		j := int(jb[0])
		c[i] = c[j]
		if signs>>(i+p.tau-mldsaN)&1 == 1 {
			c[j] = mldsaQ - 1 // −1 mod q
		} else {
			c[j] = 1
		}
	}
	return c
}

// zetas[m] = ζ^BitRev8(m) mod q (FIPS 204 Appendix B), computed once.
var zetas = func() (z [mldsaN]int64) {
	for m := range z {
		e := 0 // BitRev8(m)
		for b := 0; b < 8; b++ {
			e |= (m >> b & 1) << (7 - b)
		}
		v := int64(1)
		for ; e > 0; e-- {
			v = v * mldsaZeta % mldsaQ
		}
		z[m] = v
	}
	return z
}()

// ntt is FIPS 204 Algorithm 41, in place; coefficients in [0, q).
func ntt(w *poly) {
	m := 0
	for length := 128; length >= 1; length /= 2 {
		for start := 0; start < mldsaN; start += 2 * length {
			m++
			z := zetas[m]
			for j := start; j < start+length; j++ {
				t := z * w[j+length] % mldsaQ
				w[j+length] = modQ(w[j] - t)
				w[j] = (w[j] + t) % mldsaQ
			}
		}
	}
}

// invNTT is FIPS 204 Algorithm 42, in place; coefficients in [0, q).
func invNTT(w *poly) {
	m := mldsaN
	for length := 1; length < mldsaN; length *= 2 {
		for start := 0; start < mldsaN; start += 2 * length {
			m--
			z := mldsaQ - zetas[m] // −zetas[m]
			for j := start; j < start+length; j++ {
				t := w[j]
				w[j] = (t + w[j+length]) % mldsaQ
				w[j+length] = z * modQ(t-w[j+length]) % mldsaQ
			}
		}
	}
	for j := range w {
		w[j] = w[j] * mldsaNInv % mldsaQ
	}
}

// decompose is FIPS 204 Algorithm 36 for r in [0, q): r = r1·2γ2 + r0 with
// r0 in (−γ2, γ2], except that r+ − r0 = q − 1 maps to r1 = 0, r0 − 1.
func decompose(p *mldsaParamSet, r int64) (r1, r0 int64) {
	r0 = r % (2 * p.gamma2) // r0 ← r+ mod± 2γ2
	if r0 > p.gamma2 {
		r0 -= 2 * p.gamma2
	}
	if r-r0 == mldsaQ-1 {
		return 0, r0 - 1
	}
	return (r - r0) / (2 * p.gamma2), r0
}

// useHint is FIPS 204 Algorithm 40 for r in [0, q).
func useHint(p *mldsaParamSet, h bool, r int64) int64 {
	m := (mldsaQ - 1) / (2 * p.gamma2)
	r1, r0 := decompose(p, r)
	switch {
	case h && r0 > 0:
		return (r1 + 1) % m
	case h:
		return (r1 - 1 + m) % m
	}
	return r1
}

// w1Encode is FIPS 204 Algorithm 28: SimpleBitPack (Algorithm 16) of each
// polynomial of w1 with coefficients in [0, (q−1)/(2γ2) − 1], little-endian
// bit order. 256 coefficients of 6 or 4 bits fill whole bytes, so no bits
// are left over at the end.
func w1Encode(p *mldsaParamSet, w1 []poly) []byte {
	width := p.w1Bits()
	out := make([]byte, 0, len(w1)*mldsaN*width/8)
	var acc uint64 // bits not written yet, the next one lowest
	have := 0
	for i := range w1 {
		for _, v := range w1[i] {
			acc |= uint64(v) << have
			have += width
			for have >= 8 {
				out = append(out, byte(acc))
				acc >>= 8
				have -= 8
			}
		}
	}
	return out
}
