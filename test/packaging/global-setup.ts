import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { installProject, linkDevPackage, makeTemp, packTarball, ROOT } from './pack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The packed tarball. */
    tarball: string;
    /** A project with only the tarball installed (plus @types/node linked for the type checks). */
    app: string;
    /** Parent temp dir, for more projects. */
    temp: string;
  }
}

/** Packs once for every packaging test; removes the temp dir afterwards. */
export default function setup(project: TestProject): () => void {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('test:packaging needs dist/: run npm run build first');
  const temp = makeTemp('cohortkit-pack-');
  const tarball = packTarball(temp);
  const app = installProject(temp, 'app', tarball);
  linkDevPackage(app, '@types/node');
  project.provide('tarball', tarball);
  project.provide('app', app);
  project.provide('temp', temp);
  return () => rmSync(temp, { recursive: true, force: true });
}
