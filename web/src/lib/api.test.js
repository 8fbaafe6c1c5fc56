import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, raceToken, resolveApiBase } from './api.js';

describe('API base', () => {
  it('is the page origin unless the URL or the build names another', () => {
    expect(resolveApiBase('', undefined)).toBe('');
    expect(resolveApiBase('', 'http://build:8001/')).toBe('http://build:8001');
    expect(resolveApiBase('?api=http://other:9000/', 'http://build:8001')).toBe('http://other:9000');
  });
});

describe('API errors', () => {
  afterEach(() => vi.restoreAllMocks());

  it("passes the server's detail on", async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue({ ok: false, status: 400, text: async () => '{"detail":"Unknown driver: Nobody"}' });
    await expect(api.startRace({ driver_name: 'Nobody' })).rejects.toMatchObject({ status: 400, message: 'Unknown driver: Nobody' });
  });

  it('explains an unreachable server and a non-JSON answer', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const err = await api.drivers().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/Cannot reach the pitwall server/);
    globalThis.fetch.mockResolvedValueOnce({ ok: true, status: 200, text: async () => '<html>' });
    await expect(api.drivers()).rejects.toThrow(/not JSON/);
    globalThis.fetch.mockResolvedValueOnce({ ok: false, status: 503, text: async () => '' });
    await expect(api.races()).rejects.toThrow(/not ready yet/);
  });
});

describe('race control tokens', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    sessionStorage.clear();
  });

  it('keeps the token a start returns and sends it with control requests only for that race', async () => {
    const fetchMock = vi.spyOn(globalThis, 'fetch').mockResolvedValue({
      ok: true,
      status: 200,
      text: async () => '{"race_id":"r1","status":"started","control_token":"abc123"}',
    });
    await api.startRace({ driver_name: 'Lando Norris' });
    expect(raceToken('r1')).toBe('abc123');
    expect(raceToken('r2')).toBeNull();
    fetchMock.mockResolvedValue({ ok: true, status: 200, text: async () => '{"race_id":"r1","status":"stopped"}' });
    await api.stopRace('r1');
    expect(fetchMock.mock.lastCall[1].headers['X-Race-Token']).toBe('abc123');
    await api.pauseRace('r2').catch(() => {});
    expect(fetchMock.mock.lastCall[1].headers['X-Race-Token']).toBeUndefined();
  });

  it('passes a 403 for a race this tab did not start on with its detail', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue({
      ok: false,
      status: 403,
      text: async () => '{"detail":"race control needs the race\'s control token"}',
    });
    await expect(api.stopRace('x')).rejects.toMatchObject({ status: 403 });
  });
});
