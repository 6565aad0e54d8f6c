import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Api } from '../http';

const require = createRequire(import.meta.url);

/** The folder of an installed package (its entry resolved, then up to its package.json). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    readJson(join(dir, 'package.json')).name !== name
  ) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = parent;
  }
  return dir;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { name?: string };

/** What the dashboard is made of: its own files and two browser builds, read once. */
function assets(): Map<string, { body: string; type: string }> {
  const own = join(packageDir('@aclue/api'), 'dashboard');
  const files: [string, string, string][] = [
    ['/dashboard', join(own, 'index.html'), 'text/html; charset=utf-8'],
    ['/dashboard/app.js', join(own, 'app.js'), 'text/javascript; charset=utf-8'],
    ['/dashboard/style.css', join(own, 'style.css'), 'text/css; charset=utf-8'],
    ['/dashboard/favicon.svg', join(own, 'favicon.svg'), 'image/svg+xml'],
    // Where browsers look for an icon on pages that name none (the API's own JSON, say).
    ['/favicon.ico', join(own, 'favicon.svg'), 'image/svg+xml'],
    [
      '/dashboard/vendor/d3.min.js',
      join(packageDir('d3'), 'dist/d3.min.js'),
      'text/javascript; charset=utf-8',
    ],
    [
      '/dashboard/vendor/plot.umd.min.js',
      join(packageDir('@observablehq/plot'), 'dist/plot.umd.min.js'),
      'text/javascript; charset=utf-8',
    ],
  ];
  return new Map(
    files.map(([path, file, type]) => [path, { body: readFileSync(file, 'utf8'), type }]),
  );
}

// Scripts only from here; Plot writes inline styles into its SVG; data only from this origin.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The analytics dashboard (`/dashboard`): static pages with no data in them. The browser asks
 * for the service key, keeps it in sessionStorage, and sends it to the analytics routes, which
 * decide — a page served to anyone shows nothing without it.
 */
export function dashboardRoutes(app: Api): void {
  const files = assets();
  app.get('/dashboard/', (c) => c.redirect('/dashboard', 301));
  for (const [path, { body, type }] of files) {
    app.get(path, (c) => {
      c.header('content-security-policy', contentSecurityPolicy);
      c.header('x-content-type-options', 'nosniff');
      c.header('referrer-policy', 'no-referrer');
      c.header('cache-control', path.includes('/vendor/') ? 'public, max-age=86400' : 'no-cache');
      return c.body(body, 200, { 'content-type': type });
    });
  }
}
