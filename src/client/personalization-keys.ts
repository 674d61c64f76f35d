// Where personalization keeps its state in the `meta` store: shared by the runtime (an add-on) and
// the core (which deletes both on a withdrawal of `personalization` whether or not it was loaded).
export const CAPS_KEY = 'decide:caps';
export const LOCAL_ID_KEY = 'decide:localId';
