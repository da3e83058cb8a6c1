package record

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/twinscale/twinscale/model"
)

// maxMember bounds one decompressed record, so a damaged length cannot make the reader allocate without end.
const maxMember = 1 << 30

// DamageError reports where a recording stops being readable. Everything before it was returned.
type DamageError struct {
	File string
	// Records is how many records were read before the damage, across all files.
	Records int
	// Offset is the byte in File where the damaged record starts.
	Offset int64
	// Truncated is true when the file simply ends inside a record (a crash mid-write).
	Truncated bool
	Err       error
}

// Error says what happened and where, in the words the replay shows.
func (e *DamageError) Error() string {
	if e.Truncated {
		return fmt.Sprintf("recording truncated after %d records at byte %d of %s", e.Records, e.Offset, e.File)
	}
	return fmt.Sprintf("recording corrupted at record %d (byte %d of %s): %v; replayed the %d records before it",
		e.Records+1, e.Offset, e.File, e.Err, e.Records)
}

// Brief says where the recording stops in a few words, for the dashboard's header.
func (e *DamageError) Brief() string {
	if e.Truncated {
		return fmt.Sprintf("cut short at record %d", e.Records)
	}
	return fmt.Sprintf("damaged at record %d", e.Records+1)
}

// Notice says what happened and what plays, without the file's path, so it fits an 80-column line.
func (e *DamageError) Notice() string {
	if e.Truncated {
		return fmt.Sprintf("recording cut short (a crash mid-write?): plays its %d whole records", e.Records)
	}
	return fmt.Sprintf("recording damaged at record %d (byte %d): plays the %d before it", e.Records+1, e.Offset, e.Records)
}

// Unwrap returns the underlying decoding error.
func (e *DamageError) Unwrap() error { return e.Err }

// Files lists the files of the recording at path, oldest first: FILE.N … FILE.1, FILE (those that exist).
func Files(path string) ([]string, error) {
	matches, err := filepath.Glob(globEscape(path) + ".*")
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, err)
	}
	type rotated struct {
		n    int
		path string
	}
	var rs []rotated
	for _, m := range matches {
		n, err := strconv.Atoi(strings.TrimPrefix(m, path+"."))
		if err == nil && n > 0 {
			rs = append(rs, rotated{n, m})
		}
	}
	slices.SortFunc(rs, func(a, b rotated) int { return b.n - a.n })
	var out []string
	for _, r := range rs {
		out = append(out, r.path)
	}
	if _, err := os.Stat(path); err == nil {
		out = append(out, path)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("recording %s: no such file", path)
	}
	return out, nil
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// countingReader counts the bytes gzip consumes. It is a ByteReader, so flate reads no further than
// the end of each member and the count lands exactly on member boundaries.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// memberReader walks the gzip members of one file.
type memberReader struct {
	path string
	f    *os.File
	cr   *countingReader
	zr   *gzip.Reader
}

func openMembers(path string, offset int64) (*memberReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("recording: %w", err)
		}
	}
	return &memberReader{path: path, f: f, cr: &countingReader{r: bufio.NewReaderSize(f, 64<<10), n: offset}}, nil
}

// next returns the content of the next member and its start offset; io.EOF at a clean end of file.
// Any other error is a *DamageError without Records filled in.
func (m *memberReader) next() ([]byte, int64, error) {
	start := m.cr.n
	var err error
	if m.zr == nil {
		m.zr, err = gzip.NewReader(m.cr)
	} else {
		err = m.zr.Reset(m.cr)
	}
	if err == io.EOF {
		return nil, start, io.EOF
	}
	if err == nil {
		m.zr.Multistream(false)
		var data []byte
		data, err = io.ReadAll(io.LimitReader(m.zr, maxMember+1))
		if err == nil && len(data) > maxMember {
			err = fmt.Errorf("record larger than %d bytes", maxMember)
		}
		if err == nil {
			return data, start, nil
		}
	}
	d := &DamageError{File: m.path, Offset: start, Err: err}
	// A crash leaves either a short member or, on some filesystems, a tail of zero bytes. A
	// short file that does not start as gzip does is some other file, not a cut recording.
	d.Truncated = (errors.Is(err, io.ErrUnexpectedEOF) && gzipFrom(m.path, start)) || zeroFrom(m.path, start)
	return nil, start, d
}

