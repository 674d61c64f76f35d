// `cohortkit-catalog <config.json>`: prints the Markdown catalog of a createClient configuration.
import { isCohortkitError } from '../errors';
import { describeCatalog } from './describe';

export interface CatalogCliIO {
  readFile(path: string): Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `usage: cohortkit-catalog [--json] <config.json>

Prints the segment catalog (Markdown) of a configuration: a JSON file with the options you pass to
createClient ({ purposes, segments, cohorts, ... }). --json prints { segments, spaces } instead.
Exit codes: 0 printed, 2 usage, unreadable file, malformed JSON or invalid options.`;

/**
 * Runs the CLI. Never throws: every failure is a message on `err` naming the path, and exit code 2.
 * @returns the process exit code
 */
export async function runCatalogCli(argv: string[], io: CatalogCliIO): Promise<number> {
  const fail = (msg: string) => (io.err(`cohortkit-catalog: ${msg}\n`), 2);
  if (argv.includes('--help') || argv.includes('-h')) return io.out(`${USAGE}\n`), 0;
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  const unknown = rest.find((a) => a.startsWith('-') && a !== '-');
  if (unknown) return fail(`unknown option ${unknown}\n${USAGE}`);
  if (rest.length !== 1) return fail(`expected one config file, got ${rest.length}\n${USAGE}`);
  const path = rest[0];
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return fail(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String((e as Error).message ?? e)}`);
  }
  let options: unknown;
  try {
    options = JSON.parse(text);
  } catch (e) {
    return fail(`${path}: not valid JSON (${(e as Error).message})`);
  }
  try {
    const d = describeCatalog(options as never);
    io.out(json ? `${JSON.stringify({ segments: d.segments, spaces: d.spaces }, null, 2)}\n` : d.markdown);
    return 0;
  } catch (e) {
    if (isCohortkitError(e)) return fail(`${path}: invalid options: ${e.message}`);
    throw e;
  }
}
