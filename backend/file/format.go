package file

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The on-disk format; FORMAT.md describes it for readers written from
// scratch.
const (
	magic         = "ekms-log"
	formatVersion = 1
	headerSize    = 16 // magic, version, CRC-32C of both
	recHeaderSize = 12 // body length, CRC-32C of the length, CRC-32C of the body
	// maxBody bounds one record's body; larger transactions are refused.
	maxBody = 1 << 30

	opSet    = 1
	opDelete = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// fileHeader returns the 16-byte header of a version-1 log.
func fileHeader() []byte {
	h := make([]byte, headerSize)
	copy(h, magic)
	binary.BigEndian.PutUint32(h[8:], formatVersion)
	binary.BigEndian.PutUint32(h[12:], crc(h[:12]))
	return h
}

// checkHeader checks the header h of the log at path.
func checkHeader(path string, h []byte) error {
	if len(h) < headerSize || string(h[:8]) != magic {
		return fmt.Errorf("file: %s is not an embedkms log (bad magic): %w", path, errCorrupt)
	}
	v := binary.BigEndian.Uint32(h[8:])
	if v > formatVersion {
		return fmt.Errorf("file: %s has format version %d, newer than this build reads (%d); use a newer embedkms", path, v, formatVersion)
	}
	if v != formatVersion || binary.BigEndian.Uint32(h[12:]) != crc(h[:12]) {
		return fmt.Errorf("file: %s has a damaged header: %w", path, errCorrupt)
	}
	return nil
}

// op is one write of a record.
type op struct {
	del      bool
	key, val []byte
	valOff   int // offset of val within the body
}

// opSize is the encoded size of a set (or, without a value, a delete).
func opSize(key, val []byte, del bool) int {
	n := 1 + uvarintLen(uint64(len(key))) + len(key)
	if !del {
		n += uvarintLen(uint64(len(val))) + len(val)
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// beginRecord appends a record header placeholder to buf and returns the
// offset of the record within buf.
func beginRecord(buf []byte) ([]byte, int) {
	return append(buf, make([]byte, recHeaderSize)...), len(buf)
}

// appendOp appends one operation to the body under construction and
// returns the offset of its value within buf.
func appendOp(buf, key, val []byte, del bool) ([]byte, int) {
	if del {
		buf = append(buf, opDelete)
		buf = binary.AppendUvarint(buf, uint64(len(key)))
		return append(buf, key...), 0
	}
	buf = append(buf, opSet)
	buf = binary.AppendUvarint(buf, uint64(len(key)))
	buf = append(buf, key...)
	buf = binary.AppendUvarint(buf, uint64(len(val)))
	return append(buf, val...), len(buf)
}

// endRecord fills in the header of the record that starts at start.
func endRecord(buf []byte, start int) {
	body := buf[start+recHeaderSize:]
	binary.BigEndian.PutUint32(buf[start:], uint32(len(body)))
	binary.BigEndian.PutUint32(buf[start+4:], crc(buf[start:start+4]))
	binary.BigEndian.PutUint32(buf[start+8:], crc(body))
}

// parseRecHeader returns the body length and body checksum of a record
// header, and whether the header is intact.
func parseRecHeader(h []byte) (n int, bodyCRC uint32, ok bool) {
	l := binary.BigEndian.Uint32(h)
	if binary.BigEndian.Uint32(h[4:]) != crc(h[:4]) || l == 0 || l > maxBody {
		return 0, 0, false
	}
	return int(l), binary.BigEndian.Uint32(h[8:]), true
}

var errBadBody = errors.New("malformed record body")

// decodeBody calls fn for each operation of a checksummed body. Keys and
// values alias body.
func decodeBody(body []byte, fn func(op)) error {
	for i := 0; i < len(body); {
		kind := body[i]
		i++
		if kind != opSet && kind != opDelete {
			return fmt.Errorf("%w: unknown operation %d", errBadBody, kind)
		}
		key, j, err := lenPrefixed(body, i)
		if err != nil {
			return err
		}
		i = j
		o := op{del: kind == opDelete, key: key}
		if !o.del {
			var start int
			o.val, start, i, err = valueAt(body, i)
			if err != nil {
				return err
			}
			o.valOff = start
		}
		fn(o)
	}
	return nil
}

func lenPrefixed(b []byte, i int) ([]byte, int, error) {
	v, _, end, err := valueAt(b, i)
	return v, end, err
}

// valueAt decodes a uvarint length and that many bytes at b[i:], returning
// them, where they start, and where they end.
func valueAt(b []byte, i int) (v []byte, start, end int, err error) {
	l, n := binary.Uvarint(b[i:])
	if n <= 0 || l > uint64(len(b)-i-n) {
		return nil, 0, 0, fmt.Errorf("%w: bad length", errBadBody)
	}
	start = i + n
	end = start + int(l)
	return b[start:end], start, end, nil
}
