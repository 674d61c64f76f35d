// The governance page for the cross-engine test (a file, so it runs under script-src 'self'):
// a client with declared interests, a `{ declared }` segment, and the preference center.
(async () => {
  try {
    const client = await window.Cohortkit.createClient({
      namespace: 'gov',
      interests: [
        { id: 'hiking', label: 'Hiking trips' },
        { id: 'stats', label: 'Our statistics', purposes: ['measurement'] },
      ],
      segments: [
        { id: 'hiker', description: 'said they like hiking', rule: { declared: 'hiking' } },
        { id: 'stat-fan', description: 'measurement interest', purposes: ['measurement'], rule: { declared: 'stats' } },
      ],
    });
    window.CohortkitUI.definePreferenceCenter(client, { stylesheet: '/dist/cohortkit-ui.css' });
    document.body.append(document.createElement('cohortkit-preferences'));
    window.client = client;
    window.uiReady = true;
  } catch (e) {
    window.uiReady = String(e);
  }
})();
