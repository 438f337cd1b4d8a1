#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hil.py CASE...: the HIL fault matrix, run inside the test VM by
tests/hil/hil-lib.sh (which starts lever-simd and sets the environment).

The whole stack runs: lever-simd (the board, a FunctionFS gadget on
dummy_hcd) -> lever.ko (/dev/lever0) -> leverd -> leverctl. Every case
starts a session (leverctl start), lets it reach its steady walk, injects
one fault, and judges the result on the plant's truth, read from
lever-simd's control socket ("state", the same answer lever-simctl state
prints) by a sampler thread every few tens of milliseconds:

  stop     belt at rest (< 20 mm/s) within the case's bound, counted on
           the board's clock from the injection (or the operator's stop);
  support  the 1 s mean of the true support force never above the step's
           target + 5 %BW, nor the pressure set-point the board holds at
           rest above what gives that force;
  release  the true support held until the belt is at rest (2 %BW of
           ripple allowed in a 1 s mean), then lowered no faster than the
           release limit, 1 %BW/s (10 % and 0.5 N/s for the sampling);
  events   leverctl events --json shows the fault, stop, end or link
           events;
  restart  nothing moves until leverctl reset and a new start, which
           then runs again.

Bounds (SAFETY.md): a controlled stop decelerates at 1.0 m/s^2, so from
walking speed v the stop takes v / 1.0 s, plus the case's detection time
(board sensor checks 0.1-0.5 s, watchdogs as configured). On top of that
each bound allows TCG_ALLOW_S for the emulated guest: QEMU TCG on a
shared 2-core host stops the whole guest for 100 ms and more at a time
(Documentation/testing.rst, "Timing inside the VM"), the board's clock
runs on through those stalls while neither leverd nor the kernel runs,
and the sampler itself sees the plant only every few tens of ms; a
stall the sampler saw while the belt stopped is added to the bound (the
plant ran on at the last set-point through it). TAP.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

BUILD = os.environ.get("BUILD", "build")
SIMD_SOCK = os.environ["HIL_SIMD_SOCK"]
CTL_SOCK = os.environ["HIL_SOCKET"]
LEVERD_ARGS = os.environ["HIL_LEVERD_ARGS"].split()
TMP = os.environ["HIL_TMP"]
MASS = 70.0
G = 9.80665
MG = MASS * G
BW = float(os.environ.get("HIL_BW_PCT", "85"))
SPEED_MM_S = float(os.environ.get("HIL_SPEED_KM_H", "3.0")) / 3.6 * 1000
TARGET_N = (1 - BW / 100) * MG
LIMIT_N = TARGET_N + 0.05 * MG
RELEASE_N_S = 0.01 * MG             # 1 %BW/s
# A 1 s mean of the true force still ripples with the stride and, under
# TCG where samples come in bursts, with the support law's swings: a hold
# 2 %BW below the mean before the stop is within that ripple.
HOLD_TOL_N = 0.02 * MG
N_PER_PA = 0.002                    # sim/plant.h: 2000 uN per Pa
STOP_DECEL = 1000.0                 # mm/s^2, SAFETY.md controlled stop
BOARD_WD_S = float(os.environ.get("HIL_BOARD_WD_MS", "500")) / 1000
KERNEL_WD_S = float(os.environ.get("HIL_KERNEL_WD_MS", "500")) / 1000
TCG_ALLOW_S = 1.5
AT_REST = 20.0                      # mm/s, the board's "stopped"

n_tests = 0
fails = 0


def ok(cond, name, why=""):
    global n_tests, fails
    n_tests += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n_tests, name))
    if not cond:
        fails += 1
        for line in str(why).splitlines()[:12]:
            print("#   " + line[:300])
    sys.stdout.flush()
    return cond


def note(msg):
    for line in str(msg).splitlines():
        print("# " + line)
    sys.stdout.flush()


# ---------------------------------------------------------------- the board

class Simd:
    """One connection to lever-simd's control socket."""

    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(SIMD_SOCK)
        self.f = self.s.makefile("rw")

    def cmd(self, line):
        self.f.write(line + "\n")
        self.f.flush()
        out = {}
        while True:
            r = self.f.readline()
            if not r:
                raise RuntimeError("lever-simd closed the socket")
            r = r.rstrip("\n")
            if r == "ok":
                return out
            if r.startswith("error:"):
                raise RuntimeError("lever-simd: %s: %s" % (line, r))
            k, _, v = r.partition("=")
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v

    def state(self):
        st = self.cmd("state")
        st["t"] = st["board_time_ns"] / 1e9
        return st


