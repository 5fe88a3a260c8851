import { useEffect, useState } from 'react';
import { storedKey, storeKey } from '../shared/key';
import { whenUnauthorized } from './api';
import { AutomationEditor } from './pages/AutomationEditor';
import { Automations } from './pages/Automations';
import { EventDetail } from './pages/EventDetail';
import { Events } from './pages/Events';
import { Keys } from './pages/Keys';
import { SignIn } from './pages/SignIn';
import { Link, navigate, usePath } from './router';

const NAV = [
  { to: '/', label: 'Events', match: (p: string) => p === '/' || p.startsWith('/events') },
  { to: '/automations', label: 'Automations', match: (p: string) => p.startsWith('/automations') },
  { to: '/keys', label: 'API keys', match: (p: string) => p.startsWith('/keys') },
];

export function App() {
  const [key, setKey] = useState(storedKey);
  const [notice, setNotice] = useState<string>();
  const { path } = usePath();

  useEffect(() => {
    whenUnauthorized((message) => {
      storeKey(null);
      setKey(null);
      setNotice(`Signed out: ${message}`);
    });
  }, []);

  if (!key) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(k) => {
          storeKey(k);
          setNotice(undefined);
          setKey(k);
        }}
      />
    );
  }

  let page;
  let m: RegExpMatchArray | null;
  if ((m = path.match(/^\/events\/([^/]+)$/))) page = <EventDetail name={decodeURIComponent(m[1])} />;
  else if (path === '/automations') page = <Automations />;
  else if ((m = path.match(/^\/automations\/([^/]+)$/))) page = <AutomationEditor id={m[1] === 'new' ? null : m[1]} />;
  else if (path === '/keys') page = <Keys />;
  else page = <Events />;

  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="logo" aria-hidden>◆</span> arsel<span className="brand-dim">events</span>
        </Link>
        <nav>
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={n.match(path) ? 'active' : ''}>
              {n.label}
            </Link>
          ))}
          <a href="/graphql" target="_blank" rel="noreferrer">Playground</a>
          <a href="/docs" target="_blank" rel="noreferrer">REST docs</a>
        </nav>
        <button
          className="btn btn-ghost signout"
          onClick={() => {
            storeKey(null);
            setKey(null);
            navigate('/', true);
          }}
        >
          Sign out
        </button>
      </header>
      <main className="content">{page}</main>
    </div>
  );
}
