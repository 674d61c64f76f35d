// Public entry `cohortkit/catalog`: the segment catalog of a configuration, as data and Markdown.
// Pure: Node or browser; not part of the main bundle (the client has `client.catalog()`).
export { describeCatalog, type CatalogDescription } from './catalog/describe';
export { renderMarkdown, groupByGoal, GOALS, type MarkdownInput } from './catalog/markdown';
export type { CatalogEntry, CatalogSpace, ClientOptions, CohortSpace, SegmentDefinition } from './types';
export { CohortkitError, isCohortkitError, type CohortkitErrorCode } from './errors';
