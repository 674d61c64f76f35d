// describeCatalog(options): the catalog of a configuration without a client, validated exactly as
// createClient validates it (same validators, same order, same messages).
import { validateInterop } from '../consent/interop';
import { CohortkitError } from '../errors';
import { compileConsentSpace, consentSpace } from '../metrics/consent-space';
import { normalizeOptions } from '../options';
import { pageBase, validateCohortSpaces, validateReportOptions } from '../reporting';
import { compileSegments } from '../segments';
import type { CatalogEntry, CatalogSpace, ClientOptions } from '../types';
import { catalogEntries, catalogSpaces } from './entries';
import { renderMarkdown } from './markdown';

export interface CatalogDescription {
  segments: CatalogEntry[];
  spaces: CatalogSpace[];
  /** Documents every segment (grouped by goal) and every cohort space. */
  markdown: string;
}


/**
 * Documents a configuration: every segment and cohort space, and the same as Markdown.
 * Pure (no storage, no DOM, no network); runs in Node and in the browser.
 * @param options the options you would pass to `createClient`
 * @throws CohortkitError `invalid-options` naming the path, exactly where createClient would reject
 */
export function describeCatalog(options: ClientOptions = {}): CatalogDescription {
  const opts = normalizeOptions(options);
  const purposeIds = opts.purposes.map((p) => p.id);
  const catalog = compileSegments(opts.raw.segments ?? [], { purposes: purposeIds, interests: opts.interests.map((i) => i.id) });
  validateInterop(opts.raw.interop, purposeIds);
  const compiled = validateCohortSpaces(opts.raw.cohorts, catalog);
  const report = opts.raw.report === undefined ? undefined : validateReportOptions(opts.raw.report, pageBase(), compiled);
  // report.consentRates: the built-in consent space is reported too, so it is documented; the
  // same checks as the client's reporting runtime (src/client/reporting.ts).
  if (report?.consentRates) {
    if (compiled.some((s) => s.id === 'consent'))
      throw new CohortkitError('invalid-options', 'cohorts: the space id "consent" is reserved while report.consentRates is on');
    // The client keeps only k and the index (and throws as it would); the catalog names every cohort.
    const space = compileConsentSpace(purposeIds, report.consentRates);
    const { description, cohorts, fallback } = consentSpace(purposeIds);
    compiled.push({ ...space, description, cohorts, fallback });
  }
  const segments = catalogEntries(catalog, compiled, opts);
  const spaces = catalogSpaces(compiled);
  const md = { segments, spaces, purposes: opts.purposes, retentionDays: opts.retentionDays, policyVersion: opts.policyVersion };
  return { segments, spaces, markdown: renderMarkdown(report?.consentRates ? { ...md, consentSpace: 'consent' } : md) };
}
