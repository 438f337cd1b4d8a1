// SPDX-License-Identifier: MIT
// fit-check.mjs FILE.fit EXPECT.json: decode FILE with Garmin's own FIT
// decoder (@garmin/fitsdk, integrity check on) and compare it with what
// the session recorded. One "ok"/"not ok" line per check (TAP body, no
// plan); exit 1 when any fails. EXPECT: laps, intensity[], bw_pct[],
// timer_s, distance_m, timer_events, mass_kg (optional keys skipped).
import { Decoder, Stream } from '@garmin/fitsdk';
import { readFileSync } from 'node:fs';

const [file, expectFile] = process.argv.slice(2);
const want = JSON.parse(readFileSync(expectFile, 'utf8'));
const name = file.split('/').pop();
let bad = 0;
const check = (cond, what, detail) => {
    console.log(`${cond ? 'ok' : 'not ok'} - ${name}: ${what}` +
                (cond || detail === undefined ? '' : ` (${detail})`));
    if (!cond) bad++;
};

const decoder = new Decoder(Stream.fromBuffer(readFileSync(file)));
check(decoder.isFIT(), 'is a FIT file');
check(decoder.checkIntegrity(), 'header and file CRCs check');
const { messages: m, errors } = decoder.read({ convertDateTimesToDates: false });
check(errors.length === 0, 'decodes with no errors', errors.join('; '));

const fid = (m.fileIdMesgs || [])[0] || {};
check(fid.type === 'activity', 'file_id says activity', fid.type);
check(fid.manufacturer === 'development', 'manufacturer is development, not a Garmin device', fid.manufacturer);
const s = (m.sessionMesgs || [])[0] || {};
check(s.sport === 'running' && s.subSport === 'treadmill', 'session is running/treadmill', `${s.sport}/${s.subSport}`);
check(Math.abs(s.totalTimerTime - want.timer_s) <= 1, 'total timer time within 1 s of the session time', `${s.totalTimerTime} s vs ${want.timer_s} s`);
const derr = Math.abs(s.totalDistance - want.distance_m) / want.distance_m * 100;
console.log(`# ${name}: distance ${s.totalDistance} m, integral of belt speed ${want.distance_m} m, ${derr.toFixed(3)} % off`);
check(derr <= 1, 'total distance within 1 % of the integral of belt speed', `${derr.toFixed(3)} %`);
const laps = m.lapMesgs || [];
check(laps.length === want.laps && s.numLaps === want.laps, `one lap per step done (${want.laps})`, `${laps.length} laps, num_laps ${s.numLaps}`);
const got = laps.map(l => l.intensity).join(',');
check(got === want.intensity.join(','), 'lap intensities follow the step kinds', got);
const lt = laps.reduce((a, l) => a + l.totalTimerTime, 0);
check(Math.abs(lt - s.totalTimerTime) <= 0.01, 'lap timer times add up to the session', `${lt}`);
const act = (m.activityMesgs || [])[0] || {};
check(act.numSessions === 1 && Math.abs(act.totalTimerTime - s.totalTimerTime) < 0.01, 'activity message with one session');
check((m.deviceInfoMesgs || []).length >= 1, 'device_info present');
const tev = (m.eventMesgs || []).filter(e => e.event === 'timer');
const seq = tev.map(e => e.eventType).join(',');
check((want.timer_events == null || tev.length === want.timer_events) && tev.length >= 2 && tev[0].eventType === 'start' && tev[tev.length - 1].eventType === 'stopAll', 'timer events from the starts, pauses and resumes', seq);
const recs = m.recordMesgs || [];
check(recs.length > 0 && recs.every(r => r.positionLat === undefined), 'records at 1 Hz without position');
check(recs.every((r, i) => i === 0 || r.timestamp - recs[i - 1].timestamp <= 1), 'records are at most 1 s apart');
const last = recs[recs.length - 1] || {};
check(Math.abs(last.distance - s.totalDistance) < 0.02, 'last record distance is the total', `${last.distance}`);
const fds = (m.fieldDescriptionMesgs || []).map(f => `${f.fieldName}[${f.units}]`).join(',');
check(fds === 'body_weight_carried[%],support_force[N]', 'developer fields described', fds);
// developer field keys are in description order: 0 bw carried, 1 force.
// Each lap's mean over its steady part (after its ramp, before its end)
// against the step's target, in % of body weight.
const g = 9.80665, tol = want.bw_tol ?? 0.5;
let worst = 0, seen = 0;
laps.forEach((l, i) => {
    if (want.bw_pct?.[i] === undefined) return;
    const from = l.startTime + (want.ramp_s?.[i] ?? 0) + 5;
    const mid = recs.filter(r => r.timestamp > from && r.timestamp < l.timestamp - 5 && r.enhancedSpeed > 0);
    if (!mid.length) return;
    const bw = mid.reduce((a, r) => a + r.developerFields?.[0], 0) / mid.length;
    const f = mid.reduce((a, r) => a + r.developerFields?.[1], 0) / mid.length;
    const fpct = f / (want.mass_kg * g) * 100;
    console.log(`# ${name}: lap ${i}: body weight carried ${bw.toFixed(2)} % (target ${want.bw_pct[i]}), support ${f.toFixed(1)} N`);
    worst = Math.max(worst, Math.abs(bw - want.bw_pct[i]), Math.abs(100 - fpct - want.bw_pct[i]));
    seen++;
});
check(seen > 0 && worst <= tol, `developer fields carry each step's body weight carried and support force (within ${tol} %BW)`, `worst ${worst.toFixed(2)} %BW over ${seen} laps`);
process.exit(bad ? 1 : 0);
