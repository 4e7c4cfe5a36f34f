package crypto_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"slices"
	"testing"
	"testing/cryptotest"

	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/encctx"
)

// Version 2 of the format, read from blob.go's doc comment: after the
// header come N1(12) || IV(12) || ciphertext || tag(16), sealed with
// AES-256-GCM under Kx = the XAES-256-GCM derivation of the material and
// N1 (refXAESDerive, written from the XAES specification), IV as nonce and
// header || encctx(ec) as associated data.

// refOpenV2 decrypts a version 2 blob whose header is hl bytes long.
func refOpenV2(t testing.TB, material, blob []byte, hl int, ec map[string]string) ([]byte, error) {
	t.Helper()
	n1, iv, ct := blob[hl:hl+12], blob[hl+12:hl+24], blob[hl+24:]
	_, _, kx := refXAESDerive(t, material, n1)
	aad := append(slices.Clone(blob[:hl]), refEncctx(ec)...)
	return refGCM(t, kx).Open(nil, iv, ct, aad)
}

// refSealV2 builds a version 2 blob with chosen N1 and IV.
func refSealV2(t testing.TB, material []byte, h *crypto.BlobHeader, ec map[string]string, n1, iv, pt []byte) []byte {
	t.Helper()
	hdr := refHeader(h, 0x02)
	_, _, kx := refXAESDerive(t, material, n1)
	aad := append(slices.Clone(hdr), refEncctx(ec)...)
	blob := append(append(slices.Clone(hdr), n1...), iv...)
	return append(blob, refGCMSeal(t, kx, iv, pt, aad)...)
}

// TestBlobV2FormatIndependent checks SealBlob and OpenBlob against the
// second implementation above, both ways, and that the part after the
// header is XAES-256-GCM with nonce N1 || IV.
func TestBlobV2FormatIndependent(t *testing.T) {
	material := crypto.Random(32)
	k := testBlobKey(t, material)
	h := testHeader()
	hl := h.Len()
	for i, ec := range testContexts {
		pt := crypto.Random(i * 33)
		blob, err := crypto.SealBlob(k, h, ec, pt)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(blob[:hl], refHeader(h, 0x02)) || len(blob) != hl+12+12+len(pt)+16 {
			t.Fatalf("context %d: blob %x does not have the documented header %x and sizes", i, blob, refHeader(h, 0x02))
		}
		got, err := refOpenV2(t, material, blob, hl, ec)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("context %d: the reference cannot open SealBlob output: %v", i, err)
		}
		aad := append(slices.Clone(blob[:hl]), refEncctx(ec)...)
		if xct := refXAESSeal(t, material, blob[hl:hl+24], pt, aad); !bytes.Equal(xct, blob[hl+24:]) {
			t.Fatalf("context %d: blob body is not XAES-256-GCM(material, N1 || IV, plaintext, header || encctx)", i)
		}

		ref := refSealV2(t, material, h, ec, crypto.Random(12), crypto.Random(12), pt)
		got, err = open(k, ref, ec)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("context %d: OpenBlob cannot open a version 2 blob built from the doc comment: %v", i, err)
		}
	}
}

// TestBlobV2FreshKeyPerBlob: sealing the same plaintext with the same
// header and context never repeats a derivation nonce, an IV, a derived
// key or a ciphertext.
func TestBlobV2FreshKeyPerBlob(t *testing.T) {
	material := crypto.Random(32)
	k := testBlobKey(t, material)
	h := testHeader()
	hl := h.Len()
	pt := []byte("the same plaintext every time")
	seen := map[string]bool{}
	for i := range 1000 {
		blob, err := crypto.SealBlob(k, h, testContexts[4], pt)
		if err != nil {
			t.Fatal(err)
		}
		_, _, kx := refXAESDerive(t, material, blob[hl:hl+12])
		for _, part := range []struct{ name, v string }{
			{"derivation nonce", string(blob[hl : hl+12])},
			{"IV", string(blob[hl+12 : hl+24])},
			{"derived key", string(kx)},
			{"ciphertext", string(blob[hl+24:])},
		} {
			if seen[part.name+part.v] {
				t.Fatalf("blob %d repeats a %s", i, part.name)
			}
			seen[part.name+part.v] = true
		}
		if bytes.Equal(kx, material) {
			t.Fatal("derived key is the key material")
		}
	}
}

