/** A string kept with my.setStorage under one key. */
export type StoredString = {
  read(): Promise<string | null>;
  write(value: string): Promise<void>;
  remove(): Promise<void>;
};

export type StorageApi = Pick<typeof my, "getStorage" | "setStorage" | "removeStorage">;

export function storedString(storage: StorageApi, key: string): StoredString {
  return {
    async read() {
      try {
        const { data } = (await storage.getStorage({ key })) as { data?: unknown };
        return typeof data === "string" && data.length > 0 ? data : null;
      } catch {
        return null;
      }
    },
    async write(value) {
      await storage.setStorage({ key, data: value });
    },
    async remove() {
      await storage.removeStorage({ key });
    },
  };
}

export const STORAGE_KEYS = {
  sessionToken: "paysign.sessionToken",
  devUserId: "paysign.devUserId",
} as const;
