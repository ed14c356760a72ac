export const GATEWAY_FAULT_MODES = [
  "timeout",
  "system-error",
  "pay-in-process",
  "acq-system-error",
  "merchant-refusal",
  "late-processing",
] as const;
/** Modes that only alipay.trade.pay takes. */
export const TRADE_PAY_FAULT_MODES: readonly FaultMode[] = ["pay-in-process", "merchant-refusal", "late-processing"];
export const NOTIFY_FAULT_MODES = [
  "drop-notify",
  "duplicate-notify",
  "reorder-notify",
  "bad-sign-notify",
  "lose-notify",
] as const;

type GatewayFaultMode = (typeof GATEWAY_FAULT_MODES)[number];
type NotifyFaultMode = (typeof NOTIFY_FAULT_MODES)[number];
export type FaultMode = GatewayFaultMode | NotifyFaultMode;

export type Fault = {
  /** A gateway method, a notify_type for notify modes, or `*`. */
  method: string;
  mode: FaultMode;
  /** How many more requests (or notifications) it applies to. */
  remaining: number;
  /** Whether the request takes effect behind the fault (gateway modes only). */
  applied: boolean;
  /** `merchant-refusal`: the trade.pay sub_code answered (docs/alipay-protocol.md §16.1). */
  subCode?: string;
};

export type FaultStore = {
  add(fault: Fault): void;
  clear(): void;
  list(): Fault[];
  /** Consumes one use of the first fault matching `method` among `modes`. */
  take(method: string, modes: readonly FaultMode[]): Fault | null;
};

/**
 * Defaults for `applied`: a timeout and ACQ.SYSTEM_ERROR happen after the trade was processed (the worst case for a
 * merchant: the money moved, the answer is lost); a 20000 is refused before processing.
 */
export function defaultApplied(mode: FaultMode): boolean {
  return mode !== "system-error" && mode !== "merchant-refusal";
}

export function createFaultStore(): FaultStore {
  let faults: Fault[] = [];
  return {
    add: (fault) => void faults.push(fault),
    clear: () => void (faults = []),
    list: () => faults.map((fault) => ({ ...fault })),
    take(method, modes) {
      const fault = faults.find(
        (candidate) => modes.includes(candidate.mode) && (candidate.method === "*" || candidate.method === method),
      );
      if (!fault) return null;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults = faults.filter((candidate) => candidate !== fault);
      return { ...fault };
    },
  };
}