func (m *memberReader) close() error { return m.f.Close() }

// gzipFrom reports whether the bytes of the file from offset on begin as a gzip member does
// (the magic 1f 8b, or as much of it as the file holds).
func gzipFrom(path string, offset int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 2)
	n, _ := f.ReadAt(buf, offset)
	magic := []byte{0x1f, 0x8b}
	return n > 0 && string(buf[:n]) == string(magic[:n])
}

// zeroFrom reports whether every byte of the file from offset on is zero.
func zeroFrom(path string, offset int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return false
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		for _, b := range buf[:n] {
			if b != 0 {
				return false
			}
		}
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// scanFile checks the gzip members of one file: it returns the end of the last whole member, how many
// members there are before it, and the damage found (nil when clean). The first line must carry the
// recording's format tag.
func scanFile(path string) (good int64, n int, damage error) {
	m, err := openMembers(path, 0)
	if err != nil {
		return 0, 0, err
	}
	defer m.close()
	for {
		data, start, err := m.next()
		if err == io.EOF {
			return start, n, nil
		}
		if err != nil {
			return start, n, err
		}
		if n == 0 {
			var head struct {
				Format string `json:"fmt"`
			}
			first, _, _ := bytes.Cut(data, []byte{'\n'})
			if json.Unmarshal(first, &head) != nil || !knownFormat(head.Format) {
				return 0, 0, &DamageError{File: path, Err: errors.New("first record has no twinscale recording header")}
			}
		}
		n++
		good = m.cr.n
	}
}

// Reader reads the records of a recording, across its rotated files, oldest first.
type Reader struct {
	files   []string
	fi      int
	members *memberReader
	lines   [][]byte // undecoded lines of the current member
	member  int64    // start offset of the current member
	lineNo  int      // index of the next line within the member
	n       int
	hist    map[string]model.PairHistory
	snap    *snapState // the previous record's snapshot, for version 2 deltas
	keyed   bool       // a keyframe was read in the current file
	err     error

	// Where the record Next returned last came from, for the replay index.
	lastFile   int
	lastOffset int64
	lastLine   int
	lastKey    bool
}

// Open opens the recording at path with its rotated files.
func Open(path string) (*Reader, error) {
	files, err := Files(path)
	if err != nil {
		return nil, err
	}
	return &Reader{files: files}, nil
}

// openAt opens a reader positioned at a keyframe member of files[fi].
func openAt(files []string, fi int, offset int64, line int, n int) (*Reader, error) {
	r := &Reader{files: files, fi: fi, n: n}
	m, err := openMembers(files[fi], offset)
	if err != nil {
		return nil, err
	}
	r.members = m
	if line > 0 {
		if err := r.fill(); err != nil {
			m.close()
			return nil, err
		}
		r.lines = r.lines[line:]
		r.lineNo = line
	}
	return r, nil
}

// Next returns the next record. At the end of a clean recording it returns io.EOF; at damage it
// returns a *DamageError (Truncated for a crash mid-write) after every record before it.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	for len(r.lines) == 0 {
		if err := r.fill(); err != nil {
			r.err = err
			return Record{}, err
		}
	}
	raw := r.lines[0]
	r.lines = r.lines[1:]
	rec, keyframe, err := r.decode(raw)
	if err != nil {
		r.err = &DamageError{File: r.files[r.fi], Records: r.n, Offset: r.member, Err: err}
		return Record{}, r.err
	}
	r.lastFile, r.lastOffset, r.lastLine, r.lastKey = r.fi, r.member, r.lineNo, keyframe
	r.lineNo++
	r.n++
	return rec, nil
}

