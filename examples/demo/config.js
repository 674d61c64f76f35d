// The demo site's cohortkit configuration: purposes, segments, slots and visitor journeys.
// Cohort spaces come from the collector's config (examples/collector/spaces.json), so both sides agree.

export const POLICY = {
  version: '2025-06',
  text:
    'Example News & Shop personalizes pages on your device. What you read and buy stays in this browser; ' +
    'with "measurement" on, it sends one randomized cohort report per audience per day (local differential ' +
    'privacy, ε = 1): no id, no events, no URL, no cookies. Change or withdraw any choice at any time; ' +
    'withdrawal deletes what relied on it.',
};

export const PURPOSES = [
  { id: 'personalization', description: 'Tailor articles and offers to what you read and buy here (kept 30 days)', retentionDays: 30 },
  { id: 'measurement', description: 'Send randomized cohort reports so we can count audiences and test changes', retentionDays: 30 },
];

const view = (section, n, within) => ({ event: 'article_view', where: { section }, count: { gte: n }, within });

export const SEGMENTS = [
  { id: 'news-reader', description: 'Reads news regularly (3+ news articles in 7 days)', goal: 'retention', rule: view('news', 3, '7d') },
  { id: 'sport-fan', description: 'Follows sport (2+ sport articles in 7 days)', goal: 'retention', rule: view('sport', 2, '7d') },
  {
    id: 'shopper',
    description: 'Shopping: a cart in the last 3 days or pricing viewed twice today, no purchase yet',
    goal: 'activation',
    rule: {
      all: [
        { any: [{ event: 'add_to_cart', within: '3d' }, { event: 'pricing_view', count: { gte: 2 }, within: '1d' }] },
        { not: { event: 'purchase', within: '30d' } },
      ],
    },
  },
  { id: 'buyer', description: 'Bought something in the last 5 days', goal: 'retention', rule: { event: 'purchase', lastSeen: { within: '5d' } } },
  {
    id: 'lapsed-buyer',
    description: 'Bought before, but not in the last 5 days',
    goal: 'reactivation',
    rule: { event: 'purchase', lastSeen: { olderThan: '5d' } },
  },
  { id: 'health-reader', description: 'Reads about health (sensitive: never reported)', sensitive: true, rule: view('health', 1, '30d') },
  { id: 'desktop-visitor', description: 'On a desktop browser (context only: nothing stored, no consent needed)', purposes: [], rule: { context: 'device', in: ['desktop'] } },
];

/**
 * The hero slot's holdout is an experiment: `defineExperiment(EXPERIMENT)` (cohortkit) gives its
 * segments and the `experiment-hero` space (arm × outcome) the dashboard reads the lift from.
 * serve.mjs expands it and hands the page the result at /demo-config.json.
 */
export const EXPERIMENT = { id: 'hero', slot: 'hero', conversion: { event: 'purchase', within: '30d' }, description: 'Bought within 30 days' };

/** The page's personalized slots: DecideRequests plus a title and a note to render. */
export const SLOTS = [
  {
    slot: 'hero',
    title: 'Hero banner',
    note: 'experiment: half of the consenting visitors who would see a variant keep the default',
    holdout: 0.5,
    variants: [
      { segment: 'lapsed-buyer', value: 'Welcome back! 15% off your next order' },
      { segment: 'shopper', value: 'Your cart is waiting: free shipping today' },
      { segment: 'buyer', value: 'Thanks for your order: track it in one click' },
      { segment: 'sport-fan', value: 'Live: tonight’s matches and scores' },
      { segment: 'news-reader', value: 'Your morning briefing is ready' },
    ],
    fallback: 'Welcome to Example News & Shop',
  },
  {
    slot: 'recommendation',
    title: 'Recommended for you',
    note: 'sensitive segments not allowed here',
    variants: [
      { segment: 'health-reader', value: 'Health: 5 habits for better sleep' },
      { segment: 'sport-fan', value: 'Sport: the Champions League preview' },
      { segment: 'news-reader', value: 'News: the week in 10 charts' },
      { segment: 'desktop-visitor', value: 'Tip: press / to search (desktop)' },
    ],
    fallback: 'Most read today',
  },
  {
    slot: 'offer',
    title: 'Offer',
    note: 'capped: at most 3 per day',
    cap: { max: 3, per: '1d' },
    variants: [
      { segment: 'shopper', value: '10% off what is in your cart' },
      { segment: 'lapsed-buyer', value: 'We miss you: free delivery this week' },
    ],
    fallback: 'Get our newsletter',
  },
];

let seq = 0;
const article = (section) => ['article_view', { section, id: `a${++seq}`, title: `A ${section} story` }];

/** Visitor actions: [label, event, props]. Extra props (id, title, q) are dropped by minimization. */
export const ACTIONS = {
  news: ['Read a news article', () => article('news')],
  sport: ['Read a sport article', () => article('sport')],
  health: ['Read a health article', () => article('health')],
  search: ['Search “running shoes”', () => ['search', { q: 'running shoes' }]],
  pricing: ['View pricing', () => ['pricing_view', { plan: 'pro', n: ++seq }]],
  cart: ['Add to cart', () => ['add_to_cart', { sku: `sku-${++seq}`, price: 49 }]],
  purchase: ['Purchase', () => ['purchase', { order: `o${++seq}`, total: 49 }]],
};

/** Journeys: action keys, or ['+', days] to travel in time. */
export const PRESETS = {
  'News lover': ['news', 'news', 'news', 'news', 'sport'],
  'Sport fan': ['sport', 'sport', 'sport', 'search'],
  Shopper: ['pricing', 'pricing', 'cart'],
  'Lapsed buyer': ['cart', 'purchase', ['+', 7]],
};
