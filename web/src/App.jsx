import { useEffect, useState } from 'react';
import StartScreen from './components/StartScreen.jsx';
import RaceView from './components/RaceView.jsx';
import { parseRoute } from './lib/route.js';

export default function App() {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    document.title = route.name === 'race' ? `pitwall — race ${route.raceId}` : 'pitwall — live timing';
  }, [route]);

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // Hash links are routes here, so move focus without touching the hash.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      {route.name === 'race' ? <RaceView key={route.raceId} raceId={route.raceId} /> : <StartScreen />}
    </>
  );
}