// fill reads the next member into lines, moving to the next file at the end of one.
func (r *Reader) fill() error {
	for {
		if r.members == nil {
			if r.fi >= len(r.files) {
				return io.EOF
			}
			m, err := openMembers(r.files[r.fi], 0)
			if err != nil {
				return err
			}
			r.members, r.keyed = m, false
		}
		data, start, err := r.members.next()
		if err == io.EOF {
			r.members.close()
			r.members = nil
			r.fi++
			continue
		}
		if err != nil {
			var d *DamageError
			if errors.As(err, &d) {
				d.Records = r.n
			}
			return err
		}
		r.member, r.lineNo = start, 0
		r.lines = r.lines[:0]
		for len(data) > 0 {
			var l []byte
			l, data, _ = bytes.Cut(data, []byte{'\n'})
			if len(bytes.TrimSpace(l)) > 0 {
				r.lines = append(r.lines, l)
			}
		}
		if len(r.lines) > 0 {
			return nil
		}
	}
}

// decode turns one line into a record, applying its history deltas to the reader's state.
func (r *Reader) decode(raw []byte) (Record, bool, error) {
	var l line
	if err := json.Unmarshal(raw, &l); err != nil {
		return Record{}, false, fmt.Errorf("bad JSON: %w", err)
	}
	if !knownFormat(l.Format) {
		return Record{}, false, fmt.Errorf("not a twinscale recording line (format %q)", l.Format)
	}
	if l.Keyframe {
		r.keyed = true
	} else if !r.keyed {
		return Record{}, false, errors.New("the file does not start with a keyframe")
	}
	lv := reflect.ValueOf(&l).Elem()
	for _, p := range l.NonFinite {
		if err := applyPatch(lv, p); err != nil {
			return Record{}, false, err
		}
	}
	if l.Snap != nil {
		if l.Format != formatTag || l.Snapshot != nil {
			return Record{}, false, errors.New("a snapshot delta in a version 1 line")
		}
		prev := r.snap
		if l.Keyframe || prev == nil {
			prev = &snapState{}
		}
		s, next, err := decodeSnapshot(l.Snap, prev)
		if err != nil {
			return Record{}, false, err
		}
		l.Snapshot, r.snap = s, next
	} else if l.Snapshot != nil {
		r.snap = nil // a whole snapshot (version 1): the next delta comes after a keyframe
	}
	for where, fields := range l.Hidden {
		var target reflect.Value
		switch {
		case where == "snapshot" && l.Snapshot != nil:
			target = reflect.ValueOf(l.Snapshot).Elem()
		case strings.HasPrefix(where, "pair/") && l.Snapshot != nil:
			i, err := strconv.Atoi(strings.TrimPrefix(where, "pair/"))
			if err != nil || i < 0 || i >= len(l.Snapshot.Pairs) {
				return Record{}, false, fmt.Errorf("hidden fields for %s, which the snapshot does not have", where)
			}
			target = reflect.ValueOf(&l.Snapshot.Pairs[i]).Elem()
		default:
			return Record{}, false, fmt.Errorf("hidden fields for %s, which the snapshot does not have", where)
		}
		for name, raw := range fields {
			if err := restoreHidden(target, map[string]json.RawMessage{name: raw}); err != nil {
				return Record{}, false, fmt.Errorf("%s: %w", where, err)
			}
		}
	}

	hist := make(map[string]model.PairHistory, len(r.hist)+len(l.History))
	if !l.Keyframe {
		for k, h := range r.hist {
			hist[k] = h
		}
		for _, k := range l.Drop {
			delete(hist, k)
		}
	}
	for k, d := range l.History {
		if d == nil {
			return Record{}, false, fmt.Errorf("history %s: empty delta", k)
		}
		var prev *model.PairHistory
		if p, ok := hist[k]; ok && !l.Keyframe {
			prev = &p
		}
		h, err := decodeHistory(d, prev)
		if err != nil {
			return Record{}, false, fmt.Errorf("%s: %w", k, err)
		}
		hist[k] = h
	}
	r.hist = hist
	return Record{At: l.At, Snapshot: l.Snapshot, Histories: hist, Poll: l.Poll}, l.Keyframe, nil
}

// Close releases the open file.
func (r *Reader) Close() error {
	if r.members != nil {
		err := r.members.close()
		r.members = nil
		return err
	}
	return nil
}

// ReadAll reads every record up to the end or the damage; err is nil at a clean end, else the *DamageError.
func ReadAll(path string) ([]Record, error) {
	r, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}
