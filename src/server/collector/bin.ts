// `npx cohortkit-collector --config spaces.json`: the reference collector (see docs/collector.md).
import { runCli } from './cli';

runCli(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`cohortkit-collector: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
