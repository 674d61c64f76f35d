// The component's stylesheet, applied without inline styles so it works under style-src 'self'.
import CSS from './styles.css?inline';
import { h } from './dom';

export { CSS };

let sheet: CSSStyleSheet | undefined;

/**
 * Styles a shadow root: adopts a constructable stylesheet (shared by every element; CSSOM, so no
 * CSP style-src exception is needed); where that is unsupported, links `href` (the shipped
 * cohortkit-ui.css) or, without one, appends a `<style>` (which a strict CSP would block).
 * @returns how the styles were applied
 */
export function applyStyles(root: ShadowRoot, href?: string): 'adopted' | 'link' | 'style' {
  try {
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet == 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sheet) {
        const s = new CSSStyleSheet();
        s.replaceSync(CSS);
        sheet = s;
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return 'adopted';
    }
  } catch {
    // another realm's sheet or an old engine: fall back below
  }
  if (href) return root.append(h('link', { rel: 'stylesheet', href })), 'link';
  return root.append(h('style', null, CSS)), 'style';
}
