// The release, kept in step with package.json (test/tag/iife.test.ts checks): the script-tag
// bundle's `version`, and each add-on's, which the bundle compares before using one.
const VERSION = '0.1.0';

export { VERSION as V };
//# sourceMappingURL=version-CqUn23qH.js.map
