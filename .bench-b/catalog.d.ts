import { C as CatalogEntry, a as CatalogSpace, b as ClientOptions } from './chunks/types-R6Jy8j5G.js';
export { c as CohortSpace, S as SegmentDefinition } from './chunks/types-R6Jy8j5G.js';
export { C as CohortkitError, a as CohortkitErrorCode, i as isCohortkitError } from './chunks/errors-DDvr_evL.js';

interface CatalogDescription {
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
declare function describeCatalog(options?: ClientOptions): CatalogDescription;

interface Purpose {
    id: string;
    description?: string;
    retentionDays?: number;
}

interface MarkdownInput {
    segments: CatalogEntry[];
    spaces: CatalogSpace[];
    purposes: Purpose[];
    /** The default `retentionDays` of the options. */
    retentionDays: number;
    /** Id of the built-in consent space among `spaces` (report.consentRates), if any. */
    consentSpace?: string;
    policyVersion?: string;
}
/** The lifecycle goals, in lifecycle order; other goals follow alphabetically, then segments without one. */
declare const GOALS: string[];
/** Segments grouped by goal: lifecycle goals first (in order), then other goals A–Z, then none. */
declare function groupByGoal<T extends {
    goal?: string;
}>(items: T[]): Array<[goal: string | undefined, items: T[]]>;
/** Renders the whole catalog. Deterministic: the same input gives the same text. */
declare function renderMarkdown(m: MarkdownInput): string;

export { CatalogEntry, CatalogSpace, ClientOptions, GOALS, describeCatalog, groupByGoal, renderMarkdown };
export type { CatalogDescription, MarkdownInput };
