import { randomBytes } from "node:crypto";

/** How long a `bill_download_url` works: Alipay's address stops working after about 30 seconds (§21). */
const BILL_URL_LIFETIME_MS = 30_000;

type BillFile = { bytes: Uint8Array; fileName: string; expiresAt: number };

/** The zips handed out by bill.downloadurl.query, each behind a random token until it expires (sandbox clock). */
export type BillFiles = {
  add(file: { bytes: Uint8Array; fileName: string; now: Date }): string;
  /** The file of a token, or null when the token is unknown or its address expired at `now`. */
  take(token: string, now: Date): { bytes: Uint8Array; fileName: string } | null;
  clear(): void;
};

export function createBillFiles(): BillFiles {
  const files = new Map<string, BillFile>();
  return {
    add({ bytes, fileName, now }) {
      for (const [token, file] of files) if (file.expiresAt < now.getTime()) files.delete(token);
      const token = randomBytes(16).toString("hex");
      files.set(token, { bytes, fileName, expiresAt: now.getTime() + BILL_URL_LIFETIME_MS });
      return token;
    },
    take(token, now) {
      const file = files.get(token);
      if (!file || file.expiresAt < now.getTime()) return null;
      return { bytes: file.bytes, fileName: file.fileName };
    },
    clear: () => files.clear(),
  };
}
