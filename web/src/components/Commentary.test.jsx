import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import Commentary, { isAbout, mentionsDriver } from './Commentary.jsx';
import { initialRaceState, raceReducer } from '../lib/raceReducer.js';
import { commentaryData } from '../test/fixtures.js';

const hamilton = { name: 'Lewis Hamilton', tla: 'HAM', number: '44' };

function feed(lines) {
  let s = initialRaceState;
  for (const l of lines) s = raceReducer(s, { type: 'commentary', data: l });
  return s.commentary;
}

describe('Commentary', () => {
  it('lists the newest line first with its lap and time, styled by type', () => {
    const items = feed([
      commentaryData(1, 'Lights out and away we go!', 'highlight', 1),
      commentaryData(2, 'Yellow flag in sector 2', 'warning', 4),
      commentaryData(3, 'Hamilton sets a personal best', 'info', 6),
    ]);
    render(<Commentary items={items} driver={hamilton} />);
    const li = screen.getByTestId('commentary-list').querySelectorAll('li');
    expect([...li].map((x) => x.dataset.id)).toEqual(['c-R1-3', 'c-R1-2', 'c-R1-1']);
    expect(li[0].className).toContain('comment-info');
    expect(li[1].className).toContain('comment-warning');
    expect(li[2].className).toContain('comment-highlight');
    expect(li[0].textContent).toContain('Lap 6');
    expect(li[0].querySelector('time').getAttribute('datetime')).toBe(new Date(1732790003000).toISOString());
    expect(li[0].querySelector('time').textContent).toMatch(/\d\d:\d\d:\d\d/);
  });

  it('never shows the same line twice, even when it is delivered again', () => {
    const line = commentaryData(7, 'Norris passes Piastri for the lead!', 'highlight');
    const items = feed([line, line, { ...line }]);
    render(<Commentary items={items} />);
    expect(screen.getAllByText('Norris passes Piastri for the lead!')).toHaveLength(1);
  });

  it('filters to lines about the picked driver and back', () => {
    const items = feed([
      commentaryData(1, 'Hamilton pits for hards', 'info'),
      commentaryData(2, 'Verstappen up to P2!', 'warning'),
      commentaryData(3, 'HAM fastest lap', 'highlight'),
      commentaryData(4, 'Hamiltonian physics say nothing here', 'info'),
    ]);
    render(<Commentary items={items} driver={hamilton} />);
    const toggle = screen.getByRole('button', { name: /Only Hamilton/ });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    expect(screen.getAllByRole('listitem')).toHaveLength(4);
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    const shown = screen.getAllByRole('listitem').map((li) => li.dataset.id);
    expect(shown).toEqual(['c-R1-3', 'c-R1-1']);
    fireEvent.click(toggle);
    expect(screen.getAllByRole('listitem')).toHaveLength(4);
  });

  it('matches driver names on word boundaries', () => {
    expect(mentionsDriver('Russell overtakes Hamilton', hamilton)).toBe(true);
    expect(mentionsDriver('Hamiltonian', hamilton)).toBe(false);
    expect(mentionsDriver('anything', null)).toBe(false);
  });

  it('uses the car the server tagged a line with', () => {
    expect(isAbout({ message: 'Fastest lap of the race!', driver: '44' }, hamilton)).toBe(true);
    expect(isAbout({ message: 'Fastest lap of the race!', driver: '1' }, hamilton)).toBe(false);
    expect(isAbout({ message: 'Hamilton pits', driver: '' }, hamilton)).toBe(true);
  });

  it('shows a waiting message before the first line', () => {
    render(<Commentary items={[]} driver={hamilton} loading />);
    expect(screen.getByText(/Waiting for the first commentary/)).toBeTruthy();
  });
});
