import { rmSync } from 'node:fs';

/**
 * Remove a browser profile directory after the browser was closed. An engine's helper
 * processes (WebKit's web and GPU processes writing `mesa_shader_cache`, say) can still be
 * writing for a moment after the browser itself exited, so a removal is retried; what is
 * still left after that is a temporary directory, not a test failure, and is only reported.
 */
export function removeProfileDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (e) {
    console.warn(`left the profile directory ${dir}: ${(e as Error).message}`);
  }
}
