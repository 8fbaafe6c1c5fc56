import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, resolveApiBase } from './api.js';

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
