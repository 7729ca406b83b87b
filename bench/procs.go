package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is the unit of utime and stime in /proc/PID/stat (USER_HZ),
// which is 100 on every Linux architecture Go supports.
const clockTicks = 100

// process is one server the benchmark started and owns.
type process struct {
	name string
	cmd  *exec.Cmd
	base string // "http://127.0.0.1:PORT"
	dir  string
	log  *os.File
}

// buildBinaries compiles Hearth and the two baseline servers into dir.
func buildBinaries(repo, dir string) (map[string]string, error) {
	binaries := map[string]string{
		"hearth": ".",
		"barepb": "./bench/barepb",
		"minsse": "./bench/minsse",
	}
	built := map[string]string{}
	for name, pkg := range binaries {
		out := filepath.Join(dir, name)
		command := exec.Command("go", "build", "-o", out, pkg)
		command.Dir = repo
		command.Stdout, command.Stderr = os.Stderr, os.Stderr
		if err := command.Run(); err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
		built[name] = out
	}
	return built, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}

// startProcess runs binary with args, in which "ADDR" is replaced with a
// free loopback address, and waits until healthPath returns 200.
func startProcess(name, binary, workDir string, args, env []string, healthPath string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i, arg := range args {
		args[i] = strings.ReplaceAll(arg, "ADDR", addr)
	}
	logFile, err := os.Create(filepath.Join(workDir, name+".log"))
	if err != nil {
		return nil, err
	}
	command := exec.Command(binary, args...)
	command.Dir = workDir
	command.Env = append(os.Environ(), env...)
	command.Stdout, command.Stderr = logFile, logFile
	if err := command.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: command, base: "http://" + addr, dir: workDir, log: logFile}

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		response, err := http.Get(p.base + healthPath)
		if err == nil {
			io.Copy(io.Discard, response.Body)
			response.Body.Close()
			if response.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("%s did not respond 200 to %s within 30s (see its log: %s)", name, healthPath, logFile.Name())
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop ends the process with SIGTERM, and SIGKILL after five seconds.
func (p *process) stop() {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	p.log.Close()
}

// cpuSeconds returns the user plus system CPU time that process pid has used.
func cpuSeconds(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in field 2 may contain spaces; fields after it are
	// counted from the closing parenthesis. utime and stime are fields 14, 15.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	fields := strings.Fields(rest)
	if len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, data)
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, data)
	}
	return (utime + stime) / clockTicks, nil
}

// rssBytes returns the resident set size of process pid.
func rssBytes(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kib * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// raiseFileLimit lifts the soft open-file limit to the hard limit, for this
// process and the servers it starts, so thousands of streams fit.
func raiseFileLimit() (uint64, error) {
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return 0, err
	}
	limit.Cur = limit.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &limit); err != nil {
		return 0, err
	}
	return limit.Cur, nil
}

// copyDir copies the regular files of src (a PocketBase data folder) into a
// new folder dst.
func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, entry := range entries {
		if !entry.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, entry.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, entry.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
