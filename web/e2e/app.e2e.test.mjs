// Browser end-to-end tests: Debian's chromium (playwright-core) against the real pitwall
// binary on a free loopback port. Run: cd web && node --test e2e/ (after make build web).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  api,
  boardState,
  commentaryIds,
  idAfter,
  launchBrowser,
  readStream,
  screenshot,
  sleep,
  startPitwall,
  startRelay,
  waitFor,
  SHOT_DIR,
  ARCHIVE,
  SESSIONS_ARCHIVE,
} from './harness.mjs';
import fs from 'node:fs';
import { applyDelta } from '../src/lib/delta.js';

const SEQUENCED = new Set(['positions', 'delta', 'commentary', 'race']);
// The board's damage marks (src/components/DamageBadge.jsx) for the frames' damage values.
const DAMAGE_TEXT = { puncture: 'PUNC', front_wing: 'WING', floor: 'FLOOR' };
const DAMAGE_MARKS = Object.values(DAMAGE_TEXT).map((t) => `:${t}`);

// Content-Encoding of every combined stream the page opens: the browser offers gzip and the
// server compresses, so the UI is tested on what real viewers get.
function watchStreamEncodings(page) {
  const seen = [];
  page.on('response', (r) => {
    if (/\/api\/race\/[^/]+\/stream/.test(r.url()) && r.status() === 200) seen.push(r.headers()['content-encoding'] || 'identity');
  });
  return seen;
}

// The newest full positions object of a combined stream read by readStream().
function finalPositions(frames) {
  let full = null;
  for (const f of frames) {
    if (f.event === 'snapshot' && f.json?.positions) full = f.json.positions;
    else if (f.event === 'positions') full = f.json?.data ?? null;
    else if (f.event === 'delta') full = applyDelta(full, f.json);
  }
  return full;
}

