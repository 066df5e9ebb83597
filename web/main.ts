// The dashboard: picks the view from the path; every number comes from an
// aggregate query of the server's API.
import { el } from './dom';
import { overview } from './views/overview';
import { calls, credentials, live, tools } from './views/pages';
import { sources } from './views/sources';
import { story } from './views/story';

async function route(app: HTMLElement): Promise<void> {
  const path = location.pathname;
  for (const a of document.querySelectorAll('nav a')) {
    const href = a.getAttribute('href') ?? '';
    if (href === path || (href !== '/' && path.startsWith(href))) a.classList.add('active');
  }
  const m = /^\/sources\/(.+)$/.exec(path);
  if (m?.[1] !== undefined) return story(app, decodeURIComponent(m[1]));
  switch (path) {
    case '/':
      return overview(app);
    case '/sources':
      return sources(app);
    case '/calls':
      return calls(app);
    case '/tools':
      return tools(app);
    case '/credentials':
      return credentials(app);
    case '/live':
      live(app);
      return;
    default:
      app.append(el('p', {}, 'No such page.'));
  }
}

const app = document.getElementById('app');
if (app) {
  route(app).catch((err: unknown) => {
    app.append(el('p', { class: 'error' }, `Could not load: ${String(err)}`));
  });
}
