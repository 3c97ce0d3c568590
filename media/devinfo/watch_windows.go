package devinfo

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

const (
	// mmdevicesKey is the tree Windows' audio endpoint builder keeps: an
	// endpoint plugged, unplugged, enabled or disabled changes a subkey or
	// its DeviceState value, a new default its Role values.
	mmdevicesKey = `SOFTWARE\Microsoft\Windows\CurrentVersion\MMDevices\Audio`
	// watchPoll re-reads the list even without a registry change: some
	// changes (a default set through the audio stack under Wine) touch no
	// value we are told about.
	watchPoll = 2 * time.Second
	// watchSettle gathers a burst of registry writes (an endpoint's dozen
	// property values) into one signal.
	watchSettle = 250 * time.Millisecond
	// watchMinGap spaces signals: under Wine every List makes mmdevapi
	// rewrite the tree, which would otherwise signal again at once.
	watchMinGap = time.Second
)

// Watch signals when the MMDevices registry tree changes
// (RegNotifyChangeKeyValue on the whole tree) and every watchPoll as a
// fallback; the receiver re-reads List. Same contract as WatchPulse.
func Watch(ctx context.Context) (changed <-chan struct{}, stop func() error, err error) {
	quit, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("watch audio devices: %w", err)
	}
	out := make(chan struct{}, 1)
	started := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		// A registry notification belongs to the thread that asked for it.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		watchRegistry(quit, out, started)
	}()
	if err := <-started; err != nil {
		<-done
		windows.CloseHandle(quit)
		return nil, nil, err
	}
	stopCtx := context.AfterFunc(ctx, func() { windows.SetEvent(quit) })
	var once sync.Once
	return out, func() error {
		once.Do(func() {
			stopCtx()
			windows.SetEvent(quit)
			<-done
			windows.CloseHandle(quit)
		})
		return nil
	}, nil
}

func watchRegistry(quit windows.Handle, out chan<- struct{}, started chan<- error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, mmdevicesKey, registry.NOTIFY|registry.READ)
	if err != nil {
		started <- fmt.Errorf("watch audio devices: open %s: %w", mmdevicesKey, err)
		return
	}
	defer k.Close()
	ev, err := windows.CreateEvent(nil, 0, 0, nil)
	if err != nil {
		started <- fmt.Errorf("watch audio devices: %w", err)
		return
	}
	defer windows.CloseHandle(ev)
	arm := func() error {
		return windows.RegNotifyChangeKeyValue(windows.Handle(k), true,
			windows.REG_NOTIFY_CHANGE_NAME|windows.REG_NOTIFY_CHANGE_LAST_SET, ev, true)
	}
	if err := arm(); err != nil {
		started <- fmt.Errorf("watch audio devices: %w", err)
		return
	}
	started <- nil
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	pending := false
	last := time.Time{}
	for {
		wait := watchPoll
		if pending {
			wait = max(watchSettle, time.Until(last.Add(watchMinGap)))
		}
		r, _ := windows.WaitForMultipleObjects([]windows.Handle{ev, quit}, false, uint32(wait/time.Millisecond))
		switch r {
		case windows.WAIT_OBJECT_0:
			if arm() != nil {
				return // the key is gone: the stack is shutting down
			}
			pending = true
		case windows.WAIT_OBJECT_0 + 1:
			return
		default: // timeout: a settled burst, or the fallback poll
			signal()
			pending, last = false, time.Now()
		}
	}
}
