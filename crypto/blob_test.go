package crypto_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/fips140"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	tinkaesgcm "github.com/tink-crypto/tink-go/v2/aead/aesgcm"
	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/secretdata"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/embedkms/kms/crypto"
	"github.com/embedkms/kms/internal/encctx"
)

// The helpers below (refHeader, refEncctx, refGCM, refOpen, refSeal, and
// refDeriveV2, refOpenV2, refSealV2 in blob_v2_test.go) are a second
// implementation of the format, written from the doc comments of blob.go
// and package encctx alone, on the standard library.

// refHeader encodes h as the doc comment's table lays it out, with
// version byte v.
func refHeader(h *crypto.BlobHeader, v byte) []byte {
	b := []byte{v}
	for _, f := range []string{h.Account, h.Region, h.KeyID} {
		b = append(b, byte(len(f)))
		b = append(b, f...)
	}
	return append(b, h.MaterialID[:]...)
}

// refEncctx is the canonical encoding: uint32be(n), then per pair in
// bytewise key order uint32be(len(k)) k uint32be(len(v)) v.
func refEncctx(ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	slices.Sort(keys) // Go string order is bytewise
	b := binary.BigEndian.AppendUint32(nil, uint32(len(ec)))
	for _, k := range keys {
		b = binary.BigEndian.AppendUint32(b, uint32(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(ec[k])))
		b = append(b, ec[k]...)
	}
	return b
}

