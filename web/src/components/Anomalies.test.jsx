import { afterEach, describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import Anomalies, { addAnomaly } from './Anomalies.jsx';
import { FakeEventSource } from '../test/fakeEventSource.js';

const anomaly = (n, extra = {}) => ({
  team_name: 'McLaren',
  driver_name: 'Oscar Piastri',
  driver_number: '81',
  timestamp: '2026-12-02T15:01:51.670Z',
  metric_name: 'engine_temperature',
  metric_value: 111.3 + n,
  confidence_score: 0.948,
  is_anomaly: true,
  severity: 'low',
  race_id: 'R1',
  lap: 7 + n,
  race_ms: 690172 + n * 1000,
  z_score: 4.39,
  ...extra,
});

afterEach(() => FakeEventSource.reset());

describe('Anomalies', () => {
  it('streams the race\'s anomalies, newest first, with severity and reading', () => {
    render(<Anomalies raceId="R1" EventSourceImpl={FakeEventSource} />);
    const es = FakeEventSource.last();
    expect(es.url).toContain('/api/anomalies/stream?race_id=R1');
    expect(screen.getByText('No telemetry anomalies.')).toBeTruthy();
    act(() => {
      es.emit('message', { type: 'anomaly', data: anomaly(0) });
      es.emit('message', { type: 'ping' });
      es.emit('message', { type: 'anomaly', data: anomaly(1, { severity: 'critical', metric_name: 'brake_temperature', metric_value: 812 }) });
      es.emit('message', { type: 'anomaly', data: anomaly(2, { race_id: 'OTHER' }) });
      es.emit('message', 'not json');
    });
    const li = screen.getByTestId('anomaly-list').querySelectorAll('li');
    expect(li).toHaveLength(2);
    expect(li[0].className).toContain('anomaly-critical');
    expect(li[0].textContent).toContain('Brakes 812.0 °C');
    expect(li[0].textContent).toContain('Piastri');
    expect(li[1].textContent).toContain('Engine 111.3 °C');
    expect(li[1].textContent).toContain('Lap 7');
  });

  it('ignores a replayed anomaly it already shows and keeps the last 50', () => {
    let list = [];
    for (let i = 0; i < 60; i++) list = addAnomaly(list, anomaly(i));
    expect(list).toHaveLength(50);
    expect(addAnomaly(list, anomaly(59))).toBe(list);
    expect(list[0].lap).toBe(66);
  });

  it('closes its stream when the race changes', () => {
    const { rerender } = render(<Anomalies raceId="R1" EventSourceImpl={FakeEventSource} />);
    const first = FakeEventSource.last();
    rerender(<Anomalies raceId="R2" EventSourceImpl={FakeEventSource} />);
    expect(first.closed).toBe(true);
    expect(FakeEventSource.last().url).toContain('race_id=R2');
  });
});
