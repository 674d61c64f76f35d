#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { i as isCohortkitError } from './chunks/errors-Cp7kg1GW.js';
import { describeCatalog } from './catalog.js';
import './chunks/interop-validate-Cq54J7rw.js';
import './chunks/entries-RiBf5myd.js';
import './chunks/validate-aI8U5EBI.js';
import './chunks/consent-space-2DJOztdB.js';
import './chunks/validate-BjJW4X_x.js';

// `cohortkit-catalog <config.json>`: prints the Markdown catalog of a createClient configuration.
const USAGE = `usage: cohortkit-catalog [--json] <config.json>

Prints the segment catalog (Markdown) of a configuration: a JSON file with the options you pass to
createClient ({ purposes, segments, cohorts, ... }). --json prints { segments, spaces } instead.
Exit codes: 0 printed, 2 usage, unreadable file, malformed JSON or invalid options.`;
/**
 * Runs the CLI. Never throws: every failure is a message on `err` naming the path, and exit code 2.
 * @returns the process exit code
 */
async function runCatalogCli(argv, io) {
    const fail = (msg) => (io.err(`cohortkit-catalog: ${msg}\n`), 2);
    if (argv.includes('--help') || argv.includes('-h'))
        return io.out(`${USAGE}\n`), 0;
    const json = argv.includes('--json');
    const rest = argv.filter((a) => a !== '--json');
    const unknown = rest.find((a) => a.startsWith('-') && a !== '-');
    if (unknown)
        return fail(`unknown option ${unknown}\n${USAGE}`);
    if (rest.length !== 1)
        return fail(`expected one config file, got ${rest.length}\n${USAGE}`);
    const path = rest[0];
    let text;
    try {
        text = await io.readFile(path);
    }
    catch (e) {
        const code = e.code;
        return fail(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e.message ?? e)}`);
    }
    let options;
    try {
        options = JSON.parse(text);
    }
    catch (e) {
        return fail(`${path}: not valid JSON (${e.message})`);
    }
    try {
        const d = describeCatalog(options);
        io.out(json ? `${JSON.stringify({ segments: d.segments, spaces: d.spaces }, null, 2)}\n` : d.markdown);
        return 0;
    }
    catch (e) {
        if (isCohortkitError(e))
            return fail(`${path}: invalid options: ${e.message}`);
        throw e;
    }
}

// `npx cohortkit-catalog <config.json>`: the segment catalog as Markdown (see README, "Segment catalog").
runCatalogCli(process.argv.slice(2), {
    readFile: (p) => readFile(p, 'utf8'),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
}).then((code) => (process.exitCode = code), (e) => {
    console.error(`cohortkit-catalog: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
});
//# sourceMappingURL=cohortkit-catalog.js.map
