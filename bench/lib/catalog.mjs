// The benches' 100-segment catalog (bench/client.mjs, bench/engines.mjs), as data passed into the
// page: a third of the segments count one event, a third need two, a third either of two; each
// condition has a category, a count and a window.
export const EVENTS = ['article_view', 'search', 'video_play', 'add_to_cart', 'purchase', 'share', 'comment', 'login', 'signup', 'scroll'];
export const CATS = ['news', 'sport', 'tech', 'food', 'travel'];
const WINDOWS = ['1d', '7d', '30d'];
const ev = (j) => ({ event: EVENTS[j % EVENTS.length], where: { category: CATS[j % CATS.length] }, count: { gte: 1 + (j % 4) }, within: WINDOWS[j % 3] });
export const SEGMENTS = Array.from({ length: 100 }, (_, i) => ({
  id: `s${i}`,
  description: `segment ${i}`,
  rule: i % 3 === 0 ? ev(i) : i % 3 === 1 ? { all: [ev(i), ev(i + 3)] } : { any: [ev(i), ev(i + 7)] },
}));
