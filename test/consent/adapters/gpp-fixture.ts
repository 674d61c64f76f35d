// GPP fixtures: the IAB GPP stub protocol (iabgpp-es modules/stub: queue, events, listener ids)
// and IAB Tech Lab's own CMP API (@iabgpp/cmpapi), which adopts the stub's queue and listeners.
import { CmpApi, SignalStatus } from '@iabgpp/cmpapi';

/** Installs a `__gpp` stub as IAB's does: queues commands, keeps listeners with ids 1, 2, …. */
export function installGppStub(win: Record<string, unknown>): void {
  const queue: unknown[][] = [];
  const events: Array<{ id: number; callback: unknown; parameter: unknown }> = [];
  let lastId = 0;
  win.__gpp = (...args: unknown[]) => {
    if (!args.length || (args.length === 1 && args[0] === 'queue')) return queue;
    if (args.length === 1 && args[0] === 'events') return events;
    const [cmd, callback, parameter] = args;
    if (cmd === 'ping') return { gppVersion: '1.1', cmpStatus: 'stub', cmpDisplayStatus: 'hidden', signalStatus: 'not ready', supportedAPIs: [], cmpId: 0 };
    if (cmd === 'addEventListener') {
      events.push({ id: ++lastId, callback, parameter });
      return { eventName: 'listenerRegistered', listenerId: lastId, data: true, pingData: { cmpStatus: 'stub', signalStatus: 'not ready' } };
    }
    if (cmd === 'removeEventListener') {
      const i = events.findIndex((e) => e.id === parameter);
      if (i >= 0) events.splice(i, 1);
      return { eventName: 'listenerRemoved', listenerId: parameter, data: i >= 0 };
    }
    if (cmd === 'hasSection' || cmd === 'getSection' || cmd === 'getField') return null;
    queue.push(args);
    return undefined;
  };
}

/** Loads IAB's CMP API (it uses the global window) with usnat applicable. */
export function loadGppCmp(): CmpApi {
  const cmp = new CmpApi(31, 1);
  cmp.setApplicableSections([7]);
  return cmp;
}

/** Sets usnat fields, marks the signal ready and fires the section change, as a CMP does. */
export function setUsnat(cmp: CmpApi, fields: Record<string, number | number[]>): void {
  for (const [k, v] of Object.entries(fields)) cmp.setFieldValue('usnat', k, v);
  cmp.setSignalStatus(SignalStatus.READY);
  cmp.fireSectionChange('usnat');
}
