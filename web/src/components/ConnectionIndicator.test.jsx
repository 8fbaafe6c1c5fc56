import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import ConnectionIndicator from './ConnectionIndicator.jsx';
import RaceView from './RaceView.jsx';
import { FakeEventSource } from '../test/fakeEventSource.js';
import { commentaryData, positionsData, statusObject } from '../test/fixtures.js';

describe('ConnectionIndicator', () => {
  it.each([
    ['live', 'Live'],
    ['reconnecting', 'Reconnecting…'],
    ['offline', 'Offline'],
    ['connecting', 'Connecting…'],
  ])('shows %s as "%s"', (state, label) => {
    render(<ConnectionIndicator state={state} />);
    const el = screen.getByTestId('connection');
    expect(el.textContent).toBe(label);
    expect(el.dataset.state).toBe(state);
    expect(el.getAttribute('role')).toBe('status');
  });
});

function jsonResponse(status, body) {
  return { ok: status >= 200 && status < 300, status, text: async () => JSON.stringify(body) };
}

describe('RaceView connection handling', () => {
  beforeEach(() => {
    FakeEventSource.reset();
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (url) => {
      if (String(url).endsWith('/status')) return jsonResponse(200, statusObject());
      if (String(url).endsWith('/api/races')) return jsonResponse(200, { races: [] });
      return jsonResponse(404, { detail: 'Race not finished' });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('shows loading, then live data; on a drop shows reconnecting and resumes without duplicates', async () => {
    render(<RaceView raceId="R1" EventSourceImpl={FakeEventSource} />);
    expect(screen.getByText(/Connecting to the race/)).toBeTruthy();
    expect(screen.getByTestId('connection').dataset.state).toBe('connecting');
    const es = FakeEventSource.last();
    expect(es.url).toBe('/api/race/R1/stream');
    act(() => {
      es.open();
      es.emit(
        'snapshot',
        {
          type: 'snapshot',
          status: statusObject(),
          positions: positionsData(['1', '44', '81']),
          commentary: [commentaryData(1, 'Lights out!', 'highlight'), commentaryData(2, 'Hamilton up to P2', 'warning')],
        },
        '20-2',
      );
    });
    expect(screen.getByTestId('connection').dataset.state).toBe('live');
    expect(screen.getAllByTestId('board-row').map((r) => r.dataset.number)).toEqual(['1', '44', '81']);
    expect(screen.getByTestId('tracker-position').textContent).toBe('2');
    expect(screen.getByTestId('lap').textContent).toBe('11 / 50');

    act(() => es.drop());
    expect(screen.getByTestId('connection').textContent).toBe('Reconnecting…');
    expect(screen.getByTestId('connection-banner').textContent).toMatch(/resuming from the last update/);

    act(() => {
      es.open();
      // The resumed stream repeats one frame it had already delivered, then goes on.
      es.emit('commentary', { type: 'commentary', data: commentaryData(2, 'Hamilton up to P2', 'warning') }, '20-2');
      es.emit('positions', { type: 'positions', data: positionsData(['44', '1', '81'], { lap: 12 }) }, '21-2');
      es.emit('commentary', { type: 'commentary', data: commentaryData(3, 'Hamilton takes the lead!', 'highlight') }, '21-3');
    });
    expect(screen.getByTestId('connection').dataset.state).toBe('live');
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    expect(screen.getAllByTestId('board-row').map((r) => r.dataset.number)).toEqual(['44', '1', '81']);
    expect(screen.getByTestId('tracker-position').textContent).toBe('1');
    const ids = [...screen.getByTestId('commentary-list').querySelectorAll('li')].map((li) => li.dataset.id);
    expect(ids).toEqual(['c-R1-3', 'c-R1-2', 'c-R1-1']);
  });

  it('shows the track status banner and the finish with the podium', async () => {
    render(<RaceView raceId="R1" EventSourceImpl={FakeEventSource} />);
    const es = FakeEventSource.last();
    act(() => {
      es.open();
      es.emit('snapshot', { type: 'snapshot', status: statusObject(), positions: positionsData(['1', '44', '81']), commentary: [] }, '1-0');
      es.emit('race', { type: 'track_status', track: 'sc' }, '2-0');
    });
    expect(screen.getByTestId('track-banner').textContent).toContain('Safety car');
    act(() => {
      es.emit('race', { type: 'track_status', track: 'green' }, '3-0');
      es.emit('status', statusObject({ status: 'finished', progress: 1 }), '4-0');
      es.emit('end', { type: 'end', status: 'finished' }, '5-0');
    });
    expect(screen.queryByTestId('track-banner')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('finish')).toBeTruthy());
    expect(screen.getByTestId('podium-1').textContent).toContain('Lando Norris');
    expect(screen.getByTestId('podium-2').textContent).toContain('Lewis Hamilton');
    expect(screen.getByTestId('connection').textContent).toBe('Race finished');
  });

  it('explains a race that does not exist', async () => {
    globalThis.fetch.mockImplementation(async () => jsonResponse(404, { detail: 'Race not found' }));
    render(<RaceView raceId="nope" EventSourceImpl={FakeEventSource} />);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/race was not found/));
  });
});
