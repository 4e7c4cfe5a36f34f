package crypto

import (
	"crypto/rand"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"errors"
	mrand "math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/secretdata"
	"github.com/tink-crypto/tink-go/v2/signature"
	tinkmldsa "github.com/tink-crypto/tink-go/v2/signature/mldsa"
)

// muOf is μ = SHAKE256(SHAKE256(pk, 64) || 0 || len(ctx) || ctx || M, 64)
// (FIPS 204 Algorithm 2 step 10 and Algorithm 7 step 6).
func muOf(pk, ctx, m []byte) []byte {
	tr := sha3.SumSHAKE256(pk, 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, byte(len(ctx))})
	h.Write(ctx)
	h.Write(m)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// circlSigner is one of circl's parameter sets: a fresh key pair and a
// signer of RAW messages with the empty context (randomized).
type circlSigner func() (pk []byte, sign func(m []byte) []byte)

var circlSigners = map[string]circlSigner{
	SpecMLDSA44: func() ([]byte, func([]byte) []byte) {
		pk, sk, _ := mldsa44.GenerateKey(rand.Reader)
		return pk.Bytes(), func(m []byte) []byte {
			s := make([]byte, mldsa44.SignatureSize)
			if err := mldsa44.SignTo(sk, m, nil, true, s); err != nil {
				panic(err)
			}
			return s
		}
	},
	SpecMLDSA65: func() ([]byte, func([]byte) []byte) {
		pk, sk, _ := mldsa65.GenerateKey(rand.Reader)
		return pk.Bytes(), func(m []byte) []byte {
			s := make([]byte, mldsa65.SignatureSize)
			if err := mldsa65.SignTo(sk, m, nil, true, s); err != nil {
				panic(err)
			}
			return s
		}
	},
	SpecMLDSA87: func() ([]byte, func([]byte) []byte) {
		pk, sk, _ := mldsa87.GenerateKey(rand.Reader)
		return pk.Bytes(), func(m []byte) []byte {
			s := make([]byte, mldsa87.SignatureSize)
			if err := mldsa87.SignTo(sk, m, nil, true, s); err != nil {
				panic(err)
			}
			return s
		}
	},
}

var mldsaSpecs = []string{SpecMLDSA44, SpecMLDSA65, SpecMLDSA87}

