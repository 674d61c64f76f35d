// Pages for the cross-engine tests: every page loads the error probe first.
import type { TestServer } from '../harness';
import { PROBE } from './types';

/** A page whose head loads the probe, then `scripts` (src paths) in order. */
export function html(scripts: string[], body = '', attrs: Record<string, string> = {}): string {
  const tags = [PROBE, ...scripts].map((s) => `<script src="${s}"${attrs[s] ? ` ${attrs[s]}` : ''}></script>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8">${tags}</head><body>${body}</body></html>`;
}

export const IIFE = '/dist/cohortkit.iife.js';
export const STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";

/** Registers the pages the core scenarios use. */
export function registerPages(server: TestServer): void {
  server.pages.set('/blank.html', { body: html([IIFE]) });
  server.pages.set('/app.html', { body: html([IIFE, '/test/e2e/fixtures/app.js'], '<p>app</p>') });
  server.pages.set('/broken-idb.html', { body: html(['/test/e2e/fixtures/break-idb.js', IIFE]) });
  server.pages.set('/csp.html', {
    body: html([IIFE, '/test/e2e/fixtures/csp-check.js']),
    headers: { 'content-security-policy': STRICT_CSP },
  });
  server.pages.set('/tag.html', {
    headers: { 'content-security-policy': STRICT_CSP },
    body: html(
      ['/test/e2e/fixtures/tag-page.js', IIFE],
      `<section id="hero" data-cohortkit-slot="hero"><h1>Welcome</h1><template data-variant="news-reader"><h1>Your news briefing</h1></template></section>`,
      { [IIFE]: 'async' },
    ),
  });
  // The bundle in a sandboxed iframe: an opaque origin, where IndexedDB and Web Locks are refused.
  server.pages.set('/sandbox.html', {
    body: html(['/test/e2e/fixtures/sandbox-parent.js'], '<iframe sandbox="allow-scripts" src="/sandbox-frame.html"></iframe>'),
  });
  server.pages.set('/sandbox-frame.html', { body: html(['/test/e2e/fixtures/sandbox-frame.js', IIFE]) });
  // The app page with the built-ins frozen first (SES-style hardening).
  server.pages.set('/frozen.html', { body: html(['/test/e2e/fixtures/freeze-intrinsics.js', IIFE, '/test/e2e/fixtures/app.js']) });
}
