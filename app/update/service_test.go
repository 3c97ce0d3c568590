package update

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// ticks drives Service's daily check: each send is one interval passing.
type ticks struct{ c chan time.Time }

func newTicks() *ticks { return &ticks{c: make(chan time.Time)} }

func (k *ticks) after(d time.Duration) <-chan time.Time {
	if d != DefaultInterval {
		panic("the service waited " + d.String() + ", not the daily interval")
	}
	return k.c
}

// The service checks at start, downloads the verified installer and offers
// it once; the daily check finds the same version and does not offer again.
func TestServiceOffersVerifiedUpdateOnce(t *testing.T) {
	r := newRelease(t, goodManifest())
	k := newTicks()
	offers := make(chan Offer, 4)
	s := &Service{Checker: r.checker(t, r.public(), "v1.1.0"), Dir: t.TempDir(), After: k.after,
		Notify: func(o Offer) { offers <- o }}
	stop := s.Start(context.Background())
	defer stop()
	var o Offer
	select {
	case o = <-offers:
	case <-time.After(10 * time.Second):
		t.Fatal("no offer after the check at start")
	}
	if o.Version != "v1.2.0" {
		t.Fatalf("offer %+v", o)
	}
	if b, err := os.ReadFile(o.Path); err != nil || !bytes.Equal(b, r.installer) {
		t.Fatalf("offered installer differs (err %v)", err)
	}
	k.c <- fixedNow // a day later: checked again (the send returns once the service waits again)
	k.c <- fixedNow
	select {
	case o := <-offers:
		t.Fatalf("offered %s twice", o.Version)
	default:
	}
	stop()
}

// A tampered manifest or a tampered installer never reaches Notify, and no
// installer file is left.
func TestServiceRefusesTamperedUpdates(t *testing.T) {
	for name, tamper := range map[string]func(*release){
		"manifest": func(r *release) {
			r.manifest = bytes.Replace(r.manifest, []byte("homeshore-1.2.0.msi"), []byte("homeshore-1.2.1.msi"), 1)
		},
		"installer": func(r *release) { r.installer = append([]byte("X"), r.installer[1:]...) },
	} {
		t.Run(name, func(t *testing.T) {
			r := newRelease(t, goodManifest())
			tamper(r)
			dir := t.TempDir()
			s := &Service{Checker: r.checker(t, r.public(), "v1.1.0"), Dir: dir,
				Notify: func(o Offer) { t.Errorf("offered a tampered update: %+v", o) }}
			_, ok, err := s.CheckNow(context.Background())
			if ok || err == nil || !Refused(err) {
				t.Fatalf("CheckNow: ok %v err %v, want refused", ok, err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("files left after a refused update: %v", left)
			}
		})
	}
}
