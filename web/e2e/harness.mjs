// End-to-end harness: the real pitwall binary on a free loopback port, Debian's chromium
// driven by playwright-core, a TCP relay that can cut every connection, and an SSE reader.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const CHROMIUM = process.env.PITWALL_CHROMIUM || '/usr/bin/chromium';
export const PITWALL_BIN = process.env.PITWALL_BIN || path.join(REPO, 'build', 'src', 'app', 'pitwall');
export const ARCHIVE = process.env.PITWALL_ARCHIVE || path.resolve(REPO, '..', 'shared', 'f1-archive');
// Practice and qualifying sessions, offered beside the races (a second --archive).
export const SESSIONS_ARCHIVE = process.env.PITWALL_SESSIONS_ARCHIVE || path.resolve(REPO, '..', 'shared', 'f1-archive-quali-practice');
export const SHOT_DIR = process.env.PITWALL_SCREENSHOTS_DIR || path.join(HERE, 'out');

// Flags that keep chromium off the network: nothing but loopback is reachable here.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(fn, { timeout = 20000, interval = 200, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(interval);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

// Starts build/src/app/pitwall with its web root, history and config in a temp dir.
export async function startPitwall({ extraYaml = '' } = {}) {
  if (!fs.existsSync(PITWALL_BIN)) {
    throw new Error(`pitwall binary not found at ${PITWALL_BIN}: run 'make build web' first (or set PITWALL_BIN)`);
  }
  const dist = path.join(REPO, 'web', 'dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) throw new Error(`web/dist is not built: run 'make web' first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-e2e-'));
  const port = await freePort();
  // Its own history file, the UI of this checkout, and the shared archive (read in place) as replays.
  const args = ['--host', '127.0.0.1', '--port', String(port), '--web-root', dist, '--history', path.join(dir, 'history.db')];
  if (fs.existsSync(ARCHIVE)) args.push('--archive', ARCHIVE);
  if (fs.existsSync(SESSIONS_ARCHIVE)) args.push('--archive', SESSIONS_ARCHIVE);
  if (extraYaml) {
    const cfg = path.join(dir, 'pitwall.yaml');
    fs.writeFileSync(cfg, extraYaml);
    args.push('--config', cfg);
  }
  const logPath = path.join(dir, 'pitwall.log');
  const log = fs.openSync(logPath, 'w');
  const child = spawn(PITWALL_BIN, args, { cwd: REPO, stdio: ['ignore', log, log], env: { ...process.env } });
  let exited = null;
  child.on('exit', (code, sig) => {
    exited = { code, sig };
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`pitwall exited (${JSON.stringify(exited)}): ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
        const r = await fetch(`${base}/api/health`);
        return r.ok;
      },
      { timeout: 15000, what: 'pitwall /api/health' },
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    base,
    port,
    dir,
    logPath,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const done = await Promise.race([new Promise((r) => child.once('exit', () => r(true))), sleep(5000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
      fs.closeSync(log);
    },
    log() {
      return fs.readFileSync(logPath, 'utf8');
    },
  };
}

export async function api(base, method, p, body, headers = {}) {
  const r = await fetch(`${base}${p}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json', ...headers } : headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: r.status, data };
}

export async function launchBrowser(contextOptions = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    ...contextOptions,
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// A TCP relay in front of pitwall. cut() drops every open connection and refuses new ones
// until resume(): to the browser this is the network going away mid-race.
export async function startRelay(targetPort) {
  const sockets = new Set();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    resume() {
      refusing = false;
    },
    close() {
      refusing = true;
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

// Reads an SSE stream in Node, keeping every frame (the reference the browser is compared to).
export function readStream(url) {
  const frames = [];
  const ctrl = new AbortController();
  let ended = false;
  const done = (async () => {
    const res = await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: ctrl.signal });
    if (res.status !== 200) throw new Error(`stream ${url} answered ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.search(/\r?\n\r?\n/)) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i).replace(/^\r?\n\r?\n/, '');
        const frame = { event: 'message', id: null, data: '' };
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(':')) continue;
          const c = line.indexOf(':');
          const field = c < 0 ? line : line.slice(0, c);
          const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
          if (field === 'event') frame.event = value;
          else if (field === 'id') frame.id = value;
          else if (field === 'data') frame.data += (frame.data ? '\n' : '') + value;
        }
        if (!frame.data && !frame.id) continue;
        try {
          frame.json = JSON.parse(frame.data);
        } catch {
          frame.json = null;
        }
        frames.push(frame);
        if (frame.event === 'end') ended = true;
      }
    }
  })().catch((err) => {
    if (err.name !== 'AbortError') throw err;
  });
  return {
    frames,
    done,
    get ended() {
      return ended;
    },
    stop() {
      ctrl.abort();
    },
  };
}

export function idAfter(a, b) {
  const [ar, ac] = a.split('-').map(Number);
  const [br, bc] = b.split('-').map(Number);
  return ar > br || (ar === br && ac > bc);
}

export async function screenshot(page, name, opts = {}) {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  // Still images: let the row animations finish and freeze the rest.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await sleep(600);
  const file = path.join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  return file;
}

// The running order and gap column as the browser shows them. Read with the page's own
// querySelectorAll: playwright's $$eval did not always return rows in document order while
// they were being reordered.
export async function boardState(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=board-row]')].map((r) => ({
      number: r.dataset.number,
      position: Number(r.dataset.position),
      gap: r.querySelector('[data-testid=gap]')?.textContent,
    })),
  );
}

export async function commentaryIds(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid=commentary-list] li')].map((li) => li.dataset.id));
}
