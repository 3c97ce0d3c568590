package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// WAVSource reads a 16-bit PCM WAV file of any rate and channel count as
// 48 kHz mono frames. It is not paced: each Read returns at once.
type WAVSource struct {
	f        *os.File
	r        *bufio.Reader
	path     string
	rate     int
	channels int
	left     int64 // bytes left in the data chunk
	conv     *rateConverter
	raw      []byte
	mono     []float32
	eof      bool
	done     bool
}

// OpenWAVSource opens path for reading; Close releases it.
func OpenWAVSource(path string) (*WAVSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open WAV: %w", err)
	}
	s := &WAVSource{f: f, r: bufio.NewReaderSize(f, 32<<10), path: path}
	if err := s.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.conv = newRateConverter(s.rate, SampleRate)
	return s, nil
}

func (s *WAVSource) readHeader() error {
	var riff [12]byte
	if _, err := io.ReadFull(s.r, riff[:]); err != nil || string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return fmt.Errorf("%w: no RIFF/WAVE header", ErrBadWAV)
	}
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(s.r, ch[:]); err != nil {
			return fmt.Errorf("%w: no data chunk", ErrBadWAV)
		}
		id, size := string(ch[0:4]), int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1<<10 {
				return fmt.Errorf("%w: bad fmt chunk", ErrBadWAV)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(s.r, b); err != nil {
				return fmt.Errorf("%w: short fmt chunk", ErrBadWAV)
			}
			format := binary.LittleEndian.Uint16(b[0:2])
			s.channels = int(binary.LittleEndian.Uint16(b[2:4]))
			s.rate = int(binary.LittleEndian.Uint32(b[4:8]))
			bits := binary.LittleEndian.Uint16(b[14:16])
			const pcm, extensible = 1, 0xfffe
			if format == extensible && size >= 26 {
				format = binary.LittleEndian.Uint16(b[24:26])
			}
			if format != pcm || bits != 16 {
				return fmt.Errorf("%w: format %d, %d bits (convert with: sox IN.wav -b 16 -e signed OUT.wav)", ErrBadWAV, format, bits)
			}
			if s.channels < 1 || s.channels > 32 || s.rate < 1000 || s.rate > 384000 {
				return fmt.Errorf("%w: %d channels at %d Hz", ErrBadWAV, s.channels, s.rate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return fmt.Errorf("%w: data before fmt", ErrBadWAV)
			}
			s.left = size
			if size == 0 || size == 0xffffffff { // streaming writers leave it unset
				s.left = 1 << 62
			}
			return nil
		default:
			if _, err := s.r.Discard(int(size + size%2)); err != nil {
				return fmt.Errorf("%w: truncated %q chunk", ErrBadWAV, id)
			}
		}
	}
}

// Rate is the file's own sample rate.
func (s *WAVSource) Rate() int { return s.rate }

func (s *WAVSource) String() string { return fmt.Sprintf("WAV(%dk)", s.rate/1000) }

// Read fills frame with the next 20 ms; the last partial frame is padded
// with silence, and the call after it returns io.EOF.
func (s *WAVSource) Read(frame []int16) error {
	if s.done {
		return io.EOF
	}
	n := 0
	for n < len(frame) {
		n += s.conv.Read(frame[n:])
		if n == len(frame) {
			break
		}
		if s.eof {
			s.conv.Flush()
			n += s.conv.Read(frame[n:])
			if n == 0 {
				s.done = true
				return io.EOF
			}
			clear(frame[n:])
			s.done = true
			return nil
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
	return nil
}

// fill decodes one block of the file into the converter.
func (s *WAVSource) fill() error {
	const blockFrames = 1024
	need := blockFrames * 2 * s.channels
	if int64(need) > s.left {
		need = int(s.left) / (2 * s.channels) * (2 * s.channels)
	}
	if cap(s.raw) < blockFrames*2*s.channels {
		s.raw = make([]byte, blockFrames*2*s.channels)
		s.mono = make([]float32, blockFrames)
	}
	raw := s.raw[:need]
	got, err := io.ReadFull(s.r, raw)
	got -= got % (2 * s.channels)
	s.left -= int64(got)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || s.left <= 0 || need == 0 {
		s.eof = true
	} else if err != nil {
		return fmt.Errorf("read %s: %w", s.path, err)
	}
	frames := got / (2 * s.channels)
	mono := s.mono[:frames]
	for i := range mono {
		var acc int32
		for c := range s.channels {
			off := (i*s.channels + c) * 2
			acc += int32(int16(binary.LittleEndian.Uint16(raw[off:])))
		}
		mono[i] = float32(acc) / float32(s.channels)
	}
	s.conv.Write(mono)
	return nil
}

// Close releases the file.
func (s *WAVSource) Close() error { return s.f.Close() }

// WAVSink writes 48 kHz mono 16-bit PCM frames to a WAV file.
type WAVSink struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	buf     [FrameSamples * 2]byte
	samples int64
	closed  bool
	err     error
}

const wavHeaderSize = 44

// CreateWAVSink creates (or truncates) path; Close finalizes the header.
func CreateWAVSink(path string) (*WAVSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create WAV: %w", err)
	}
	s := &WAVSink{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	if _, err := s.w.Write(wavHeader(0)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write WAV header: %w", err)
	}
	return s, nil
}

func wavHeader(samples int64) []byte {
	data := uint32(min(samples*2, 0xffffffff-36))
	h := make([]byte, wavHeaderSize)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+data)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], 1) // mono
	binary.LittleEndian.PutUint32(h[24:], SampleRate)
	binary.LittleEndian.PutUint32(h[28:], SampleRate*2)
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], data)
	return h
}

func (s *WAVSink) String() string { return "WAV(48k)" }

// Write appends one frame.
func (s *WAVSink) Write(frame []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("write WAV: %w", os.ErrClosed)
	}
	if s.err != nil {
		return s.err
	}
	for len(frame) > 0 {
		n := min(len(frame), FrameSamples)
		for i, v := range frame[:n] {
			binary.LittleEndian.PutUint16(s.buf[2*i:], uint16(v))
		}
		if _, err := s.w.Write(s.buf[:2*n]); err != nil {
			s.err = fmt.Errorf("write WAV: %w", err)
			return s.err
		}
		s.samples += int64(n)
		frame = frame[n:]
	}
	return nil
}

// Close writes the final sizes into the header and closes the file. It is
// safe to call more than once.
func (s *WAVSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.w.Flush()
	if err == nil {
		_, err = s.f.WriteAt(wavHeader(s.samples), 0)
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("finish WAV: %w", err)
	}
	return nil
}