class Sampler(threading.Thread):
    """The plant's truth, as often as the guest lets us ask."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sim = Simd()
        self.lock = threading.Lock()
        self.samples = []
        self.quit = False
        self.max_gap = 0.0

    def run(self):
        last = None
        while not self.quit:
            try:
                st = self.sim.state()
            except (RuntimeError, OSError):
                time.sleep(0.05)
                continue
            s = (st["t"], st["belt_speed_mm_s"], st["support_force_n"],
                 st["support_pressure_pa"], st["pressure_setpoint_pa"],
                 st["state"], st["fault_names"])
            with self.lock:
                self.samples.append(s)
                if len(self.samples) > 20000:
                    del self.samples[:10000]
            if last is not None:
                self.max_gap = max(self.max_gap, s[0] - last)
            last = s[0]
            time.sleep(0.02)

    def since(self, t0, t1=None):
        with self.lock:
            return [s for s in self.samples
                    if s[0] >= t0 and (t1 is None or s[0] <= t1)]

    def last(self):
        with self.lock:
            return self.samples[-1] if self.samples else None


# ---------------------------------------------------------- leverd, leverctl

class Leverd:
    def __init__(self):
        self.p = None
        self.log = open(os.path.join(TMP, "leverd.err"), "a")

    def start(self):
        self.p = subprocess.Popen([BUILD + "/leverd"] + LEVERD_ARGS,
                                  stdout=self.log, stderr=self.log)
        for _ in range(150):
            r = ctl("--json", "status")
            if r[0] == 0:
                return True
            if self.p.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def ctl(*args, timeout=20):
    """leverctl ARGS: (exit status, parsed JSON or stdout, stderr)."""
    try:
        r = subprocess.run([BUILD + "/leverctl", "--socket", CTL_SOCK] +
                           list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, None, "leverctl timed out"
    out = r.stdout
    if "--json" in args and r.returncode == 0:
        try:
            out = json.loads(out)
        except ValueError:
            pass
    return r.returncode, out, r.stderr.strip()


def status():
    rc, st, err = ctl("--json", "status")
    return st if rc == 0 and isinstance(st, dict) else {}


def events_after(last_id):
    rc, ev, err = ctl("--json", "events", "--limit", "60")
    if rc != 0:
        return []
    if isinstance(ev, dict):
        ev = ev.get("events", [])
    if not isinstance(ev, list):
        return []
    return sorted([e for e in ev if e.get("id", 0) > last_id],
                  key=lambda e: e["id"])


def last_event_id():
    ev = events_after(0)
    return ev[-1]["id"] if ev else 0


def sysfs_lever0():
    out = []
    for a in ("state", "counters/watchdog_trips", "counters/faults"):
        try:
            with open("/sys/class/lever/lever0/" + a) as f:
                out.append("%s=%s" % (a, f.read().strip()))
        except OSError as e:
            out.append("%s: %s" % (a, e.strerror))
    return " ".join(out)


def dmesg_mark():
    try:
        with open("/dev/kmsg", "rb"):
            pass
    except OSError:
        pass
    r = subprocess.run(["dmesg"], stdout=subprocess.PIPE, text=True)
    return len(r.stdout.splitlines())


def dmesg_since(mark):
    r = subprocess.run(["dmesg"], stdout=subprocess.PIPE, text=True)
    return r.stdout.splitlines()[mark:]


# ------------------------------------------------------------------ helpers

def mean_windows(samples, idx, width=1.0):
    """Means of column idx over sliding windows `width` wide (stride
    swing averaged out), as (t_end, mean)."""
    out = []
    j = 0
    acc = 0.0
    for i, s in enumerate(samples):
        acc += s[idx]
        while samples[j][0] < s[0] - width:
            acc -= samples[j][idx]
            j += 1
        if s[0] - samples[0][0] >= width:
            out.append((s[0], acc / (i - j + 1)))
    return out


def max_release_rate(samples):
    """Fastest fall of the true support (pressure x geometry), N/s, over
    any two half-second bins at least 2 s apart."""
    bins = {}
    for s in samples:
        b = int(s[0] / 0.5)
        bins.setdefault(b, []).append(s[3] * N_PER_PA)
    keys = sorted(bins)
    means = [(k * 0.5 + 0.25, sum(bins[k]) / len(bins[k])) for k in keys]
    worst = 0.0
    worst_drop = 0.0
    for i in range(len(means)):
        for j in range(i + 1, len(means)):
            dt = means[j][0] - means[i][0]
            if dt < 2.0:
                continue
            drop = means[i][1] - means[j][1]
            if drop / dt > worst:
                worst = drop / dt
                worst_drop = drop
    return worst, worst_drop


def held_then_released(win, t0, t_rest):
    """Support held until the belt is at rest, then lowered no faster
    than the release limit. Returns (worst excess over what the limit
    allows, N; the 1 s mean before the fault; the lowest 1 s mean in the
    second after the fault). The 1 s means average the stride swing out;
    their remaining ripple is what HOLD_TOL_N allows."""
    pre = [s[2] for s in win if t0 - 1.0 <= s[0] < t0]
    pre_mean = sum(pre) / len(pre) if pre else 0
    after = [s for s in win if s[0] >= t0 + 0.05]
    worst = -1e9
    first = None
    for we, m in mean_windows(after, 2, 1.0):
        allowed = RELEASE_N_S * max(0.0, we - t_rest) \
            if t_rest is not None else 0.0
        worst = max(worst, pre_mean - m - allowed)
        if first is None:
            first = m
    return worst, pre_mean, first if first is not None else 0


class Case:
    """One fault of the matrix; run() prints its TAP lines."""

    def __init__(self, name, detect_s, stop_v_mm_s=None):
        self.name = name
        self.detect_s = detect_s
        self.v = stop_v_mm_s or SPEED_MM_S

    def bound(self):
        return self.v / STOP_DECEL + self.detect_s + TCG_ALLOW_S


SAMPLER = None
LEVERD = None
SIM = None


def wait_state(pred, timeout):
    end = time.time() + timeout
    st = {}
    while time.time() < end:
        st = status()
        if st and pred(st):
            return True, st
        time.sleep(0.2)
    return False, st


def reset_until_ok(timeout=15):
    end = time.time() + timeout
    r = None
    while time.time() < end:
        r = ctl("reset")
        if r[0] == 0:
            return True, r
        time.sleep(0.5)
    return False, r


def start_session():
    return ctl("start", "week1-day1", "--athlete", "hil", "--plan", "hil",
               "--confirm-start-criteria", "--override-back-to-back")


def steady(timeout=25):
    """Running, belt at the step's speed and the support's 1 s mean at
    its target (within 3 %BW) on the plant, for 1 s."""
    end = time.time() + timeout
    while time.time() < end:
        time.sleep(0.3)
        last = SAMPLER.last()
        if last is None:
            continue
        win = SAMPLER.since(last[0] - 1.0)
        if len(win) < 5:
            continue
        belt_ok = all(abs(s[1] - SPEED_MM_S) < 80 for s in win)
        force = sum(s[2] for s in win) / len(win)
        if belt_ok and abs(force - TARGET_N) < 0.03 * MG:
            st = status()
            if st.get("state") == "running":
                return True
        if last[5] not in ("running",) and time.time() > end - timeout + 8:
            # a board that stopped on its own (a TCG stall): not steady
            pass
    return False


def tcg_only(cause):
    """A stop caused only by samples missing, which a stalled guest does."""
    return bool(cause) and set(cause.split(",")) <= {"stale-samples",
                                                     "sequence-gap"}


def get_running(case):
    """Start (and restart after a spurious stop before the injection) until
    the walk is steady. Returns True when it is."""
    for attempt in range(4):
        st = status()
        if st.get("state") != "running":
            r = start_session()
            if r[0] != 0:
                note("%s: start refused: %s" % (case, r[2]))
                reset_until_ok(10)
                r = start_session()
                if r[0] != 0:
                    note("%s: start refused again: %s" % (case, r[2]))
                    continue
        if steady():
            return True
        st = status()
        note("%s: attempt %d not steady: state %s, cause %s, last sample %s"
             % (case, attempt + 1, st.get("state"), st.get("fault_cause"),
                SAMPLER.last()))
        wait_belt_rest(15)
        reset_until_ok(10)
    return False


def wait_belt_rest(timeout, t0=None):
    """Board time at which the belt was first seen at rest and stayed so
    (None if not within timeout)."""
    end = time.time() + timeout
    while time.time() < end:
        time.sleep(0.1)
        last = SAMPLER.last()
        if last is None:
            continue
        win = SAMPLER.since(last[0] - 0.5)
        if win and last[0] - win[0][0] >= 0.3 and \
                all(abs(s[1]) < AT_REST for s in win):
            seq = SAMPLER.since(t0 if t0 is not None else last[0] - 30)
            t_rest = None
            for s in seq:
                if abs(s[1]) < AT_REST:
                    if t_rest is None:
                        t_rest = s[0]
                else:
                    t_rest = None
            return t_rest
    return None


def decel_figure(samples, t_ref):
    """Mean deceleration of the belt between 90 % and 10 % of its speed
    at t_ref, m/s^2 (None when not seen)."""
    after = [x for x in samples if x[0] >= t_ref]
    if not after:
        return None
    v0 = max(x[1] for x in after[:5])
    t90 = next((x[0] for x in after if x[1] <= 0.9 * v0), None)
    t10 = next((x[0] for x in after if x[1] <= 0.1 * v0), None)
    if t90 is None or t10 is None or t10 <= t90:
        return None
    return 0.8 * v0 / (t10 - t90) / 1000


def run_case(c, inject, after_stop=None, expect=(), release_s=4.0,
             releases=True, stop_by=None, force_limit=True, ref=None):
    """The common flow of a case.

    inject()      does the fault; returns a short text for the log
    stop_by()     an operator stop that follows the fault (noise, frame
                  loss: the fault alone need not stop anything), or what
                  makes the fault show (stuck valve); returns the board
                  time it was asked at, from which the stop, the hold and
                  the set-point are then judged
    ref           what that time is, for the log ("stop" by default)
    after_stop()  undoes the fault once the belt is at rest
    expect        list of (kind, causes) that must be among the events
    releases      whether leverd can release the support afterwards (it
                  cannot while the gate refuses its commands)
    force_limit   judge the true force against target + 5 %BW (not for a
                  stuck valve, which holds whatever it froze at: then the
                  commanded set-point is judged, the force is a figure)
    """
    name = c.name
    ref = ref or ("stop" if stop_by else "fault")
    note("---- %s" % name)
    if not get_running(name):
        ok(False, "%s: the walk before the fault is steady" % name,
           status())
        return
    ev0 = last_event_id()
    dm = dmesg_mark()
    t_pre = SIM.state()["t"] - 1.0
    what = inject()
    t0 = SIM.state()["t"]
    note("%s: injected %s at board time %.3f s" % (name, what, t0))
    t_ref = stop_by(t0) if stop_by else t0
    t_rest = wait_belt_rest(c.bound() + 10, t_ref)
    stop_s = (t_rest - t_ref) if t_rest is not None else None
    if after_stop:
        after_stop()

    # watch the safe state (and the release where leverd can do it)
    if releases:
        ok_rel, st = wait_state(lambda s: s.get("rt", {}).get("mode") ==
                                "releasing", 10)
        if not ok_rel:
            note("%s: leverd not releasing: %s" % (name, st.get("rt")))
    time.sleep(release_s)

    # events
    evs = []
    missing = list(expect)
    end = time.time() + 8
    while time.time() < end:
        evs = events_after(ev0)
        missing = [(k, cs) for k, cs in expect
                   if not any(e.get("kind") == k and
                              any(c_ in (e.get("cause") or "") for c_ in cs)
                              for e in evs)]
        if not missing:
            break
        time.sleep(0.5)

    # nothing moves before the reset, nor after it until a start
    okr, rr = reset_until_ok(15)
    time.sleep(1.0)
    t_after = SIM.state()["t"]
    case_win = SAMPLER.since(t_pre, t_after)
    post = [x for x in case_win if x[0] >= t_ref]

    # figures
    peak_v = max([x[1] for x in case_win if x[0] >= t0] or [0])
    # the guest stalled while the belt stopped (the sampler, a plain
    # process in the guest, saw nothing for a while): the board's clock
    # ran on at the last set-point and the stop is late by as much
    stop_win = [x[0] for x in case_win
                if t_ref <= x[0] <= (t_rest if t_rest else t_after)]
    stall = sum(b - a - 0.1 for a, b in zip(stop_win, stop_win[1:])
                if b - a > 0.1)
    bound = c.bound() + stall
    decel = decel_figure(case_win, t_ref)
    rest_after = [x for x in post if t_rest is not None and x[0] >= t_rest]
    moved = max([abs(x[1]) for x in rest_after] or [0])
    means = mean_windows(case_win, 2, 1.0)
    max_mean = max([m for _, m in means] or [0])
    max_force = max([x[2] for x in case_win] or [0])
    # what the board holds once the belt is at rest: at rest the support
    # is that pressure x geometry, so it must not exceed target + 5 %BW
    sp_limit = LIMIT_N / N_PER_PA
    sp_after = max([x[4] for x in post if t_rest is not None and
                    x[0] >= t_rest + 0.2] or [0])
    excess, pre_mean, held = held_then_released(case_win, t_ref, t_rest)
    rate, drop = max_release_rate([x for x in post if t_rest is not None and
                                   x[0] >= t_rest])
    tail = [x[2] for x in post if x[0] >= post[-1][0] - 1.0] if post else [0]
    f_end = sum(tail) / len(tail)
    if os.environ.get("LEVER_HIL_DEBUG"):
        for x in case_win:
            if t_ref - 1.5 <= x[0] <= t_ref + 3:
                note("  t %+.3f v %4.0f F %6.1f P %6.0f SP %6.0f %s" %
                     (x[0] - t_ref, x[1], x[2], x[3], x[4], x[5]))

    ok(stop_s is not None and stop_s <= bound,
       "%s: belt at rest %.2f s after the %s (bound %.2f s = %.2f m/s "
       "at 1.0 m/s^2 + %.2f s detection + %.1f s TCG + %.2f s guest "
       "stalls seen; peak %.0f mm/s, deceleration %s m/s^2)" %
       (name, stop_s if stop_s is not None else -1,
        ref, bound, c.v / 1000, c.detect_s,
        TCG_ALLOW_S, stall, peak_v, "%.2f" % decel if decel else "?"),
       "last sample %s; sampler gap %.2f s" % (SAMPLER.last(),
                                               SAMPLER.max_gap))
    force_ok = max_mean <= LIMIT_N or not force_limit
    ok(force_ok and sp_after <= sp_limit,
       "%s: support not raised (1 s mean force max %.1f N, limit %.1f N = "
       "target %.1f + 5 %%BW%s; instantaneous max %.1f N; pressure "
       "set-point held at rest %.0f Pa, limit %.0f Pa)" %
       (name, max_mean, LIMIT_N, TARGET_N,
        "" if force_limit else ", a figure only: the valve holds what it "
        "froze at", max_force, sp_after, sp_limit))
    ok(rate <= RELEASE_N_S * 1.1 + 0.5 and
       (excess <= HOLD_TOL_N or not force_limit),
       "%s: support held until the belt is at rest (1 s means: %.1f N "
       "before the %s, %.1f N in the second after; %.1f N at the reset; "
       "%.1f N below what the release limit allows, tolerance %.1f N), "
       "then released at most %.2f %%BW/s (limit 1.00)%s" %
       (name, pre_mean, ref, held, f_end,
        max(excess, 0), HOLD_TOL_N, rate / MG * 100,
        "" if force_limit else "; the hold a figure only: the valve "
        "holds what it froze at"),
       "worst drop between 0.5 s bins 2 s apart %.1f N" % drop)
    ok(not missing, "%s: recorded: %s" % (name, ", ".join(
        "%s %s" % (k, "|".join(cs)) for k, cs in expect)),
       "missing %s; events: %s; events_not_recorded %s" %
       (missing, [(e.get("kind"), e.get("cause")) for e in evs],
        status().get("events_not_recorded")))
    if not okr:
        note("%s: reset refused: %s" % (name, rr))
    r = start_session() if okr else (1, None, "no reset")
    ran = r[0] == 0 and steady(25)
    for attempt in range(3):
        # samples missing for 0.5 s (a stalled guest) stop the new run
        # safely, as they must: that is TCG, not this case; start again
        st = status()
        if ran or r[0] != 0 or not tcg_only(st.get("fault_cause")):
            break
        note("%s: the new run stopped on %s (a stalled guest); again" %
             (name, st.get("fault_cause")))
        wait_belt_rest(15)
        reset_until_ok(10)
        r = start_session()
        ran = r[0] == 0 and steady(25)
    ok(okr and moved < AT_REST and ran,
       "%s: at rest until reset and start (max %.0f mm/s), then runs "
       "again" % (name, moved), (rr, r, json.dumps(status())))
    if not ran:
        bs = SIM.state()
        st = status()
        note("%s: after reset and start: board %s faults %s; lever0 %s; "
             "leverd %s (estop %s, faults %s, cause %s, link %s); events %s"
             % (name, bs["state"], bs["fault_names"], sysfs_lever0(),
                st.get("state"), st.get("estop"), st.get("faults"),
                st.get("fault_cause"), st.get("link"),
                [(e.get("kind"), e.get("cause"), e.get("detail"))
                 for e in events_after(ev0)][-6:]))
        if r[0] != 0:
            r2 = ctl("reset")
            r3 = start_session()
            note("%s: a second reset: %s; start then: %s" % (name, r2, r3))
    for line in dmesg_since(dm):
        if "lever" in line:
            note("%s: kernel: %s" % (name, line))
    return {"decel": decel, "stall": stall}


# -------------------------------------------------------------- the cases

def sim_fault(name, on):
    SIM.cmd("fault %s %s" % (name, "on" if on else "off"))


def case_estop():
    c = Case("e-stop", 0.0)

    def inject():
        SIM.cmd("estop press")
        return "estop press"

    def undo():
        time.sleep(1.0)
        r = ctl("reset")
        ok(r[0] != 0, "e-stop: reset refused while the e-stop is held",
           r)
        SIM.cmd("estop release")
    run_case(c, inject, undo, expect=[("fault", ["estop"]),
                                      ("estop", ["pressed"]),
                                      ("estop", ["released"])],
             releases=False)


def case_key():
    c = Case("safety key", 0.0)

    def inject():
        SIM.cmd("key pull")
        return "key pull"

    def undo():
        SIM.cmd("key insert")
    run_case(c, inject, undo, expect=[("fault", ["safety-key"]),
                                      ("safety-key", ["pulled"])],
             releases=False)


def case_overspeed():
    # runaway: target x 1.3 + 0.6 m/s at the drive's 1.5 m/s^2; the board
    # trips 50 ms after 0.3 m/s over its ramp, leverd at +0.5 km/h
    c = Case("over-speed", 0.5, SPEED_MM_S * 1.3 + 600)

    def inject():
        sim_fault("belt-overspeed", True)
        return "fault belt-overspeed on"
    run_case(c, inject, lambda: sim_fault("belt-overspeed", False),
             expect=[("fault", ["overspeed", "board-fault"])],
             releases=False)


def case_sensor(name, fault, leverd_causes):
    c = Case(name, 0.5)

    def inject():
        sim_fault(fault, True)
        return "fault %s on" % fault
    run_case(c, inject, lambda: sim_fault(fault, False),
             expect=[("fault", leverd_causes)], releases=False)


def stop_op():
    """leverctl stop; the board time it was asked at."""
    t = SIM.state()["t"]
    r = ctl("stop")
    if r[0] != 0:
        note("leverctl stop: %s" % (r,))
    return t


def case_noise():
    # a burst of noise (x40) on both sensors for 3 s while walking, then an
    # operator stop with the noise still on: the support law must not turn
    # noise into support, the held support is not a noise peak. The stop
    # is judged from leverctl stop: 0.5 s for the request, 0.5 s for the
    # jerk-limited ramp to reach the stop deceleration.
    c = Case("noise burst", 1.0)

    def inject():
        sim_fault("force-noise", True)
        sim_fault("pressure-noise", True)
        return "fault force-noise on, pressure-noise on"

    def stop(t0):
        time.sleep(3.0)
        st = status()
        note("noise burst: after 3 s: state %s, faults %s" %
             (st.get("state"), st.get("faults")))
        return stop_op()

    def undo():
        time.sleep(2.0)
        sim_fault("force-noise", False)
        sim_fault("pressure-noise", False)
    run_case(c, inject, undo, stop_by=stop,
             expect=[("stop", ["operator", "fault"])])


def case_frames():
    # every other frame lost (drop-frames) and the rest 20 ms late
    # (delay-frames) for 3 s, then an operator stop with the link still
    # lossy: the stop at its deceleration, and leverd releases only on
    # fresh samples, so never faster than the limit
    c = Case("frame loss", 1.0)

    def inject():
        sim_fault("drop-frames", True)
        sim_fault("delay-frames", True)
        return "fault drop-frames on, delay-frames on"

    def stop(t0):
        time.sleep(3.0)
        st = status()
        note("frame loss: after 3 s: state %s, faults %s, missed %s" %
             (st.get("state"), st.get("faults"),
              st.get("rt", {}).get("missed_samples")))
        return stop_op()

    def undo():
        time.sleep(2.0)
        sim_fault("drop-frames", False)
        sim_fault("delay-frames", False)
    fig = run_case(c, inject, undo, stop_by=stop,
                   expect=[("stop", ["operator", "fault"])])
    # leverd's stop ramp must keep its deceleration when frames are lost
    # (SAFETY.md: 1.0 m/s^2); judged only when the guest did not stall
    # while the belt stopped, as a stall alone slows what the plant sees
    if fig and fig["decel"] is not None and fig["stall"] < 0.3:
        ok(fig["decel"] >= 0.8,
           "frame loss: the stop decelerates at %.2f m/s^2 (at least 0.8; "
           "SAFETY.md 1.0)" % fig["decel"])
    elif fig:
        ok(True, "frame loss: the stop's deceleration # SKIP the guest "
           "stalled %.2f s while the belt stopped" % fig["stall"])


def case_valve():
    # the regulator's valve freezes while walking, where it was. That
    # alone shows nothing and harms nobody: the support it froze at is the
    # one the law wanted (judged from the fault, this case once passed or
    # failed on where in the stride the fault came: the law's command
    # wandered 30 kPa off in 0.1 s, in 3.7 s or never). The fault shows
    # when the support must change, as in the clinic: the physio lowers it
    # with the console's support-down key, 1 %BW a press, 10 presses 0.2 s
    # apart, and the valve does not follow. leverd's over-support limit
    # (safety.rst rule 8) is the target + 5 %BW, the target coming down
    # over the step's ramp (2 s) after each press: 2 s after the last one
    # it is 10 %BW below where it was, and the limit under what the valve
    # holds (the walk was steady when it froze). The board may see it
    # first (its set-point 30 kPa off the cylinder for 0.3 s); either
    # stops the belt. The stop is judged from the last press, the ramp as
    # its detection time. The valve holds whatever it froze at: no
    # software can change that, so the true force is a figure until the
    # valve frees again (once the belt is at rest); from then on the
    # pressure is the set-point the stack holds, judged at rest against
    # target + 5 %BW and by its release.
    c = Case("stuck valve", 2.0)

    def inject():
        sim_fault("valve-stuck", True)
        return "fault valve-stuck on"

    def lower(t0):
        time.sleep(1.0)
        for _ in range(10):
            SIM.cmd("button support-down press")
            time.sleep(0.1)
            SIM.cmd("button support-down release")
            time.sleep(0.1)
        t = SIM.state()["t"]
        st = status()
        note("stuck valve: after the presses: state %s, faults %s, "
             "pendant %s" % (st.get("state"), st.get("faults"),
                             st.get("pendant")))
        return t
    run_case(c, inject, lambda: sim_fault("valve-stuck", False),
             expect=[("fault", ["over-support", "board-fault"])],
             releases=False, stop_by=lower,
             ref="last support-down press", force_limit=False)


def case_sigkill():
    # leverd killed: closing the armed file makes lever.ko stop the belt
    # (controlled stop, support held); a new leverd finds the session
    # still open and ends it "interrupted"
    c = Case("leverd SIGKILL", 0.0)

    def inject():
        LEVERD.p.send_signal(signal.SIGKILL)
        return "SIGKILL to leverd pid %d" % LEVERD.p.pid

    def undo():
        LEVERD.p.wait()
        started = LEVERD.start()
        st = status()
        ok(started and st.get("state") in ("idle", "fault", "stopped") and
           st.get("rt", {}).get("mode") == "idle",
           "leverd SIGKILL: a new leverd starts idle (state %s, mode %s)" %
           (st.get("state"), st.get("rt", {}).get("mode")), st)
    run_case(c, inject, undo, expect=[("end", ["interrupted"])],
             releases=False)


def case_sigstop():
    # leverd hung: lever.ko's watchdog on the controlling file (1 s here)
    # stops the belt; after SIGCONT leverd finds its commands refused
    c = Case("leverd SIGSTOP", KERNEL_WD_S)

    def inject():
        LEVERD.p.send_signal(signal.SIGSTOP)
        return "SIGSTOP to leverd pid %d" % LEVERD.p.pid

    def undo():
        LEVERD.p.send_signal(signal.SIGCONT)
    run_case(c, inject, undo, expect=[("fault", ["gate-stopped",
                                                 "stale-samples"])],
             releases=False)


def wait_link(want, timeout):
    return wait_state(lambda s: s.get("link") == want, timeout)


def lever_interfaces():
    d = "/sys/bus/usb/drivers/lever"
    try:
        return sorted(n for n in os.listdir(d) if ":" in n)
    except OSError:
        return []


def case_link(name, how):
    # the board is lost while walking: its command watchdog (1 s here)
    # stops the belt; leverd says link "lost", ends the session
    # "link-lost", reopens by itself when the board is back, disarmed
    c = Case(name, BOARD_WD_S)
    ifs = []
    if how == "unbind" and status().get("state") == "fault" and \
            status().get("fault_cause") == "gate-stopped":
        # a reopened board keeps failing starts (see the unplug case):
        # this case starts from a fresh leverd so that it tests unbind
        note("%s: the last case left leverd failing its starts on "
             "gate-stopped (lever0 %s): a fresh leverd" %
             (name, sysfs_lever0()))
        LEVERD.stop()
        LEVERD.start()
        reset_until_ok(10)

    def inject():
        if how == "unplug":
            SIM.cmd("disconnect")
            return "lever-simctl disconnect"
        ifs[:] = lever_interfaces()
        with open("/sys/bus/usb/drivers/lever/unbind", "w") as f:
            f.write(ifs[0])
        return "unbind of %s from lever" % ifs[0]

    def undo():
        lost, st = wait_link("lost", 10)
        if how == "unplug":
            SIM.cmd("reconnect")
        else:
            with open("/sys/bus/usb/drivers/lever/bind", "w") as f:
                f.write(ifs[0])
        back, st2 = wait_link("ok", 20)
        t_back = time.time()
        ok(lost and back, "%s: status link \"lost\", then \"ok\" once "
           "the board is back (%s)" % (name, st2.get("state")),
           (st.get("link"), st2.get("link"), lever_interfaces(),
            os.path.exists("/dev/lever0")))
        time.sleep(max(0.0, 2.0 - (time.time() - t_back)))
    run_case(c, inject, undo, expect=[("link", ["lost"]), ("link", ["back"]),
                                      ("fault", ["link-lost"]),
                                      ("end", ["link-lost"])],
             releases=False)


def main(cases):
    global SAMPLER, LEVERD, SIM
    SIM = Simd()
    SAMPLER = Sampler()
    SAMPLER.start()
    LEVERD = Leverd()
    table = {
        "estop": case_estop,
        "key": case_key,
        "overspeed": case_overspeed,
        "pressure-stuck": lambda: case_sensor(
            "stuck pressure sensor", "pressure-stuck",
            ["board-fault", "pressure", "implausible"]),
        "force-stuck": lambda: case_sensor(
            "stuck force sensor", "force-stuck",
            ["board-fault", "sensor-stuck", "implausible"]),
        "valve": case_valve,
        "noise": case_noise,
        "frames": case_frames,
        "sigkill": case_sigkill,
        "sigstop": case_sigstop,
        "unplug": lambda: case_link("unplug/replug", "unplug"),
        "unbind": lambda: case_link("unbind while armed", "unbind"),
    }
    if not LEVERD.start():
        print("1..1")
        print("not ok 1 - leverd starts on /dev/lever0")
        return 1
    ctl("athlete", "add", "hil", "%g" % MASS)
    for name in cases:
        table[name]()
    LEVERD.stop()
    SAMPLER.quit = True
    print("1..%d" % n_tests)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
