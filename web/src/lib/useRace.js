// Everything the race screen needs about one race: state from the combined stream, the
// connection state, REST status refreshes for the clocks, and the final classification.

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, apiUrl, ApiError } from './api.js';
import { initialRaceState, isRaceOver, raceReducer } from './raceReducer.js';
import { RaceStream } from './raceStream.js';

// The clocks run locally between status frames; this only corrects drift.
const STATUS_REFRESH_MS = 10000;

export function useRace(raceId, { EventSourceImpl } = {}) {
  const [state, dispatch] = useReducer(raceReducer, initialRaceState);
  const [connection, setConnection] = useState('connecting');
  const [error, setError] = useState(null);
  const streamRef = useRef(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  const refreshStatus = useCallback(async () => {
    try {
      const status = await api.status(raceId);
      dispatch({ type: 'status', data: { ...status, _at: Date.now() } });
      setError(null);
      return status;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setError('This race was not found on the server. It may have been removed after a restart.');
        streamRef.current?.finish();
      } else if (err instanceof ApiError) {
        // The stream reports connection trouble itself; only show errors it cannot explain.
        if (err.status !== 0) setError(err.message);
      }
      return null;
    }
  }, [raceId]);

  useEffect(() => {
    dispatch({ type: 'reset' });
    setError(null);
    setConnection('connecting');
    refreshStatus();
    const stream = new RaceStream({
      url: apiUrl(`/api/race/${encodeURIComponent(raceId)}/stream`),
      EventSourceImpl,
      onFrame: (frame) => {
        const data = frame.type === 'status' && frame.data ? { ...frame.data, _at: Date.now() } : frame.data;
        if (frame.type === 'snapshot' && data?.status) data.status = { ...data.status, _at: Date.now() };
        dispatch({ type: frame.type, data });
      },
      onState: setConnection,
      onClosed: async () => {
        // The server closed the stream for good: a finished race answers 204 on reconnect.
        const status = await refreshStatus();
        if (status && ['finished', 'stopped', 'failed'].includes(status.status)) stream.finish();
      },
    });
    streamRef.current = stream;
    stream.start();
    return () => {
      stream.close();
      streamRef.current = null;
    };
  }, [raceId, EventSourceImpl, refreshStatus]);

  const over = isRaceOver(state);

  // Clocks: the status object carries elapsed/remaining; refresh it while the race runs.
  useEffect(() => {
    if (over) return undefined;
    const t = setInterval(() => {
      if (stateRef.current.loaded) refreshStatus();
    }, STATUS_REFRESH_MS);
    return () => clearInterval(t);
  }, [over, refreshStatus]);

  // Final classification from the REST API once the race has finished (a stopped race has
  // none: the last running order stands).
  const finished = over && state.status?.status === 'finished';
  useEffect(() => {
    if (!over) return undefined;
    if (!finished) {
      refreshStatus();
      return undefined;
    }
    let cancelled = false;
    let timer = null;
    let tries = 0;
    const load = async () => {
      tries += 1;
      try {
        const data = await api.positions(raceId);
        if (!cancelled) dispatch({ type: 'classification', data });
      } catch {
        if (!cancelled && tries < 5) timer = setTimeout(load, 1000 * tries);
      }
    };
    load();
    refreshStatus();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [over, finished, raceId, refreshStatus]);

  const stop = useCallback(async () => {
    await api.stopRace(raceId);
    await refreshStatus();
  }, [raceId, refreshStatus]);

  const setPaused = useCallback(
    async (paused) => {
      await (paused ? api.pauseRace(raceId) : api.resumeRace(raceId));
      await refreshStatus();
    },
    [raceId, refreshStatus],
  );

  return { state, connection, error, stop, setPaused, stream: streamRef };
}
