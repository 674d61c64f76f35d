// The preference center page for the cross-engine test (a file, so it runs under script-src 'self').
(async () => {
  try {
    const client = await window.Cohortkit.createClient({ namespace: 'ui' });
    window.CohortkitUI.definePreferenceCenter(client, { stylesheet: '/dist/cohortkit-ui.css' });
    document.body.append(document.createElement('cohortkit-preferences'));
    window.client = client;
    window.uiReady = true;
  } catch (e) {
    window.uiReady = String(e);
  }
})();