// tinkSigner is a Tink ML-DSA key (VariantNoPrefix: the bare FIPS 204
// signature of the message, empty context) from a random seed.
func tinkSigner(t testing.TB, spec string) (pk []byte, sign func(m []byte) []byte) {
	t.Helper()
	inst := map[string]tinkmldsa.Instance{SpecMLDSA44: tinkmldsa.MLDSA44, SpecMLDSA65: tinkmldsa.MLDSA65, SpecMLDSA87: tinkmldsa.MLDSA87}[spec]
	params, err := tinkmldsa.NewParameters(inst, tinkmldsa.VariantNoPrefix)
	if err != nil {
		t.Fatal(err)
	}
	seed := make([]byte, 32)
	rand.Read(seed)
	key, err := tinkmldsa.NewPrivateKey(secretdata.NewBytesFromData(seed, insecuresecretdataaccess.Token{}), 0, params)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	m := keyset.NewManager()
	id, err := m.AddKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetPrimary(id); err != nil {
		t.Fatal(err)
	}
	h, err := m.Handle()
	if err != nil {
		t.Fatal(err)
	}
	s, err := signature.NewSigner(h)
	if err != nil {
		t.Fatal(err)
	}
	return pub.(*tinkmldsa.PublicKey).KeyBytes(), func(msg []byte) []byte {
		sig, err := s.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

// randomMessage is 0..4096 random bytes.
func randomMessage() []byte {
	m := make([]byte, mrand.IntN(4097))
	rand.Read(m)
	return m
}

func flipBit(b []byte, bit int) []byte {
	c := slices.Clone(b)
	c[bit/8] ^= 1 << (bit % 8)
	return c
}

// TestVerifyMuAgainstCirclAndTink: signatures by two independent
// implementations (circl and Tink, RAW, empty context) of random messages
// of 0..4096 bytes verify from μ; a flipped bit of the signature or of μ,
// or another key, is rejected.
func TestVerifyMuAgainstCirclAndTink(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 4
	}
	for _, spec := range mldsaSpecs {
		p := mldsaSets[spec]
		otherPK, _ := circlSigners[spec]()
		for _, impl := range []string{"circl", "tink"} {
			t.Run(spec+"/"+impl, func(t *testing.T) {
				for r := 0; r < rounds; r++ {
					var pk []byte
					var sign func([]byte) []byte
					if impl == "circl" {
						pk, sign = circlSigners[spec]()
					} else {
						pk, sign = tinkSigner(t, spec)
					}
					m := randomMessage()
					sig := sign(m)
					if len(pk) != p.pkSize() || len(sig) != p.sigSize() {
						t.Fatalf("sizes pk %d sig %d, want %d %d", len(pk), len(sig), p.pkSize(), p.sigSize())
					}
					mu := muOf(pk, nil, m)
					if err := verifyMu(spec, pk, mu, sig); err != nil {
						t.Fatalf("valid signature of %d bytes: %v", len(m), verifyMuReason(spec, pk, mu, sig))
					}
					bad := flipBit(sig, mrand.IntN(8*len(sig)))
					if err := verifyMu(spec, pk, mu, bad); !errors.Is(err, ErrInvalidSignature) {
						t.Fatalf("flipped signature bit: %v", err)
					}
					if err := verifyMuReason(spec, pk, flipBit(mu, mrand.IntN(512)), sig); !errors.Is(err, errCTildeDiff) {
						t.Fatalf("flipped μ bit: %v", err)
					}
					if err := verifyMuReason(spec, otherPK, muOf(otherPK, nil, m), sig); !errors.Is(err, errCTildeDiff) {
						t.Fatalf("other key: %v", err)
					}
					// μ binds the key through tr = H(pk): from a changed key, μ changes.
					pk2 := flipBit(pk, mrand.IntN(8*len(pk)))
					if err := verifyMuReason(spec, pk2, muOf(pk2, nil, m), sig); !errors.Is(err, errCTildeDiff) {
						t.Fatalf("flipped public key bit: %v", err)
					}
				}
			})
		}
	}
}

// TestVerifyMuEveryBitOfCTilde: every single-bit change of c̃ is rejected,
// for each parameter set (c̃ has 32, 48 and 64 bytes).
func TestVerifyMuEveryBitOfCTilde(t *testing.T) {
	for _, spec := range mldsaSpecs {
		pk, sign := circlSigners[spec]()
		m := []byte("c tilde")
		sig, mu := sign(m), muOf(pk, nil, m)
		p := mldsaSets[spec]
		for bit := 0; bit < 8*p.cTildeSize(); bit++ {
			if err := verifyMuReason(spec, pk, mu, flipBit(sig, bit)); !errors.Is(err, errCTildeDiff) {
				t.Fatalf("%s: c̃ bit %d flipped: %v", spec, bit, err)
			}
		}
	}
}

// hintRegion returns the ω + k hint bytes of sig.
func hintRegion(p *mldsaParamSet, sig []byte) []byte {
	return sig[len(sig)-p.omega-p.k:]
}

// hintCounts returns, per polynomial, the number of 1s of h in sig.
func hintCounts(p *mldsaParamSet, sig []byte) []int {
	y, prev, n := hintRegion(p, sig), 0, make([]int, p.k)
	for i := range n {
		n[i] = int(y[p.omega+i]) - prev
		prev = int(y[p.omega+i])
	}
	return n
}

// signWithHints signs random messages until the signature's hint has, in
// one polynomial, at least two 1s and, in total, fewer than ω.
func signWithHints(t *testing.T, spec string) (pk, mu, sig []byte, poly int) {
	p := mldsaSets[spec]
	pk, sign := circlSigners[spec]()
	for range 1000 {
		m := randomMessage()
		sig = sign(m)
		y := hintRegion(&p, sig)
		if int(y[p.omega+p.k-1]) >= p.omega {
			continue
		}
		for i, n := range hintCounts(&p, sig) {
			if n >= 2 {
				return pk, muOf(pk, nil, m), sig, i
			}
		}
	}
	t.Fatal("no signature with hints found")
	return
}

// TestVerifyMuMalformedHints: the malformed hint encodings FIPS 204
// Algorithm 21 rejects, made from valid signatures. Several (indices out of
// order, a repeated index, nonzero padding) decode, if the checks are
// skipped, to the same h as the valid signature and so would verify: the
// signature would be malleable.
func TestVerifyMuMalformedHints(t *testing.T) {
	for _, spec := range mldsaSpecs {
		p := mldsaSets[spec]
		pk, mu, sig, poly := signWithHints(t, spec)
		if err := verifyMuReason(spec, pk, mu, sig); err != nil {
			t.Fatalf("%s: valid signature: %v", spec, err)
		}
		off := len(sig) - p.omega - p.k
		start := 0
		if poly > 0 {
			start = int(sig[off+p.omega+poly-1])
		}
		total := int(sig[off+p.omega+p.k-1])
		cases := map[string]func(y []byte){
			"indices swapped": func(y []byte) { y[start], y[start+1] = y[start+1], y[start] },
			"index repeated": func(y []byte) {
				// Insert a copy of the polynomial's first index after it.
				copy(y[start+1:p.omega], y[start:p.omega-1])
				for i := poly; i < p.k; i++ {
					y[p.omega+i]++
				}
			},
			"nonzero padding":     func(y []byte) { y[p.omega-1] = 1 },
			"padding at total":    func(y []byte) { y[total] = 255 },
			"count over ω":        func(y []byte) { y[p.omega+p.k-1] = byte(p.omega + 1) },
			"count decreases":     func(y []byte) { y[p.omega+p.k-1] = y[p.omega+p.k-2] - 1 },
			"last count over ω+k": func(y []byte) { y[p.omega+p.k-1] = 255 },
		}
		if sig[off+p.omega+p.k-2] == 0 {
			delete(cases, "count decreases") // no count to go below
		}
		for name, mutate := range cases {
			bad := slices.Clone(sig)
			mutate(bad[off:])
			if err := verifyMuReason(spec, pk, mu, bad); !errors.Is(err, errHint) {
				t.Errorf("%s: %s: %v, want errHint", spec, name, err)
			}
			if err := verifyMu(spec, pk, mu, bad); !errors.Is(err, ErrInvalidSignature) {
				t.Errorf("%s: %s: verifyMu %v", spec, name, err)
			}
		}
	}
}

// setZ sets coefficient n of z[i] in sig to v (BitPack with b = γ1 stores
// γ1 − v).
func setZ(p *mldsaParamSet, sig []byte, i, n int, v int64) {
	w := p.zBits()
	base := 8*p.cTildeSize() + (i*mldsaN+n)*w
	e := p.gamma1 - v
	for j := 0; j < w; j++ {
		bit := base + j
		sig[bit/8] &^= 1 << (bit % 8)
		sig[bit/8] |= byte(e>>j&1) << (bit % 8)
	}
}

// TestVerifyMuZBound: ||z||∞ must be below γ1 − β (Algorithm 8 step 11):
// a coefficient at ±(γ1 − β), or at the encodable extremes −γ1 + 1 and γ1,
// is rejected for that reason; at ±(γ1 − β − 1) it is not.
func TestVerifyMuZBound(t *testing.T) {
	for _, spec := range mldsaSpecs {
		p := mldsaSets[spec]
		pk, sign := circlSigners[spec]()
		m := []byte("z bound")
		sig, mu := sign(m), muOf(pk, nil, m)
		lim := p.gamma1 - p.beta
		for _, v := range []int64{lim, -lim, p.gamma1, -p.gamma1 + 1} {
			bad := slices.Clone(sig)
			setZ(&p, bad, p.l-1, mldsaN-1, v)
			if err := verifyMuReason(spec, pk, mu, bad); !errors.Is(err, errZNorm) {
				t.Errorf("%s: z = %d: %v, want errZNorm", spec, v, err)
			}
		}
		for _, v := range []int64{lim - 1, -lim + 1} {
			bad := slices.Clone(sig)
			setZ(&p, bad, 0, 0, v)
			if err := verifyMuReason(spec, pk, mu, bad); errors.Is(err, errZNorm) {
				t.Errorf("%s: z = %d: rejected for the norm", spec, v)
			}
		}
	}
}

// TestVerifyMuLengths: wrong lengths of μ, key and signature, and an
// unknown spec, are rejected without panicking.
func TestVerifyMuLengths(t *testing.T) {
	pk, sign := circlSigners[SpecMLDSA65]()
	sig, mu := sign(nil), muOf(pk, nil, nil)
	for name, c := range map[string]struct {
		spec        string
		pk, mu, sig []byte
		want        error
	}{
		"short μ":          {SpecMLDSA65, pk, mu[:63], sig, errMuLength},
		"long μ":           {SpecMLDSA65, pk, append(slices.Clone(mu), 0), sig, errMuLength},
		"short key":        {SpecMLDSA65, pk[1:], mu, sig, errPKLength},
		"short signature":  {SpecMLDSA65, pk, mu, sig[1:], errSigLength},
		"long signature":   {SpecMLDSA65, pk, mu, append(slices.Clone(sig), 0), errSigLength},
		"other parameters": {SpecMLDSA44, pk, mu, sig, errPKLength},
		"not ML-DSA":       {SpecP256, pk, mu, sig, ErrUnsupportedAlgorithm},
	} {
		if err := verifyMuReason(c.spec, c.pk, c.mu, c.sig); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// TestNTT: zetas against the first entries of FIPS 204 Appendix B; NTT⁻¹
// inverts NTT; and NTT turns the product in Z_q[X]/(X^256 + 1), computed
// here by schoolbook multiplication, into the coefficient-wise product
// (section 7.5).
func TestNTT(t *testing.T) {
	// zetas[0] is not used (the table has 0 there; ζ^0 is 1).
	want := []int64{4808194, 3765607, 3761513, 5178923, 5496691, 5234739, 5178987, 7778734, 3542485, 2682288, 2129892, 3764867, 7375178, 557458, 7159240}
	if got := zetas[1:16]; !slices.Equal(got, want) {
		t.Fatalf("zetas[1:16] = %v", got)
	}
	var a, b poly
	for n := range a {
		a[n], b[n] = mrand.Int64N(mldsaQ), mrand.Int64N(mldsaQ)
	}
	var prod poly // a·b mod X^256 + 1
	for i := range a {
		for j := range b {
			v := a[i] * b[j] % mldsaQ
			if i+j < mldsaN {
				prod[i+j] = (prod[i+j] + v) % mldsaQ
			} else {
				prod[i+j-mldsaN] = modQ(prod[i+j-mldsaN] - v)
			}
		}
	}
	aHat, bHat := a, b
	ntt(&aHat)
	ntt(&bHat)
	back := aHat
	invNTT(&back)
	if back != a {
		t.Fatal("NTT⁻¹(NTT(a)) != a")
	}
	var c poly
	for n := range c {
		c[n] = aHat[n] * bHat[n] % mldsaQ
	}
	invNTT(&c)
	if c != prod {
		t.Fatal("NTT⁻¹(NTT(a) ∘ NTT(b)) != a·b")
	}
}

// TestDecomposeUseHint: Decompose (Algorithm 36) recomposes r, with r0 in
// (−γ2, γ2] except at the top, r1 in range; UseHint (Algorithm 40) with h
// = 0 is HighBits, and with h = 1 a neighbour of it modulo (q−1)/(2γ2).
func TestDecomposeUseHint(t *testing.T) {
	for _, spec := range []string{SpecMLDSA44, SpecMLDSA65} {
		p := mldsaSets[spec]
		m := (mldsaQ - 1) / (2 * p.gamma2)
		rs := []int64{0, 1, p.gamma2, p.gamma2 + 1, 2 * p.gamma2, mldsaQ - 1, mldsaQ - 1 - p.gamma2, mldsaQ - p.gamma2}
		for range 10000 {
			rs = append(rs, mrand.Int64N(mldsaQ))
		}
		for _, r := range rs {
			r1, r0 := decompose(&p, r)
			if modQ(r1*2*p.gamma2+r0) != r || r1 < 0 || r1 >= m || r0 < -p.gamma2 || r0 > p.gamma2 {
				t.Fatalf("%s: Decompose(%d) = %d, %d", spec, r, r1, r0)
			}
			if useHint(&p, false, r) != r1 {
				t.Fatalf("%s: UseHint(0, %d)", spec, r)
			}
			u := useHint(&p, true, r)
			if u != (r1+1)%m && u != (r1-1+m)%m {
				t.Fatalf("%s: UseHint(1, %d) = %d, r1 = %d", spec, r, u, r1)
			}
		}
	}
}

type wycheproofMLDSA struct {
	Source     string
	TestGroups []struct {
		PublicKey string
		Tests     []struct {
			TcID    int
			Comment string
			Msg     string
			Ctx     string
			Sig     string
			Result  string
			Flags   []string
		}
	}
}

// TestVerifyMuWycheproof: a subset of the Wycheproof ML-DSA verification
// vectors (the source is named in each file), μ computed from the message
// and context. Vectors whose context is too long have no μ and are
// skipped; every other one must give the expected result.
func TestVerifyMuWycheproof(t *testing.T) {
	for _, spec := range mldsaSpecs {
		name := map[string]string{SpecMLDSA44: "44", SpecMLDSA65: "65", SpecMLDSA87: "87"}[spec]
		b, err := os.ReadFile("testdata/wycheproof_mldsa_" + name + "_verify.json")
		if err != nil {
			t.Fatal(err)
		}
		var f wycheproofMLDSA
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, g := range f.TestGroups {
			pk := mustHex(t, g.PublicKey)
			for _, tc := range g.Tests {
				ctx := mustHex(t, tc.Ctx)
				if len(ctx) > 255 {
					continue
				}
				mu := muOf(pk, ctx, mustHex(t, tc.Msg))
				err := verifyMu(spec, pk, mu, mustHex(t, tc.Sig))
				if (err == nil) != (tc.Result == "valid") {
					t.Errorf("%s tcId %d (%s, %v): %v, want %s", spec, tc.TcID, tc.Comment, tc.Flags, verifyMuReason(spec, pk, mu, mustHex(t, tc.Sig)), tc.Result)
				}
				n++
			}
		}
		if n < 50 {
			t.Fatalf("%s: only %d vectors", spec, n)
		}
	}
}

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzVerifyMu: random signatures, μ and public keys never make verifyMu
// panic, and nothing but nil or ErrInvalidSignature comes out. Seeds: a
// valid signature per parameter set.
func FuzzVerifyMu(f *testing.F) {
	keys := map[int][]byte{}
	for i, spec := range mldsaSpecs {
		seed := [32]byte{byte(i)}
		var pk []byte
		var sig []byte
		mu := make([]byte, 64)
		switch spec {
		case SpecMLDSA44:
			p, s := mldsa44.NewKeyFromSeed(&seed)
			pk, sig = p.Bytes(), make([]byte, mldsa44.SignatureSize)
			_ = mldsa44.SignTo(s, fuzzMessage, nil, false, sig)
		case SpecMLDSA65:
			p, s := mldsa65.NewKeyFromSeed(&seed)
			pk, sig = p.Bytes(), make([]byte, mldsa65.SignatureSize)
			_ = mldsa65.SignTo(s, fuzzMessage, nil, false, sig)
		case SpecMLDSA87:
			p, s := mldsa87.NewKeyFromSeed(&seed)
			pk, sig = p.Bytes(), make([]byte, mldsa87.SignatureSize)
			_ = mldsa87.SignTo(s, fuzzMessage, nil, false, sig)
		}
		copy(mu, muOf(pk, nil, fuzzMessage))
		if verifyMu(spec, pk, mu, sig) != nil {
			f.Fatalf("%s: seed signature does not verify", spec)
		}
		keys[i] = pk
		f.Add(uint8(i), mu, sig, false)
	}
	f.Fuzz(func(t *testing.T, which uint8, mu, sig []byte, flipKey bool) {
		i := int(which) % len(mldsaSpecs)
		pk := keys[i]
		if flipKey && len(sig) > 0 {
			pk = flipBit(pk, int(sig[0])*8)
		}
		if err := verifyMu(mldsaSpecs[i], pk, mu, sig); err != nil && !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("error %v", err)
		}
	})
}

// fuzzMessage is the message the fuzz seeds sign.
var fuzzMessage = []byte("fuzz seed")

// BenchmarkVerifyMuMLDSA65 and BenchmarkVerifyCirclMLDSA65: verification
// from μ beside circl's verification of the message (which computes μ
// itself) with the same key and a 256-byte message.
func BenchmarkVerifyMuMLDSA65(b *testing.B) {
	pk, mu, sig := benchMLDSA65()
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyMu(SpecMLDSA65, pk, mu, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyCirclMLDSA65(b *testing.B) {
	pk, _, sig := benchMLDSA65()
	var key mldsa65.PublicKey
	if err := key.UnmarshalBinary(pk); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !mldsa65.Verify(&key, benchMessage, nil, sig) {
			b.Fatal("invalid")
		}
	}
}

var benchMessage = make([]byte, 256)

func benchMLDSA65() (pk, mu, sig []byte) {
	seed := [32]byte{65}
	p, s := mldsa65.NewKeyFromSeed(&seed)
	sig = make([]byte, mldsa65.SignatureSize)
	if err := mldsa65.SignTo(s, benchMessage, nil, false, sig); err != nil {
		panic(err)
	}
	return p.Bytes(), muOf(p.Bytes(), nil, benchMessage), sig
}
