import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import RaceHeader, { raceClock, TrackBanner, WeatherBanner } from './RaceHeader.jsx';
import { statusObject } from '../test/fixtures.js';

describe('RaceHeader', () => {
  it('shows the qualifying part and its clock instead of laps, and the kind', () => {
    const status = { status: 'in_progress', title: '2023 Azerbaijan Grand Prix Qualifying', kind: 'qualifying', source: 'replay' };
    const meta = { lap: 0, total_laps: 0, track_status: 'green', session: { kind: 'qualifying', part: 2, clock_ms: 512000, clock_running: true, cutoff_position: 10 } };
    render(<RaceHeader raceId="R1" status={status} meta={meta} connection="live" />);
    expect(screen.getByTestId('session-part').textContent).toBe('Q2');
    expect(screen.getByTestId('session-clock').textContent).toBe('8:32');
    expect(screen.getByTestId('session-clock').dataset.running).toBe('true');
    expect(screen.getByTestId('session-kind').textContent).toBe('Qualifying');
    expect(screen.queryByTestId('lap')).toBeNull();
  });

  it('shows lap x of y, the clocks and the progress', () => {
    // Elapsed and remaining differ (with equal ones, a render in the status's own millisecond
    // showed "1:05" twice and the query found two).
    const status = statusObject({ elapsed_time: 65, duration: 140, remaining_time: 75, _at: Date.now() });
    render(<RaceHeader raceId="R1" status={status} meta={{ lap: 12, total_laps: 57, track_status: 'green' }} connection="live" />);
    expect(screen.getByTestId('lap').textContent).toBe('12 / 57');
    expect(screen.getByText('1:05', { selector: '.stat-value' })).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Race progress' }).getAttribute('aria-valuenow')).toBe('46');
    expect(screen.getByTestId('connection').textContent).toBe('Live');
  });

  it('shows the weather of a race with a chance of rain, and nothing without one', () => {
    const status = statusObject({ elapsed_time: 65, duration: 130, _at: Date.now() });
    const meta = { lap: 12, total_laps: 57, track_status: 'green', weather: { rain_chance: 30, raining: false, wetness: 0 } };
    const { rerender } = render(<RaceHeader raceId="R1" status={status} meta={meta} connection="live" />);
    expect(screen.getByTestId('weather').textContent).toBe('Dry · rain risk 30%');
    rerender(<RaceHeader raceId="R1" status={status} meta={{ ...meta, weather: { rain_chance: 30, raining: true, wetness: 25 } }} connection="live" />);
    expect(screen.getByTestId('weather').textContent).toBe('Rain · rain risk 30%');
    rerender(<RaceHeader raceId="R1" status={status} meta={{ ...meta, weather: null }} connection="live" />);
    expect(screen.queryByTestId('weather')).toBeNull();
  });

  it('runs the clock on between status updates and stops it at the end', () => {
    const at = 1_000_000;
    const running = statusObject({ elapsed_time: 10, duration: 60, _at: at });
    expect(raceClock(running, at + 5000)).toMatchObject({ elapsed: 15, remaining: 45 });
    expect(raceClock(running, at + 600000).elapsed).toBe(60);
    const paused = statusObject({ elapsed_time: 10, duration: 60, paused: true, _at: at });
    expect(raceClock(paused, at + 5000).elapsed).toBe(10);
    expect(raceClock(statusObject({ status: 'finished', elapsed_time: 59, duration: 60 }), at)).toMatchObject({ remaining: 0, progress: 1 });
  });

  it.each([
    ['yellow', 'Yellow flag'],
    ['sc', 'Safety car'],
    ['vsc', 'Virtual safety car'],
    ['red', 'Red flag'],
  ])('shows the %s track status banner', (track, label) => {
    render(<TrackBanner track={track} />);
    const banner = screen.getByTestId('track-banner');
    expect(banner.textContent).toBe(label);
    expect(banner.className).toContain(`track-${track}`);
  });

  it('shows the rain banner while it rains or the track is wet, not when dry', () => {
    const { rerender } = render(<WeatherBanner weather={{ rain_chance: 70, raining: true, wetness: 80 }} />);
    expect(screen.getByTestId('weather-banner').textContent).toContain('Heavy rain');
    expect(screen.getByTestId('weather-banner').textContent).toContain('track wetness 80%');
    rerender(<WeatherBanner weather={{ rain_chance: 70, raining: false, wetness: 30 }} />);
    expect(screen.getByTestId('weather-banner').textContent).toContain('Wet track');
    rerender(<WeatherBanner weather={{ rain_chance: 70, raining: false, wetness: 5 }} />);
    expect(screen.queryByTestId('weather-banner')).toBeNull();
    rerender(<WeatherBanner weather={null} />);
    expect(screen.queryByTestId('weather-banner')).toBeNull();
  });

  it('shows no banner under green or an unknown status', () => {
    const { container } = render(
      <>
        <TrackBanner track="green" />
        <TrackBanner track="purple" />
      </>,
    );
    expect(container.innerHTML).toBe('');
  });
});
