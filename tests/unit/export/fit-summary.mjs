// SPDX-License-Identifier: MIT
// fit-summary.mjs FILE.fit: what Garmin's own decoder (@garmin/fitsdk)
// reads in an activity file, in one paragraph; exit 1 when the file fails
// its integrity check or decodes with errors. Used by make demo.
import { Decoder, Stream } from '@garmin/fitsdk';
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const d = new Decoder(Stream.fromBuffer(readFileSync(file)));
const intact = d.isFIT() && d.checkIntegrity();
const { messages: m, errors } = d.read();
const s = (m.sessionMesgs || [])[0] || {};
const laps = (m.lapMesgs || []).map(l => l.intensity).join(', ');
console.log(`Garmin's FIT decoder: integrity ${intact ? 'ok' : 'FAILED'}, ` +
            `${errors.length} error(s); ${s.sport}/${s.subSport}, ` +
            `${(m.lapMesgs || []).length} laps (${laps}), ` +
            `timer ${s.totalTimerTime} s, distance ${s.totalDistance} m, ` +
            `${(m.recordMesgs || []).length} records`);
for (const e of errors) console.log(`  ${e}`);
process.exit(intact && !errors.length ? 0 : 1);