// TestBlobV2VersionConfusion: the version byte is authenticated, so a
// blob relabelled as the other version does not open, whatever its length.
func TestBlobV2VersionConfusion(t *testing.T) {
	material := crypto.Random(32)
	k := testBlobKey(t, material)
	h := testHeader()
	for _, n := range []int{0, 1, 12, 100} {
		v2, err := crypto.SealBlob(k, h, nil, crypto.Random(n))
		if err != nil {
			t.Fatal(err)
		}
		v1 := refSeal(t, material, h, nil, crypto.Random(12), crypto.Random(n))
		for _, b := range [][]byte{v2, v1} {
			relabelled := slices.Clone(b)
			relabelled[0] ^= 0x01 ^ 0x02
			if _, err := open(k, relabelled, nil); !errors.Is(err, crypto.ErrInvalidBlob) {
				t.Errorf("%d-byte plaintext: version %d blob relabelled as %d: err = %v", n, b[0], relabelled[0], err)
			}
		}
	}
}

// blobV2Vector is one entry of testdata/blob_v2.json. Expect is "success"
// (OpenBlob returns Plaintext) or "invalid" (ErrInvalidBlob, for the
// Reason given).
type blobV2Vector struct {
	Name            string            `json:"name"`
	Expect          string            `json:"expect"`
	Reason          string            `json:"reason,omitempty"`
	Key             string            `json:"key"`
	Account         string            `json:"account"`
	Region          string            `json:"region"`
	KeyID           string            `json:"keyId"`
	MaterialID      string            `json:"materialId"`
	Context         map[string]string `json:"context"`
	Plaintext       string            `json:"plaintext,omitempty"`
	HeaderLength    int               `json:"headerLength,omitempty"`
	DerivationNonce string            `json:"derivationNonce,omitempty"`
	IV              string            `json:"iv,omitempty"`
	DerivedKey      string            `json:"derivedKey,omitempty"`
	AssociatedData  string            `json:"associatedData,omitempty"`
	Blob            string            `json:"blob"`
}

// TestBlobV2Vectors opens the frozen version 2 vectors with OpenBlob and
// with the reference implementation: a change that breaks version 2 blobs
// already stored, or that starts accepting a tampered one, fails here.
func TestBlobV2Vectors(t *testing.T) {
	data, err := os.ReadFile("testdata/blob_v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []blobV2Vector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, v := range file.Vectors {
		outcomes[v.Expect]++
		t.Run(v.Name, func(t *testing.T) {
			key, blob := unhex(t, v.Key), unhex(t, v.Blob)
			p, perr := crypto.ParseBlobHeader(blob)
			var got []byte
			var err error
			if perr == nil {
				got, err = crypto.OpenBlob(testBlobKey(t, key), blob, p.Len, v.Context)
			}
			switch v.Expect {
			case "success":
				if perr != nil || err != nil || !bytes.Equal(got, unhex(t, v.Plaintext)) {
					t.Fatalf("ParseBlobHeader: %v; OpenBlob = %x, %v; want %s", perr, got, err, v.Plaintext)
				}
				h := header(p)
				if p.Version != crypto.BlobVersion2 || p.Len != v.HeaderLength || h.Account != v.Account || h.Region != v.Region ||
					h.KeyID != v.KeyID || hex.EncodeToString(h.MaterialID[:]) != v.MaterialID {
					t.Errorf("header = %+v (version %d, length %d), want the vector's fields", h, p.Version, p.Len)
				}
				n := p.Len
				if hex.EncodeToString(blob[n:n+12]) != v.DerivationNonce || hex.EncodeToString(blob[n+12:n+24]) != v.IV {
					t.Errorf("nonce and IV %x %x, want %s %s", blob[n:n+12], blob[n+12:n+24], v.DerivationNonce, v.IV)
				}
				if _, _, kx := refXAESDerive(t, key, blob[n:n+12]); hex.EncodeToString(kx) != v.DerivedKey {
					t.Errorf("reference derived key %x, want %s", kx, v.DerivedKey)
				}
				aad := append(slices.Clone(blob[:n]), refEncctx(v.Context)...)
				if want := unhex(t, v.AssociatedData); !bytes.Equal(aad, want) || !bytes.Equal(encctx.Append(slices.Clone(blob[:n]), v.Context), want) {
					t.Errorf("associated data = %x, want %x", aad, want)
				}
				if got, err := refOpenV2(t, key, blob, n, v.Context); err != nil || !bytes.Equal(got, unhex(t, v.Plaintext)) {
					t.Errorf("reference open = %x, %v", got, err)
				}
			case "invalid":
				if perr == nil && !errors.Is(err, crypto.ErrInvalidBlob) {
					t.Fatalf("%s: OpenBlob = %x, %v; want ErrInvalidBlob", v.Reason, got, err)
				}
				if perr != nil && !errors.Is(perr, crypto.ErrInvalidBlob) {
					t.Fatalf("%s: ParseBlobHeader: %v", v.Reason, perr)
				}
				if perr == nil && p.Version == crypto.BlobVersion2 {
					if _, err := refOpenV2(t, key, blob, p.Len, v.Context); err == nil {
						t.Errorf("%s: the reference opened it", v.Reason)
					}
				}
			default:
				t.Fatalf("unknown expectation %q", v.Expect)
			}
		})
	}
	if outcomes["success"] < 3 || outcomes["invalid"] < 10 || len(outcomes) != 2 {
		t.Errorf("vector outcomes %v: want at least 3 successes and 10 invalid", outcomes)
	}
}

