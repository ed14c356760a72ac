import type { PaySignAnswer } from "../services/sign-center.ts";

/**
 * Development mode: the agreement page opens the web-view signing page and waits; the web-view page hands the H5
 * page's answer back through this relay, kept in the App's globalData (the one object every page bundle shares).
 */
export type SignRelay = {
  /** Starts a signing on the given H5 page URL; settles when the web-view page finishes it. */
  begin(url: string): Promise<PaySignAnswer>;
  /** The URL of the signing in progress, if any. */
  pendingUrl(): string | null;
  /** Settles the signing in progress (later calls do nothing). */
  finish(answer: PaySignAnswer): void;
};

/** `signRelay`: development builds only. */
export type AppGlobal = { signRelay?: SignRelay };

export function createSignRelay(): SignRelay {
  let pending: { url: string; resolve(answer: PaySignAnswer): void } | null = null;
  return {
    begin(url) {
      // A signing left open (the page went away without an answer) counts as a cancel, as paySignCenter would.
      pending?.resolve({ resultStatus: "6001", result: "" });
      return new Promise((resolve) => {
        pending = { url, resolve };
      });
    },
    pendingUrl: () => pending?.url ?? null,
    finish(answer) {
      const current = pending;
      pending = null;
      current?.resolve(answer);
    },
  };
}

/** The development build's relay; throws in a build without one. */
export function signRelay(): SignRelay {
  const relay = getApp<{ globalData: AppGlobal }>().globalData.signRelay;
  if (!relay) throw new Error("the sign relay exists in development builds only");
  return relay;
}