// refGCM is AES-256-GCM with caller-chosen IVs. FIPS 140-3 only mode
// refuses those in production code; the reference implementation is
// exempted so that its tests also run in that mode.
func refGCM(t testing.TB, key []byte) cipher.AEAD {
	t.Helper()
	c, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	var g cipher.AEAD
	fips140.WithoutEnforcement(func() { g, err = cipher.NewGCM(c) }) // 12-byte nonce, 16-byte tag
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// refOpen decrypts a version 1 blob whose header is hl bytes long: iv is
// the 12 bytes after the header, the rest is ciphertext || tag, and the
// associated data is header || encctx(ec).
func refOpen(t testing.TB, key, blob []byte, hl int, ec map[string]string) ([]byte, error) {
	t.Helper()
	iv, ct := blob[hl:hl+12], blob[hl+12:]
	aad := append(slices.Clone(blob[:hl]), refEncctx(ec)...)
	return refGCM(t, key).Open(nil, iv, ct, aad)
}

// refSeal builds a version 1 blob with a chosen IV.
func refSeal(t testing.TB, key []byte, h *crypto.BlobHeader, ec map[string]string, iv, pt []byte) []byte {
	t.Helper()
	g := refGCM(t, key)
	hdr := refHeader(h, 0x01)
	aad := append(slices.Clone(hdr), refEncctx(ec)...)
	blob := append(slices.Clone(hdr), iv...)
	var out []byte
	fips140.WithoutEnforcement(func() { out = g.Seal(blob, iv, pt, aad) })
	return out
}

func testAEAD(t testing.TB, key []byte) *crypto.AESGCM {
	t.Helper()
	a, err := crypto.NewAESGCM(key)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func testBlobKey(t testing.TB, material []byte) *crypto.BlobKey {
	t.Helper()
	k, err := crypto.NewBlobKey(material)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testHeader() *crypto.BlobHeader {
	h := &crypto.BlobHeader{Account: "111122223333", Region: "us-east-1", KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}
	for i := range h.MaterialID {
		h.MaterialID[i] = byte(0xc0 ^ i)
	}
	return h
}

var testContexts = []map[string]string{
	nil,
	{},
	{"a": "b"},
	{"": ""},
	{"tenant": "acme", "purpose": "test", "Department": "10"},
	{"ключ": "значение", "é": "", "z": strings.Repeat("v", 300)},
}

// open parses blob and opens it, as Decrypt does.
func open(a *crypto.BlobKey, blob []byte, ec map[string]string) ([]byte, error) {
	h, err := crypto.ParseBlobHeader(blob)
	if err != nil {
		return nil, err
	}
	return crypto.OpenBlob(a, blob, h.Len, ec)
}

// header converts a parsed header back to the header SealBlob takes.
func header(p crypto.ParsedHeader) crypto.BlobHeader {
	return crypto.BlobHeader{Account: string(p.Account), Region: string(p.Region), KeyID: string(p.KeyID), MaterialID: p.MaterialID}
}

func TestNewAESGCMKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := crypto.NewAESGCM(make([]byte, n)); err == nil {
			t.Errorf("NewAESGCM(%d-byte key) succeeded; only 32 bytes are AES-256", n)
		}
	}
}

func TestBlobRoundTripSizes(t *testing.T) {
	key := crypto.Random(crypto.AES256KeySize)
	a := testBlobKey(t, key)
	h := testHeader()
	pt := crypto.Random(4096)
	for n := 0; n <= 4096; n++ {
		ec := testContexts[n%len(testContexts)]
		blob, err := crypto.SealBlob(a, h, ec, pt[:n])
		if err != nil {
			t.Fatalf("size %d: SealBlob: %v", n, err)
		}
		if want := h.Len() + crypto.BlobOverhead + n; len(blob) != want {
			t.Fatalf("size %d: blob is %d bytes, want header %d + overhead %d + plaintext", n, len(blob), h.Len(), crypto.BlobOverhead)
		}
		got, err := open(a, blob, ec)
		if err != nil {
			t.Fatalf("size %d: open: %v", n, err)
		}
		if !bytes.Equal(got, pt[:n]) {
			t.Fatalf("size %d: plaintext does not round-trip", n)
		}
	}
}

func TestBlobContexts(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	for i, ec := range testContexts {
		blob, err := crypto.SealBlob(a, testHeader(), ec, []byte("secret"))
		if err != nil {
			t.Fatal(err)
		}
		for j, other := range testContexts {
			_, err := open(a, blob, other)
			same := string(encctx.Append(nil, ec)) == string(encctx.Append(nil, other))
			switch {
			case same && err != nil:
				t.Errorf("context %d opened with equal context %d: %v", i, j, err)
			case !same && !errors.Is(err, crypto.ErrInvalidBlob):
				t.Errorf("context %d opened with context %d: err = %v, want ErrInvalidBlob", i, j, err)
			}
		}
	}
}

// Contexts that differ only in how their bytes split into keys and values
// must not open each other's blobs.
func TestBlobContextAmbiguity(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	pairs := [][2]map[string]string{
		{{"ab": "c"}, {"a": "bc"}},
		{{"a": "b", "c": "d"}, {"a": "bc", "": "d"}},
		{{"a": "b"}, {"a": "b", "": ""}},
		{{"a": "b"}, {"A": "b"}},
	}
	for _, p := range pairs {
		blob, err := crypto.SealBlob(a, testHeader(), p[0], []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := open(a, blob, p[1]); !errors.Is(err, crypto.ErrInvalidBlob) {
			t.Errorf("blob sealed with %v opened with %v: err = %v", p[0], p[1], err)
		}
	}
}

func TestBlobHeaderParsedBack(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	headers := []crypto.BlobHeader{
		*testHeader(),
		{Account: "000000000000", Region: "cn-northwest-1", KeyID: "mrk-0123456789abcdef0123456789abcdef"},
		{Account: "9", Region: "r", KeyID: "k"},
		{Account: strings.Repeat("1", 255), Region: strings.Repeat("r", 255), KeyID: strings.Repeat("k", 255)},
	}
	for i := range headers[2].MaterialID {
		headers[2].MaterialID[i] = 0xff
	}
	for _, h := range headers {
		blob, err := crypto.SealBlob(a, &h, nil, []byte("pt"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := crypto.ParseBlobHeader(blob)
		if err != nil {
			t.Fatalf("ParseBlobHeader: %v", err)
		}
		n := p.Len
		if p.Version != crypto.BlobVersion2 {
			t.Errorf("SealBlob wrote version %d, want %d", p.Version, crypto.BlobVersion2)
		}
		if got := header(p); got != h {
			t.Errorf("ParseBlobHeader = %+v, want %+v", got, h)
		}
		// The fields alias the blob; appending to one must not write into it.
		before := slices.Clone(blob)
		_ = append(p.Account, 'X')
		_ = append(p.Region, 'X')
		_ = append(p.KeyID, 'X')
		if !bytes.Equal(blob, before) {
			t.Errorf("appending to a parsed field changed the blob")
		}
		if n != h.Len() || !bytes.Equal(blob[:n], refHeader(&h, 0x02)) {
			t.Errorf("header is %x (n=%d), want %x (Len=%d)", blob[:n], n, refHeader(&h, 0x02), h.Len())
		}
	}
}

func TestSealBlobFieldTooLong(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	long := strings.Repeat("x", 256)
	for _, h := range []crypto.BlobHeader{
		{Account: long, Region: "us-east-1", KeyID: "k"},
		{Account: "111122223333", Region: long, KeyID: "k"},
		{Account: "111122223333", Region: "us-east-1", KeyID: long},
	} {
		if b, err := crypto.SealBlob(a, &h, nil, []byte("pt")); err == nil {
			t.Errorf("SealBlob with a 256-byte field returned %d bytes, want an error", len(b))
		}
	}
}

// Every blob SealBlob returns must parse back: it refuses header fields
// the parser would refuse (empty ones).
func TestSealBlobOutputAlwaysParses(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	for _, h := range []crypto.BlobHeader{
		{Account: "", Region: "us-east-1", KeyID: "k"},
		{Account: "111122223333", Region: "", KeyID: "k"},
		{Account: "111122223333", Region: "us-east-1", KeyID: ""},
	} {
		blob, err := crypto.SealBlob(a, &h, nil, []byte("pt"))
		if err != nil {
			continue // refused: fine
		}
		if _, err := open(a, blob, nil); err != nil {
			t.Errorf("SealBlob(%+v) made a blob that does not open: %v", h, err)
		}
	}
}

func TestBlobTruncated(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	ec := map[string]string{"k": "v"}
	for _, size := range []int{0, 1, 16, 100} {
		blob, err := crypto.SealBlob(a, testHeader(), ec, crypto.Random(size))
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(blob); n++ {
			if _, err := open(a, blob[:n:n], ec); !errors.Is(err, crypto.ErrInvalidBlob) {
				t.Fatalf("size %d: blob truncated to %d of %d bytes: err = %v, want ErrInvalidBlob", size, n, len(blob), err)
			}
		}
		// Extending is tampering too.
		if _, err := open(a, append(slices.Clone(blob), 0), ec); !errors.Is(err, crypto.ErrInvalidBlob) {
			t.Errorf("size %d: blob with a trailing byte: err = %v, want ErrInvalidBlob", size, err)
		}
	}
}

func TestBlobBitFlips(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	ec := map[string]string{"tenant": "acme", "purpose": "flip"}
	for _, size := range []int{1, 17, 64} {
		blob, err := crypto.SealBlob(a, testHeader(), ec, crypto.Random(size))
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(blob) * 8 {
			b := slices.Clone(blob)
			b[i/8] ^= 1 << (i % 8)
			if _, err := open(a, b, ec); !errors.Is(err, crypto.ErrInvalidBlob) {
				t.Fatalf("size %d: bit %d of byte %d flipped: err = %v, want ErrInvalidBlob", size, i%8, i/8, err)
			}
		}
	}
}

func TestOpenBlobWrongKey(t *testing.T) {
	a, b := testBlobKey(t, crypto.Random(32)), testBlobKey(t, crypto.Random(32))
	blob, err := crypto.SealBlob(a, testHeader(), nil, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := open(b, blob, nil); !errors.Is(err, crypto.ErrInvalidBlob) {
		t.Errorf("open under another key: err = %v, want ErrInvalidBlob", err)
	}
}

func TestOpenBlobBadHeaderLen(t *testing.T) {
	a := testBlobKey(t, crypto.Random(32))
	blob, err := crypto.SealBlob(a, testHeader(), nil, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	hl := testHeader().Len()
	for _, n := range []int{-1, 0, 1, hl - 1, hl + 1, len(blob) - crypto.BlobOverhead + 1, len(blob), len(blob) + 1} {
		if _, err := crypto.OpenBlob(a, blob, n, nil); !errors.Is(err, crypto.ErrInvalidBlob) {
			t.Errorf("OpenBlob(headerLen=%d): err = %v, want ErrInvalidBlob", n, err)
		}
	}
}

func TestParseBlobHeaderMalformed(t *testing.T) {
	valid := refSeal(t, make([]byte, 32), testHeader(), nil, make([]byte, 12), []byte("x"))
	withVersion := func(v byte) []byte { b := slices.Clone(valid); b[0] = v; return b }
	tests := []struct {
		name string
		blob []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"version 0", withVersion(0)},
		{"version 3", withVersion(3)},
		{"version 0xff", withVersion(0xff)},
		{"version 1 blob relabelled 2 (too short for a nonce, IV and tag)", withVersion(2)},
		{"zero-length account", append([]byte{1, 0, 1, 'r', 1, 'k'}, make([]byte, 32+28)...)},
		{"zero-length region", append([]byte{1, 1, 'a', 0, 1, 'k'}, make([]byte, 32+28)...)},
		{"zero-length key id", append([]byte{1, 1, 'a', 1, 'r', 0}, make([]byte, 32+28)...)},
		{"account past end", []byte{1, 200, 'a', 'b'}},
		{"no room for material id", []byte{1, 1, 'a', 1, 'r', 1, 'k', 0, 0}},
		{"no room for iv and tag", append([]byte{1, 1, 'a', 1, 'r', 1, 'k'}, make([]byte, 32+27)...)},
		{"v2: no room for nonce, iv and tag", append([]byte{2, 1, 'a', 1, 'r', 1, 'k'}, make([]byte, 32+39)...)},
		{"v2: zero-length key id", append([]byte{2, 1, 'a', 1, 'r', 0}, make([]byte, 32+40)...)},
	}
	for _, tt := range tests {
		if p, err := crypto.ParseBlobHeader(tt.blob); !errors.Is(err, crypto.ErrInvalidBlob) || p.Len != 0 {
			t.Errorf("%s: ParseBlobHeader = (Len=%d, %v), want ErrInvalidBlob", tt.name, p.Len, err)
		}
	}
	// The shortest well-formed blobs: one-byte fields, empty plaintext.
	for v, overhead := range map[byte]int{1: 28, 2: 40} {
		min := append([]byte{v, 1, 'a', 1, 'r', 1, 'k'}, make([]byte, 32+overhead)...)
		if p, err := crypto.ParseBlobHeader(min); err != nil || p.Len != 7+32 || p.Version != v {
			t.Errorf("minimal version %d blob: ParseBlobHeader = (Len=%d, Version=%d, %v), want 39, %d", v, p.Len, p.Version, err, v)
		}
	}
}

// TestBlobV1FormatIndependent checks the version 1 part of blob.go's doc
// comment against a second implementation on crypto/aes and crypto/cipher:
// OpenBlob still opens version 1 blobs built from the doc.
func TestBlobV1FormatIndependent(t *testing.T) {
	key := crypto.Random(32)
	k := testBlobKey(t, key)
	h := testHeader()
	for i, ec := range testContexts {
		pt := crypto.Random(i * 33)
		ref := refSeal(t, key, h, ec, crypto.Random(12), pt)
		if got, err := refOpen(t, key, ref, h.Len(), ec); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("context %d: reference cannot open its own version 1 blob: %v", i, err)
		}
		got, err := open(k, ref, ec)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("context %d: OpenBlob cannot open a version 1 blob built from the doc comment: %v", i, err)
		}
		if _, err := open(k, ref, map[string]string{"other": "context"}); !errors.Is(err, crypto.ErrInvalidBlob) {
			t.Fatalf("context %d: version 1 blob opened under another context: %v", i, err)
		}
	}
}

type blobVector struct {
	Name           string            `json:"name"`
	Key            string            `json:"key"`
	Account        string            `json:"account"`
	Region         string            `json:"region"`
	KeyID          string            `json:"keyId"`
	MaterialID     string            `json:"materialId"`
	Context        map[string]string `json:"context"`
	Plaintext      string            `json:"plaintext"`
	HeaderLength   int               `json:"headerLength"`
	AssociatedData string            `json:"associatedData"`
	Blob           string            `json:"blob"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBlobV1Vectors decrypts version 1 blobs committed in testdata: a
// change that breaks blobs already stored fails here.
func TestBlobV1Vectors(t *testing.T) {
	data, err := os.ReadFile("testdata/blob_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []blobVector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			key, blob, pt := unhex(t, v.Key), unhex(t, v.Blob), unhex(t, v.Plaintext)
			p, err := crypto.ParseBlobHeader(blob)
			if err != nil {
				t.Fatalf("ParseBlobHeader: %v", err)
			}
			h, n := header(p), p.Len
			if p.Version != crypto.BlobVersion1 {
				t.Errorf("version = %d, want 1", p.Version)
			}
			if h.Account != v.Account || h.Region != v.Region || h.KeyID != v.KeyID ||
				hex.EncodeToString(h.MaterialID[:]) != v.MaterialID || n != v.HeaderLength {
				t.Errorf("header = %+v (n=%d), want the vector's fields", h, n)
			}
			aad := append(slices.Clone(blob[:n]), encctx.Append(nil, v.Context)...)
			if want := unhex(t, v.AssociatedData); !bytes.Equal(aad, want) || !bytes.Equal(append(slices.Clone(blob[:n]), refEncctx(v.Context)...), want) {
				t.Errorf("associated data = %x, want %x", aad, want)
			}
			got, err := crypto.OpenBlob(testBlobKey(t, key), blob, n, v.Context)
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("OpenBlob = %q, %v; want %q", got, err, pt)
			}
			if got, err := refOpen(t, key, blob, n, v.Context); err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("standard-library open = %q, %v; want %q", got, err, pt)
			}
			if _, err := crypto.OpenBlob(testBlobKey(t, key), blob, n, nil); !errors.Is(err, crypto.ErrInvalidBlob) {
				t.Errorf("vector opened without its context: err = %v", err)
			}
		})
	}
}

// FuzzParseBlobHeader: parsing never panics, fails only with
// ErrInvalidBlob and an empty result, and whatever parses re-encodes (from
// the doc comment, with the reported version) to exactly the bytes parsed,
// with room behind it for that version's nonces and tag.
func FuzzParseBlobHeader(f *testing.F) {
	material := make([]byte, 32)
	a := testBlobKey(f, material)
	for _, ec := range testContexts[:3] {
		blob, err := crypto.SealBlob(a, testHeader(), ec, []byte("seed"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(blob)
		f.Add(refSeal(f, material, testHeader(), ec, make([]byte, 12), []byte("seed")))
	}
	f.Add([]byte{})
	for v, overhead := range map[byte]int{1: 28, 2: 40, 3: 40} {
		f.Add([]byte{v, 1, 'a', 1, 'r', 1, 'k'})
		f.Add(append([]byte{v, 1, 'a', 1, 'r', 1, 'k'}, make([]byte, 32+overhead)...))
		f.Add(append([]byte{v, 1, 'a', 1, 'r', 1, 'k'}, make([]byte, 32+overhead-1)...))
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		p, err := crypto.ParseBlobHeader(blob)
		if err != nil {
			if !errors.Is(err, crypto.ErrInvalidBlob) || p.Len != 0 || p.Version != 0 || p.Account != nil || p.Region != nil || p.KeyID != nil {
				t.Fatalf("failed parse returned (%+v, %v)", p, err)
			}
			return
		}
		overhead := map[byte]int{crypto.BlobVersion1: crypto.BlobOverheadV1, crypto.BlobVersion2: crypto.BlobOverhead}[p.Version]
		if overhead == 0 || p.Version != blob[0] {
			t.Fatalf("parsed version %d from a blob starting %#x", p.Version, blob[0])
		}
		h, n := header(p), p.Len
		if n <= 0 || n+overhead > len(blob) {
			t.Fatalf("header length %d leaves no room for version %d's nonces and tag in %d bytes", n, p.Version, len(blob))
		}
		if n != h.Len() {
			t.Fatalf("n = %d, h.Len() = %d", n, h.Len())
		}
		if enc := refHeader(&h, p.Version); !bytes.Equal(enc, blob[:n]) {
			t.Fatalf("re-encoded header %x differs from parsed bytes %x", enc, blob[:n])
		}
		// OpenBlob must reject (not panic on) whatever parses.
		if _, err := crypto.OpenBlob(a, blob, n, nil); err != nil && !errors.Is(err, crypto.ErrInvalidBlob) {
			t.Fatalf("OpenBlob: %v", err)
		}
	})
}

// TestAESGCMInteroperatesWithTink: the AEAD's output is Tink's aesgcm
// (VariantNoPrefix) output format, in both directions.
func TestAESGCMInteroperatesWithTink(t *testing.T) {
	key := crypto.Random(32)
	ours := testAEAD(t, key)
	p, err := tinkaesgcm.NewParameters(tinkaesgcm.ParametersOpts{KeySizeInBytes: 32, IVSizeInBytes: 12, TagSizeInBytes: 16, Variant: tinkaesgcm.VariantNoPrefix})
	if err != nil {
		t.Fatal(err)
	}
	k, err := tinkaesgcm.NewKey(secretdata.NewBytesFromData(key, insecuresecretdataaccess.Token{}), 0, p)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := tinkaesgcm.NewAEAD(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 32, 4096} {
		pt, aad := crypto.Random(n), []byte("associated")
		ct, _ := ours.Encrypt(pt, aad)
		if got, err := theirs.Decrypt(ct, aad); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Tink cannot decrypt our %d-byte ciphertext: %v", n, err)
		}
		ct, _ = theirs.Encrypt(pt, aad)
		if got, err := ours.Decrypt(ct, aad); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("we cannot decrypt Tink's %d-byte ciphertext: %v", n, err)
		}
		if _, err := ours.Decrypt(ct, []byte("other")); err == nil {
			t.Fatal("decrypted with the wrong associated data")
		}
	}
}