var genBlobV2 = flag.String("gen-blob-v2", "", "write fresh version 2 vectors to this file (done once; testdata/blob_v2.json is frozen)")

// TestGenerateBlobV2Vectors made testdata/blob_v2.json. It runs only with
// -gen-blob-v2=FILE: SealBlob with randomness fixed by
// testing/cryptotest.SetGlobalRandom, then tampered copies.
func TestGenerateBlobV2Vectors(t *testing.T) {
	if *genBlobV2 == "" {
		t.Skip("generates vectors only with -gen-blob-v2")
	}
	cryptotest.SetGlobalRandom(t, 2)
	type input struct {
		name, region, keyID string
		key                 []byte
		ec                  map[string]string
		pt                  []byte
	}
	seq := func(start byte) []byte {
		b := make([]byte, 32)
		for i := range b {
			b[i] = start + byte(i)
		}
		return b
	}
	inputs := []input{
		{"v2 three-pair context", "us-east-1", "1234abcd-12ab-34cd-56ef-1234567890ab", seq(0xa0),
			map[string]string{"tenant": "acme", "purpose": "test vector", "Department": "10"}, []byte("embedkms ciphertext blob v2 test vector")},
		{"v2 empty context, empty plaintext", "eu-west-3", "0b8a4e4f-0c67-4f4c-9a7b-9b3e0d1c2f10", seq(0x20), nil, nil},
		{"v2 multi-Region key, non-ASCII context", "ap-southeast-5", "mrk-0123456789abcdef0123456789abcdef", seq(0x40),
			map[string]string{"ключ": "значение", "é": ""}, bytes.Repeat([]byte{0x5a}, 100)},
	}
	var vs []blobV2Vector
	msb := map[bool]bool{}
	for _, in := range inputs {
		h := &crypto.BlobHeader{Account: "111122223333", Region: in.region, KeyID: in.keyID, MaterialID: [32]byte(seq(byte(len(vs) * 7)))}
		blob, err := crypto.SealBlob(testBlobKey(t, in.key), h, in.ec, in.pt)
		if err != nil {
			t.Fatal(err)
		}
		n := h.Len()
		l, _, kx := refXAESDerive(t, in.key, blob[n:n+12])
		msb[l[0]&0x80 != 0] = true
		vs = append(vs, blobV2Vector{
			Name: in.name, Expect: "success", Key: hex.EncodeToString(in.key),
			Account: h.Account, Region: h.Region, KeyID: h.KeyID, MaterialID: hex.EncodeToString(h.MaterialID[:]),
			Context: in.ec, Plaintext: hex.EncodeToString(in.pt), HeaderLength: n,
			DerivationNonce: hex.EncodeToString(blob[n : n+12]), IV: hex.EncodeToString(blob[n+12 : n+24]),
			DerivedKey: hex.EncodeToString(kx), AssociatedData: hex.EncodeToString(encctx.Append(slices.Clone(blob[:n]), in.ec)),
			Blob: hex.EncodeToString(blob),
		})
	}
	if !msb[true] || !msb[false] {
		t.Fatalf("the keys should cover both branches of the K1 computation, got %v", msb)
	}
	base := vs[0]
	blob := unhex(t, base.Blob)
	n := base.HeaderLength
	invalid := func(name, reason string, b []byte, change func(*blobV2Vector)) {
		v := blobV2Vector{Name: name, Expect: "invalid", Reason: reason, Key: base.Key, Account: base.Account, Region: base.Region,
			KeyID: base.KeyID, MaterialID: base.MaterialID, Context: base.Context, Blob: hex.EncodeToString(b)}
		if change != nil {
			change(&v)
		}
		vs = append(vs, v)
	}
	flip := func(i int) []byte { b := slices.Clone(blob); b[i] ^= 0x01; return b }
	invalid("tampered header: account", "a header byte (the account id) changed", flip(2), nil)
	invalid("tampered header: key id", "a header byte (the key id) changed", flip(n-crypto.MaterialIDSize-1), nil)
	invalid("tampered header: material id", "a header byte (the material id) changed", flip(n-1), nil)
	invalid("tampered version: relabelled as version 1", "the version byte changed to 0x01", func() []byte { b := slices.Clone(blob); b[0] = 1; return b }(), nil)
	invalid("tampered derivation nonce", "N1 changed, so the derived key differs", flip(n), nil)
	invalid("tampered IV", "the GCM IV changed", flip(n+12), nil)
	invalid("tampered ciphertext", "a ciphertext byte changed", flip(n+24), nil)
	invalid("tampered tag", "a tag byte changed", flip(len(blob)-1), nil)
	invalid("truncated", "the last byte is missing", blob[:len(blob)-1], nil)
	invalid("trailing byte", "a byte was appended", append(slices.Clone(blob), 0), nil)
	invalid("truncated into the header", "too short for a nonce, IV and tag", blob[:n+39], nil)
	invalid("wrong context", "opened with another encryption context", blob, func(v *blobV2Vector) {
		v.Context = map[string]string{"tenant": "acme", "purpose": "test vector", "Department": "11"}
	})
	invalid("missing context", "opened without its encryption context", blob, func(v *blobV2Vector) { v.Context = nil })
	invalid("wrong key", "opened under other key material", blob, func(v *blobV2Vector) { v.Key = vs[1].Key })
	invalid("v1 key schedule", "the key material used directly as the AES-GCM key, as in version 1", func() []byte {
		// The right header, N1 and IV, but sealed without derivation.
		b := slices.Clone(blob[:n+24])
		aad := unhex(t, base.AssociatedData)
		return append(b, refGCMSeal(t, unhex(t, base.Key), blob[n+12:n+24], unhex(t, base.Plaintext), aad)...)
	}(), nil)

	out, err := json.MarshalIndent(struct {
		Comment string         `json:"comment"`
		Vectors []blobV2Vector `json:"vectors"`
	}{
		Comment: "Ciphertext blob format version 2 (see crypto/blob.go). Generated once by SealBlob with randomness fixed by testing/cryptotest.SetGlobalRandom (TestGenerateBlobV2Vectors), then frozen: never regenerate, a change that stops these from decrypting breaks every blob already stored. expect is success (OpenBlob returns plaintext) or invalid (ErrInvalidBlob; reason says why). associatedData is header || encctx(context); derivedKey is Kx for derivationNonce.",
		Vectors: vs,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*genBlobV2, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
