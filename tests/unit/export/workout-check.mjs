// SPDX-License-Identifier: MIT
// workout-check.mjs FILE.fit SHOW.json: a FIT workout decoded by Garmin's
// own decoder (@garmin/fitsdk, integrity check on) against the plan
// session it was written from (leverctl --json show SESSION). Prints one
// "ok"/"not ok" line; the reasons as comments. Exit 1 on a mismatch.
import { Decoder, Stream } from '@garmin/fitsdk';
import { readFileSync } from 'node:fs';

const [file, showFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(showFile, 'utf8'));
const d = new Decoder(Stream.fromBuffer(readFileSync(file)));
const why = [];
if (!d.isFIT() || !d.checkIntegrity()) why.push('integrity check fails');
const { messages: m, errors } = d.read();
if (errors.length) why.push(`decode errors: ${errors.join('; ')}`);
const fid = (m.fileIdMesgs || [])[0] || {};
if (fid.type !== 'workout' || fid.manufacturer !== 'development')
    why.push(`file_id ${fid.type}/${fid.manufacturer}`);
const w = (m.workoutMesgs || [])[0] || {};
if (w.sport !== 'running' || w.subSport !== 'treadmill')
    why.push(`workout ${w.sport}/${w.subSport}`);
const steps = m.workoutStepMesgs || [];
const inten = { warmup: 'warmup', run: 'active', walk: 'rest', cooldown: 'cooldown' };
if (w.numValidSteps !== plan.steps.length || steps.length !== plan.steps.length)
    why.push(`${steps.length} steps (num_valid_steps ${w.numValidSteps}) for ${plan.steps.length}`);
plan.steps.forEach((s, i) => {
    const x = steps[i] || {};
    const v = s.belt_speed_mm_s / 1000;
    if (x.durationType !== 'time' || Math.abs(x.durationTime - s.duration_s) > 0.001)
        why.push(`step ${i}: ${x.durationType} ${x.durationTime} s, plan ${s.duration_s} s`);
    if (x.intensity !== inten[s.kind])
        why.push(`step ${i}: intensity ${x.intensity} for ${s.kind}`);
    if (x.targetType !== 'speed' || !(x.customTargetSpeedLow <= v && v <= x.customTargetSpeedHigh))
        why.push(`step ${i}: speed ${x.customTargetSpeedLow}..${x.customTargetSpeedHigh} m/s for ${v}`);
    if (!String(x.notes).startsWith(`${s.bw_pct.toFixed(1)} % body weight carried`))
        why.push(`step ${i}: notes '${x.notes}'`);
});
const name = file.split('/').pop();
console.log(`${why.length ? 'not ok' : 'ok'} - ${name}: a workout step per plan step with its time, speed and intensity`);
why.forEach(w => console.log(`# ${w}`));
process.exit(why.length ? 1 : 0);