async function metric(base, name) {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

async function connectionState(page) {
  return page.getAttribute('[data-testid=connection]', 'data-state');
}

describe('pitwall web UI', { timeout: 600000 }, () => {
  let server;

  before(async () => {
    server = await startPitwall();
    console.log(`# pitwall at ${server.base}, screenshots in ${SHOT_DIR}`);
  });

  after(async () => {
    await server?.stop();
  });

  it('picks a driver, starts a race, shows live timing and commentary, ends on the podium', { timeout: 240000 }, async () => {
    const { data: driversData } = await api(server.base, 'GET', '/api/drivers');
    assert.ok(driversData.drivers.length >= 10, 'the server lists a grid of drivers');
    // A driver from the back half of the list: the podium run has to bring them forward.
    const pick = driversData.drivers[Math.floor(driversData.drivers.length * 0.7)];

    const b = await launchBrowser();
    try {
      const { page } = b;
      const encodings = watchStreamEncodings(page);
      await page.goto(`${server.base}/`);
      await page.waitForSelector('.driver-card');
      assert.equal(await page.locator('.driver-card').count(), driversData.drivers.length);
      await page.getByLabel('Race length').selectOption('30');
      // Keyboard only: into the driver group, arrow to the driver, then start.
      const radios = page.locator('input[name=driver]');
      const index = await radios.evaluateAll((els, name) => els.findIndex((e) => e.value === name), pick.name);
      assert.ok(index >= 0, `${pick.name} is on the picker`);
      await radios.first().focus();
      await page.keyboard.press('Space');
      for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
      assert.ok(await page.locator(`input[value="${pick.name}"]`).isChecked());
      const focusRing = await page.locator('.driver-card.is-picked').evaluate((el) => getComputedStyle(el).outlineStyle);
      assert.equal(focusRing, 'solid', 'the focused driver card shows a focus ring');
      await screenshot(page, 'start');
      await page.getByTestId('start-race').focus();
      await page.keyboard.press('Enter');

      await page.waitForURL(/#\/race\//, { timeout: 10000 });
      const raceId = decodeURIComponent(page.url().split('#/race/')[1]);
      assert.ok(raceId.length > 0);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 15000 });
      await waitFor(async () => (await connectionState(page)) === 'live', { what: 'connection live' });
      assert.match(await page.getByTestId('tracker').textContent(), new RegExp(pick.name));

      // Count the FLIP moves: a moved row is shifted back with translateY, then slid home.
      await page.evaluate(() => {
        window.__flips = 0;
        new MutationObserver((records) => {
          for (const r of records) if (r.target.style?.transform?.startsWith('translateY(')) window.__flips += 1;
        }).observe(document.querySelector('.board-body'), { subtree: true, attributes: true, attributeFilter: ['style'] });
      });
      // Watch the board: the order changes and the gaps move.
      const seenOrders = new Set();
      const gapsOfCar = new Map();
      const until = Date.now() + 12000;
      while (Date.now() < until) {
        const rows = await boardState(page);
        seenOrders.add(rows.map((r) => r.number).join(','));
        for (const r of rows) {
          if (!gapsOfCar.has(r.number)) gapsOfCar.set(r.number, new Set());
          gapsOfCar.get(r.number).add(r.gap);
        }
        // Rows are always listed in position order, 1..n.
        assert.deepEqual(
          rows.map((r) => r.position),
          rows.map((_, i) => i + 1),
        );
        await sleep(400);
      }
      assert.ok(seenOrders.size >= 2, `the running order changed (saw ${seenOrders.size} orders)`);
      assert.ok((await page.evaluate(() => window.__flips)) > 0, 'reordered rows slide to their new place');
      const moving = [...gapsOfCar.values()].filter((s) => s.size >= 3).length;
      assert.ok(moving >= 3, `gaps update live (${moving} cars showed 3+ different gaps)`);

      await waitFor(async () => (await commentaryIds(page)).length > 0, { what: 'commentary', timeout: 20000 });
      // Attached, not visible: the first line may be a leader's, flat at gap 0 (a box with no
      // height, which the browser calls invisible).
      await page.waitForSelector('[data-testid=race-trace] polyline', { state: 'attached', timeout: 20000 });
      await screenshot(page, 'race-desktop');

      // The finish: podium, classification equal to the server's, past results.
      await page.waitForSelector('[data-testid=finish]', { timeout: 90000 });
      await page.waitForSelector('[data-testid=podium-1]');
      const { status, data: classification } = await waitFor(
        async () => {
          const r = await api(server.base, 'GET', `/api/race/${encodeURIComponent(raceId)}/positions`);
          return r.status === 200 ? r : null;
        },
        { what: 'final classification' },
      );
      assert.equal(status, 200);
      const official = classification.positions.slice().sort((a, b) => a.position - b.position);
      const podium = await Promise.all([1, 2, 3].map((p) => page.getByTestId(`podium-${p}`).textContent()));
      official.slice(0, 3).forEach((car, i) => assert.match(podium[i], new RegExp(car.driver_name), `P${i + 1} on the podium`));
      const pickedPlace = official.find((c) => c.driver_name === pick.name)?.position;
      assert.ok(pickedPlace >= 1 && pickedPlace <= 3, `the picked driver finished on the podium (P${pickedPlace})`);
      await waitFor(async () => (await page.locator('[data-testid=classification] tbody tr').count()) === official.length, {
        what: 'classification rows',
      });
      const shownOrder = await page.evaluate(() =>
        [...document.querySelectorAll('[data-testid=classification] tbody tr td:nth-child(2)')].map((td) => td.textContent),
      );
      assert.deepEqual(
        shownOrder,
        official.map((c) => String(c.number)),
      );
      await waitFor(async () => (await connectionState(page)) === 'ended', { what: 'stream ended' });
      assert.ok(encodings.length >= 1 && encodings.every((e) => e === 'gzip'), `the race stream came gzip-compressed (${encodings})`);
      await screenshot(page, 'finish', { fullPage: true });
      assert.deepEqual(b.errors, [], 'no script errors on the page');
    } finally {
      await b.close();
    }
  });

  it('recovers from a cut mid-race without losing or repeating anything', { timeout: 240000 }, async () => {
    const relay = await startRelay(server.port);
    const { data: driversData } = await api(server.base, 'GET', '/api/drivers');
    const started = await api(server.base, 'POST', '/api/race/start', { driver_name: driversData.drivers[0].name, duration_s: 40 });
    assert.equal(started.status, 200, JSON.stringify(started.data));
    const raceId = started.data.race_id;
    // The reference: the same combined stream read directly, never cut.
    const reference = readStream(`${server.base}/api/race/${encodeURIComponent(raceId)}/stream`);
    // The reference must be connected before the page is, so it holds everything the page gets.
    await waitFor(() => reference.frames.some((f) => f.event === 'snapshot'), { what: 'the reference snapshot' });
    const catchupsBefore = await metric(server.base, 'pitwall_resumes_catchup_total');
    const snapshotResumesBefore = await metric(server.base, 'pitwall_resumes_snapshot_total');
    const b = await launchBrowser();
    try {
      const { page } = b;
      const encodings = watchStreamEncodings(page);
      await page.goto(`${relay.base}/#/race/${encodeURIComponent(raceId)}`);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 15000 });
      await waitFor(async () => (await connectionState(page)) === 'live', { what: 'connection live' });
      await sleep(5000);

      const beforeCut = Number(await page.getAttribute('.race-page', 'data-sequenced'));
      relay.cut();
      await waitFor(async () => ['reconnecting', 'offline'].includes(await connectionState(page)), {
        what: 'the indicator to show the drop',
        timeout: 15000,
      });
      assert.match(await page.getByTestId('connection-banner').textContent(), /last update/);
      await screenshot(page, 'race-reconnecting');
      await sleep(5000); // the race goes on while the browser is cut off
      const duringCut = Number(await page.getAttribute('.race-page', 'data-sequenced'));
      assert.ok(duringCut >= beforeCut);
      relay.resume();
      await waitFor(async () => ['live', 'ended'].includes(await connectionState(page)), { what: 'the stream to come back', timeout: 20000 });
      assert.equal(await page.getByTestId('connection-banner').count(), 0, 'the notice goes once the stream is back');

      // Let the race run to its end on both sides.
      await waitFor(() => reference.ended, { what: 'the reference stream to end', timeout: 90000 });
      await waitFor(async () => (await connectionState(page)) === 'ended', { what: 'the page stream to end', timeout: 30000 });

      const root = page.locator('.race-page');
      const snapshotId = await root.getAttribute('data-snapshot-id');
      const sequenced = Number(await root.getAttribute('data-sequenced'));
      const snapshots = Number(await root.getAttribute('data-snapshots'));
      const lastId = await root.getAttribute('data-last-event-id');
      assert.ok(snapshotId, 'the page got a snapshot with an id');
      assert.ok(encodings.length >= 2 && encodings.every((e) => e === 'gzip'), `every stream, the resumed one too, was gzip (${encodings})`);
      assert.equal(Number(await root.getAttribute('data-resyncs')), 0, 'every delta applied to the tick the page held');

      // The server resumes with what costs fewest bytes (docs/API.md, Resume): every missed
      // frame; or every missed frame but the deltas, plus the newest tick in full; or, when
      // smaller still, a fresh snapshot. Which one it took decides what the page counted.
      const catchups = (await metric(server.base, 'pitwall_resumes_catchup_total')) - catchupsBefore;
      const snapshotResumes = (await metric(server.base, 'pitwall_resumes_snapshot_total')) - snapshotResumesBefore;
      const refSeq = reference.frames.filter((f) => SEQUENCED.has(f.event) && f.id);
      const expected = refSeq.filter((f) => idAfter(f.id, snapshotId));
      assert.ok(expected.length > 10, `the race produced events after the page joined (${expected.length})`);
      if (snapshotResumes > 0) {
        assert.equal(snapshots, 2, 'a snapshot resume: the page took one fresh snapshot, no more');
      } else {
        assert.equal(snapshots, 1, 'the page resumed with Last-Event-ID instead of starting over');
        const events = expected.filter((f) => f.event === 'commentary' || f.event === 'race');
        assert.equal(Number(await root.getAttribute('data-events')), events.length, 'every race event and commentary line after the snapshot, once');
        if (catchups === 0) assert.equal(sequenced, expected.length, 'the page applied exactly the events the server sent after its snapshot');
      }
      assert.equal(lastId, expected[expected.length - 1].id, 'the page ends on the last event id');
      assert.ok(sequenced > duringCut, 'events missed during the cut arrived after it');
      const refFinal = finalPositions(reference.frames);
      assert.equal(Number(await root.getAttribute('data-positions-seq')), refFinal.seq, 'the page holds the last positions tick');

      // Commentary: the same lines as the uncut stream, each once.
      const refComments = new Set();
      const snap = reference.frames.find((f) => f.event === 'snapshot');
      for (const c of snap?.json?.commentary || []) refComments.add(c.id);
      for (const f of reference.frames) if (f.event === 'commentary') refComments.add((f.json?.data ?? f.json)?.id);
      const shown = await commentaryIds(page);
      assert.equal(new Set(shown).size, shown.length, 'no commentary line shown twice');
      assert.ok(shown.length > 0, 'commentary arrived');
      assert.deepEqual([...shown].sort(), [...refComments].sort(), 'the page shows every commentary line, none missing');

      const resumes = await metric(server.base, 'pitwall_resumes_total');
      assert.ok(resumes >= 1, `the server saw a Last-Event-ID resume (pitwall_resumes_total ${resumes})`);
      assert.deepEqual(b.errors, []);
    } finally {
      reference.stop();
      await b.close();
      await relay.close();
    }
  });

  it('replays a real archive session picked on the start screen and follows a driver', { timeout: 120000 }, async () => {
    assert.ok(fs.existsSync(ARCHIVE), `the F1 archive is at ${ARCHIVE}`);
    const { data } = await api(server.base, 'GET', '/api/replays');
    assert.ok(data.sessions.length > 0, 'the server offers archive sessions');
    const session = data.sessions.find((s) => s.kind === 'race' || s.kind === 'sprint');
    assert.ok(session, 'a race among the archive sessions');
    const b = await launchBrowser();
    try {
      const { page } = b;
      await page.goto(`${server.base}/`);
      await page.getByLabel('Session', { exact: true }).selectOption(session.id);
      await page.getByLabel('Speed', { exact: true }).selectOption('60');
      await page.getByRole('button', { name: 'Start replay' }).click();
      await page.waitForURL(/#\/race\//, { timeout: 10000 });
      const raceId = decodeURIComponent(page.url().split('#/race/')[1]);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 20000 });
      const { data: st } = await api(server.base, 'GET', `/api/race/${encodeURIComponent(raceId)}/status`);
      assert.equal(st.source, 'replay');
      assert.equal(await page.locator('.race-title').textContent(), st.title);
      assert.match(await page.getByTestId('lap').textContent(), new RegExp(`/ ${session.laps}$`));
      // Nobody is picked in a replay: following a driver from the board fills the tracker.
      const second = page.getByTestId('board-row').nth(1);
      const name = await second.locator('.name-full').textContent();
      await second.getByRole('button').click();
      assert.match(await page.getByTestId('tracker').textContent(), new RegExp(name));
      assert.equal(await second.getAttribute('aria-current'), 'true');
      await page.getByRole('button', { name: 'Pause' }).click();
      await waitFor(async () => (await api(server.base, 'GET', `/api/race/${encodeURIComponent(raceId)}/status`)).data.paused === true, {
        what: 'the replay to pause',
      });
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitFor(async () => (await api(server.base, 'GET', `/api/race/${encodeURIComponent(raceId)}/status`)).data.paused === false, {
        what: 'the replay to resume',
      });
      await page.waitForSelector('[data-testid=race-trace] polyline', { state: 'attached', timeout: 30000 });
      await screenshot(page, 'replay-desktop');
      // Control is by token: a client without it is refused, the tab that started it is not.
      const refused = await api(server.base, 'POST', `/api/race/${encodeURIComponent(raceId)}/stop`);
      assert.equal(refused.status, 403);
      await page.getByRole('button', { name: 'Stop race' }).click();
      await page.waitForSelector('[data-testid=finish]', { timeout: 15000 });
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  it('replays qualifying with its part, clock, drop zone and knocked-out cars, and practice with its clock and best laps', { timeout: 180000 }, async () => {
    assert.ok(fs.existsSync(SESSIONS_ARCHIVE), `the practice and qualifying archive is at ${SESSIONS_ARCHIVE}`);
    const { data } = await api(server.base, 'GET', '/api/replays');
    const quali = data.sessions.find((s) => s.kind === 'qualifying');
    const practice = data.sessions.find((s) => s.kind === 'practice');
    assert.ok(quali && practice, 'the server offers a qualifying and a practice session');
    const b = await launchBrowser();
    try {
      const { page } = b;
      // Baku 2023 qualifying from 2560 s after the Q1 start: the end of Q1 (at 2652 s, Q2's
      // SessionPart with the five cars out at 2979 s) at 20x.
      const started = await api(server.base, 'POST', '/api/replay/start', { session: quali.id, speed: 20, start_s: 2560, tick_hz: 4 });
      const raceId = started.data.race_id;
      await page.goto(`${server.base}/#/race/${encodeURIComponent(raceId)}`);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 20000 });
      assert.equal(await page.getByTestId('session-kind').textContent(), 'Qualifying');
      assert.equal(await page.getByTestId('session-part').textContent(), 'Q1');
      assert.match(await page.getByTestId('session-clock').textContent(), /^\d+:\d\d$/);
      assert.equal(await page.getByTestId('lap').count(), 0, 'no lap counter in qualifying');
      // The cut-off line under P15 and the drop zone below it, while Q1 runs.
      assert.equal(await page.locator('.board-row.has-cutoff').getAttribute('data-position'), '15');
      assert.equal(await page.locator('[data-testid=board-row][data-dropzone=true]').count(), 5);
      await screenshot(page, 'qualifying-q1');
      // Q2: five cars greyed out, each marked out in Q1, and the cut-off moves under P10.
      await waitFor(async () => (await page.getByTestId('session-part').textContent()) === 'Q2', { timeout: 60000, what: 'Q2 to begin' });
      await waitFor(async () => (await page.locator('.board-row.is-knocked-out').count()) === 5, { timeout: 20000, what: 'five cars knocked out' });
      const out = await page.locator('.board-row.is-knocked-out').evaluateAll((rows) =>
        rows.map((r) => ({ tla: r.querySelector('.name-tla')?.textContent, badge: r.querySelector('[data-testid=knocked-out]')?.textContent, opacity: getComputedStyle(r).opacity })),
      );
      assert.deepEqual(out.map((o) => o.tla).sort(), ['DEV', 'GAS', 'HUL', 'MAG', 'ZHO']);
      for (const o of out) {
        assert.equal(o.badge, 'OUT Q1', `${o.tla} is out in Q1`);
        assert.ok(Number(o.opacity) < 0.6, `${o.tla} is greyed (opacity ${o.opacity})`);
      }
      assert.equal(await page.locator('.board-row.has-cutoff').getAttribute('data-position'), '10');
      const q2clock = (await page.getByTestId('session-clock').textContent()).split(':').map(Number);
      assert.ok(q2clock[0] * 60 + q2clock[1] > 14 * 60 && q2clock[0] * 60 + q2clock[1] <= 15 * 60, 'a new, full Q2 clock');
      await screenshot(page, 'qualifying-q2');
      const stopped = await api(server.base, 'POST', `/api/race/${encodeURIComponent(raceId)}/stop`, {}, { 'X-Race-Token': started.data.control_token });
      assert.equal(stopped.status, 200);

      // Monza 2021 FP2, 25 minutes in: the session clock, best laps, laps done.
      const fp = await api(server.base, 'POST', '/api/replay/start', { session: practice.id, speed: 10, start_s: 1500, tick_hz: 4 });
      await page.goto(`${server.base}/#/race/${encodeURIComponent(fp.data.race_id)}`);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 20000 });
      assert.equal(await page.getByTestId('session-part').textContent(), 'Practice');
      const clock = await page.getByTestId('session-clock').textContent();
      const [mm, ss] = clock.split(':').map(Number);
      assert.ok(mm * 60 + ss <= 3600 - 1500 && mm * 60 + ss > 3600 - 1500 - 120, `practice clock ${clock} is about 35:00`);
      const rows = await boardState(page);
      assert.ok(rows.length >= 20);
      const bests = await page.locator('[data-testid=board-row] .c-best').allTextContents();
      assert.match(bests[0], /^1:2\d\.\d{3}$/, `the fastest has a best lap (${bests[0]})`);
      // Ordered by best lap: the times shown rise down the board.
      const ms = bests.filter((t) => /^\d:\d\d\.\d{3}$/.test(t)).map((t) => Number(t.slice(0, 1)) * 60000 + Number(t.slice(2)) * 1000);
      assert.ok(ms.length >= 15);
      for (let i = 1; i < ms.length; i++) assert.ok(ms[i] >= ms[i - 1], `best laps in order at row ${i + 1}`);
      assert.ok(Number(await page.getByTestId('laps').first().textContent()) > 0, 'laps done shown');
      await page.getByTestId('board-row').first().getByRole('button').click();
      await page.waitForSelector('[data-testid=best-sectors]', { timeout: 10000 });
      await screenshot(page, 'practice-desktop');
      const fpStopped = await api(server.base, 'POST', `/api/race/${encodeURIComponent(fp.data.race_id)}/stop`, {}, { 'X-Race-Token': fp.data.control_token });
      assert.equal(fpStopped.status, 200);
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });

  it("marks penalties and damage on the board in a race with the stewards on and damage forced, as the stream has them", { timeout: 180000 }, async () => {
    const { data: driversData } = await api(server.base, 'GET', '/api/drivers');
    // The browser first: on a loaded machine its start takes seconds of a 30 s race.
    const b = await launchBrowser();
    let stream = null;
    try {
      const { page } = b;
      // Every marker the board renders, as "number:+5s", "number:DT", "number:BW", and damage as
      // "number:PUNC", "number:WING", "number:FLOOR": collected by the page itself on every change
      // of the DOM, so a marker the board shows for one tick is seen however late a poll runs.
      await page.addInitScript(() => {
        window.__boardMarks = new Set();
        const scan = () => {
          for (const r of document.querySelectorAll('[data-testid=board-row]')) {
            for (const m of r.querySelectorAll('[data-testid=penalty-time], [data-testid=penalty-dt], [data-testid=damage]')) {
              window.__boardMarks.add(`${r.dataset.number}:${m.textContent}`);
            }
            if (r.querySelector('[data-testid=penalty-bw]')) window.__boardMarks.add(`${r.dataset.number}:BW`);
          }
        };
        new MutationObserver(scan).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      const started = await api(server.base, 'POST', '/api/race/start', {
        driver_name: driversData.drivers[0].name,
        duration_s: 30,
        laps: 20,
        penalties: true,
        damage: true,
        seed: 11,
      });
      assert.equal(started.status, 200);
      const raceId = started.data.race_id;
      stream = readStream(`${server.base}/api/race/${encodeURIComponent(raceId)}/stream`);
      await page.goto(`${server.base}/#/race/${encodeURIComponent(raceId)}`);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 30000 });
      const isDamage = (m) => DAMAGE_MARKS.some((d) => m.endsWith(d));
      const boardMarks = () => page.evaluate(() => [...window.__boardMarks]);
      let shot = false;
      while (!stream.ended) {
        if (!shot && (await boardMarks()).some((m) => !m.endsWith(':BW') && !isDamage(m))) {
          await screenshot(page, 'race-penalties');
          shot = true;
        }
        await sleep(150);
      }
      await stream.done;
      // What the stream said at some tick: every full positions object, rebuilt from deltas.
      const said = new Set();
      let full = null;
      for (const f of stream.frames) {
        if (f.event === 'snapshot' && f.json?.positions) full = f.json.positions;
        else if (f.event === 'positions') full = f.json?.data ?? null;
        else if (f.event === 'delta') full = applyDelta(full, f.json);
        else continue;
        for (const car of full?.positions ?? []) {
          if (car.retired) continue;
          if (car.penalty_s > 0) said.add(`${car.number}:+${car.penalty_s}s`);
          if (car.drive_through) said.add(`${car.number}:DT`);
          if (car.black_white) said.add(`${car.number}:BW`);
          if (!car.finished && DAMAGE_TEXT[car.damage]) said.add(`${car.number}:${DAMAGE_TEXT[car.damage]}`);
        }
      }
      const list = await boardMarks();
      assert.ok(list.some((m) => m.endsWith(':BW')), `a black-and-white flag on the board (${list})`);
      assert.ok(list.some((m) => !m.endsWith(':BW') && !isDamage(m)), `time owed or a drive-through on the board (${list})`);
      assert.ok(list.some(isDamage), `a damage mark on the board (${list})`);
      for (const m of list) assert.ok(said.has(m), `the board showed ${m}, which the stream never said (${[...said]})`);
      assert.deepEqual(b.errors, []);
    } finally {
      stream?.stop();
      await b.close();
    }
  });

  it('fits a phone in portrait and stops a race from the race screen', { timeout: 120000 }, async () => {
    const { data: driversData } = await api(server.base, 'GET', '/api/drivers');
    const pick = driversData.drivers[3];
    const started = await api(server.base, 'POST', '/api/race/start', { driver_name: pick.name, duration_s: 60 });
    assert.equal(started.status, 200);
    const raceId = started.data.race_id;
    const b = await launchBrowser({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const { page } = b;
      await page.goto(`${server.base}/#/race/${encodeURIComponent(raceId)}`);
      await page.waitForSelector('[data-testid=board-row]', { timeout: 15000 });
      // A viewer (this browser did not start the race) gets no controls ...
      assert.equal(await page.getByRole('button', { name: 'Stop race' }).count(), 0);
      // ... the holder of the race's control token does (the start screen keeps it so).
      assert.match(started.data.control_token, /^[0-9a-f]{32}$/);
      await page.evaluate(([id, token]) => sessionStorage.setItem(`pitwall.race-token.${id}`, token), [raceId, started.data.control_token]);
      await page.reload();
      await page.waitForSelector('[data-testid=board-row]', { timeout: 15000 });
      await page.waitForSelector('[data-testid=race-trace] polyline', { state: 'attached', timeout: 30000 });
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
      assert.ok(widths.doc <= widths.view, `no sideways scrolling (${widths.doc} > ${widths.view})`);
      const firstRow = page.getByTestId('board-row').first();
      assert.ok(await firstRow.locator('.name-tla').isVisible(), 'three-letter names on a phone');
      assert.equal(await firstRow.locator('.name-full').isVisible(), false);
      assert.ok(await page.getByTestId('tracker').isVisible());
      await screenshot(page, 'race-phone');

      await page.getByRole('button', { name: 'Stop race' }).click();
      await page.waitForSelector('[data-testid=finish]', { timeout: 15000 });
      assert.match(await page.locator('.finish-title').textContent(), /Race stopped/);
      const { data: st } = await api(server.base, 'GET', `/api/race/${encodeURIComponent(raceId)}/status`);
      assert.equal(st.status, 'stopped');

      // The start screen lists the stopped race to reopen.
      await page.goto(`${server.base}/#/`);
      await page.waitForSelector(`[data-race-id="${raceId}"]`, { timeout: 15000 });
      await page.waitForSelector('.driver-card');
      await screenshot(page, 'start-phone', { fullPage: true });
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
});
