// Offline TCF fixtures: a minimal hand-written Global Vendor List and a TC string encoder.
import { GVL, Segment, TCModel, TCString } from '@iabtechlabtcf/core';
import { CmpApi, CmpApiModel } from '@iabtechlabtcf/cmpapi';

const purposes: Record<string, { id: number; name: string; description: string }> = {};
for (let id = 1; id <= 11; id++) purposes[id] = { id, name: `Purpose ${id}`, description: `purpose ${id}` };

/** A GVL v3 object, small enough to write by hand: 11 purposes, one vendor. */
export const vendorList = {
  gvlSpecificationVersion: 3,
  vendorListVersion: 1,
  tcfPolicyVersion: 5,
  lastUpdated: '2024-01-01T00:00:00Z',
  purposes,
  specialPurposes: {},
  features: {},
  specialFeatures: {},
  stacks: {},
  vendors: {
    1: {
      id: 1, name: 'Test vendor', purposes: [1, 3, 4, 7, 8, 9], legIntPurposes: [2, 10], flexiblePurposes: [],
      specialPurposes: [], features: [], specialFeatures: [], usesCookies: false, cookieMaxAgeSeconds: null,
      cookieRefresh: false, usesNonCookieAccess: false,
    },
    2: {
      id: 2, name: 'Other vendor', purposes: [1, 3], legIntPurposes: [], flexiblePurposes: [],
      specialPurposes: [], features: [], specialFeatures: [], usesCookies: false, cookieMaxAgeSeconds: null,
      cookieRefresh: false, usesNonCookieAccess: false,
    },
  },
};

/** Encodes a real TC string with the given purpose consents and legitimate interests. */
export function encodeTC(consents: number[], legitimateInterests: number[] = []): string {
  const model = new TCModel(new GVL(vendorList as never));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.purposeConsents.set(consents);
  model.purposeLegitimateInterests.set(legitimateInterests);
  return TCString.encode(model);
}

/** The standard IAB stub: queues calls until the CMP loads; called with no arguments, returns the queue. */
export function installStub(win: Record<string, unknown>): void {
  const queue: unknown[][] = [];
  win.__tcfapi = (...args: unknown[]) => {
    if (!args.length) return queue;
    queue.push(args);
  };
}

/** Resets the reference CMP's module-global state and removes `__tcfapi`. */
export function resetCmp(win: Record<string, unknown>): void {
  CmpApiModel.reset();
  delete win.__tcfapi;
}

/** Loads IAB Tech Lab's reference CMP API into `window` (CmpApi always uses the global window). */
export function loadCmp(): CmpApi {
  return new CmpApi(10, 1, false);
}

export { CmpApiModel };

/**
 * A TCF v2.3 TC string (policy version 5): purpose consents, vendor consents and the disclosed
 * vendors. `disclosedSegment: false` encodes the core segment only (a string without the
 * disclosedVendors segment, as pre-v2.3 CMPs wrote for the CMP API).
 */
export function encodeTC23(o: { consents: number[]; vendorConsents: number[]; disclosed: number[]; disclosedSegment?: boolean }): string {
  const model = new TCModel(new GVL(vendorList as never));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.purposeConsents.set(o.consents);
  model.vendorConsents.set(o.vendorConsents);
  model.vendorsDisclosed.set(o.disclosed);
  const segments = o.disclosedSegment === false ? [Segment.CORE] : [Segment.CORE, Segment.VENDORS_DISCLOSED];
  return TCString.encode(model, { segments });
}
