package testenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"math/bits"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// StartXvfb starts a virtual X display (1280x800, 24 bit) on a free display
// number and stops it when the test ends; it returns ":N".
func StartXvfb(t testing.TB) string {
	t.Helper()
	bin := RequireBinary(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	p := startProcess(t, "Xvfb", t.TempDir()+"/xvfb.log", cmd)
	w.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatalf("testenv: Xvfb gave no display number; log:\n%s", p.tail(logTailLines))
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		t.Fatal("testenv: Xvfb did not start within 30 s")
	}
	return ""
}

// CaptureWindow grabs the window named title on display with xwd (x11-apps)
// and decodes its ZPixmap TrueColor dump.
func CaptureWindow(ctx context.Context, display, title string) (image.Image, error) {
	cmd := exec.CommandContext(ctx, "xwd", "-silent", "-name", title, "-display", display)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("xwd (install x11-apps): %w", err)
	}
	return decodeXWD(out)
}

// xwdHeader is the fixed part of an XWD file (X11 XWDFileHeader).
type xwdHeader struct {
	HeaderSize, FileVersion, PixmapFormat, PixmapDepth, PixmapWidth, PixmapHeight uint32
	XOffset, ByteOrder, BitmapUnit, BitmapBitOrder, BitmapPad, BitsPerPixel       uint32
	BytesPerLine, VisualClass, RedMask, GreenMask, BlueMask, BitsPerRGB           uint32
	ColormapEntries, NColors, WindowWidth, WindowHeight, WindowX, WindowY         uint32
	WindowBorderWidth                                                             uint32
}

func decodeXWD(data []byte) (image.Image, error) {
	var h xwdHeader
	if err := binary.Read(bytes.NewReader(data), binary.BigEndian, &h); err != nil {
		return nil, fmt.Errorf("xwd header: %w", err)
	}
	if h.PixmapFormat != 2 || h.BitsPerPixel != 32 && h.BitsPerPixel != 24 || h.RedMask == 0 || h.GreenMask == 0 || h.BlueMask == 0 {
		return nil, fmt.Errorf("xwd: unsupported format %d, %d bits per pixel", h.PixmapFormat, h.BitsPerPixel)
	}
	bpp := int(h.BitsPerPixel / 8)
	if h.BitsPerPixel == 24 && int(h.BytesPerLine) >= int(h.PixmapWidth)*4 {
		bpp = 4
	}
	off := int(h.HeaderSize) + int(h.NColors)*12
	w, ht, stride := int(h.PixmapWidth), int(h.PixmapHeight), int(h.BytesPerLine)
	if off+stride*ht > len(data) {
		return nil, fmt.Errorf("xwd: %d bytes, want %d", len(data), off+stride*ht)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if h.ByteOrder == 1 {
		order = binary.BigEndian
	}
	channel := func(px, mask uint32) uint8 { return uint8((px & mask) >> bits.TrailingZeros32(mask)) }
	img := image.NewNRGBA(image.Rect(0, 0, w, ht))
	for y := range ht {
		row := data[off+y*stride:]
		for x := range w {
			var px uint32
			if bpp == 4 {
				px = order.Uint32(row[x*4:])
			} else {
				b := row[x*3 : x*3+3]
				px = uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
			}
			img.SetNRGBA(x, y, color.NRGBA{R: channel(px, h.RedMask), G: channel(px, h.GreenMask), B: channel(px, h.BlueMask), A: 0xff})
		}
	}
	return img, nil
}
