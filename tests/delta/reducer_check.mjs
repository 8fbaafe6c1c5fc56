// The web UI's reducer (web/src/lib/raceReducer.js) replays the frames delta_property.py
// recorded: after every positions frame its rebuilt positions object must equal the server's
// full object for that seq, and every resumed reader must end where the uninterrupted one
// did. Usage: node reducer_check.mjs transcripts.json
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { initialRaceState, raceReducer } from '../../web/src/lib/raceReducer.js';

const POSITIONS = new Set(['snapshot', 'positions', 'delta']);

// The action the page dispatches for a frame (raceStream.js unwraps positions/commentary).
function action(frame) {
  const name = frame.event;
  let data = frame.data;
  if ((name === 'positions' || name === 'commentary') && data?.type === name && data.data) data = data.data;
  return { type: name, data };
}

function replay(name, frames, state, full) {
  let compared = 0;
  for (const frame of frames) {
    state = raceReducer(state, action(frame));
    if (!POSITIONS.has(frame.event) || !state.positionsData) continue;
    const want = full[String(state.positionsData.seq)];
    if (!want) continue;
    assert.deepEqual(state.positionsData, want, `${name}: positions at id ${frame.id}`);
    compared += 1;
  }
  return { state, compared };
}

const transcripts = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let compared = 0;
for (const t of transcripts) {
  const states = [];
  let state = initialRaceState;
  for (const frame of t.frames) {
    const r = replay(t.name, [frame], state, t.full);
    state = r.state;
    compared += r.compared;
    states.push(state);
  }
  const commentIds = (s) => s.commentary.map((c) => c.id).sort();
  for (const resume of t.resumes) {
    const from = t.frames[resume.from].id;
    const r = replay(`${t.name} resume from ${from}`, resume.frames, states[resume.from], t.full);
    compared += r.compared;
    assert.deepEqual(r.state.positionsData, state.positionsData, `resume from ${from}: final positions`);
    assert.deepEqual(commentIds(r.state), commentIds(state), `resume from ${from}: commentary`);
  }
}
console.log(`reducer_check: ${transcripts.length} races, ${compared} states equal to the server's`);
